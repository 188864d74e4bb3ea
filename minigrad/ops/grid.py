"""Sampling grids: Paddle 1.8's affine_grid and grid_sampler.

Both are compositions of existing ops, so they need no gradient code of their own:
`affine_grid` is a matmul of a constant base grid with theta, and `grid_sampler` gathers the four
neighbours of each sampling point (indexing, whose backward is a scatter-add) and weights them
with bilinear weights computed from the grid by arithmetic. The integer corner coordinates
are constants taken from the grid's values, so the gradient with respect to the grid is the
derivative of the bilinear formula between pixel centres, as in Paddle.

Paddle 1.8's conventions (checked numerically against 1.8.5):
  - grid[..., 0] is x (width), grid[..., 1] is y (height), both in [-1, 1];
  - align_corners=True: x = -1 is the centre of column 0 and x = 1 the centre of column W - 1,
    i.e. x_pixel = (x + 1) / 2 * (W - 1);
  - corners outside the input contribute 0 (zero padding), so a point half a pixel outside the
    border still sees half of the border value.
"""
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_tensor, dtype_of, shape_of
from minigrad.core.variable import Variable
from minigrad.ops.math import matmul_nd
from minigrad.ops.shape import getitem, reshape, transpose

__all__ = ["affine_grid", "grid_sampler"]


def _axis_points(n, dtype):
    """n points from -1 to 1 with both ends included (a single point is -1, as numpy's)."""
    return np.linspace(-1.0, 1.0, n).astype(dtype)


def affine_grid(theta, out_shape, name=None):
    """Paddle's affine_grid: the sampling grid of a batch of 2-D affine transforms.

    theta:     Variable [N, 2, 3], float32 or float64: (x', y') = theta @ (x, y, 1).
    out_shape: [N, C, H, W] as a list, tuple or integer Variable; only H and W are used (the
               batch size is theta's, as in Paddle).
    returns:   [N, H, W, 2], theta's dtype: grid[n, h, w] = theta[n] @ (x_w, y_h, 1) with
               x_w, y_h evenly spaced in [-1, 1] (corners included).
    Raises TypeError for a non-float theta or a bad out_shape type, ValueError for wrong shapes.

        grid = fluid.layers.affine_grid(theta, [2, 3, 28, 28])        # [2, 28, 28, 2]
    """
    op = "affine_grid"
    check_tensor(op, "theta", theta, ndim=3, dtypes="f")
    n = shape_of(theta)[0]
    if tuple(shape_of(theta)[1:]) != (2, 3):
        raise ValueError(f"{op}: theta must have shape [N, 2, 3], got {list(shape_of(theta))}")
    if isinstance(out_shape, (Variable, np.ndarray)):
        array = data_of(out_shape)
        if array.dtype.kind not in "iu" or array.shape != (4,):
            raise ValueError(f"{op}: out_shape as a Variable must hold 4 integers [N, C, H, W], "
                             f"got shape {list(array.shape)} and dtype {array.dtype}")
        sizes = [int(v) for v in array]
    elif isinstance(out_shape, (list, tuple)):
        if len(out_shape) != 4 or not all(isinstance(v, numbers.Integral)
                                          and not isinstance(v, bool) for v in out_shape):
            raise ValueError(f"{op}: out_shape must be 4 ints [N, C, H, W], got {out_shape!r}")
        sizes = [int(v) for v in out_shape]
    else:
        raise TypeError(f"{op}: out_shape must be a list, tuple or Variable, got "
                        f"{type(out_shape).__name__} ({out_shape!r})")
    if min(sizes) < 1:
        raise ValueError(f"{op}: out_shape {sizes} must hold positive sizes")
    height, width = sizes[2], sizes[3]
    dtype = dtype_of(theta)
    ys, xs = np.meshgrid(_axis_points(height, dtype), _axis_points(width, dtype), indexing="ij")
    base = np.stack([xs.ravel(), ys.ravel(), np.ones(height * width, dtype)], axis=1)[None]
    grid = matmul_nd(base, transpose(theta, [0, 2, 1]))           # [N, H W, 2]
    return reshape(grid, [n, height, width, 2])


def grid_sampler(x, grid, name=None):
    """Paddle's grid_sampler: bilinear sampling of x at the points of grid, zero padding.

    x:       Variable [N, C, H, W], float32 or float64.
    grid:    Variable [N, H', W', 2] of the same dtype: (x, y) in [-1, 1], corners aligned
             (see this module's docstring); points outside see zeros.
    returns: [N, C, H', W'], x's dtype. (Paddle 1.8 requires H' = H and W' = W; minigrad takes
             any H', W'.)
    Raises TypeError for non-float or mismatched dtypes, ValueError for wrong shapes.

        out = fluid.layers.grid_sampler(x, fluid.layers.affine_grid(theta, x.shape))
    """
    op = "grid_sampler"
    check_tensor(op, "x", x, ndim=4, dtypes="f")
    check_tensor(op, "grid", grid, ndim=4, dtypes="f")
    if dtype_of(x) != dtype_of(grid):
        raise TypeError(f"{op}: x and grid must have the same dtype, got {dtype_of(x)} and "
                        f"{dtype_of(grid)}")
    n, _, height, width = shape_of(x)
    gshape = shape_of(grid)
    if gshape[0] != n or gshape[3] != 2:
        raise ValueError(f"{op}: grid must have shape [N, H', W', 2] with N = {n} (x's batch), "
                         f"got {list(gshape)}")
    dtype = dtype_of(x)
    px = (grid[:, :, :, 0] + 1.0) * float(width - 1) * 0.5       # pixel coordinates
    py = (grid[:, :, :, 1] + 1.0) * float(height - 1) * 0.5
    x0 = np.floor(data_of(px))
    y0 = np.floor(data_of(py))
    # Each neighbour's weight is the distance to the opposite one (Paddle's d_e, d_w, d_s, d_n).
    w_east = px - x0
    w_west = (x0 + 1) - px
    w_south = py - y0
    w_north = (y0 + 1) - py
    channels_last = transpose(x, [0, 2, 3, 1])                    # [N, H, W, C]
    batch = np.arange(n).reshape(n, 1, 1)
    out = None
    for rows, cols, weight in ((y0, x0, w_west * w_north), (y0, x0 + 1, w_east * w_north),
                               (y0 + 1, x0, w_west * w_south), (y0 + 1, x0 + 1, w_east * w_south)):
        inside = (rows >= 0) & (rows <= height - 1) & (cols >= 0) & (cols <= width - 1)
        rows_i = np.clip(rows, 0, height - 1).astype(np.intp)
        cols_i = np.clip(cols, 0, width - 1).astype(np.intp)
        values = getitem(channels_last, (batch, rows_i, cols_i))  # [N, H', W', C]
        weight = reshape(weight * inside.astype(dtype), list(gshape[:3]) + [1])
        term = values * weight
        out = term if out is None else out + term
    return transpose(out, [0, 3, 1, 2])
