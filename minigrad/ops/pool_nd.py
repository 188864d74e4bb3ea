"""Pooling over 2 or 3 spatial axes, one axis at a time: pool3d and the adaptive pools.

Every window here is a box: a product of one interval [lo, hi) of real cells per spatial axis
(padding cells are never read: they are -inf for max and excluded or zero for avg). That makes
both poolings separable:

  - average: the box sum is a sum per axis, and the divisor is a product per axis (the interval
    length when `exclusive` or adaptive, the kernel size otherwise), so avg pooling is one
    `axis_taps` map per axis (see `minigrad.ops.taps`), with its adjoint as backward;
  - max: the box maximum is a maximum of per-axis maxima. Taking the last axis first, with ties
    going to the first cell of each interval, finds the box's first maximal cell in row-major
    order (Paddle's winner). The winners are found from the data as constants, and the output
    is a gather from the flattened spatial plane at the winners' flat indices (Paddle's `Mask`);
    its backward is the scatter-add back to the plane, whose backward is the gather again.

Windows (per axis of input length I, kernel K, stride S, padding P0 before and P1 after):
    O = (I + P0 + P1 - K) // S + 1, or rounded up with ceil_mode (a last window that would
        start in the padding is dropped, as `ops.pool.pool_output_size` does for pool2d);
    window o covers [o S - P0, o S - P0 + K) clipped to [0, I).
Adaptive windows (output length O): [floor(o I / O), ceil((o + 1) I / O)).
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, check_type, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.shape import transpose
from minigrad.ops.pool import window_output_size
from minigrad.ops.taps import axis_taps

__all__ = ["pool3d", "adaptive_pool2d", "adaptive_pool3d"]


def _strided_windows(size, kernel, stride, pad_before, pad_after, ceil_mode):
    out = window_output_size(size, kernel, stride, pad_before, pad_after, ceil_mode)
    start = np.arange(out) * stride - pad_before
    return np.maximum(start, 0), np.minimum(start + kernel, size)


def _adaptive_windows(size, out):
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)


# -- average: one tap map per axis ---------------------------------------------------------------

def _average(x, axes, windows, divisors):
    """Mean over boxes; divisors[k] is [O] per axis (interval lengths or kernel sizes)."""
    for axis, (lo, hi), divisor in zip(axes, windows, divisors):
        length = hi - lo
        t = np.arange(length.max())[:, None]
        index = np.minimum(lo[None, :] + t, hi[None, :] - 1)     # non-decreasing in o
        weight = (t < length[None, :]) / divisor[None, :].astype(np.float64)
        x = axis_taps(x, index, weight, axis)
    return x


# -- max: winners from the data, then a gather from the plane --------------------------------------

def _max_winners(x, axes, windows):
    """[N, C, *out] flat indices into each [*spatial] plane of the boxes' first maxima."""
    current = x
    coords = {}
    for axis, (lo, hi) in reversed(list(zip(axes, windows))):
        length = hi - lo
        shape = [1] * x.ndim
        shape[axis] = lo.size
        best = None
        winner = None
        for t in range(int(length.max())):
            taps = np.take(current, np.minimum(lo + t, hi - 1), axis=axis)
            taps = np.where((t < length).reshape(shape), taps, -np.inf)
            if best is None:
                best = taps
                winner = np.broadcast_to(lo.reshape(shape), taps.shape).copy()
            else:
                better = taps > best            # strict: ties keep the first cell
                best = np.where(better, taps, best)
                winner = np.where(better, (lo + t).reshape(shape), winner)
        current = best
        for other in coords:
            coords[other] = np.take_along_axis(coords[other], winner, axis=axis)
        coords[axis] = winner
    spatial = shape_of(x)[axes[0]:]
    flat = np.zeros(current.shape, dtype=np.int64)
    for axis, n in zip(axes, spatial):
        flat = flat * n + coords[axis]
    return flat


class PlaneGather(Op):
    """y[n, c, *o] = x[n, c].ravel()[index[n, c, *o]]: max pooling at known winners."""

    def __init__(self, index, in_shape):
        self._index = index
        self._in_shape = tuple(in_shape)

    def forward(self, x):
        n, c = self._in_shape[:2]
        flat = np.take_along_axis(x.reshape(n, c, -1), self._index.reshape(n, c, -1), axis=2)
        return flat.reshape(self._index.shape)

    def backward(self, gy, x):
        return PlaneScatter(self._index, self._in_shape)(gy)


class PlaneScatter(Op):
    """The adjoint of `PlaneGather`: gy added into zero planes at the winners."""

    def __init__(self, index, in_shape):
        self._index = index
        self._in_shape = tuple(in_shape)

    def forward(self, gy):
        n, c = self._in_shape[:2]
        plane = int(np.prod(self._in_shape[2:]))
        offsets = (np.arange(n * c) * plane).reshape(n, c, *([1] * (self._index.ndim - 2)))
        total = np.bincount((self._index + offsets).ravel(), weights=gy.ravel(),
                            minlength=n * c * plane)
        return total.astype(gy.dtype, copy=False).reshape(self._in_shape)

    def backward(self, ggx, gy):
        return PlaneGather(self._index, self._in_shape)(ggx)


