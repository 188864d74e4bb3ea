"""Logic on bool tensors, tests for inf/nan, and facts about a tensor (shape, size, rank).

Nothing here has a gradient: every result is a constant Variable (`stop_gradient=True`). Called
on ndarrays (inside other ops) the functions return ndarrays, like every op.

Paddle 1.8 shapes: `isfinite`, `has_inf`, `has_nan`, `is_empty`, `size` and `rank` give shape [1]
(one answer for the whole tensor); `where(condition)` gives the int64 coordinates of the True
elements, shape [n, ndim].

    both = fluid.layers.logical_and(a > 0, b > 0)
    coords = fluid.layers.where(mask)          # [[0, 1], [2, 0], ...]
"""
import numpy as np

from minigrad.core.checks import data_of, check_axes, check_tensor, check_type, shape_of
from minigrad.core.op import NoGradient
from minigrad.core.variable import Variable

__all__ = ["logical_and", "logical_or", "logical_xor", "logical_not", "where", "isfinite",
           "has_inf", "has_nan", "reduce_all", "reduce_any", "shape", "size", "rank", "is_empty"]


def _write_out(op, out, result):
    """Paddle's `out=` argument: the result is written into an existing Variable."""
    if out is None:
        return result
    check_type(op, "out", out, Variable, "None or a Variable")
    value = data_of(result)
    if out.data.shape != value.shape or out.data.dtype != value.dtype:
        raise ValueError(f"{op}: out has shape {out.shape} and dtype {out.data.dtype}; expected "
                         f"shape {list(value.shape)} and dtype {value.dtype}")
    out.set_value(value)
    return out


# -- elementwise logic -----------------------------------------------------------------------


def _binary_logic(ufunc, name):
    def function(x, y, out=None, name=None):
        check_tensor(name_, "x", x, dtypes="b")
        check_tensor(name_, "y", y, dtypes="b")
        x_shape, y_shape = shape_of(x), shape_of(y)
        if x_shape != y_shape:
            # Paddle pairs the elements in order when the counts agree (the result has x's shape)
            # and does not broadcast.
            if int(np.prod(x_shape)) != int(np.prod(y_shape)):
                raise ValueError(f"{name_}: x of shape {list(x_shape)} and y of shape "
                                 f"{list(y_shape)} must have the same number of elements")
        result = NoGradient(lambda a, b: ufunc(a, b.reshape(a.shape)))(x, y)
        return _write_out(name_, out, result)
    name_ = name
    function.__name__ = name
    function.__doc__ = (f"`{name}(x, y, out=None)`: elementwise on bool tensors of one shape; "
                        "writes into `out` when given and returns it.")
    return function


logical_and = _binary_logic(np.logical_and, "logical_and")
logical_or = _binary_logic(np.logical_or, "logical_or")
logical_xor = _binary_logic(np.logical_xor, "logical_xor")


def logical_not(x, out=None, name=None):
    """Elementwise not of a bool tensor; writes into `out` when given and returns it."""
    check_tensor("logical_not", "x", x, dtypes="b")
    return _write_out("logical_not", out, NoGradient(np.logical_not)(x))


def where(condition):
    """Paddle 1.8's `where`: the int64 coordinates of the True (non-zero) elements.

    condition: a tensor with at least 1 dim (bool, or numbers meaning != 0).
    Returns shape [n, condition.ndim], one row per True element in row-major order; [0, ndim]
    when there is none.

        fluid.layers.where(mask)      # mask [[True, False], [False, True]] -> [[0, 0], [1, 1]]
    """
    check_tensor("where", "condition", condition, dtypes="biuf")
    if not shape_of(condition):
        raise ValueError("where: condition must have at least 1 dim, got a 0-D input")
    return NoGradient(lambda c: np.argwhere(c).astype(np.int64))(condition)


def _one(value):
    return np.array([value], dtype=np.bool_)


def isfinite(x):
    """True (shape [1], bool) when every element of x is finite (no inf, no nan)."""
    check_tensor("isfinite", "x", x, dtypes="iuf")
    return NoGradient(lambda a: _one(np.isfinite(a).all()))(x)


def has_inf(x):
    """True (shape [1], bool) when some element of x is +inf or -inf."""
    check_tensor("has_inf", "x", x, dtypes="iuf")
    return NoGradient(lambda a: _one(np.isinf(a).any()))(x)


def has_nan(x):
    """True (shape [1], bool) when some element of x is nan."""
    check_tensor("has_nan", "x", x, dtypes="iuf")
    return NoGradient(lambda a: _one(np.isnan(a).any()))(x)


def _bool_reduction(function, name):
    def reduce(input, dim=None, keep_dim=False, name=None):
        check_tensor(name_, "input", input, dtypes="b")
        if isinstance(dim, (list, tuple)) and not dim:
            dim = None
        axes = check_axes(name_, "dim", dim, len(shape_of(input)))

        def compute(a):
            y = function(a, axis=axes, keepdims=bool(keep_dim))
            return np.asarray(y).reshape(1) if np.ndim(y) == 0 else y
        return NoGradient(compute)(input)
    name_ = name
    reduce.__name__ = name
    reduce.__doc__ = (f"`{name}(input, dim=None, keep_dim=False)` of a bool tensor over `dim` "
                      "(int or list; None means all dims, giving shape [1]).")
    return reduce


reduce_all = _bool_reduction(np.all, "reduce_all")
reduce_any = _bool_reduction(np.any, "reduce_any")


# -- facts about a tensor --------------------------------------------------------------------


def shape(input):
    """The shape of `input` as an int32 Variable of shape [ndim]."""
    check_tensor("shape", "input", input)
    return NoGradient(lambda a: np.array(a.shape, dtype=np.int32))(input)


def size(input):
    """The number of elements of `input` as an int64 Variable of shape [1]."""
    check_tensor("size", "input", input)
    return NoGradient(lambda a: np.array([a.size], dtype=np.int64))(input)


def rank(input):
    """The number of dims of `input` as a 0-d int32 Variable, as in Paddle 1.8.5 (one of the
    few 0-d results it makes; `int(rank(x))` reads it)."""
    check_tensor("rank", "input", input)
    return NoGradient(lambda a: np.array(a.ndim, dtype=np.int32))(input)


def is_empty(x, cond=None):
    """True (bool, shape [1]) when `x` has no elements; written into `cond` when given."""
    check_tensor("is_empty", "x", x)
    if cond is not None:
        check_type("is_empty", "cond", cond, Variable, "None or a bool Variable")
        if cond.data.dtype != np.bool_:
            raise TypeError(f"is_empty: cond must be a bool Variable, got dtype {cond.data.dtype}")
    return _write_out("is_empty", cond, NoGradient(lambda a: _one(a.size == 0))(x))
