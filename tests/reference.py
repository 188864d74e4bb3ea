"""Naive reference implementations: direct loops written from the definitions, in float64.

Independent of minigrad's fast path (no im2col, no phase grid, no GEMM): each output element is
computed as the sum the formula says, so a layout or offset bug in minigrad cannot hide here.
"""
import itertools

import numpy as np


def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Direct cross-correlation: y[n, f, i, j] = sum_{c, u, v} w[f, c, u, v] * xpad[...]."""
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    fg = f // groups
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, f, oh, ow))
    for batch, filt, i, j in itertools.product(range(n), range(f), range(oh), range(ow)):
        group = filt // fg
        total = 0.0
        for ch, u, v in itertools.product(range(cg), range(kh), range(kw)):
            row = i * sh - ph + u * dh
            col = j * sw - pw + v * dw
            if 0 <= row < h and 0 <= col < wd:
                total += w[filt, ch, u, v] * x[batch, group * cg + ch, row, col]
        y[batch, filt, i, j] = total
    if b is not None:
        y += np.asarray(b, np.float64).reshape(1, -1, 1, 1)
    return y


def conv2d_transpose(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, output_size=None):
    """Scatter form, as the seed describes it: every input pixel adds w-weighted copies of
    itself into the output at stride spacing; positions falling in the padding are dropped.

    x [N, C_in, H, W], w [C_in, C_out // groups, KH, KW] -> [N, C_out, H', W'].
    """
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    cig = cin // groups
    out_h = (h - 1) * sh - 2 * ph + dh * (kh - 1) + 1
    out_w = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + 1
    if output_size is not None:
        out_h, out_w = _pair(output_size)
    y = np.zeros((n, cog * groups, out_h, out_w))
    for batch, ci, i, j in itertools.product(range(n), range(cin), range(h), range(wd)):
        group = ci // cig
        for co, u, v in itertools.product(range(cog), range(kh), range(kw)):
            row = i * sh - ph + u * dh
            col = j * sw - pw + v * dw
            if 0 <= row < out_h and 0 <= col < out_w:
                y[batch, group * cog + co, row, col] += x[batch, ci, i, j] * w[ci, co, u, v]
    if b is not None:
        y += np.asarray(b, np.float64).reshape(1, -1, 1, 1)
    return y


def pool2d(x, size, pool_type="max", stride=1, padding=0, ceil_mode=False, exclusive=True,
           global_pooling=False):
    """Direct max/avg pooling over windows; padded cells never win a max, and with
    `exclusive` an average divides by the number of real (unpadded) cells, else by KH * KW."""
    x = np.asarray(x, np.float64)
    n, c, h, w = x.shape
    if global_pooling:
        size, stride, padding = (h, w), (1, 1), (0, 0)
    (kh, kw), (sh, sw), (ph, pw) = _pair(size), _pair(stride), _pair(padding)

    def out_len(length, k, s, p):
        span = length + 2 * p - k
        if not ceil_mode:
            return span // s + 1
        out = -(-span // s) + 1
        # A last window starting in the padding would hold no input: it is dropped.
        return out - 1 if (out - 1) * s >= length + p else out

    oh, ow = out_len(h, kh, sh, ph), out_len(w, kw, sw, pw)
    y = np.zeros((n, c, oh, ow))
    for batch, ch, i, j in itertools.product(range(n), range(c), range(oh), range(ow)):
        r0, c0 = i * sh - ph, j * sw - pw
        cells = [x[batch, ch, r, q] for r in range(r0, r0 + kh) for q in range(c0, c0 + kw)
                 if 0 <= r < h and 0 <= q < w]
        if pool_type == "max":
            y[batch, ch, i, j] = max(cells)
        else:
            # Paddle: exclusive divides by the real cells, otherwise by the window area.
            y[batch, ch, i, j] = sum(cells) / (len(cells) if exclusive else kh * kw)
    return y
