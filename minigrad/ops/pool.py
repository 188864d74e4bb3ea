"""2-D max and average pooling, on the same tap loop as convolution.

A pooling window is a kernel with no weights: output (oh, ow) reads the taps
xpad[n, c, oh SH + kh, ow SW + kw] (notation of `minigrad.ops.conv`). Average pooling is a
*weighted window sum* y = sum_t A_t * tap_t(xpad) with A = 1 / count; its gradient is the
adjoint scatter gxpad[tap_t] += A_t * gy. Max pooling's gradient is the same scatter, with A_t
a mask fixed by the forward pass: 1 where tap t is its window's first maximal cell. The
scatter's gradient is the gather again, so pooling differentiates twice like everything else.
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, pair, shape_of
from minigrad.core.op import Op, will_need_grad

__all__ = ["pool2d", "pool_output_size", "window_output_size"]


def pool_output_size(size, kernel, stride, padding, ceil_mode):
    """Output length of pooling along one dim with `padding` on both sides."""
    return window_output_size(size, kernel, stride, padding, padding, ceil_mode)


def window_output_size(size, kernel, stride, pad_before, pad_after, ceil_mode):
    """Number of pooling windows along one axis (Paddle's rule; with ceil_mode a last window
    that would start in the padding is dropped, so every window holds at least one real cell)."""
    span = size + pad_before + pad_after - kernel
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


class _Window:
    """Geometry of one pooling: sizes, padding (bottom/right grow for ceil_mode) and taps."""

    def __init__(self, shape, kernel, stride, padding, ceil_mode):
        self.N, self.C, self.H, self.W = shape
        (self.KH, self.KW), (self.SH, self.SW), (self.PH, self.PW) = kernel, stride, padding
        self.OH = pool_output_size(self.H, self.KH, self.SH, self.PH, ceil_mode)
        self.OW = pool_output_size(self.W, self.KW, self.SW, self.PW, ceil_mode)
        # Padded extent every window fits in (ceil_mode may need more than 2 * padding).
        self.HP = max(self.H + 2 * self.PH, (self.OH - 1) * self.SH + self.KH)
        self.WP = max(self.W + 2 * self.PW, (self.OW - 1) * self.SW + self.KW)
        # Overlapping windows share cells; windows that tile the padded plane cover every cell.
        self.overlapping = self.KH > self.SH or self.KW > self.SW
        self.tiling = ((self.KH, self.KW) == (self.SH, self.SW)
                       and (self.OH * self.SH, self.OW * self.SW) == (self.HP, self.WP))

    def taps(self):
        """(t, index of the tap's view into the padded input)."""
        for kh in range(self.KH):
            for kw in range(self.KW):
                yield kh * self.KW + kw, (Ellipsis,
                                          slice(kh, kh + (self.OH - 1) * self.SH + 1, self.SH),
                                          slice(kw, kw + (self.OW - 1) * self.SW + 1, self.SW))

    def pad(self, x, fill):
        if (self.HP, self.WP) == (self.H, self.W):
            return x            # windows never leave the input: no copy
        xpad = np.full((self.N, self.C, self.HP, self.WP), fill, dtype=x.dtype)
        xpad[:, :, self.PH:self.PH + self.H, self.PW:self.PW + self.W] = x
        return xpad

    def crop(self, xpad):
        return xpad[:, :, self.PH:self.PH + self.H, self.PW:self.PW + self.W]

    def real_cells(self):
        """[T, OH, OW]: 1 where tap t of window (oh, ow) lies on the unpadded input."""
        inside = np.zeros((1, 1, self.HP, self.WP), dtype=np.float64)
        inside[:, :, self.PH:self.PH + self.H, self.PW:self.PW + self.W] = 1
        return np.stack([inside[index][0, 0] for _, index in self.taps()])


class PoolGather(Op):
    """y[n, c, oh, ow] = sum_t A_t * xpad[tap t]; `weighted(t, v, out=None)` returns A_t * v."""

    def __init__(self, window, weighted):
        self._window = window
        self._weighted = weighted

    def forward(self, x):
        window = self._window
        xpad = window.pad(x, 0)
        taps = window.taps()
        t, index = next(taps)
        y = self._weighted(t, xpad[index])
        for t, index in taps:
            y += self._weighted(t, xpad[index])
        return y

    def backward(self, gy, x):
        return PoolScatter(self._window, self._weighted)(gy)


class PoolScatter(Op):
    """The adjoint of `PoolGather`: gx[tap t] += A_t * gy, padding cropped."""

    def __init__(self, window, weighted):
        self._window = window
        self._weighted = weighted

    def forward(self, gy):
        window = self._window
        empty = np.empty if window.tiling else np.zeros     # tiling: every cell is written
        gxpad = empty((window.N, window.C, window.HP, window.WP), dtype=gy.dtype)
        for t, index in window.taps():
            if window.overlapping:
                gxpad[index] += self._weighted(t, gy)
            else:           # each cell in at most one window: write, no read-modify-write
                self._weighted(t, gy, out=gxpad[index])
        return np.ascontiguousarray(window.crop(gxpad))

    def backward(self, ggx, gy):
        return PoolGather(self._window, self._weighted)(ggx)


class MaxPool2d(Op):
    """Max over each window; the gradient goes to the first maximal cell of the window."""

    def __init__(self, window):
        self.pool_size = (window.KH, window.KW)
        self.pool_stride = (window.SH, window.SW)
        self.pool_padding = (window.PH, window.PW)
        self._window = window
        self._winners_needed = True
        self._masks = None

    def __call__(self, x):
        # Only a forward that backward will follow needs the winners (inference skips them).
        self._winners_needed = will_need_grad(x)
        return super().__call__(x)

    def forward(self, x):
        xpad = self._window.pad(x, -np.inf)
        taps = [xpad[index] for _, index in self._window.taps()]
        if self._winners_needed:
            # Strided views are slow to read (short inner loops), so they are read once, into
            # a contiguous copy that the max and the winners' search then read fast, while it
            # is in cache. Only the masks (T bytes per output cell) are kept for backward.
            taps = np.stack(taps)
        y = taps[0].copy()
        for tap in taps[1:]:
            np.maximum(y, tap, out=y)
        if self._winners_needed:
            self._masks = _first_max_masks(taps, y)
        return y

    def backward(self, gy, x):
        masks = self._masks
        return PoolScatter(self._window, lambda t, values, out=None:
                           np.multiply(values, masks[t], out=out))(gy)

    def release(self):
        super().release()
        self._masks = None


def _first_max_masks(taps, y):
    """[T, N, C, OH, OW] bool: tap t holds its window's first maximal cell.

    Each tap is compared with the maximum y, and a window is claimed by its first tap that
    equals it (ties go to the first maximal cell, as in Paddle).
    """
    masks = taps == y
    free = ~masks[0]
    for hit in masks[1:]:
        hit &= free
        free ^= hit
    return masks


class AvgPool2d(Op):
    """Mean over each window: of its real cells (exclusive) or over KH KW cells."""

    def __init__(self, window, exclusive):
        self.pool_size = (window.KH, window.KW)
        self.pool_stride = (window.SH, window.SW)
        self.pool_padding = (window.PH, window.PW)
        self.exclusive = exclusive
        self._window = window
        real = window.real_cells()
        count = real.sum(axis=0) if exclusive else np.full(real.shape[1:], window.KH * window.KW)
        self._share = real / count          # [T, OH, OW] weight of each tap, float64 constants
        self._shares = {}                   # the same, per dtype

    def _weighted(self, t, values, out=None):
        share = self._shares.get(values.dtype)
        if share is None:
            share = self._shares[values.dtype] = self._share.astype(values.dtype)
        return np.multiply(values, share[t], out=out)

    def forward(self, x):
        return PoolGather(self._window, self._weighted).forward(x)

    def backward(self, gy, x):
        return PoolScatter(self._window, self._weighted)(gy)


def _positive_pair(op, argument, value):
    return pair(op, argument, value, minimum=1)


def pool2d(input, pool_size=-1, pool_type="max", pool_stride=1, pool_padding=0,
           global_pooling=False, use_cudnn=True, ceil_mode=False, name=None, exclusive=True,
           data_format="NCHW"):
    """Paddle's pool2d on NCHW input.

    input:          Variable [N, C, H, W], floating point.
    pool_size:      int or pair (ignored with global_pooling, where -1 is allowed).
    pool_type:      "max" or "avg".
    pool_stride, pool_padding: int or pair; stride >= 1, padding >= 0.
    global_pooling: pool each whole H x W plane to 1 x 1.
    ceil_mode:      round the output size up instead of down.
    exclusive:      for "avg", divide by the number of unpadded cells (else by KH KW).
    use_cudnn, name: accepted for Paddle compatibility; data_format must be "NCHW".
    returns:        [N, C, OH, OW], OH = (H + 2 padding - size) // stride + 1 (ceil with ceil_mode).
    Raises ValueError/TypeError for a bad pool_type, sizes, strides or padding, a non-4-D input,
    or a window larger than the padded input.
    """
    op = "pool2d"
    check_tensor(op, "input", input, ndim=4, dtypes="f")
    if pool_type not in ("max", "avg"):
        raise ValueError(f"{op}: pool_type must be 'max' or 'avg', got {pool_type!r}")
    if data_format != "NCHW":
        raise ValueError(f"{op}: only data_format='NCHW' is supported, got {data_format!r}")
    for argument, value in (("global_pooling", global_pooling), ("ceil_mode", ceil_mode),
                            ("exclusive", exclusive), ("use_cudnn", use_cudnn)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{op}: {argument} must be a bool, got {value!r}")
    shape = shape_of(input)
    if min(shape) < 1:
        raise ValueError(f"{op}: input shape {list(shape)} has a zero-sized dim")
    if global_pooling:
        kernel, stride, padding = (shape[2], shape[3]), (1, 1), (0, 0)
    else:
        if isinstance(pool_size, numbers.Integral) and pool_size == -1:
            raise ValueError(f"{op}: pool_size=-1 is only allowed with global_pooling=True; "
                             "give the window size")
        kernel = _positive_pair(op, "pool_size", pool_size)
        stride = _positive_pair(op, "pool_stride", pool_stride)
        padding = pair(op, "pool_padding", pool_padding, minimum=0)
        for axis, name_ in enumerate(("height", "width")):
            if kernel[axis] > shape[2 + axis] + 2 * padding[axis]:
                raise ValueError(f"{op}: pool_size {name_} {kernel[axis]} is larger than the "
                                 f"padded input {name_} {shape[2 + axis] + 2 * padding[axis]}")
            if padding[axis] >= kernel[axis]:
                raise ValueError(f"{op}: pool_padding {name_} {padding[axis]} must be smaller "
                                 f"than pool_size {kernel[axis]} (else a window sees no input)")
    window = _Window(shape, kernel, stride, padding, bool(ceil_mode))
    if pool_type == "max":
        return MaxPool2d(window)(input)
    return AvgPool2d(window, bool(exclusive))(input)
