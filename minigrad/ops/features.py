"""Paddle 1.8's feature transforms on dense tensors: `fsp_matrix`, `similarity_focus`,
`add_position_encoding`, `continuous_value_model`.

fsp_matrix and add_position_encoding are compositions (their gradients follow); similarity_focus
computes a constant mask; continuous_value_model keeps Paddle's own gradient rule (see its
docstring).

    loss = fluid.layers.fsp_matrix(feature_a, feature_b)
"""

import numpy as np

from minigrad.core.checks import (check_int, check_number, check_tensor, check_type, data_of,
                                  shape_of)
from minigrad.core.op import NoGradient, Op
from minigrad.ops.math import matmul_nd, swap_last
from minigrad.ops.shape import concat, getitem, reshape

__all__ = ["fsp_matrix", "similarity_focus", "add_position_encoding", "continuous_value_model"]


# -- fsp_matrix ------------------------------------------------------------------------------


def fsp_matrix(x, y):
    """The FSP (flow of solution procedure) matrix of two feature maps.

    x: [N, C1, H, W], y: [N, C2, H, W] (float, same N, H, W).
    Returns [N, C1, C2]: out[n, i, j] = mean over the H*W positions of x[n, i] * y[n, j].

        loss = fluid.layers.fsp_matrix(feature_map_0, feature_map_1)
    """
    check_tensor("fsp_matrix", "x", x, ndim=4, dtypes="f")
    check_tensor("fsp_matrix", "y", y, ndim=4, dtypes="f")
    (n, c1, h, w), (n2, c2, h2, w2) = shape_of(x), shape_of(y)
    if (n, h, w) != (n2, h2, w2):
        raise ValueError(f"fsp_matrix: x of shape {[n, c1, h, w]} and y of shape "
                         f"{[n2, c2, h2, w2]} must agree in every dim except the channels")
    product = matmul_nd(reshape(x, [n, c1, h * w]), swap_last(reshape(y, [n, c2, h * w])))
    return product * (1.0 / (h * w))


# -- similarity_focus ------------------------------------------------------------------------


def _focus_mask(x, axis, indexes):
    mask = np.zeros_like(x)
    for i in range(x.shape[0]):
        for index in indexes:
            plane = np.take(x[i], index, axis=axis - 1)       # the two other dims
            rows, cols = plane.shape
            # Largest first; equal values keep row-major order (Paddle's sort is not stable).
            order = np.argsort(-plane.ravel(), kind="stable")
            used_rows, used_cols, picked = set(), set(), 0
            for flat in order.tolist():
                r, c = divmod(flat, cols)
                if r in used_rows or c in used_cols:
                    continue
                used_rows.add(r)
                used_cols.add(c)
                where = [slice(None)] * 3
                others = [d for d in range(3) if d != axis - 1]
                where[others[0]], where[others[1]] = r, c
                mask[i][tuple(where)] = 1
                picked += 1
                if picked == min(rows, cols):
                    break
    return mask


def similarity_focus(input, axis, indexes, name=None):
    """A 0/1 mask of input's shape marking, for each selected slice, its largest entries with at
    most one per row and column (the Similarity Focus Layer of He and Lin, 2016).

    input:   float [N, A, B, C].
    axis:    1, 2 or 3: the dim `indexes` select along.
    indexes: a non-empty list of ints in [0, input.shape[axis]).
    For each n and index, the 2-D slice input[n, ..index.., ...] is scanned from its largest value
    down; a value is taken when its row and column are still free, until min(rows, cols) are
    taken; each taken (row, col) is set to 1 across the whole `axis` dim. The masks of all
    indexes are or-ed. Equal values are taken in row-major order. No gradient.

        mask = fluid.layers.similarity_focus(x, axis=1, indexes=[0])
    """
    check_tensor("similarity_focus", "input", input, ndim=4, dtypes="f")
    check_type("similarity_focus", "axis", axis, int, "an int")
    check_type("similarity_focus", "indexes", indexes, list, "a list of ints")
    if axis not in (1, 2, 3):
        raise ValueError(f"similarity_focus: axis must be 1, 2 or 3, got {axis}")
    if not indexes:
        raise ValueError("similarity_focus: indexes can not be empty")
    size = shape_of(input)[axis]
    for index in indexes:
        check_int("similarity_focus", "indexes", index)
        if not 0 <= index < size:
            raise ValueError(f"similarity_focus: indexes must lie in [0, {size}) (dim {axis} of "
                             f"input of shape {list(shape_of(input))}), got {index}")
    return NoGradient(lambda x: _focus_mask(x, axis, [int(i) for i in indexes]))(input)


