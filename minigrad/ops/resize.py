"""Paddle 1.8's image resizing: bilinear, trilinear and nearest interpolation.

Every mode is separable: one linear map per spatial axis (`minigrad.ops.taps`), so the backward
is that map's adjoint (a scatter) and the adjoint's backward is the map again.

Paddle 1.8's coordinate conventions along one axis of input length I and output length O (the
C++ kernel computes them in float32, and so does `_ratio` here):

    ratio = 0                                   if O == 1 (every output reads input cell 0)
          = (I - 1) / (O - 1)                   if align_corners
          = I / O                               otherwise (also when the size came from `scale`)

    linear, align_corners=False, align_mode=0:  src = max(ratio (o + 0.5) - 0.5, 0)
    linear, otherwise:                          src = ratio o
        lo = int(src), hi = min(lo + 1, I - 1), weights (1 - (src - lo), src - lo)

    nearest, align_corners:                     i = int(ratio o + 0.5)
    nearest, otherwise:                         i = int(ratio o)
"""
import numbers

import numpy as np

from minigrad.core.checks import check_type, shape_of
from minigrad.core.variable import Variable
from minigrad.ops.creation import Assign
from minigrad.ops.taps import axis_taps

__all__ = ["image_resize", "resize_bilinear", "resize_trilinear", "resize_nearest",
           "image_resize_short", "linear_taps", "nearest_taps"]

_METHODS = {"BILINEAR": 4, "NEAREST": 4, "TRILINEAR": 5}
_FORMATS = {4: ("NCHW", "NHWC"), 5: ("NCDHW", "NDHWC")}


def _ratio(in_size, out_size, align_corners):
    if out_size <= 1:
        return np.float32(0)
    if align_corners:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def linear_taps(in_size, out_size, align_corners, align_mode):
    """(index, weight), each [2, out_size]: Paddle 1.8's linear interpolation along one axis."""
    ratio = _ratio(in_size, out_size, align_corners)
    o = np.arange(out_size)
    if align_mode == 0 and not align_corners:
        # Half-pixel centres; Paddle takes the integer part in double precision, the fraction
        # from the float32 source coordinate, both clamped at 0 on the left.
        src64 = np.float64(ratio) * (o + 0.5) - 0.5
        lo = np.maximum(np.trunc(src64), 0).astype(np.intp)
        frac = np.maximum(src64.astype(np.float32), np.float32(0)) - lo.astype(np.float32)
    else:
        src = ratio * o.astype(np.float32)
        lo = np.trunc(src).astype(np.intp)
        frac = src - lo.astype(np.float32)
    lo = np.minimum(lo, in_size - 1)
    hi = np.minimum(lo + 1, in_size - 1)
    frac = frac.astype(np.float64)
    return np.stack([lo, hi]), np.stack([1.0 - frac, frac])


def nearest_taps(in_size, out_size, align_corners):
    """(index, weight), each [1, out_size]: Paddle 1.8's nearest-neighbour rule along one axis."""
    ratio = _ratio(in_size, out_size, align_corners)
    src = ratio * np.arange(out_size).astype(np.float32)
    if align_corners:
        src = src.astype(np.float64) + 0.5
    index = np.minimum(np.trunc(src).astype(np.intp), in_size - 1)
    return index[None, :], np.ones((1, out_size))


def _int_value(op, argument, value):
    """An int, or a one-element integer Variable / ndarray, as a Python int."""
    if isinstance(value, (Variable, np.ndarray)):
        array = value.data if isinstance(value, Variable) else value
        if array.size != 1 or array.dtype.kind not in "iu":
            raise TypeError(f"{op}: {argument} entries given as tensors must hold one integer, "
                            f"got shape {list(array.shape)} and dtype {array.dtype}")
        return int(array.reshape(-1)[0])
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value):
        return int(value)       # Paddle maps out_shape through int(): 12.7 means 12
    raise TypeError(f"{op}: {argument} entries must be ints or one-element integer Variables, "
                    f"got {type(value).__name__} ({value!r})")


def _shape_from_tensor(op, argument, value, rank):
    array = value.data if isinstance(value, Variable) else value
    if array.dtype.kind not in "iu" or array.size != rank:
        raise ValueError(f"{op}: {argument} as a Variable must hold {rank} integers, got shape "
                         f"{list(array.shape)} and dtype {array.dtype}")
    return [int(v) for v in array.reshape(-1)]