def _pool(x, pool_type, windows, divisors, require_index=False):
    """Pool NC+spatial x over boxes given per spatial axis; optionally also the int32 mask."""
    axes = list(range(2, len(shape_of(x))))
    if pool_type == "avg":
        return _average(x, axes, windows, divisors)
    data = x.data if isinstance(x, Variable) else x
    winners = _max_winners(data, axes, windows)
    y = PlaneGather(winners, data.shape)(x)
    if require_index:
        mask = winners.astype(np.int32)
        return y, (Variable(mask) if isinstance(x, Variable) else mask)
    return y


# -- argument handling ---------------------------------------------------------------------------

def _int_list(op, argument, value, rank, minimum):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = [int(value)] * rank
    elif isinstance(value, (list, tuple)) and len(value) == rank and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        values = [int(v) for v in value]
    else:
        raise TypeError(f"{op}: {argument} must be an int or a list/tuple of {rank} ints, got "
                        f"{value!r}")
    if min(values) < minimum:
        raise ValueError(f"{op}: {argument} must be >= {minimum}, got {value!r}")
    return values


def _check_pool_type(op, pool_type):
    check_type(op, "pool_type", pool_type, str, "'max' or 'avg'")
    if pool_type not in ("max", "avg"):
        raise ValueError(f"{op}: pool_type must be 'max' or 'avg', got {pool_type!r}")


