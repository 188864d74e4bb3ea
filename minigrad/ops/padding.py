"""Padding: pad (constant, any rank), pad2d (constant, reflect, edge; NCHW or NHWC) and
pad_constant_like.

Constant padding is one op, `PadConstant`, whose backward is a slice (`getitem`), whose
backward in turn scatters into zeros: a constant pad of zeros. Reflect and edge padding need no
op of their own: they are `getitem` with integer index arrays along H and W (each padded
position reads one input position), so their backward is the scatter-add that folds the
padded borders back onto the input.
"""
import builtins
import numbers

import numpy as np

from minigrad.core.checks import check_number, check_tensor, dtype_of, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.shape import getitem

__all__ = ["pad", "pad2d", "pad_constant_like", "pad_constant"]


class PadConstant(Op):
    """`widths` ((before, after) per dim, all >= 0) filled with `value`."""

    def __init__(self, widths, value):
        self.widths = widths
        self.value = value

    def forward(self, x):
        return np.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, gy, x):
        shape = shape_of(x)
        return getitem(gy, tuple(builtins.slice(before, before + n)
                                 for (before, _), n in zip(self.widths, shape)))


def pad_constant(x, widths, value=0.0):
    """Pad with `widths` = ((before, after), ...) per dim, all >= 0 (checked by the callers)."""
    widths = tuple((int(a), int(b)) for a, b in widths)
    if not any(a or b for a, b in widths):
        return x
    return PadConstant(widths, value)(x)


def _pad_value(op, x, value):
    """A Python number that keeps x's dtype: int for integer tensors, float otherwise."""
    value = check_number(op, "pad_value", value)
    if dtype_of(x).kind in "iub":
        return int(value)
    return value


def _int_list(op, argument, values):
    if isinstance(values, Variable):
        values = values.data.reshape(-1).tolist()
    if not isinstance(values, (list, tuple)) or not all(
            isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool)
            for v in values):
        raise TypeError(f"{op}: {argument} must be a list of ints, got {values!r}")
    return [int(v) for v in values]


def pad(x, paddings, pad_value=0., name=None):
    """Constant padding of every dim: dim i gets paddings[2i] values before and paddings[2i+1]
    after, all equal to `pad_value`.

    paddings: list/tuple of 2 * rank non-negative ints. Output dtype = x's dtype.
    Raises ValueError for a wrong length or a negative entry.

        y = fluid.layers.pad(x, paddings=[0, 1, 1, 2], pad_value=0.)   # [2, 3] -> [3, 6]
    """
    check_tensor("pad", "x", x)
    paddings = _int_list("pad", "paddings", paddings)
    rank = len(shape_of(x))
    if len(paddings) != 2 * rank:
        raise ValueError(f"pad: paddings must have 2 * rank = {2 * rank} entries for x of shape "
                         f"{list(shape_of(x))}, got {len(paddings)} ({paddings})")
    if min(paddings, default=0) < 0:
        raise ValueError(f"pad: paddings must be >= 0, got {paddings}")
    widths = [(paddings[2 * i], paddings[2 * i + 1]) for i in range(rank)]
    return pad_constant(x, widths, _pad_value("pad", x, pad_value))


def pad_constant_like(x, y, pad_value=0., name=None):
    """`y` padded at the end of each dim with `pad_value` up to x's shape (x is only a shape).

    y: same rank as x, y.shape[i] <= x.shape[i]. Output: x's shape, y's dtype.

        out = fluid.layers.pad_constant_like(x, y)   # x [2, 3, 2, 3], y [1, 3, 1, 3]
    """
    check_tensor("pad_constant_like", "x", x)
    check_tensor("pad_constant_like", "y", y)
    x_shape, y_shape = shape_of(x), shape_of(y)
    if len(x_shape) != len(y_shape) or any(b > a for a, b in zip(x_shape, y_shape)):
        raise ValueError(f"pad_constant_like: y must have x's rank and no dim larger than x's; "
                         f"got x {list(x_shape)} and y {list(y_shape)}")
    return pad_constant(y, [(0, a - b) for a, b in zip(x_shape, y_shape)],
                        _pad_value("pad_constant_like", y, pad_value))