def _output_size(op, in_spatial, out_shape, scale, actual_shape):
    rank = len(in_spatial)
    if actual_shape is not None:
        if not isinstance(actual_shape, (Variable, np.ndarray)):
            raise TypeError(f"{op}: actual_shape must be a Variable or None, got "
                            f"{type(actual_shape).__name__} ({actual_shape!r})")
        if out_shape is None and scale is None:
            raise ValueError(f"{op}: one of out_shape and scale must be given (also with "
                             "actual_shape)")
        sizes = _shape_from_tensor(op, "actual_shape", actual_shape, rank)
    elif out_shape is not None:
        if isinstance(out_shape, (Variable, np.ndarray)):
            sizes = _shape_from_tensor(op, "out_shape", out_shape, rank)
        elif isinstance(out_shape, (list, tuple)):
            if len(out_shape) != rank:
                raise ValueError(f"{op}: out_shape must have {rank} entries for a "
                                 f"{rank + 2}-D input, got {list(out_shape)!r}")
            sizes = [_int_value(op, "out_shape", v) for v in out_shape]
        else:
            raise TypeError(f"{op}: out_shape must be a list, tuple or Variable, got "
                            f"{type(out_shape).__name__} ({out_shape!r})")
    elif scale is not None:
        if isinstance(scale, (Variable, np.ndarray)):
            array = scale.data if isinstance(scale, Variable) else scale
            if array.size != 1 or array.dtype.kind not in "fiu":
                raise TypeError(f"{op}: scale as a Variable must hold one number, got shape "
                                f"{list(array.shape)} and dtype {array.dtype}")
            factor = float(array.reshape(-1)[0])
        elif isinstance(scale, numbers.Real) and not isinstance(scale, bool):
            factor = float(scale)
        else:
            raise TypeError(f"{op}: scale must be a float, int or Variable, got "
                            f"{type(scale).__name__} ({scale!r})")
        if not factor > 0:
            raise ValueError(f"{op}: scale must be > 0, got {factor!r}")
        # Paddle multiplies in float32 and truncates.
        sizes = [int(np.float32(n) * np.float32(factor)) for n in in_spatial]
    else:
        raise ValueError(f"{op}: one of out_shape and scale must be given, got neither")
    names = ("out_d", "out_h", "out_w")[3 - rank:]
    for name, size in zip(names, sizes):
        if size < 1:
            raise ValueError(f"{op}: the output size {name}={size} must be > 0 (input spatial "
                             f"size {list(in_spatial)}, out_shape={out_shape!r}, "
                             f"scale={scale!r}, actual_shape={actual_shape!r})")
    return sizes


def image_resize(input, out_shape=None, scale=None, name=None, resample="BILINEAR",
                 actual_shape=None, align_corners=True, align_mode=1, data_format="NCHW"):
    """Paddle 1.8's image_resize: interpolate the spatial dims of a batch of images.

    input:        4-D [N, C, H, W] ('BILINEAR', 'NEAREST') or 5-D [N, C, D, H, W] ('TRILINEAR');
                  channels last with data_format 'NHWC' / 'NDHWC'. float32, float64 or uint8
                  (uint8 results are truncated, as in Paddle).
    out_shape:    (out_h, out_w) or (out_d, out_h, out_w): ints or one-element integer
                  Variables, or one integer Variable holding all of them. Beats `scale`.
    scale:        float, int or one-element Variable; each output size is int(in_size * scale).
    actual_shape: an integer Variable of output sizes; beats out_shape and scale (one of those
                  must still be given, as in Paddle).
    align_corners, align_mode: coordinate conventions, see this module's docstring
                  (align_mode matters only for linear modes with align_corners=False).
    returns:      the resized images, same dtype and layout.
    Raises ValueError/TypeError for a bad resample, rank, data_format, align flags, sizes,
    out_shape or scale, naming the value received.

        y = fluid.layers.image_resize(x, out_shape=[12, 12])     # x [2, 3, 6, 10] -> [2, 3, 12, 12]
    """
    op = "image_resize"
    if resample not in _METHODS:
        raise ValueError(f"{op}: resample must be 'BILINEAR', 'TRILINEAR' or 'NEAREST', got "
                         f"{resample!r}")
    if not isinstance(input, (Variable, np.ndarray)):
        raise TypeError(f"{op}: input must be a Variable, got {type(input).__name__}")
    shape = shape_of(input)
    rank = _METHODS[resample]
    if len(shape) != rank:
        raise ValueError(f"{op}: resample={resample!r} needs a {rank}-D input, got shape "
                         f"{list(shape)}")
    dtype = input.data.dtype if isinstance(input, Variable) else input.dtype
    if dtype not in (np.float32, np.float64, np.uint8):
        raise TypeError(f"{op}: input must be float32, float64 or uint8, got {dtype}")
    check_type(op, "align_corners", align_corners, (bool, np.bool_), "a bool")
    if isinstance(align_mode, bool) or align_mode not in (0, 1):
        raise ValueError(f"{op}: align_mode must be 0 or 1, got {align_mode!r}")
    if data_format not in _FORMATS[rank]:
        raise ValueError(f"{op}: data_format must be one of {list(_FORMATS[rank])} for a "
                         f"{rank}-D input, got {data_format!r}")
    spatial_axes = list(range(2, rank)) if data_format.startswith("NC") else \
        list(range(1, rank - 1))
    in_spatial = [shape[a] for a in spatial_axes]
    if min(shape) < 1:
        raise ValueError(f"{op}: input shape {list(shape)} has a zero-sized dim")
    sizes = _output_size(op, in_spatial, out_shape, scale, actual_shape)

    taps = []
    for in_size, out_size in zip(in_spatial, sizes):
        if resample == "NEAREST":
            taps.append(nearest_taps(in_size, out_size, bool(align_corners)))
        else:
            taps.append(linear_taps(in_size, out_size, bool(align_corners), align_mode))
    if dtype == np.uint8:
        array = input.data if isinstance(input, Variable) else input
        out = _resize_uint8(array, spatial_axes, taps)
        return Variable(out) if isinstance(input, Variable) else out
    x = input
    for axis, in_size, out_size, (index, weight) in zip(spatial_axes, in_spatial, sizes, taps):
        if out_size != in_size:     # equal sizes give ratio 1 in every mode: the identity
            x = axis_taps(x, index, weight, axis)
    if x is input and isinstance(input, Variable):
        return Assign()(input)      # a new tensor, as Paddle returns
    return x


