"""2-D convolution and its adjoint, conv2d_transpose, built on one im2col/col2im pair.

Notation (used in every docstring and variable name of this module)
    N        batch size
    C, F     channels on the convolution's input side and output side; conv2d maps C -> F and
             conv2d_transpose maps F -> C with the *same* weight [F, C/G, KH, KW]
    G        groups; CG = C // G and FG = F // G channels per group
    H, W     spatial size of the input side (padding excluded)
    KH, KW   kernel size;  SH, SW stride;  PH, PW padding;  DH, DW dilation
    OH, OW   spatial size of the output side: OH = (H + 2 PH - DH (KH - 1) - 1) // SH + 1
    HQ, WQ   size of one phase of the padded input (below)
    RH, RW   rows per image and row length of the output side's row grid (below)

Three kernels (ndarrays in and out) do all the work, each a big GEMM per group:
    _forward_kernel      y  = W @ im2col(x)           conv2d; conv2d_transpose's input-gradient
    _input_grad_kernel   gx = col2im(W^T @ gy)        conv2d's input-gradient; conv2d_transpose
    _weight_grad_kernel  gW = gy @ im2col(x)^T        both ops' weight-gradient (roles swapped)
Three ops wrap them: Conv2d, Conv2dTranspose and Conv2dWeightGrad. Conv2d's backward calls the
other two; Conv2dTranspose's forward *is* the input-gradient kernel, its input-gradient *is*
conv2d and its weight-gradient is the weight-gradient op with x and gy swapped. Every backward
calls the differentiable functions, so both ops differentiate twice.

Why the layouts below: numpy is fast on long contiguous runs and slow on short strided ones.
  - The padded input side lives in a *phase grid* P [SH, SW, C, N, HQ, WQ], where
    P[a, b, c, n, i, j] = xpad[n, c, i SH + a, j SW + b]. A tap (kh, kw) of a strided, dilated
    kernel then reads one phase (a, b) = (kh DH % SH, kw DW % SW) shifted by
    (qh, qw) = (kh DH // SH, kw DW // SW): stride and dilation become a plain shift.
  - The output side lives in a *row grid* [F, N, RH, RW], channel-major so every GEMM is
    [rows, C KH KW] x [C KH KW, N RH RW] on contiguous memory with no transpose afterwards.
    Rows and columns past OH, OW are padding: zero on the way in, ignored on the way out.
  - With RW = WQ a tap's shift is one flat offset qh WQ + qw inside each image, and with
    RH = HQ as well, one offset across all images of a channel: im2col copies and col2im adds
    long runs instead of short rows. The padding costs GEMM work.
  - Tiny images in a large batch (LeNet, MNIST) have short rows whatever the padding, so every
    grid can instead be *stored* batch-innermost ([C, HQ, WQ, N], [F, OH, OW, N]) and used
    through a view in the order above: the same tap loops then copy rows of N images.
    `_Geometry` prices the four layouts (compact, row-flat, image-flat, batch-minor) and takes
    the cheapest.
  - The input-gradient kernel has a second path, `_subpixel_input_grad`, writing the phase grid
    with one (per-group) GEMM over the taps' distinct shifts and no col2im when that is
    cheaper; im2col runs in cache-sized pieces, and the forward and weight-gradient GEMMs of
    conv2d_transpose's backward share them; conv2d keeps its pieces for its weight gradient.
  - Memory-bound GEMMs (few filters, few taps x channels: LeNet's first layer) run in column
    blocks that fit a core's L2 cache (`_matmul_blocks`).
  - When the row grid is the output's images themselves (one piece, compact rows: U-Net's
    kernel == stride, LeNet's first layer), the GEMMs run per image on NCHW y and gy directly,
    with no row grid in between (`_forward_and_weight_grad_images`).
  - A large convolution runs its batch in parts, one per core (`_Geometry.parts`, each part
    with its own geometry and layout; see minigrad.core.threads), so the copies between GEMMs
    run in parallel too.
"""
import copy
import numbers

import numpy as np

from minigrad.core.allocator import MMAP_LIMIT
from minigrad.core.checks import check_tensor, pair, shape_of
from minigrad.core.op import Op, will_need_grad
from minigrad.core.threads import WORKERS, run_parts
from minigrad.core.variable import Variable
from minigrad.ops.math import reduce_sum

__all__ = ["conv2d", "conv2d_transpose", "conv2d_weight_grad", "conv_output_size",
           "deconv_output_size", "output_size_range", "im2col", "col2im"]


# -- output sizes: the one place that computes them ------------------------------------------


def conv_output_size(size, kernel, stride, padding, dilation):
    """Output length of a convolution along one dim: (size + 2p - d(k-1) - 1) // s + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def deconv_output_size(size, kernel, stride, padding, dilation):
    """Smallest output length of a transposed convolution: (size-1)s - 2p + d(k-1) + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1


def output_size_range(size, kernel, stride, padding, dilation):
    """Valid `output_size` values of conv2d_transpose along one dim: range(lo, lo + stride).

    Every length in it convolves back to `size`, so the transposed op stays the exact adjoint.
    """
    low = deconv_output_size(size, kernel, stride, padding, dilation)
    return low, low + stride


# -- geometry --------------------------------------------------------------------------------


# Cost model for choosing layouts and paths by shape, measured on a 2-core AVX-512 machine:
GEMM_FLOPS_PER_S = 1.5e11     # numpy float32 matmul on these shapes
GEMM_READ_S = 0.25e-9         # per element a GEMM streams when few rows make it memory-bound
LOOP_S = 3e-9                 # overhead of one short numpy inner loop (row of a copy)
COPY_S = 0.4e-9               # per element of a long contiguous copy
ADD_S = 1.35e-9               # per element of col2im's strided accumulate
ADD_LOOP_S = 20e-9            # overhead of one short row of col2im's accumulate (3 operands)
# Per element of an NCHW -> batch-minor conversion (a gather with a stride of one image) and of
# the way back (a scatter): fast while the array stays in cache, far slower beyond that size.
TO_BATCH_MINOR_S = {True: 0.5e-9, False: 4e-9}       # keyed by "fits in GATHER_CACHE_BYTES"
FROM_BATCH_MINOR_S = {True: 0.75e-9, False: 2e-9}    # keyed by "fits in SCATTER_CACHE_BYTES"
GATHER_CACHE_BYTES, SCATTER_CACHE_BYTES = 2 * 2 ** 20, 2 ** 19
# An im2col piece of at most this many elements (8 MB of float32) stays mostly in cache.
PIECE_ELEMENTS = 2 * 2 ** 20
# Conv2d keeps x's im2col from forward to backward up to this many bytes. Larger blocks are fresh
# mappings (see minigrad.core.allocator), whose page faults cost more than a second im2col.
KEEP_COLS_BYTES = MMAP_LIMIT
# Memory-bound forward and weight-gradient GEMMs over more columns than this run in blocks of
# this many (see `_matmul_blocks`).
GEMM_BLOCK_COLUMNS = 4096
# One-piece convolutions whose rows are whole images run their GEMMs per image (see
# `_forward_and_weight_grad_images`) when the per-image weight-gradient products are no larger
# than this many times gy.
PER_IMAGE_MAX_K_OVER_P = 1
# A convolution whose GEMMs do at least this many FLOPs runs one batch part per core.
SPLIT_MIN_FLOPS = 50e6
# The row-grid layouts `_Geometry` chooses from (None: let the cost model pick; tests force one).
ROW_MODES = ("compact", "row-flat", "image-flat", "batch-minor")
FORCE_ROW_MODE = None