# -- add_position_encoding -------------------------------------------------------------------


def _position_encoding(length, size, dtype):
    half = size // 2
    positions = np.arange(length, dtype=np.float64)[:, None]
    if half > 1:
        angles = positions / np.power(10000.0, np.arange(half) / (half - 1))
    else:
        angles = positions / 10000.0
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(dtype)


def add_position_encoding(input, alpha, beta, name=None):
    """alpha * input + beta * PE, PE the sinusoidal position encoding of "Attention Is All You
    Need" laid out as Paddle 1.8 does: the first half of the features sines, the second cosines.

    input: float [N, M, P], P even (M positions, P features); with half = P / 2 and k < half,
    PE[pos, k] = sin(pos / 10000 ** (k / (half - 1))), PE[pos, half + k] = cos(same)
    (pos / 10000 when half is 1). Differentiable in input (the gradient is alpha).

        out = fluid.layers.add_position_encoding(x, alpha=1.0, beta=1.0)
    """
    check_tensor("add_position_encoding", "input", input, ndim=3, dtypes="f")
    alpha = check_number("add_position_encoding", "alpha", alpha)
    beta = check_number("add_position_encoding", "beta", beta)
    _, length, size = shape_of(input)
    if size % 2:
        raise ValueError(f"add_position_encoding: the feature size (last dim) must be even, got "
                         f"{size}")
    dtype = data_of(input).dtype
    encoding = _position_encoding(length, size, dtype) * dtype.type(beta)
    return input * alpha + encoding


# -- continuous_value_model ------------------------------------------------------------------


class ContinuousValueModel(Op):
    """Paddle's cvm op. The forward log-transforms (or drops) the show/click columns; the
    backward is Paddle's rule, not the derivative of the forward: the show/click columns of dX
    receive the `cvm` values themselves (so a CTR embedding table learns its show and click
    counts), and the other columns pass dY through."""

    def __init__(self, use_cvm):
        self.use_cvm = use_cvm

    def forward(self, x, cvm):
        if not self.use_cvm:
            return x[:, 2:].copy()
        show = np.log(x[:, :1] + 1)
        click = np.log(x[:, 1:2] + 1) - show
        return np.concatenate([show, click, x[:, 2:]], axis=1)

    def backward(self, gy, x, cvm):
        rest = getitem(gy, (slice(None), slice(2, None))) if self.use_cvm else gy
        return concat([cvm, rest], axis=1), None


def continuous_value_model(input, cvm, use_cvm=True):
    """Paddle's CTR show/click transform of embeddings whose first two columns are show, click.

    input: float [N, D] (D >= 2); cvm: float [N, 2] (the show and click values).
    use_cvm=True:  out [N, D] = [log(show + 1), log(click + 1) - log(show + 1), input[:, 2:]].
    use_cvm=False: out [N, D - 2] = input[:, 2:].
    Gradient (Paddle's rule, kept for CTR training): d input[:, :2] = cvm, d input[:, 2:] = the
    incoming gradient of those columns. cvm gets no gradient.

        emb = fluid.layers.continuous_value_model(emb, show_click, True)
    """
    check_tensor("continuous_value_model", "input", input, ndim=2, dtypes="f")
    check_tensor("continuous_value_model", "cvm", cvm, ndim=2, dtypes="f")
    n, d = shape_of(input)
    if d < 2 or tuple(shape_of(cvm)) != (n, 2):
        raise ValueError(f"continuous_value_model: input must be [N, D] with D >= 2 and cvm "
                         f"[N, 2]; got {[n, d]} and {list(shape_of(cvm))}")
    return ContinuousValueModel(bool(use_cvm))(input, cvm)