def _border_index(n, before, after, mode):
    """Input positions read by each of the n + before + after padded positions of one dim."""
    positions = np.arange(-before, n + after)
    if mode == "edge":
        return np.clip(positions, 0, n - 1)
    # reflect without repeating the border: -1 -> 1, n -> n - 2
    period = 2 * (n - 1)
    positions = np.abs(positions) % period if period else np.zeros_like(positions)
    return np.where(positions >= n, period - positions, positions)


def pad2d(input, paddings=[0, 0, 0, 0], mode='constant', pad_value=0.0, data_format="NCHW",
          name=None):
    """Pad the two spatial dims of a 4-D image batch.

    paddings: [top, bottom, left, right] (list or 1-D Variable). mode: 'constant' (fill with
    pad_value; negative paddings crop, as in 1.8.5), 'reflect' (mirror without repeating the
    border; each padding at most that dim's size - 1) or 'edge' (repeat the border).
    data_format: 'NCHW' or 'NHWC'. Output dtype = input's.
    Raises ValueError for another mode or format, a wrong paddings length, a reflect padding
    too wide (1.8.5 reads out of bounds there) or negative paddings outside constant mode.

        y = fluid.layers.pad2d(x, paddings=[0, 1, 2, 3], mode='reflect')
    """
    op = "pad2d"
    check_tensor(op, "input", input, ndim=4)
    paddings = _int_list(op, "paddings", paddings)
    if len(paddings) != 4:
        raise ValueError(f"{op}: paddings must be [top, bottom, left, right], got {paddings}")
    if mode not in ("constant", "reflect", "edge"):
        raise ValueError(f"{op}: mode must be 'constant', 'reflect' or 'edge', got {mode!r}")
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError(f"{op}: data_format must be 'NCHW' or 'NHWC', got {data_format!r}")
    h_axis = 2 if data_format == "NCHW" else 1
    shape = shape_of(input)
    sizes = {h_axis: shape[h_axis], h_axis + 1: shape[h_axis + 1]}
    pads = {h_axis: paddings[0:2], h_axis + 1: paddings[2:4]}
    if mode == "constant":
        # Negative paddings crop first; the rest is one constant pad.
        crop = [builtins.slice(None)] * 4
        for axis, (before, after) in pads.items():
            start, stop = max(-before, 0), sizes[axis] - max(-after, 0)
            if start >= stop:
                raise ValueError(f"{op}: paddings {paddings} crop away all of dim {axis} of "
                                 f"size {sizes[axis]}")
            crop[axis] = builtins.slice(start, stop)
        x = input
        if min(paddings) < 0:
            x = getitem(input, tuple(crop))
        widths = [(0, 0)] * 4
        for axis, (before, after) in pads.items():
            widths[axis] = (max(before, 0), max(after, 0))
        return pad_constant(x, widths, _pad_value(op, input, pad_value))
    if min(paddings) < 0:
        raise ValueError(f"{op}: paddings must be >= 0 in {mode} mode, got {paddings}")
    key = [builtins.slice(None)] * 4
    for axis, (before, after) in pads.items():
        n = sizes[axis]
        if mode == "reflect" and max(before, after) > n - 1:
            raise ValueError(f"{op}: reflect paddings along a dim of size {n} must be at most "
                             f"{n - 1}, got {paddings}")
        if before or after:
            index = _border_index(n, before, after, mode)
            # One integer array per indexed dim would be broadcast together: shape them so
            # the two arrays form the output grid (or index one dim at a time).
            key[axis] = index
    arrays = [axis for axis in range(4) if isinstance(key[axis], np.ndarray)]
    if len(arrays) == 2:
        key[arrays[0]] = key[arrays[0]][:, None]
        key[arrays[1]] = key[arrays[1]][None, :]
        # numpy moves broadcast index dims to the front when slices sit between them; NCHW and
        # NHWC both keep H and W adjacent, so they stay in place.
    if not arrays:
        return input
    return getitem(input, tuple(key))
