"""Rearrangements of image batches: space_to_depth, pixel_shuffle, shuffle_channel,
temporal_shift, and unfold (im2col).

The first four are compositions of reshape, transpose, pad and slices, so they need no gradient
code. unfold is conv2d's im2col: `Unfold` calls `ops.conv.im2col` and its backward is `Fold`,
which calls `ops.conv.col2im`; each is the other's adjoint and backward, so unfold
differentiates twice and conv and unfold share one im2col.

Notation as in ops/conv.py: N, C, H, W input; KH, KW kernel; SH, SW stride; DH, DW dilation;
OH, OW output grid; L = OH OW.
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, check_type, pair, shape_of
from minigrad.core.op import Op
from minigrad.ops import conv as _conv
from minigrad.ops.padding import pad_constant
from minigrad.ops.shape import concat, getitem, reshape, transpose

__all__ = ["space_to_depth", "pixel_shuffle", "shuffle_channel", "temporal_shift", "unfold"]


def _positive_int(op, argument, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{op}: {argument} must be an int, got {type(value).__name__} "
                        f"({value!r})")
    if value < 1:
        raise ValueError(f"{op}: {argument} must be >= 1, got {value}")
    return int(value)


def pixel_shuffle(x, upscale_factor):
    """[N, C, H, W] -> [N, C / r^2, H r, W r] with out[n, c, h r + i, w r + j] =
    x[n, c r^2 + i r + j, h, w] (r = upscale_factor; sub-pixel convolution).

    Raises ValueError when r^2 does not divide C.

        y = fluid.layers.pixel_shuffle(x, upscale_factor=3)   # [2, 9, 4, 4] -> [2, 1, 12, 12]
    """
    check_tensor("pixel_shuffle", "x", x, ndim=4)
    r = _positive_int("pixel_shuffle", "upscale_factor", upscale_factor)
    n, c, h, w = shape_of(x)
    if c % (r * r):
        raise ValueError(f"pixel_shuffle: upscale_factor^2 = {r * r} must divide the {c} "
                         f"channels of x (shape {[n, c, h, w]})")
    y = transpose(reshape(x, [n, c // (r * r), r, r, h, w]), [0, 1, 4, 2, 5, 3])
    return reshape(y, [n, c // (r * r), h * r, w * r])


def space_to_depth(x, blocksize, name=None):
    """[N, C, H, W] -> [N, C b^2, H / b, W / b], with Paddle 1.8's element order (b = blocksize).

    Paddle 1.8.5's kernel (darknet's "reorg") writes, into a buffer read as the output shape,
    the *depth-to-space* [N, C / b^2, H b, W b] of x whose channel k = (i b + j) (C / b^2) + c
    lands at (c, h b + i, w b + j). The result matches 1.8's runnable docstring example (and
    YOLOv2 programs trained with it); the first docstring example, which describes a different
    order, does not run in 1.8.5 (it needs C divisible by b^2). So C must be divisible by b^2,
    and H and W by b.

        y = fluid.layers.space_to_depth(x, blocksize=2)   # [1, 4, 2, 2] -> [1, 16, 1, 1]
    """
    op = "space_to_depth"
    check_tensor(op, "x", x, ndim=4)
    check_type(op, "blocksize", blocksize, numbers.Integral, "an int")
    b = _positive_int(op, "blocksize", blocksize)
    n, c, h, w = shape_of(x)
    if c % (b * b) or h % b or w % b:
        raise ValueError(f"{op}: x of shape {[n, c, h, w]} needs channels divisible by "
                         f"blocksize^2 = {b * b} and height and width divisible by "
                         f"blocksize = {b}")
    y = transpose(reshape(x, [n, b, b, c // (b * b), h, w]), [0, 3, 4, 1, 5, 2])
    return reshape(y, [n, c * b * b, h // b, w // b])


def shuffle_channel(x, group, name=None):
    """ShuffleNet's channel shuffle: channels seen as [group, C / group] are transposed to
    [C / group, group]. x: [N, C, H, W]; group must divide C.

        y = fluid.layers.shuffle_channel(x, group=2)   # channels 0..5 -> 0, 3, 1, 4, 2, 5
    """
    check_tensor("shuffle_channel", "x", x, ndim=4)
    g = _positive_int("shuffle_channel", "group", group)
    n, c, h, w = shape_of(x)
    if c % g:
        raise ValueError(f"shuffle_channel: group={g} must divide the {c} channels of x")
    y = transpose(reshape(x, [n, g, c // g, h, w]), [0, 2, 1, 3, 4])
    return reshape(y, [n, c, h, w])


def temporal_shift(x, seg_num, shift_ratio=0.25, name=None):
    """TSM's temporal shift. x: [N T, C, H, W], T = seg_num frames per clip. In each frame,
    channels [0, c1) take the previous frame's values, [c1, c2) the next frame's (zeros past
    the clip's ends), the rest stay; c1 = int(C shift_ratio), c2 = int(2 C shift_ratio), computed
    in float32 as 1.8.5 does. shift_ratio must be in [0, 0.5).

        y = fluid.layers.temporal_shift(x, seg_num=2, shift_ratio=0.2)
    """
    op = "temporal_shift"
    check_tensor(op, "x", x, ndim=4)
    t = _positive_int(op, "seg_num", seg_num)
    check_type(op, "shift_ratio", shift_ratio, numbers.Real, "a float")
    if not 0 <= shift_ratio < 0.5:
        raise ValueError(f"{op}: shift_ratio must be in [0, 0.5), got {shift_ratio}")
    nt, c, h, w = shape_of(x)
    if nt % t:
        raise ValueError(f"{op}: x's first dim {nt} must be a multiple of seg_num={t}")
    c1 = int(np.float32(c) * np.float32(shift_ratio))
    c2 = int(np.float32(c) * np.float32(2 * shift_ratio))
    clips = reshape(x, [nt // t, t, c, h, w])
    parts = []
    if c1:   # frame i reads frame i - 1: pad one zero frame in front, drop the last
        back = getitem(clips, (slice(None), slice(0, t - 1), slice(0, c1)))
        parts.append(pad_constant(back, [(0, 0), (1, 0), (0, 0), (0, 0), (0, 0)]))
    if c2 > c1:   # frame i reads frame i + 1
        ahead = getitem(clips, (slice(None), slice(1, t), slice(c1, c2)))
        parts.append(pad_constant(ahead, [(0, 0), (0, 1), (0, 0), (0, 0), (0, 0)]))
    if c2 < c:
        parts.append(getitem(clips, (slice(None), slice(None), slice(c2, c))))
    return reshape(concat(parts, axis=2), [nt, c, h, w])


# -- unfold: conv2d's im2col as an op ------------------------------------------------------------


def _geometry(x_shape, kernel, stride, dilation):
    """The conv core's geometry for an unpadded single-filter convolution over x_shape."""
    n, c, h, w = x_shape
    return _conv._geometry(n, c, 1, h, w, kernel, stride, (0, 0), dilation, 1)


def _blocks(x, geo):
    """x [N, C, H, W] -> [N, C KH KW, L] with row c KH KW + kh KW + kw (Paddle's order)."""
    cols = _conv.im2col(x, geo)[0][..., :geo.OH, :geo.OW]    # [KH KW, C, N, OH, OW]
    kk, c, n = cols.shape[:3]
    return np.ascontiguousarray(cols.transpose(2, 1, 0, 3, 4)).reshape(n, c * kk, -1)


def _fold(blocks, x_shape, geo):
    """The adjoint of `_blocks`: each block entry added where it was read."""
    n, c, h, w = x_shape
    # A zero im2col has the conv core's cols layout with zero padding cells, as col2im needs.
    cols = _conv.im2col(np.zeros(x_shape, dtype=blocks.dtype), geo)
    cols[0][..., :geo.OH, :geo.OW] = blocks.reshape(n, c, geo.KH * geo.KW, geo.OH, geo.OW
                                                    ).transpose(2, 1, 0, 3, 4)
    return _conv.col2im(cols, geo)


class Unfold(Op):
    """Unpadded im2col: [N, C, H, W] -> [N, C KH KW, L]."""

    def __init__(self, kernel, stride, dilation):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation

    def forward(self, x):
        return _blocks(x, _geometry(x.shape, self.kernel, self.stride, self.dilation))

    def backward(self, gy, x):
        return Fold(shape_of(x), self.kernel, self.stride, self.dilation)(gy)


class Fold(Op):
    """col2im: [N, C KH KW, L] -> [N, C, H, W], overlapping entries added (Unfold's adjoint)."""

    def __init__(self, shape, kernel, stride, dilation):
        self.shape = tuple(shape)
        self.kernel, self.stride, self.dilation = kernel, stride, dilation

    def forward(self, blocks):
        return _fold(blocks, self.shape, _geometry(self.shape, self.kernel, self.stride,
                                                   self.dilation))

    def backward(self, gx, blocks):
        return Unfold(self.kernel, self.stride, self.dilation)(gx)


def unfold(x, kernel_sizes, strides=1, paddings=0, dilations=1, name=None):
    """Sliding blocks of a batch of images as columns (im2col).

    x: [N, C, H, W] float. kernel_sizes, strides, dilations: an int or [h, w]. paddings: an
    int, [h, w] or [top, left, bottom, right] (zeros). Output [N, C KH KW, L] where row
    c KH KW + kh KW + kw holds, for each of the L = OH OW block positions in row-major order,
    the input value under kernel tap (kh, kw) of channel c;
    OH = (H + top + bottom - (DH (KH - 1) + 1)) // SH + 1, likewise OW.
    Raises ValueError when a block does not fit (OH or OW < 1) or for a bad argument.

        y = fluid.layers.unfold(x, [3, 3], 1, 1, 1)   # [2, 3, 8, 8] -> [2, 27, 64]
    """
    op = "unfold"
    check_tensor(op, "x", x, ndim=4, dtypes="f")
    kernel = pair(op, "kernel_sizes", kernel_sizes, minimum=1)
    stride = pair(op, "strides", strides, minimum=1)
    dilation = pair(op, "dilations", dilations, minimum=1)
    if isinstance(paddings, (list, tuple)) and len(paddings) == 4:
        if not all(isinstance(p, numbers.Integral) and not isinstance(p, bool) and p >= 0
                   for p in paddings):
            raise ValueError(f"{op}: paddings must be non-negative ints, got {paddings!r}")
        top, left, bottom, right = (int(p) for p in paddings)
    else:
        (top, left) = pair(op, "paddings", paddings, minimum=0)
        bottom, right = top, left
    n, c, h, w = shape_of(x)
    oh = _conv.conv_output_size(h + top + bottom, kernel[0], stride[0], 0, dilation[0])
    ow = _conv.conv_output_size(w + left + right, kernel[1], stride[1], 0, dilation[1])
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: kernel_sizes {list(kernel)} with dilations {list(dilation)} "
                         f"do not fit x of spatial size {[h, w]} padded by "
                         f"[{top}, {left}, {bottom}, {right}]: the output would be "
                         f"{oh} x {ow}")
    x = pad_constant(x, [(0, 0), (0, 0), (top, bottom), (left, right)])
    return Unfold(kernel, stride, dilation)(x)