def _resize_uint8(x, axes, taps):
    """Paddle's uint8 resize: each output is one float32 sum over the corners, truncated.

    Paddle's order of the corners is (width, height) slowest first in 2-D and (depth, height,
    width) in 3-D, each term multiplied by its weights in (depth,) height, width order; the
    separable path would round differently and now and then truncate to the neighbour integer.
    """
    index = [np.arange(n).reshape([-1 if i == a else 1 for i in range(x.ndim)])
             for a, n in enumerate(x.shape)]
    corners = []        # per spatial axis: [(index broadcastable along it, float32 weight)]
    for axis, (taps_index, taps_weight) in zip(axes, taps):
        shape = [1] * x.ndim
        shape[axis] = taps_index.shape[1]
        corners.append([(taps_index[t].reshape(shape),
                         taps_weight[t].astype(np.float32).reshape(shape))
                        for t in range(taps_index.shape[0])])
    spatial = list(range(len(axes)))
    slowest_first = [1, 0] if len(axes) == 2 else [0, 1, 2]
    total = None
    for corner in np.ndindex(*[len(corners[k]) for k in slowest_first]):
        pick = dict(zip(slowest_first, corner))
        for k, axis in enumerate(axes):
            index[axis] = corners[k][pick[k]][0]
        term = x[tuple(index)].astype(np.float32)
        for k in spatial:
            term = term * corners[k][pick[k]][1]
        total = term if total is None else total + term
    return np.trunc(total).astype(np.uint8)


def resize_bilinear(input, out_shape=None, scale=None, name=None, actual_shape=None,
                    align_corners=True, align_mode=1, data_format="NCHW"):
    """`image_resize(..., resample='BILINEAR')` on a 4-D input (see image_resize)."""
    return image_resize(input, out_shape, scale, name, "BILINEAR", actual_shape, align_corners,
                        align_mode, data_format)


def resize_trilinear(input, out_shape=None, scale=None, name=None, actual_shape=None,
                     align_corners=True, align_mode=1, data_format="NCDHW"):
    """`image_resize(..., resample='TRILINEAR')` on a 5-D input (see image_resize)."""
    return image_resize(input, out_shape, scale, name, "TRILINEAR", actual_shape, align_corners,
                        align_mode, data_format)


def resize_nearest(input, out_shape=None, scale=None, name=None, actual_shape=None,
                   align_corners=True, data_format="NCHW"):
    """`image_resize(..., resample='NEAREST')` on a 4-D input (see image_resize)."""
    return image_resize(input, out_shape, scale, name, "NEAREST", actual_shape, align_corners,
                        1, data_format)


def image_resize_short(input, out_short_len, resample="BILINEAR"):
    """Resize NCHW images so the shorter of H, W becomes `out_short_len`, keeping the aspect ratio
    (the longer side becomes int(long * out_short_len / short + 0.5); on a tie H counts as short).

        y = fluid.layers.image_resize_short(x, 3)       # x [1, 3, 6, 9] -> [1, 3, 3, 5]
    """
    op = "image_resize_short"
    if not isinstance(input, (Variable, np.ndarray)):
        raise TypeError(f"{op}: input must be a Variable, got {type(input).__name__}")
    shape = shape_of(input)
    if len(shape) != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W), got shape {list(shape)}")
    if not isinstance(out_short_len, numbers.Integral) or isinstance(out_short_len, bool) \
            or out_short_len < 1:
        raise ValueError(f"{op}: out_short_len must be a positive int, got {out_short_len!r}")
    hw = list(shape[2:4])
    short = hw.index(min(hw))
    out = list(hw)
    out[short] = int(out_short_len)
    out[1 - short] = int(float(hw[1 - short]) * (float(out_short_len) / float(hw[short])) + 0.5)
    return image_resize(input, out_shape=out, resample=resample)