class _Geometry:
    """Shapes, grid sizes and the tap table of one convolution (see the module notation)."""

    __slots__ = ("N", "C", "F", "H", "W", "KH", "KW", "SH", "SW", "PH", "PW", "DH", "DW", "G",
                 "OH", "OW", "HQ", "WQ", "RH", "RW", "QH", "QW", "taps", "chunks", "shifts",
                 "subpixel", "phases_are_cols", "row_mode", "batch_minor", "input_grad_mode",
                 "parts", "block_gemms", "rows_are_images")

    def __init__(self, N, C, F, H, W, kernel, stride, padding, dilation, groups, split=True,
                 piece_elements=None):
        self.N, self.C, self.F, self.H, self.W, self.G = N, C, F, H, W, groups
        (self.KH, self.KW), (self.SH, self.SW) = kernel, stride
        (self.PH, self.PW), (self.DH, self.DW) = padding, dilation
        self.OH = conv_output_size(H, self.KH, self.SH, self.PH, self.DH)
        self.OW = conv_output_size(W, self.KW, self.SW, self.PW, self.DW)
        max_qh = self.DH * (self.KH - 1) // self.SH
        max_qw = self.DW * (self.KW - 1) // self.SW
        self.WQ = max(self.OW + max_qw, -(-(W + 2 * self.PW) // self.SW))
        # A row-flat tap window of the last image may run qw elements past its last row.
        spare = 1 if max_qw else 0
        self.HQ = max(self.OH + max_qh + spare, -(-(H + 2 * self.PH) // self.SH))
        self._set_row_mode(self._row_mode(FORCE_ROW_MODE))
        self.QH, self.QW = max_qh + 1, max_qw + 1
        self.taps = [(kh * self.KW + kw, (kh * self.DH) % self.SH, (kw * self.DW) % self.SW,
                      (kh * self.DH) // self.SH, (kw * self.DW) // self.SW)
                     for kh in range(self.KH) for kw in range(self.KW)]
        # im2col pieces: the taps of one phase (of one kernel row when there is one phase),
        # merged while a piece stays under PIECE_ELEMENTS, so small convolutions run one GEMM.
        # Batch parts run at once and share that budget.
        piece_elements = PIECE_ELEMENTS if piece_elements is None else piece_elements
        key = (lambda tap: tap[1:3]) if self.SH * self.SW > 1 else (lambda tap: tap[0] // self.KW)
        groups = {}
        for tap in self.taps:
            groups.setdefault(key(tap), []).append(tap)
        per_tap = C * N * self.RH * self.RW
        self.chunks = [[]]
        for group in groups.values():
            if self.chunks[-1] and (len(self.chunks[-1]) + len(group)) * per_tap > piece_elements:
                self.chunks.append([])
            self.chunks[-1].extend(group)
        # The distinct (qh, qw) shifts of the taps (dilation leaves gaps between them).
        self.shifts = sorted({tap[3:] for tap in self.taps})
        self.subpixel = self._subpixel_is_cheaper()
        self.phases_are_cols = self._phases_are_cols()
        # GEMM + col2im prices its own row grid: col2im's short rows cost far more than im2col's.
        self.input_grad_mode = (self._row_mode(FORCE_ROW_MODE, self._col2im_cost, ((0, 1), (1, 0)))
                                if not self.subpixel else self.row_mode)
        self.parts = self._batch_parts() if split else [(slice(None), self)]
        # Fewer than ~4 FLOPs per byte of cols and rows read: memory-bound GEMMs.
        k, m = self.KH * self.KW * self.C // self.G, self.F // self.G
        self.block_gemms = k * m < 8 * (k + m)
        self.rows_are_images = self._rows_are_images()

    def _batch_parts(self):
        """[(batch slice, geometry)]: one part per core when the GEMMs are big enough to pay
        for the hand-off (see minigrad.core.threads), else one part, this geometry."""
        count = min(WORKERS, self.N)
        flops = 2 * self.F * self.C // self.G * self.KH * self.KW * self.N * self.OH * self.OW
        if count < 2 or flops < SPLIT_MIN_FLOPS:
            return [(slice(None), self)]
        bounds = [self.N * i // count for i in range(count + 1)]
        return [(slice(low, high),
                 _Geometry(high - low, self.C, self.F, self.H, self.W, (self.KH, self.KW),
                           (self.SH, self.SW), (self.PH, self.PW), (self.DH, self.DW), self.G,
                           split=False, piece_elements=PIECE_ELEMENTS / count))
                for low, high in zip(bounds, bounds[1:])]

    def cols_elements(self):
        """Elements of a whole im2col of x, over all batch parts (each in its own layout)."""
        return sum(len(part.taps) * part.C * part.N * part.RH * part.RW
                   for _, part in self.parts)

    def _phases_are_cols(self):
        """Kernel == stride (U-Net up-sampling, patchify): tap t is exactly phase t, unshifted,
        and then the phase grid already *is* the im2col, in the same memory order."""
        return (self.G == 1 and self.row_mode == "image-flat"
                and [tap[1:] for tap in self.taps] == [(a, b, 0, 0) for a in range(self.SH)
                                                       for b in range(self.SW)])

    def _rows_are_images(self):
        """One im2col piece whose row grid is the output's images ([F, N, OH, OW], not
        batch-minor), and per-image weight-gradient products no larger than gy (k <= OH OW)."""
        return (not self.batch_minor and (self.RH, self.RW) == (self.OH, self.OW)
                and len(self.chunks) == 1
                and len(self.taps) * self.C // self.G
                <= PER_IMAGE_MAX_K_OVER_P * self.OH * self.OW)

    def _set_row_mode(self, mode):
        self.row_mode = mode
        self.RH, self.RW = self._row_sizes()[mode]
        self.batch_minor = mode == "batch-minor"

    def with_row_mode(self, mode):
        """This geometry with row mode `mode` instead (for col2im; no pieces)."""
        geo = copy.copy(self)
        geo._set_row_mode(mode)
        geo.phases_are_cols = geo._phases_are_cols()
        geo.rows_are_images = geo._rows_are_images()
        return geo

    def _row_sizes(self):
        return {"compact": (self.OH, self.OW), "row-flat": (self.OH, self.WQ),
                "image-flat": (self.HQ, self.WQ), "batch-minor": (self.OH, self.OW)}

    def _row_mode(self, mode=None, cost=None, passes=((1, 0), (1, 1))):
        """The layout of the grids: which (RH, RW) row grid, and where the batch axis sits.

        compact (OH, OW): no wasted GEMM work, but each tap copy is a loop per output row.
        row-flat (OH, WQ): a tap is one flat shift per image, so a loop per (channel, image);
            the GEMMs also compute the WQ - OW padding columns.
        image-flat (HQ, WQ): a tap is one flat shift across all images of a channel (a loop per
            channel); the GEMMs also compute the HQ - OH padding rows.
        batch-minor (OH, OW): compact, but every grid stores the batch innermost ([F, OH, OW, N]
            instead of [F, N, OH, OW]), so a tap copies rows of N images: a loop per output
            pixel. Best for tiny images in a large batch; converting from and to NCHW is a
            strided gather instead of row copies.
        The cost model prices GEMM work against numpy loop overheads for the three GEMMs and two
        tap passes (im2col and col2im, or two im2cols) of a forward + backward. A GEMM with few
        output rows (LeNet's 6 filters) is bound by streaming the cols, not by its FLOPs.
        `cost(columns, loops)`, if given, prices something else (see `_col2im_cost`), and
        `passes` says how often that converts x's side and y's side from and to NCHW.
        """
        if mode is not None:
            return mode
        sizes = self._row_sizes()
        kk_c, n = self.KH * self.KW * self.C, self.N
        loops = {"compact": kk_c * n * self.OH, "row-flat": kk_c * n, "image-flat": kk_c,
                 "batch-minor": kk_c * self.OH * self.OW}

        def forward_backward_cost(columns, loops):
            return 3 * self._gemm_cost(columns) + 2 * (loops * LOOP_S + kk_c * columns * COPY_S)
        cost = cost or forward_backward_cost
        return min(ROW_MODES, key=lambda mode: cost(n * sizes[mode][0] * sizes[mode][1],
                                                     loops[mode])
                   + self._conversion_cost(mode, passes))

    def _conversion_cost(self, mode, passes):
        """Converting x's side [N, C, H, W] and y's side [N, F, OH, OW] to and from the grids,
        `passes` = ((x to, x from), (y to, y from)) times: row copies, or a gather and a
        scatter when batch-minor."""
        sides = ((self.N * self.C * self.H, self.W), (self.N * self.F * self.OH, self.OW))
        total = 0.0
        for (rows, length), (to, back) in zip(sides, passes):
            elements = rows * length
            if mode == "batch-minor":    # rows of N elements
                total += elements * (to * TO_BATCH_MINOR_S[elements * 4 <= GATHER_CACHE_BYTES]
                                     + back * FROM_BATCH_MINOR_S[elements * 4
                                                                 <= SCATTER_CACHE_BYTES]
                                     + (to + back) * LOOP_S / self.N)
            else:
                total += (to + back) * (rows * LOOP_S + elements * COPY_S)
        return total

    def _gemm_cost(self, columns):
        """One of the three GEMMs over `columns` row-grid columns."""
        kk_c = self.KH * self.KW * self.C
        return max(2 * self.F * kk_c // self.G * columns / GEMM_FLOPS_PER_S,
                   (kk_c + self.F) * columns * GEMM_READ_S)

    def _col2im_cost(self, columns, loops):
        """The input-gradient kernel's GEMM and col2im alone."""
        return (self._gemm_cost(columns) + loops * ADD_LOOP_S
                + self.KH * self.KW * self.C * columns * ADD_S)

    def _subpixel_is_cheaper(self):
        """Does `_subpixel_input_grad` beat GEMM + col2im for this shape (cost model above)?"""
        shifts = len(self.shifts)
        m_sub = self.N * max(self.OH + self.QH - 1, -(-(self.H + 2 * self.PH) // self.SH)) * self.WQ
        m_col = self.N * self.RH * self.RW
        kk = self.KH * self.KW
        c_f = self.C * self.F // self.G
        cost_sub = (2 * self.SH * self.SW * shifts * c_f * m_sub / GEMM_FLOPS_PER_S
                    + shifts * self.F * m_sub * COPY_S)
        cost_col = 2 * kk * c_f * m_col / GEMM_FLOPS_PER_S + kk * self.C * m_col * ADD_S
        return cost_sub < cost_col


_geometries = {}
GEOMETRY_CACHE_SIZE = 256


def _geometry(N, C, F, H, W, kernel, stride, padding, dilation, groups):
    """The `_Geometry` of one convolution, built once per shape: a training loop asks for the
    same few every step, and pricing the layouts costs as much as a small convolution's copies.

    The key includes the module's tuning knobs, so a test that sets one gets a fresh geometry.
    """
    key = (N, C, F, H, W, tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), groups,
           FORCE_ROW_MODE, ROW_MODES, WORKERS, SPLIT_MIN_FLOPS, PIECE_ELEMENTS,
           PER_IMAGE_MAX_K_OVER_P)
    geo = _geometries.get(key)
    if geo is None:
        if len(_geometries) >= GEOMETRY_CACHE_SIZE:
            _geometries.clear()
        geo = _geometries[key] = _Geometry(N, C, F, H, W, kernel, stride, padding, dilation,
                                           groups)
    return geo


# -- grid storage: batch axis in the middle, or innermost -----------------------------------


def _layout_shape(geo, lead, rows, cols):
    """Storage shape of a grid [*lead, N, rows, cols]: the batch innermost when batch-minor."""
    return (*lead, rows, cols, geo.N) if geo.batch_minor else (*lead, geo.N, rows, cols)


def _canonical(storage, geo):
    """A grid stored as `_layout_shape` says, viewed in the order [..., N, rows, cols].

    Every tap loop works on these views, so one im2col/col2im serves both storage orders:
    numpy runs a copy's inner loop along the destination's smallest stride, the batch when
    batch-minor.
    """
    return np.moveaxis(storage, -1, -3) if geo.batch_minor else storage


# -- the phase grid: padded NCHW <-> P, a mirrored pair --------------------------------------


def _phase_slices(size, stride, padding, phase, grid):
    """For phase `phase` of a padded axis: (first unpadded index, count, first grid index)."""
    first_grid = max(0, -(-(padding - phase) // stride))     # grid i with i*s + phase >= padding
    start = first_grid * stride + phase - padding
    count = max(0, min(grid - first_grid, -(-(size - start) // stride)))
    return start, count, first_grid


def _phase_views(geo, grid_rows=None):
    """Yield (a, b, NCHW index, grid index) for every phase holding real input."""
    grid_rows = geo.HQ if grid_rows is None else grid_rows
    for a in range(geo.SH):
        r0, nr, i0 = _phase_slices(geo.H, geo.SH, geo.PH, a, grid_rows)
        for b in range(geo.SW):
            c0, nc, j0 = _phase_slices(geo.W, geo.SW, geo.PW, b, geo.WQ)
            if nr and nc:
                yield (a, b, (slice(None), slice(None), slice(r0, r0 + (nr - 1) * geo.SH + 1,
                                                              geo.SH),
                              slice(c0, c0 + (nc - 1) * geo.SW + 1, geo.SW)),
                       (slice(None), slice(None), slice(i0, i0 + nr), slice(j0, j0 + nc)))


def _zero_phases(geo, dtype):
    """A zero phase grid [SH, SW, C, N, HQ, WQ] (a view of [SH, SW, C, HQ, WQ, N] when
    batch-minor)."""
    return _canonical(np.zeros(_layout_shape(geo, (geo.SH, geo.SW, geo.C), geo.HQ, geo.WQ),
                               dtype=dtype), geo)


def _to_phases(x, geo):
    """Zero-padded NCHW x -> phase grid P [SH, SW, C, N, HQ, WQ] (channel-major)."""
    phases = _zero_phases(geo, x.dtype)
    _copy_phases(x, geo, {(a, b): phases[a, b] for a in range(geo.SH) for b in range(geo.SW)})
    return phases


def _to_phase(x, geo, a, b):
    """Phase (a, b) of `_to_phases(x, geo)` alone, [C, N, HQ, WQ]: im2col builds the grid phase
    by phase, so that it never holds all of it next to the cols."""
    phase = _canonical(np.zeros(_layout_shape(geo, (geo.C,), geo.HQ, geo.WQ), dtype=x.dtype),
                       geo)
    _copy_phases(x, geo, {(a, b): phase})
    return phase


def _copy_phases(x, geo, phases):
    """phases[a, b] <- the real (unpadded) cells of x's phase (a, b), for each (a, b) given."""
    # Read through a transposed view: a contiguous N/C swap first is slightly faster on large
    # inputs but costs an input-sized buffer at the memory peak of im2col.
    x_cn = x.transpose(1, 0, 2, 3)
    for a, b, image, grid in _phase_views(geo):
        if (a, b) in phases:
            phases[a, b][grid] = x_cn[image]


def _from_phases(phases, geo, bias=None, out=None):
    """Phase grid [SH, SW, C, N, HQ, WQ] (or [SH, SW, G, CG, N, HQ, WQ], any strides) -> NCHW
    [N, C, H, W] with the padding cropped (and `bias` [C] added).

    With short phase rows (W / SW < 16) numpy writes the strided, transposed NCHW view slowly;
    interleaving into a channel-major image first and swapping C and N after is then ~2x
    faster, for a transient output-sized buffer.
    """
    if out is None:
        out = np.empty((geo.N, geo.C, geo.H, geo.W), dtype=phases.dtype)
    short_rows = geo.W // geo.SW < 16
    image_cn = (np.empty((geo.C, geo.N, geo.H, geo.W), dtype=phases.dtype) if short_rows
                else out.transpose(1, 0, 2, 3))
    if phases.ndim == 6:
        phases = phases[:, :, None]
    groups = phases.shape[2]
    image_g = image_cn.reshape(groups, geo.C // groups, geo.N, geo.H, geo.W)   # a view
    # Every padded position has exactly one phase cell, so `image_cn` is fully written.
    for a, b, image, grid in _phase_views(geo, phases.shape[-2]):
        image_g[(slice(None),) + image] = phases[a, b][(slice(None),) + grid]
    if short_rows:
        out[...] = image_cn.transpose(1, 0, 2, 3)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


# -- im2col / col2im: the same tap loop, `=` one way and `+=` the other ------------------------


def _tap_views(phases, block, geo, a, b, qh, qw):
    """Matching views (phase part, cols part) of what tap (qh, qw) of phase (a, b) reads.

    block is the tap's cols [G, CG, N, RH, RW]. Both views have the same shape; im2col copies
    the phase part into the cols part and col2im adds it back.
    """
    G, CG, N = geo.G, geo.C // geo.G, geo.N
    if geo.row_mode in ("compact", "batch-minor"):
        grid = phases[a, b].reshape(G, CG, N, geo.HQ, geo.WQ)     # splits C: a view
        return grid[..., qh:qh + geo.OH, qw:qw + geo.OW], block
    phase = phases[a, b].reshape(G, CG, N, geo.HQ * geo.WQ)
    start = qh * geo.WQ + qw
    if geo.row_mode == "image-flat":    # one shift for all images
        images = N * geo.HQ * geo.WQ
        return (phase.reshape(G, CG, images)[..., start:],
                block.reshape(G, CG, images)[..., :images - start])
    window = phase[..., start:start + geo.OH * geo.WQ]     # row-flat: one shift per image
    return window.reshape(G, CG, N, geo.OH, geo.WQ), block


def _copy_tap(phases, block, geo, a, b, qh, qw):
    """im2col's step: block <- the tap's window (image-flat: the unread tail set to zero)."""
    source, target = _tap_views(phases, block, geo, a, b, qh, qw)
    target[...] = source
    if geo.row_mode == "image-flat":
        # Past the last image's padding rows: read nothing, and must not be garbage (NaN * 0).
        block.reshape(geo.G, geo.C // geo.G, -1)[..., target.shape[-1]:] = 0


def im2col(x, geo):
    """NCHW x -> cols [G, KH KW, CG, N, RH, RW], cols[g, t, c, n, oh, ow] = xpad[n, gCG+c, tap].

    Each tap t = (kh, kw) reads xpad[n, c, oh SH + kh DH, ow SW + kw DW]; with flat rows the
    padding positions (oh >= OH or ow >= OW) hold finite values that no caller uses.
    """
    phases = _to_phases(x, geo)
    if geo.phases_are_cols:
        return phases.reshape(geo.G, geo.KH * geo.KW, geo.C // geo.G, geo.N, geo.RH, geo.RW)
    cols = _canonical(np.empty(_layout_shape(geo, (geo.G, geo.KH * geo.KW, geo.C // geo.G),
                                             geo.RH, geo.RW), dtype=x.dtype), geo)
    for t, a, b, qh, qw in geo.taps:
        _copy_tap(phases, cols[:, t], geo, a, b, qh, qw)
    return cols


def col2im(cols, geo, bias=None, out=None):
    """cols [G, KH KW, CG, N, RH, RW] -> NCHW [N, C, H, W]: each tap added where im2col read it.

    The adjoint of `im2col`: <im2col(x), cols> == <x, col2im(cols)> when the padding positions
    of cols (oh >= OH or ow >= OW) are zero. `bias` [C], if given, is added to the result.
    """
    if geo.phases_are_cols:
        return _from_phases(cols.reshape(geo.SH, geo.SW, geo.C, geo.N, geo.HQ, geo.WQ), geo, bias,
                            out)
    phases = _zero_phases(geo, cols.dtype)
    for t, a, b, qh, qw in geo.taps:
        window, block = _tap_views(phases, cols[:, t], geo, a, b, qh, qw)
        window += block
    return _from_phases(phases, geo, bias, out)


# -- the row grid: NCHW output side <-> [G, FG, N L], also mirrored ----------------------------


def _to_rows(y, geo):
    """NCHW y [N, F, OH, OW] -> [G, FG, N OH RW], channel-major, padding columns zero."""
    storage = np.empty(_layout_shape(geo, (geo.F,), geo.RH, geo.RW), dtype=y.dtype)
    rows = _canonical(storage, geo)
    rows[:, :, :geo.OH, :geo.OW] = y.transpose(1, 0, 2, 3)
    rows[:, :, :geo.OH, geo.OW:] = 0
    rows[:, :, geo.OH:] = 0
    return storage.reshape(geo.G, geo.F // geo.G, -1)


def _from_rows(rows, geo, bias=None, out=None):
    """[G, FG, N OH RW] -> NCHW [N, F, OH, OW], padding columns dropped, `bias` [F] added."""
    rows = _canonical(rows.reshape(_layout_shape(geo, (geo.F,), geo.RH, geo.RW)), geo)
    source = rows[:, :, :geo.OH, :geo.OW]
    source = source.transpose(1, 0, 2, 3)
    if out is None:
        out = np.empty((geo.N, geo.F, geo.OH, geo.OW), dtype=rows.dtype)
    if bias is None:
        out[...] = source
    else:
        np.add(source, bias.reshape(1, -1, 1, 1), out=out)
    return out


def _grouped_weight(w, geo):
    """Conv weight [F, CG, KH, KW] -> [G, FG, KH KW CG], matching the cols' row order."""
    w = w.reshape(geo.G, geo.F // geo.G, geo.C // geo.G, geo.KH * geo.KW)
    return np.ascontiguousarray(w.transpose(0, 1, 3, 2)).reshape(geo.G, geo.F // geo.G, -1)


# -- GEMMs in column blocks ------------------------------------------------------------------


def _matmul_blocks(a, b, out=None):
    """a @ b for a [G, M, K], b [G, K, L], in blocks of GEMM_BLOCK_COLUMNS columns of b.

    Why: OpenBLAS runs a memory-bound GEMM (LeNet conv1's [6, 25] x [25, 50176], and its
    weight gradient) 1.5-3x slower in one call than in blocks whose operands fit a core's L2
    cache (measured on a 2-core AVX-512 machine, 1 MB of L2 per core).
    """
    L = b.shape[-1]
    if out is None:
        out = np.empty(a.shape[:-1] + (L,), dtype=np.result_type(a, b))
    if L <= 2 * GEMM_BLOCK_COLUMNS:
        return np.matmul(a, b, out=out)
    for start in range(0, L, GEMM_BLOCK_COLUMNS):
        stop = start + GEMM_BLOCK_COLUMNS
        np.matmul(a, b[..., start:stop], out=out[..., start:stop])
    return out


def _matmul_transposed_blocks(a, b):
    """a @ b^T for a [G, K, L], b [G, M, L], summed over blocks of GEMM_BLOCK_COLUMNS (as above)."""
    L = a.shape[-1]
    if L <= 2 * GEMM_BLOCK_COLUMNS:
        return np.matmul(a, b.transpose(0, 2, 1))
    total = partial = None
    for start in range(0, L, GEMM_BLOCK_COLUMNS):
        stop = start + GEMM_BLOCK_COLUMNS
        product = np.matmul(a[..., start:stop], b[..., start:stop].transpose(0, 2, 1), out=partial)
        if total is None:
            total, partial = product, np.empty_like(product)
        else:
            total += product
    return total


# -- the three kernels (ndarrays in, ndarrays out) ---------------------------------------------


def _im2col_pieces(x, geo, buffer=None):
    """im2col in pieces: yield (tap indices, cols [G, T CG, N RH RW]) one tap chunk at a time.

    A chunk is the taps of one phase (one kernel row when the stride is 1), so the buffer,
    reused for every chunk, is 1 / (SH SW) (or 1 / KH) of a full im2col. With a `buffer` of
    KH KW C N RH RW elements every piece gets its own part of it, so the caller may hold them
    all (see `Conv2d`).
    """
    size = geo.N * geo.RH * geo.RW
    if geo.phases_are_cols:
        yield [tap[0] for tap in geo.taps], _to_phases(x, geo).reshape(1, -1, size)
        return
    per_tap = geo.C * size
    keep = buffer is not None
    if not keep:
        buffer = np.empty(max(map(len, geo.chunks)) * per_tap, x.dtype)
    # The phase grid, built phase by phase when a chunk first reads it and freed after the last
    # chunk that does (strided kernels: a chunk's phases are its own; stride 1: one phase).
    # One chunk reads them all: then one grid for all (x0.94 on the MNIST decoder's batch-minor
    # grids).
    phases, last_reader = {}, {}
    if len(geo.chunks) == 1:
        grid = _to_phases(x, geo)
        phases = {(a, b): grid[a, b] for a in range(geo.SH) for b in range(geo.SW)}
        del grid
    for number, chunk in enumerate(geo.chunks):
        for tap in chunk:
            last_reader[tap[1:3]] = number
    start = 0
    for number, chunk in enumerate(geo.chunks):
        cols = buffer[start:start + len(chunk) * per_tap]
        start += len(chunk) * per_tap if keep else 0
        cols = cols.reshape(_layout_shape(geo, (geo.G, len(chunk), geo.C // geo.G),
                                          geo.RH, geo.RW))
        view = _canonical(cols, geo)
        for i, (t, a, b, qh, qw) in enumerate(chunk):
            if (a, b) not in phases:
                phases[a, b] = _to_phase(x, geo, a, b)
            _copy_tap(phases, view[:, i], geo, a, b, qh, qw)
        for phase in [phase for phase, last in last_reader.items() if last == number]:
            del phases[phase]       # before the caller's GEMMs on this piece
        yield [tap[0] for tap in chunk], cols.reshape(geo.G, -1, size)


def _forward_and_weight_grad(x, w, gy, geo, bias=None, pieces=None, buffer=None, kept=None):
    """conv2d forward y = W im2col(x) (when w is given) and weight gradient gy im2col(x)^T
    (when gy is given) from one pass over the im2col pieces of x, each batch part of `geo` on
    its own core.

    x [N, C, H, W], w [F, CG, KH, KW], gy [N, F, OH, OW] -> (y [N, F, OH, OW] or None,
    gw [F, CG, KH, KW] or None). `pieces`, if given, are x's im2col pieces kept from an
    earlier call, one list per part (x is then not read); `kept`, if a list, receives this
    call's pieces the same way, laid out in `buffer` (of `geo.cols_elements()`).
    """
    parts = geo.parts
    if kept is not None:
        kept[:] = [[] for _ in parts]
    if w is not None:
        # Taps before channels, once for all parts: then a chunk's weight gathers whole rows
        # of CG values.
        w = np.ascontiguousarray(w.reshape(geo.G, geo.F // geo.G, geo.C // geo.G,
                                           geo.KH * geo.KW).transpose(0, 1, 3, 2))
    if len(parts) == 1:     # the output is allocated after the im2col is freed: a lower peak
        return _forward_and_weight_grad_part(x, w, gy, geo, bias,
                                             None if pieces is None else pieces[0], buffer,
                                             None if kept is None else kept[0], None)
    y = None if w is None else np.empty((geo.N, geo.F, geo.OH, geo.OW), dtype=x.dtype)
    starts = np.cumsum([0] + [part.cols_elements() for _, part in parts])

    def run(i):
        batch, part = parts[i]
        return _forward_and_weight_grad_part(
            x[batch], w, None if gy is None else gy[batch], part, bias,
            None if pieces is None else pieces[i],
            None if buffer is None else buffer[starts[i]:starts[i + 1]],
            None if kept is None else kept[i], None if y is None else y[batch])

    gws = [gw for _, gw in run_parts(run, len(parts))]
    return y, (None if gy is None else sum(gws[1:], gws[0]))


def _forward_and_weight_grad_part(x, weight, gy, geo, bias, pieces, buffer, kept, out):
    """`_forward_and_weight_grad` on one batch part (y written to `out` if given); `weight` is
    w as [G, FG, KH KW, CG], or None."""
    if geo.rows_are_images:
        return _forward_and_weight_grad_images(x, weight, gy, geo, bias, pieces, buffer, kept,
                                               out)
    G, FG, CG = geo.G, geo.F // geo.G, geo.C // geo.G
    size = geo.N * geo.RH * geo.RW
    rows = partial = gy_rows = None
    if geo.block_gemms:
        matmul, matmul_t = _matmul_blocks, _matmul_transposed_blocks
    else:
        matmul, matmul_t = np.matmul, lambda a, b: np.matmul(a, b.transpose(0, 2, 1))
    if gy is not None:
        gw = np.empty((G, geo.KH * geo.KW, CG, FG), dtype=gy.dtype)    # transposed, see below
    if pieces is None:
        pieces = _im2col_pieces(x, geo, buffer)
    for taps, cols in pieces:
        if kept is not None:
            kept.append((taps, cols))
        if gy is not None and gy_rows is None:
            gy_rows = _to_rows(gy, geo)     # made here, not earlier, to keep the peak down
        if weight is not None:
            w_chunk = weight[:, :, taps].reshape(G, FG, -1)
            if rows is None:
                rows = matmul(w_chunk, cols)
            else:
                if partial is None:
                    partial = np.empty((G, FG, size), dtype=rows.dtype)
                rows += matmul(w_chunk, cols, out=partial)
        if gy is not None:
            # cols @ gy_rows^T rather than gy_rows @ cols^T: same product, transposed, and
            # BLAS runs it ~20% faster with the long dim contiguous in the left operand.
            gw[:, taps] = matmul_t(cols, gy_rows).reshape(G, -1, CG, FG)
    del cols, gy_rows, partial      # free the im2col piece before allocating the output
    y = None if weight is None else _from_rows(rows, geo, bias, out)
    if gy is None:
        return y, None
    return y, gw.transpose(0, 3, 2, 1).reshape(geo.F, CG, geo.KH, geo.KW)    # [G, FG, CG, KK]


def _forward_and_weight_grad_images(x, weight, gy, geo, bias, pieces, buffer, kept, out):
    """`_forward_and_weight_grad_part` with one GEMM per image (numpy loops over them).

    When the one im2col piece's rows are whole images, y[n] = W cols[:, n] writes y in NCHW
    and gw = sum_n cols[:, n] gy[n]^T reads gy as it is: no row grid for either, one copy
    fewer each way (U-Net's up-sampling: phases_are_cols).
    """
    G, FG, CG = geo.G, geo.F // geo.G, geo.C // geo.G
    N, P = geo.N, geo.OH * geo.OW
    y = gw = None
    if pieces is None:
        pieces = _im2col_pieces(x, geo, buffer)
    for taps, cols in pieces:       # one piece
        if kept is not None:
            kept.append((taps, cols))
        per_image = cols.reshape(G, -1, N, P).transpose(0, 2, 1, 3)       # [G, N, K, P]
        if weight is not None:
            y = np.empty((N, geo.F, geo.OH, geo.OW), dtype=cols.dtype) if out is None else out
            np.matmul(weight[:, :, taps].reshape(G, 1, FG, -1), per_image,
                      out=y.reshape(N, G, FG, P).transpose(1, 0, 2, 3))
            if bias is not None:
                y += bias.reshape(1, -1, 1, 1)
        if gy is not None:
            gy_t = gy.reshape(N, G, FG, P).transpose(1, 0, 3, 2)              # [G, N, P, FG]
            gw = np.matmul(per_image, gy_t).sum(axis=1).reshape(G, len(taps), CG, FG)
    if gy is None:
        return y, None
    gw_full = np.empty((G, geo.KH * geo.KW, CG, FG), dtype=gw.dtype)
    gw_full[:, taps] = gw
    return y, gw_full.transpose(0, 3, 2, 1).reshape(geo.F, CG, geo.KH, geo.KW)


def _forward_kernel(x, w, geo, bias=None, buffer=None, kept=None):
    """conv2d: x [N, C, H, W], w [F, CG, KH, KW] -> y [N, F, OH, OW] (`kept`: see above)."""
    return _forward_and_weight_grad(x, w, None, geo, bias, buffer=buffer, kept=kept)[0]


def _input_grad_kernel(gy, w, geo, bias=None):
    """conv2d's input gradient: gy [N, F, OH, OW], w [F, CG, KH, KW] -> gx [N, C, H, W], each
    batch part of `geo` on its own core."""
    if len(geo.parts) == 1:
        return _input_grad_part(gy, w, geo, bias, None)
    gx = np.empty((geo.N, geo.C, geo.H, geo.W), dtype=gy.dtype)

    def run(i):
        batch, part = geo.parts[i]
        _input_grad_part(gy[batch], w, part, bias, gx[batch])

    run_parts(run, len(geo.parts))
    return gx


def _input_grad_part(gy, w, geo, bias, out):
    if geo.subpixel:
        return _subpixel_input_grad(gy, w, geo, bias, out)
    if geo.input_grad_mode != geo.row_mode:
        geo = geo.with_row_mode(geo.input_grad_mode)
    cols = np.matmul(_grouped_weight(w, geo).transpose(0, 2, 1), _to_rows(gy, geo))
    cols = cols.reshape(_layout_shape(geo, (geo.G, geo.KH * geo.KW, geo.C // geo.G),
                                      geo.RH, geo.RW))
    return col2im(_canonical(cols, geo), geo, bias, out)


def _subpixel_input_grad(gy, w, geo, bias=None, out=None):
    """The same result as GEMM + col2im, computed phase by phase ("sub-pixel convolution").

    Phase (a, b) of the padded input gradient sums, over the taps of that phase, W_t^T gy
    shifted by the tap's (qh, qw). So one GEMM of a [SH SW C, QH QW F] weight (taps placed by
    phase and shift, zeros where no tap has that pair) with the QH QW shifted copies of gy's
    row grid writes the phase grid directly: no cols buffer and no accumulation. Worth it when
    the phase grid is not much larger than the output rows (the cost model decides; G == 1).
    """
    G, F, N, WQ = geo.G, geo.F, geo.N, geo.WQ
    FG, CG, shifts = F // G, geo.C // G, geo.shifts
    # Shifted reads wrap into zero columns (>= OW) or zero rows (>= OH) of the previous image,
    # so unlike a tap window no spare row is needed.
    # Batch-minor, a shift moves whole pixels of N values and never wraps into another image.
    HQ = max(geo.OH + geo.QH - 1, -(-(geo.H + 2 * geo.PH) // geo.SH))
    images = N * HQ * WQ
    unit = N if geo.batch_minor else 1
    # Per group, weight[g, (a, b, c), (s, f)] = w[g FG + f, c, tap] for the tap of phase (a, b)
    # and shift s, zero where no tap has that pair.
    weight = np.zeros((G, geo.SH, geo.SW, CG, len(shifts), FG), dtype=w.dtype)
    w_g = w.reshape(G, FG, CG, geo.KH * geo.KW)
    for t, a, b, qh, qw in geo.taps:
        weight[:, a, b, :, shifts.index((qh, qw)), :] = w_g[..., t].transpose(0, 2, 1)
    weight = weight.reshape(G, geo.SH * geo.SW * CG, -1)
    if shifts == [(0, 0)] and (HQ, WQ) == (geo.OH, geo.OW) and not geo.batch_minor:
        # Kernel == stride (U-Net's up-sampling): gy's images already are the unshifted grid,
        # so one GEMM per image reads them where they are.
        phases = np.matmul(weight[:, None], gy.reshape(N, G, FG, HQ * WQ).transpose(1, 0, 2, 3))
        phases = phases.reshape(G, N, geo.SH, geo.SW, CG, HQ, WQ).transpose(2, 3, 0, 4, 1, 5, 6)
        return _from_phases(phases, geo, bias, out)
    lead = ((geo.QH - 1) * WQ + geo.QW - 1) * unit     # zeros read by the largest shift
    grid = np.zeros((F, lead + images), dtype=gy.dtype)
    rows = _canonical(grid[:, lead:].reshape(_layout_shape(geo, (F,), HQ, WQ)), geo)
    rows[:, :, :geo.OH, :geo.OW] = gy.transpose(1, 0, 2, 3)
    if shifts == [(0, 0)]:
        shifted = grid        # one shift, by zero: the grid itself
    else:
        shifted = np.empty((G, len(shifts), FG, images), dtype=gy.dtype)
        grid_g = grid.reshape(G, FG, -1)
        for s, (qh, qw) in enumerate(shifts):
            start = lead - (qh * WQ + qw) * unit
            shifted[:, s] = grid_g[..., start:start + images]
    phases = np.matmul(weight, shifted.reshape(G, -1, images))
    del grid, rows, shifted         # free the shifted copies before allocating the output
    phases = _canonical(phases.reshape(_layout_shape(geo, (G, geo.SH, geo.SW, CG), HQ, WQ)), geo)
    phases = phases.transpose(1, 2, 0, 3, 4, 5, 6)
    return _from_phases(phases, geo, bias, out)


def _weight_grad_kernel(x, gy, geo, pieces=None):
    """conv2d's weight gradient: x [N, C, H, W], gy [N, F, OH, OW] -> gw [F, CG, KH, KW]
    (`pieces`: x's im2col pieces, if kept)."""
    return _forward_and_weight_grad(x, None, gy, geo, pieces=pieces)[1]


# -- the ops ---------------------------------------------------------------------------------


def _data(x):
    return x.data if isinstance(x, Variable) else x


class _ConvOp(Op):
    """Shared attributes: stride, padding, dilation, groups (shown in drawings)."""

    def __init__(self, geo):
        self.stride = (geo.SH, geo.SW)
        self.padding = (geo.PH, geo.PW)
        self.dilation = (geo.DH, geo.DW)
        self.groups = geo.G
        self._geo = geo


class Conv2d(_ConvOp):
    """y = conv2d(x, w) + b; inputs x [N, C, H, W], w [F, CG, KH, KW], b [F] or None.

    When w will need a gradient and x's im2col is small (<= KEEP_COLS_BYTES), the forward
    keeps it for backward's weight gradient (as THNN's `finput` did): one im2col per step.
    Backward computes that gradient first and drops the kept buffer before the input gradient
    makes its own, so the two never coexist.
    """

    def __call__(self, x, w, b=None):
        geo = self._geo
        size = geo.cols_elements()
        keep = will_need_grad(w) and size * _data(x).itemsize <= KEEP_COLS_BYTES
        self._keep_elements = size if keep else 0
        self._pieces = None
        return super().__call__(x, w, b)

    def forward(self, x, w, b=None):
        buffer = None
        if self._keep_elements:
            self._pieces = []
            buffer = np.empty(self._keep_elements, x.dtype)
        return _forward_kernel(x, w, self._geo, b, buffer, self._pieces)

    def backward(self, gy, x, w, b=None):
        geo = self._geo
        pieces, self._pieces = self._pieces, None     # used once, then recomputed if needed
        gw = _conv2d_weight_grad(x, gy, geo, pieces) if self.needs_grad(1) else None
        del pieces
        gx = _conv2d_input_grad(gy, w, geo) if self.needs_grad(0) else None
        gb = reduce_sum(gy, dim=[0, 2, 3]) if b is not None and self.needs_grad(2) else None
        return gx, gw, gb

    def release(self):
        super().release()
        self._pieces = None


class Conv2dTranspose(_ConvOp):
    """y = conv2d_transpose(x, w) + b: the input-gradient kernel of the conv `geo` describes.

    x [N, F, OH, OW] is the conv's output side, w [F, CG, KH, KW], y [N, C, H, W].
    """

    def __init__(self, geo):
        super().__init__(geo)
        self.output_size = (geo.H, geo.W)     # shown in drawings next to stride and padding

    def forward(self, x, w, b=None):
        return _input_grad_kernel(x, w, self._geo, b)

    def backward(self, gy, x, w, b=None):
        geo = self._geo
        gx, gw = _conv2d_and_weight_grad(gy, w if self.needs_grad(0) else None,
                                         x if self.needs_grad(1) else None, geo)
        gb = reduce_sum(gy, dim=[0, 2, 3]) if b is not None and self.needs_grad(2) else None
        return gx, gw, gb


class Conv2dWeightGrad(_ConvOp):
    """gw = conv2d_weight_grad(x, gy): bilinear in (x, gy), so each gradient is a conv again.

    `pieces`: x's im2col pieces kept by the forward conv, used instead of recomputing them.
    """

    def __init__(self, geo, pieces=None):
        super().__init__(geo)
        self._pieces = pieces

    def forward(self, x, gy):
        pieces, self._pieces = self._pieces, None
        return _weight_grad_kernel(x, gy, self._geo, pieces)

    def backward(self, ggw, x, gy):
        geo = self._geo
        gx = _conv2d_input_grad(gy, ggw, geo) if self.needs_grad(0) else None
        ggy = _conv2d(x, ggw, geo) if self.needs_grad(1) else None
        return gx, ggy


def _conv2d(x, w, geo, b=None):
    return Conv2d(geo)(x, w, b)


def _conv2d_input_grad(gy, w, geo, b=None):
    return Conv2dTranspose(geo)(gy, w, b)


def _conv2d_weight_grad(x, gy, geo, pieces=None):
    return Conv2dWeightGrad(geo, pieces)(x, gy)


def _conv2d_and_weight_grad(x, w, gy, geo):
    """(conv2d(x, w) if w is given, conv2d_weight_grad(x, gy) if gy is given).

    On ndarrays both come from one pass over x's im2col pieces; on Variables (inside
    `grad(create_graph=True)`) each is its own recorded op, so it can be differentiated again.
    """
    if w is not None and gy is not None and not any(isinstance(v, Variable) for v in (x, w, gy)):
        return _forward_and_weight_grad(x, w, gy, geo)
    return (None if w is None else _conv2d(x, w, geo),
            None if gy is None else _conv2d_weight_grad(x, gy, geo))


# -- argument checks -------------------------------------------------------------------------


def _check_common(op, x, weight, stride, padding, dilation, groups):
    check_tensor(op, "input", x, ndim=4, dtypes="f")
    check_tensor(op, "weight", weight, ndim=4, dtypes="f")
    x_dtype, w_dtype = _data(x).dtype, _data(weight).dtype
    if x_dtype != w_dtype:
        raise TypeError(f"{op}: input dtype {x_dtype} differs from weight dtype {w_dtype}; "
                        f"cast one of them (e.g. x.astype('{w_dtype}'))")
    stride = pair(op, "stride", stride, minimum=1)
    padding = pair(op, "padding", padding, minimum=0)
    dilation = pair(op, "dilation", dilation, minimum=1)
    if groups is None:
        groups = 1
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if min(shape_of(x)) < 1 or min(shape_of(weight)) < 1:
        raise ValueError(f"{op}: input {list(shape_of(x))} and weight {list(shape_of(weight))} "
                         f"must have no zero-sized dim")
    return stride, padding, dilation, int(groups)


def _check_bias(op, bias, channels, dtype):
    if bias is None:
        return
    check_tensor(op, "bias", bias, ndim=1, dtypes="f")
    if shape_of(bias) != (channels,):
        raise ValueError(f"{op}: bias must have shape [{channels}] (one per output channel), got "
                         f"{list(shape_of(bias))}")
    if _data(bias).dtype != dtype:
        raise TypeError(f"{op}: bias dtype {_data(bias).dtype} differs from input dtype {dtype}")


# -- public functions ------------------------------------------------------------------------


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in Paddle and PyTorch) of NCHW input.

    x:       Variable [N, C, H, W] (float32 or float64).
    weight:  Variable [F, C // groups, KH, KW], same dtype as x.
    bias:    Variable [F] or None.
    stride, padding, dilation: int or pair (height, width); stride, dilation >= 1, padding >= 0.
    groups:  C and F split into `groups` independent convolutions; must divide both.
    returns: [N, F, OH, OW], OH = (H + 2 PH - DH (KH - 1) - 1) // SH + 1.
    Raises ValueError/TypeError for a wrong ndim or dtype, channels that do not match the
    weight, groups that do not divide them, bad stride/padding/dilation, or a kernel larger
    than the padded input.

    (Paddle 1.x's `fluid.layers.conv2d` created its parameters from `num_filters`; in minigrad
    the functional form takes the weight Variable and `fluid.dygraph.Conv2D` owns parameters.)
    """
    op = "conv2d"
    stride, padding, dilation, groups = _check_common(op, x, weight, stride, padding, dilation,
                                                      groups)
    N, C, H, W = shape_of(x)
    F, CG, KH, KW = shape_of(weight)
    if C % groups or F % groups:
        raise ValueError(f"{op}: groups={groups} must divide the input channels ({C}) and the "
                         f"number of filters ({F})")
    if CG * groups != C:
        raise ValueError(f"{op}: input has {C} channels but weight {list(shape_of(weight))} "
                         f"expects {CG * groups} (weight.shape[1] * groups = {CG} * {groups})")
    for name, size, k, s, p, d in (("height", H, KH, stride[0], padding[0], dilation[0]),
                                   ("width", W, KW, stride[1], padding[1], dilation[1])):
        if d * (k - 1) + 1 > size + 2 * p:
            raise ValueError(f"{op}: the dilated kernel {name} {d * (k - 1) + 1} (kernel {k}, "
                             f"dilation {d}) is larger than the padded input {name} "
                             f"{size + 2 * p} (size {size} + 2 * padding {p})")
    _check_bias(op, bias, F, _data(x).dtype)
    geo = _geometry(N, C, F, H, W, (KH, KW), stride, padding, dilation, groups)
    return _conv2d(x, weight, geo, bias)


def conv2d_transpose(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                     output_size=None):
    """Transposed 2-D convolution: the adjoint (input-gradient) of `conv2d` with this weight.

    x:       Variable [N, C_in, H, W] (float32 or float64).
    weight:  Variable [C_in, C_out // groups, KH, KW] (Paddle's layout), same dtype as x.
    bias:    Variable [C_out] or None.
    stride, padding, dilation: int or pair (height, width).
    groups:  must divide C_in; C_out = weight.shape[1] * groups.
    output_size: None, an int or a pair; each must lie in [H', H' + stride) with
             H' = (H - 1) stride - 2 padding + dilation (KH - 1) + 1 (None gives H').
    returns: [N, C_out, H_out, W_out].
    Raises ValueError naming the received size and the valid range for a bad output_size, and
    ValueError/TypeError for wrong ndim, dtype, channels, groups, stride, padding or dilation.
    """
    op = "conv2d_transpose"
    stride, padding, dilation, groups = _check_common(op, x, weight, stride, padding, dilation,
                                                      groups)
    N, F, OH, OW = shape_of(x)
    F_w, CG, KH, KW = shape_of(weight)
    if F_w != F:
        raise ValueError(f"{op}: input has {F} channels but weight {list(shape_of(weight))} "
                         f"expects {F_w} (weight.shape[0])")
    if F % groups:
        raise ValueError(f"{op}: groups={groups} must divide the input channels ({F})")
    H, W = resolve_output_size(op, (OH, OW), (KH, KW), stride, padding, dilation, output_size)
    C = CG * groups
    _check_bias(op, bias, C, _data(x).dtype)
    geo = _geometry(N, C, F, H, W, (KH, KW), stride, padding, dilation, groups)
    return _conv2d_input_grad(x, weight, geo, bias)


def resolve_output_size(op, in_size, kernel, stride, padding, dilation, output_size):
    """conv2d_transpose's output (H, W): the default, or `output_size` checked against its range.

    The range is [H', H' + stride) (positive sizes only: with large padding H' can be 0 or less
    while H' + stride - 1 still fits, and then only an explicit output_size works).
    """
    ranges = [output_size_range(in_size[axis], kernel[axis], stride[axis], padding[axis],
                                dilation[axis]) for axis in range(2)]
    if output_size is None:
        lows = [low for low, _ in ranges]
        if min(lows) < 1:
            valid = [f"[{max(low, 1)}, {high})" if high > 1 else "none"
                     for low, high in ranges]
            raise ValueError(f"{op}: the default output size {lows} is not positive for input "
                             f"size {list(in_size)}, kernel {list(kernel)}, stride "
                             f"{list(stride)}, padding {list(padding)}, dilation "
                             f"{list(dilation)}; valid output_size per dim: {', '.join(valid)}")
        return tuple(lows)
    sizes = pair(op, "output_size", output_size)
    for axis, name in enumerate(("height", "width")):
        low, high = ranges[axis]
        low = max(low, 1)
        if not low <= sizes[axis] < high:
            raise ValueError(f"{op}: output_size {name} {sizes[axis]} (output_size="
                             f"{output_size!r}) is out of range; for input {name} "
                             f"{in_size[axis]} it must lie in [{low}, {high}) = "
                             f"[{low}, {high - 1}] (stride {stride[axis]})")
    return sizes


def conv2d_weight_grad(x, grad_output, weight_shape, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d's weight: x [N, C, H, W], grad_output [N, F, OH, OW] ->
    [F, C // groups, KH, KW] for `weight_shape` = (F, C // groups, KH, KW). Differentiable."""
    op = "conv2d_weight_grad"
    stride, padding, dilation, groups = _check_common(op, x, grad_output, stride, padding, dilation,
                                                      groups)
    N, C, H, W = shape_of(x)
    F, CG, KH, KW = weight_shape
    geo = _geometry(N, C, F, H, W, (KH, KW), stride, padding, dilation, groups)
    if shape_of(grad_output) != (N, F, geo.OH, geo.OW) or CG * groups != C:
        raise ValueError(f"{op}: grad_output {list(shape_of(grad_output))} does not match "
                         f"x {[N, C, H, W]} and weight shape {list(weight_shape)}")
    return _conv2d_weight_grad(x, grad_output, geo)