def _check_bool(op, argument, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: {argument} must be a bool, got {value!r}")


def _paddings(op, pool_padding, data_format):
    """Paddle 1.8's pool3d paddings -> 6 ints (d0, d1, h0, h1, w0, w1), or 'SAME' / 'VALID'."""
    if isinstance(pool_padding, str):
        algorithm = pool_padding.upper()
        if algorithm not in ("SAME", "VALID"):
            raise ValueError(f"{op}: pool_padding as a string must be 'SAME' or 'VALID', got "
                             f"{pool_padding!r}")
        return algorithm
    value = pool_padding
    if isinstance(value, (list, tuple)) and len(value) == 5 and all(
            isinstance(v, (list, tuple)) for v in value):
        outer = (0, 1) if data_format == "NCDHW" else (0, 4)
        if any(list(value[i]) != [0, 0] for i in outer):
            raise ValueError(f"{op}: pool_padding {value!r} pads the batch or channel dims; "
                             "only the spatial dims can be padded")
        spatial = [value[i] for i in range(5) if i not in outer]
        if not all(len(pair) == 2 for pair in spatial):
            raise ValueError(f"{op}: pool_padding {value!r} must hold [before, after] pairs")
        value = [v for pair in spatial for v in pair]
    if isinstance(value, (list, tuple)) and len(value) == 6:
        return _int_list(op, "pool_padding", list(value), 6, 0)
    pads = _int_list(op, "pool_padding", value, 3, 0)
    return [p for pad in pads for p in (pad, pad)]


def pool3d(input, pool_size=-1, pool_type="max", pool_stride=1, pool_padding=0,
           global_pooling=False, use_cudnn=True, ceil_mode=False, name=None, exclusive=True,
           data_format="NCDHW"):
    """Paddle 1.8's pool3d: max or average pooling over D, H, W.

    input:          Variable [N, C, D, H, W] ('NCDHW') or [N, D, H, W, C] ('NDHWC'), float.
    pool_size:      int or 3 ints (-1, the default, only with global_pooling).
    pool_stride:    int or 3 ints, >= 1.
    pool_padding:   int, 3 ints, 6 ints (front, back, top, bottom, left, right), 5 pairs in
                    data_format order (batch and channel pairs [0, 0]), or 'SAME' / 'VALID'.
    global_pooling: pool each whole D x H x W volume to 1 x 1 x 1.
    ceil_mode:      round the output size up (not with 'VALID').
    exclusive:      for 'avg', divide by the number of real (unpadded) cells, else by the
                    kernel volume.
    use_cudnn, name: accepted for compatibility.
    returns:        the pooled tensor, same dtype and layout; O = (I + P0 + P1 - K) // S + 1
                    per axis (see this module's docstring).
    Raises ValueError/TypeError naming the argument for bad types, sizes, a padding as large
    as the kernel (a window with no input cell), a window larger than the padded input, or
    'VALID' with ceil_mode.

        y = fluid.layers.pool3d(x, pool_size=2, pool_type="max", pool_stride=2)
    """
    op = "pool3d"
    check_tensor(op, "input", input, ndim=5, dtypes="f")
    _check_pool_type(op, pool_type)
    for argument, value in (("global_pooling", global_pooling), ("ceil_mode", ceil_mode),
                            ("exclusive", exclusive), ("use_cudnn", use_cudnn)):
        _check_bool(op, argument, value)
    if data_format not in ("NCDHW", "NDHWC"):
        raise ValueError(f"{op}: data_format must be 'NCDHW' or 'NDHWC', got {data_format!r}")
    x = input if data_format == "NCDHW" else transpose(input, [0, 4, 1, 2, 3])
    shape = shape_of(x)
    if min(shape) < 1:
        raise ValueError(f"{op}: input shape {list(shape_of(input))} has a zero-sized dim")
    spatial = list(shape[2:])
    if global_pooling:
        kernel, stride, pads = spatial, [1, 1, 1], [0] * 6
    else:
        if isinstance(pool_size, numbers.Integral) and pool_size == -1:
            raise ValueError(f"{op}: pool_size=-1 is only allowed with global_pooling=True; "
                             "give the window size")
        kernel = _int_list(op, "pool_size", pool_size, 3, 1)
        stride = _int_list(op, "pool_stride", pool_stride, 3, 1)
        pads = _paddings(op, pool_padding, data_format)
        if pads == "VALID":
            if ceil_mode:
                raise ValueError(f"{op}: pool_padding='VALID' cannot be used with "
                                 "ceil_mode=True")
            pads = [0] * 6
        elif pads == "SAME":
            pads = []
            for size, k, s in zip(spatial, kernel, stride):
                total = max((-(-size // s) - 1) * s + k - size, 0)
                pads += [total // 2, total - total // 2]
    windows, divisors = [], []
    for axis, name_ in enumerate(("depth", "height", "width")):
        size, k, s = spatial[axis], kernel[axis], stride[axis]
        before, after = pads[2 * axis], pads[2 * axis + 1]
        if k > size + before + after:
            raise ValueError(f"{op}: pool_size {name_} {k} is larger than the padded input "
                             f"{name_} {size + before + after}")
        if max(before, after) >= k:
            raise ValueError(f"{op}: pool_padding {name_} ({before}, {after}) must be smaller "
                             f"than pool_size {k} (else a window sees no input)")
        lo, hi = _strided_windows(size, k, s, before, after, bool(ceil_mode))
        windows.append((lo, hi))
        divisors.append(hi - lo if exclusive else np.full(lo.shape, k))
    y = _pool(x, pool_type, windows, divisors)
    return y if data_format == "NCDHW" else transpose(y, [0, 2, 3, 4, 1])


def _adaptive(op, rank, input, pool_size, pool_type, require_index):
    check_tensor(op, "input", input, ndim=rank + 2, dtypes="f")
    _check_pool_type(op, pool_type)
    check_type(op, "pool_size", pool_size, (numbers.Integral, list, tuple),
               f"an int or a list/tuple of {rank} ints")
    _check_bool(op, "require_index", require_index)
    if pool_type == "avg" and require_index:
        raise ValueError(f"{op}: require_index=True needs pool_type='max' (there is no index "
                         "of an average)")
    sizes = _int_list(op, "pool_size", pool_size, rank, 1)
    shape = shape_of(input)
    if min(shape) < 1:
        raise ValueError(f"{op}: input shape {list(shape)} has a zero-sized dim")
    windows = [_adaptive_windows(n, o) for n, o in zip(shape[2:], sizes)]
    divisors = [hi - lo for lo, hi in windows]
    return _pool(input, pool_type, windows, divisors, require_index)


def adaptive_pool2d(input, pool_size, pool_type="max", require_index=False, name=None):
    """Paddle's adaptive_pool2d: pool NCHW input to exactly pool_size = (OH, OW) cells.

    Cell (i, j) pools rows [floor(i H / OH), ceil((i + 1) H / OH)) and the same for columns
    (the windows may overlap, and OH may exceed H). With pool_type='max' and
    require_index=True, also returns the int32 `Mask`: each winner's index h W + w within its
    H x W plane.
    Raises TypeError/ValueError for a bad pool_type, pool_size, require_index or input.

        y = fluid.layers.adaptive_pool2d(x, pool_size=[3, 3], pool_type="avg")
    """
    return _adaptive("adaptive_pool2d", 2, input, pool_size, pool_type, require_index)


def adaptive_pool3d(input, pool_size, pool_type="max", require_index=False, name=None):
    """Paddle's adaptive_pool3d: adaptive_pool2d over D, H, W of NCDHW input; the mask holds
    (d H + h) W + w.

        y = fluid.layers.adaptive_pool3d(x, pool_size=[3, 3, 3], pool_type="max")
    """
    return _adaptive("adaptive_pool3d", 3, input, pool_size, pool_type, require_index)
