"""Elementwise arithmetic, matmul and reductions.

Every backward below is written with the functions of this module and `ops.shape`, so it runs on
ndarrays during an ordinary backward and on Variables (recorded) when `create_graph=True`.
"""
import builtins

import numpy as np

from minigrad.core.checks import (data_of, broadcast_error, check_axes, check_axis, check_number,
                                  check_positive, check_tensor, check_type, shape_of)
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.shape import (_plain_reshape, broadcast_to, getitem, reshape, stack,
                                sum_to, transpose)

# -- elementwise binary ---------------------------------------------------------------------------


class Add(Op):
    def forward(self, x, y):
        return x + y

    def backward(self, gz, x, y):
        return (sum_to(gz, shape_of(x)) if self.needs_grad(0) else None,
                sum_to(gz, shape_of(y)) if self.needs_grad(1) else None)


class Sub(Op):
    def forward(self, x, y):
        return x - y

    def backward(self, gz, x, y):
        return (sum_to(gz, shape_of(x)) if self.needs_grad(0) else None,
                sum_to(-gz, shape_of(y)) if self.needs_grad(1) else None)


class Mul(Op):
    def forward(self, x, y):
        return x * y

    def backward(self, gz, x, y):
        return (sum_to(gz * y, shape_of(x)) if self.needs_grad(0) else None,
                sum_to(gz * x, shape_of(y)) if self.needs_grad(1) else None)


class Div(Op):
    def forward(self, x, y):
        if _is_integer(x) and _is_integer(y):
            return _truncating_divide(x, y)
        return x / y

    def backward(self, gz, x, y):
        gx = gz / y
        return (sum_to(gx, shape_of(x)) if self.needs_grad(0) else None,
                sum_to(-gx * x / y, shape_of(y)) if self.needs_grad(1) else None)


class Pow(Op):
    def forward(self, x, y):
        return x ** y

    def backward(self, gz, x, y):
        gx = gy = None
        if self.needs_grad(0):
            gx = sum_to(gz * y * x ** (y - 1), shape_of(x))
        if self.needs_grad(1):
            gy = sum_to(gz * self.output() * log(x), shape_of(y))
        return gx, gy


class Maximum(Op):
    _x_wins = staticmethod(np.greater)

    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, gz, x, y):
        # Ties share the gradient, so the result is the average of both one-sided derivatives.
        x, y = data_of(x), data_of(y)
        x_wins = (self._x_wins(x, y) + 0.5 * (x == y)).astype(_dtype(gz))
        return (sum_to(gz * x_wins, x.shape) if self.needs_grad(0) else None,
                sum_to(gz * (1 - x_wins), np.shape(y)) if self.needs_grad(1) else None)


class Minimum(Maximum):
    _x_wins = staticmethod(np.less)

    def forward(self, x, y):
        return np.minimum(x, y)


class Mod(Op):
    def forward(self, x, y):
        return np.mod(x, y)

    def backward(self, gz, x, y):
        # x mod y = x - floor(x / y) * y, with floor piecewise constant.
        return (sum_to(gz, shape_of(x)) if self.needs_grad(0) else None,
                sum_to(-gz * np.floor(data_of(x) / data_of(y)), shape_of(y))
                if self.needs_grad(1) else None)


class FloorDivide(Op):
    differentiable = False   # piecewise constant: the gradient is zero almost everywhere

    def forward(self, x, y):
        return np.floor_divide(x, y)


class Neg(Op):
    def forward(self, x):
        return -x

    def backward(self, gy, x):
        return -gy


def _is_integer(value):
    return np.asarray(value).dtype.kind in "iu"


def _truncating_divide(x, y):
    """Integer x / y rounded toward zero in the operands' integer dtype, as Paddle 1.8 (C++)
    divides integer tensors: 7 / 2 = 3, -7 / 2 = -3."""
    quotient = np.floor_divide(x, y)
    inexact = (np.remainder(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0))
    return quotient + inexact.astype(quotient.dtype)


def _dtype(x):
    return data_of(x).dtype


def _operand_error(name, x, y):
    """A TypeError naming the operand that is not numeric, or None if both are."""
    for argument, value in (("x", x), ("y", y)):
        array = value.data if isinstance(value, Variable) else value
        if not isinstance(array, (np.ndarray, np.generic, int, float, complex, list, tuple)) \
                or np.asarray(array).dtype.kind not in "biufc":
            return TypeError(f"{name}: {argument} must be a Variable, ndarray or number, got "
                             f"{type(value).__name__} ({value!r:.60})")
    return None


def _binary(op_class, name):
    def function(x, y):
        try:
            return op_class()(x, y)
        except ValueError as error:
            if "broadcast" in str(error):
                raise broadcast_error(name, x, y) from None
            raise
        except TypeError:
            # Checked only on failure, so the common path pays nothing.
            error = _operand_error(name, x, y)
            if error is None:
                raise
            raise error from None
    function.__name__ = name
    function.__qualname__ = name
    function.__doc__ = f"`{name}(x, y)` elementwise with numpy broadcasting."
    return function


add = _binary(Add, "add")
sub = _binary(Sub, "sub")
mul = _binary(Mul, "mul")
div = _binary(Div, "div")
pow = _binary(Pow, "pow")
maximum = _binary(Maximum, "maximum")
minimum = _binary(Minimum, "minimum")
mod = _binary(Mod, "mod")
floor_divide = _binary(FloorDivide, "floor_divide")


def neg(x):
    return Neg()(x)


# -- comparisons: not differentiable, bool outputs ---------------------------------------------


class _Compare(Op):
    differentiable = False

    def __init__(self, ufunc):
        self._ufunc = ufunc

    def forward(self, x, y):
        return self._ufunc(x, y)


def _comparison(ufunc, name):
    def function(x, y):
        try:
            return _Compare(ufunc)(x, y)
        except ValueError as error:
            if "broadcast" in str(error):
                raise broadcast_error(name, x, y) from None
            raise
        except TypeError:
            error = _operand_error(name, x, y)
            if error is None:
                raise
            raise error from None
    function.__name__ = name
    return function


less_than = _comparison(np.less, "less_than")
less_equal = _comparison(np.less_equal, "less_equal")
greater_than = _comparison(np.greater, "greater_than")
greater_equal = _comparison(np.greater_equal, "greater_equal")
equal = _comparison(np.equal, "equal")
not_equal = _comparison(np.not_equal, "not_equal")


# -- Paddle's elementwise_* with `axis` ------------------------------------------------------


def _align(op, x, y, axis):
    """Reshape y so its dims line up with x's starting at `axis` (Paddle's broadcast rule)."""
    check_type(op, "axis", axis, int, "an int")
    x_shape, y_shape = shape_of(x), shape_of(y)
    if axis == -1 or len(y_shape) == len(x_shape):
        return y
    if axis < 0:
        axis += len(x_shape) - len(y_shape) + 1
    if not 0 <= axis <= len(x_shape) - len(y_shape):
        raise ValueError(f"{op}: axis={axis} cannot place y of shape {list(y_shape)} inside x of "
                         f"shape {list(x_shape)}; expected 0 <= axis <= "
                         f"{len(x_shape) - len(y_shape)}")
    trailing = len(x_shape) - axis - len(y_shape)
    return reshape(y, list(y_shape) + [1] * trailing)


def _elementwise(function, name):
    def elementwise(x, y, axis=-1, act=None, name=None):
        result = function(x, _align(f"elementwise_{name_}", x, y, axis))
        if act is not None:
            from minigrad.ops.activation import apply_act
            result = apply_act(result, act)
        return result
    name_ = name
    elementwise.__name__ = f"elementwise_{name}"
    elementwise.__doc__ = (f"`x {name} y`, y broadcast along x's dims from `axis` "
                           "(-1: numpy's trailing alignment).")
    return elementwise


elementwise_add = _elementwise(add, "add")
elementwise_sub = _elementwise(sub, "sub")
elementwise_mul = _elementwise(mul, "mul")
elementwise_div = _elementwise(div, "div")
elementwise_max = _elementwise(maximum, "max")
elementwise_min = _elementwise(minimum, "min")
elementwise_pow = _elementwise(pow, "pow")
elementwise_mod = _elementwise(mod, "mod")
elementwise_floordiv = _elementwise(floor_divide, "floordiv")


# -- matmul ------------------------------------------------------------------------------------


class MatMul(Op):
    """Batched `x @ y` for inputs with at least two dims (batch dims broadcast)."""

    def forward(self, x, y):
        return x @ y

    def backward(self, gz, x, y):
        gx = gy = None
        if self.needs_grad(0):
            gx = sum_to(matmul_nd(gz, swap_last(y)), shape_of(x))
        if self.needs_grad(1):
            gy = sum_to(matmul_nd(swap_last(x), gz), shape_of(y))
        return gx, gy


def swap_last(x):
    if type(x) is np.ndarray:
        return x.swapaxes(-1, -2)
    ndim = len(shape_of(x))
    perm = list(range(ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    return transpose(x, perm)


def matmul_nd(x, y):
    if type(x) is np.ndarray and type(y) is np.ndarray:
        return x @ y
    return MatMul()(x, y)


def matmul(x, y, transpose_x=False, transpose_y=False, alpha=1.0, name=None):
    """Paddle's matmul: optional transposes of the last two dims, batched, then scaled by alpha.

    1-D operands follow numpy: a vector is a row on the left and a column on the right, and the
    added dim is removed from the result.
    """
    check_tensor("matmul", "x", x)
    check_tensor("matmul", "y", y)
    x_shape, y_shape = shape_of(x), shape_of(y)
    if len(x_shape) == 0 or len(y_shape) == 0:
        raise ValueError(f"matmul: x and y must have at least 1 dim, got shapes {list(x_shape)} "
                         f"and {list(y_shape)}")
    x_vector, y_vector = len(x_shape) == 1, len(y_shape) == 1
    if x_vector:
        x = reshape(x, [1, x_shape[0]])
    if y_vector:
        y = reshape(y, [y_shape[0], 1])
    if transpose_x and not x_vector:
        x = swap_last(x)
    if transpose_y and not y_vector:
        y = swap_last(y)
    xs, ys = shape_of(x), shape_of(y)
    if xs[-1] != ys[-2]:
        raise ValueError(f"matmul: x's last dim ({xs[-1]}) must equal y's second-to-last dim "
                         f"({ys[-2]}); shapes {list(x_shape)} and {list(y_shape)} with "
                         f"transpose_x={transpose_x}, transpose_y={transpose_y}")
    try:
        out = matmul_nd(x, y)
    except ValueError:
        raise ValueError(f"matmul: batch dims of {list(x_shape)} and {list(y_shape)} cannot be "
                         "broadcast together") from None
    if x_vector or y_vector:
        out_shape = list(shape_of(out))
        if y_vector:
            out_shape.pop(-1)
        if x_vector:
            out_shape.pop(-1 if y_vector else -2)
        out = reshape(out, out_shape or [1])
    if alpha != 1.0:
        out = out * float(alpha)    # a Python float: an np.float64 alpha would upcast float32
    return out


class Linear(Op):
    """`x @ weight + bias` over x's last dim: the whole of a Linear layer in one record."""

    def forward(self, x, weight, bias):
        y = x @ weight
        if bias is not None:
            y += bias
        return y

    def backward(self, gy, x, weight, bias):
        gx = gw = gb = None
        if self.needs_grad(0):
            gx = matmul_nd(gy, swap_last(weight))
        if self.needs_grad(1):
            gw = matmul_nd(swap_last(_rows(x)), _rows(gy))
        if bias is not None and self.needs_grad(2):
            gb = sum_to(gy, shape_of(bias))
        return gx, gw, gb


def _rows(x):
    """Collapse all leading dims: [..., n] -> [rows, n]."""
    shape = shape_of(x)
    if type(x) is np.ndarray:
        return x.reshape(-1, shape[-1])
    return reshape(x, [-1, shape[-1]])


def linear(x, weight, bias=None):
    """`x @ weight + bias` for x [..., in], weight [in, out], bias [out] (or None)."""
    x_shape, w_shape = shape_of(x), shape_of(weight)
    if len(w_shape) != 2 or not x_shape or x_shape[-1] != w_shape[0]:
        raise ValueError(f"linear: input of shape {list(x_shape)} does not fit weight of shape "
                         f"{list(w_shape)}; expected input [..., {w_shape[0] if w_shape else '?'}]")
    if bias is not None and tuple(shape_of(bias)) != (w_shape[1],):
        raise ValueError(f"linear: bias of shape {list(shape_of(bias))} does not match weight of "
                         f"shape {list(w_shape)}; expected [{w_shape[1]}]")
    return Linear()(x, weight, bias)


# -- reductions --------------------------------------------------------------------------------


class Sum(Op):
    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        axis = self.axis
        if (axis is not None and 1 < len(axis) < x.ndim and axis[0] == 0
                and x.dtype in (np.float32, np.float64) and x.flags.c_contiguous):
            # numpy walks reduced axes that a kept axis separates ([N, C, H, W] over (0, 2, 3):
            # a conv's bias gradient) in short inner loops. Adding the N contiguous slabs first
            # is vectorised and leaves a small array: 2-30x faster, as accurate (not for
            # float16, whose elementwise adds are slow).
            x = x.sum(axis=0, keepdims=True)
        y = x.sum(axis=axis, keepdims=self.keepdims)
        return y.reshape(1) if y.ndim == 0 else y

    def backward(self, gy, x):
        shape = shape_of(x)
        return broadcast_to(_plain_reshape(gy, _kept_shape(shape, self.axis)), shape)


class Mean(Op):
    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        y = x.mean(axis=self.axis, keepdims=self.keepdims)
        self._scale = 1.0 / builtins.max(x.size // builtins.max(y.size, 1), 1)
        return y.reshape(1) if y.ndim == 0 else y

    def backward(self, gy, x):
        shape = shape_of(x)
        return broadcast_to(_plain_reshape(gy * self._scale, _kept_shape(shape, self.axis)), shape)


class Max(Op):
    def __init__(self, axis, keepdims, function=np.max):
        self.axis = axis
        self.keepdims = keepdims
        self._function = function

    def forward(self, x):
        y = self._function(x, axis=self.axis, keepdims=self.keepdims)
        return y.reshape(1) if y.ndim == 0 else y

    def backward(self, gy, x):
        shape = shape_of(x)
        kept = _kept_shape(shape, self.axis)
        # Every position equal to the extreme shares the gradient equally (ties split).
        winners = (data_of(x) == data_of(self.output()).reshape(kept)).astype(_dtype(gy))
        winners /= winners.sum(axis=self.axis, keepdims=True)
        return broadcast_to(reshape(gy, kept), shape) * winners


def _kept_shape(shape, axis):
    if axis is None:
        return [1] * len(shape)
    return [1 if i in axis else n for i, n in enumerate(shape)]


def _reduction(op_class, name, extra=()):
    def reduce(input, dim=None, keep_dim=False, name=None):
        check_tensor(name_, "input", input)
        if isinstance(dim, (list, tuple)) and not dim:
            dim = None     # Paddle: an empty dim list reduces over all dims
        axes = check_axes(name_, "dim", dim, len(shape_of(input)))
        return op_class(axes, bool(keep_dim), *extra)(input)
    name_ = name
    reduce.__name__ = name
    reduce.__doc__ = (f"`{name}(input, dim=None, keep_dim=False)`: over `dim` (int or list; None "
                      "means all dims, giving shape [1]).")
    return reduce


reduce_sum = _reduction(Sum, "reduce_sum")
reduce_mean = _reduction(Mean, "reduce_mean")
reduce_max = _reduction(Max, "reduce_max", (np.max,))
reduce_min = _reduction(Max, "reduce_min", (np.min,))


def mean(x, name=None):
    """Mean of all elements, shape [1]."""
    check_tensor("mean", "x", x)
    return Mean(None, False)(x)


def sum(x, dim=None, keep_dim=False):
    return reduce_sum(x, dim, keep_dim)


# -- elementwise unary math used by backwards above (activations live in ops.activation) -------


class Log(Op):
    def forward(self, x):
        return np.log(x)

    def backward(self, gy, x):
        return gy / x


class Abs(Op):
    def forward(self, x):
        return np.abs(x)

    def backward(self, gy, x):
        return gy * np.sign(data_of(x))


def log(x, name=None):
    return Log()(x)


def abs(x, name=None):
    return Abs()(x)


# -- dtype -----------------------------------------------------------------------------------


class Cast(Op):
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self._from = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy, x):
        return cast(gy, self._from)


def cast(x, dtype):
    """`x` converted to `dtype` ("float32", np.float64, ...); float-to-float casts pass
    gradients."""
    check_tensor("cast", "x", x)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"cast: dtype {dtype!r} is not a numpy dtype name") from None
    if isinstance(x, np.ndarray):
        return x.astype(dtype, copy=False)
    op = Cast(dtype)
    if dtype.kind != "f" or x.data.dtype.kind != "f":
        op.differentiable = False
    return op(x)


# -- Paddle 1.8's further math: inverse trigonometry, cumsum, reduce_prod, mul, sum... --------


def _float_input(op, x, argument="x"):
    check_tensor(op, argument, x, dtypes="f")


class Acos(Op):
    def forward(self, x):
        return np.arccos(x)

    def backward(self, gy, x):
        return -gy * (1.0 - x * x) ** -0.5


class Asin(Op):
    def forward(self, x):
        return np.arcsin(x)

    def backward(self, gy, x):
        return gy * (1.0 - x * x) ** -0.5


class Atan(Op):
    def forward(self, x):
        return np.arctan(x)

    def backward(self, gy, x):
        return gy / (1.0 + x * x)


def acos(x, name=None):
    """arccos(x) elementwise, in radians [0, pi]; nan outside [-1, 1] (float input only)."""
    _float_input("acos", x)
    return Acos()(x)


def asin(x, name=None):
    """arcsin(x) elementwise, in radians [-pi/2, pi/2]; nan outside [-1, 1] (float input only)."""
    _float_input("asin", x)
    return Asin()(x)


def atan(x, name=None):
    """arctan(x) elementwise, in radians (-pi/2, pi/2) (float input only)."""
    _float_input("atan", x)
    return Atan()(x)


class Cumsum(Op):
    """Running sum along `axis`; `exclusive` shifts it by one (starting at 0), `reverse` runs it
    from the end. Its adjoint is the same sum run the other way."""

    def __init__(self, axis, exclusive, reverse):
        self.axis = axis
        self.exclusive = exclusive
        self.reverse = reverse

    def forward(self, x):
        axis = self.axis
        if self.reverse:
            x = np.flip(x, axis)
        y = np.cumsum(x, axis=axis, dtype=x.dtype)   # numpy would widen int32 to int64
        if self.exclusive:
            y = np.concatenate([np.zeros_like(np.take(y, [0], axis=axis)),
                                np.take(y, np.arange(y.shape[axis] - 1), axis=axis)], axis=axis)
        if self.reverse:
            y = np.flip(y, axis)
        return np.ascontiguousarray(y)

    def backward(self, gy, x):
        return Cumsum(self.axis, self.exclusive, not self.reverse)(gy)


def cumsum(x, axis=None, exclusive=None, reverse=None):
    """Paddle's cumsum: the cumulative sum of `x` along `axis` (None: the last dim, -1).

    exclusive: True starts each sum at 0 and leaves the current element out (y[0] = 0).
    reverse:   True sums from the end of the axis backwards.
    The shape and dtype of `x` are kept (int32 stays int32).

        fluid.layers.cumsum(x, axis=0, exclusive=True)
    """
    check_tensor("cumsum", "x", x, dtypes="iuf")
    ndim = len(shape_of(x))
    if ndim == 0:
        raise ValueError("cumsum: x must have at least 1 dim, got a 0-D input")
    axis = check_axis("cumsum", "axis", -1 if axis is None else axis, ndim)
    return Cumsum(axis, bool(exclusive), bool(reverse))(x)


class Prod(Op):
    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        y = np.prod(x, axis=self.axis, keepdims=self.keepdims, dtype=x.dtype)
        return y.reshape(1) if y.ndim == 0 else y

    def backward(self, gy, x):
        shape = shape_of(x)
        kept = _kept_shape(shape, self.axis)
        gy = broadcast_to(_plain_reshape(gy, kept), shape)
        values = data_of(x)
        if not (values == 0).any():
            # d prod / d x_i = prod / x_i: a composition, so every order follows.
            return gy * broadcast_to(_plain_reshape(self.output(), kept), shape) / x
        # With zeros, prod / x_i is 0/0: multiply the other elements directly. This product is
        # computed from the values, so a second derivative through it sees a constant.
        return gy * _product_of_others(values, self.axis)


def _product_of_others(x, axis):
    """For every element, the product of the other elements of its reduction group."""
    axes = tuple(range(x.ndim)) if axis is None else axis
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, kept + list(axes))
    flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1),
                               axis=-1), -1)
    others = (before * after).reshape(moved.shape)
    return np.transpose(others, np.argsort(kept + list(axes)))


reduce_prod = _reduction(Prod, "reduce_prod")
reduce_prod.__doc__ = (
    "`reduce_prod(input, dim=None, keep_dim=False)`: the product over `dim` (int or list; None "
    "means all dims, giving shape [1]). The gradient is exact also where inputs are 0.")


def mul_flattened(x, y, x_num_col_dims=1, y_num_col_dims=1, name=None):
    """Paddle's `fluid.layers.mul` (the elementwise `mul` above is the `*` operator): flatten
    both operands to matrices, multiply, restore the outer dims.

    x is viewed as [prod(x.shape[:x_num_col_dims]), prod(x.shape[x_num_col_dims:])] and y as
    [prod(y.shape[:y_num_col_dims]), prod(y.shape[y_num_col_dims:])]; the result has shape
    x.shape[:x_num_col_dims] + y.shape[y_num_col_dims:]. Float inputs only.
    Raises ValueError when the flattened widths do not match.

        out = fluid.layers.mul(x, w)      # x [N, 3, 4], w [12, 5] -> [N, 5]
    """
    check_tensor("mul", "x", x, dtypes="f")
    check_tensor("mul", "y", y, dtypes="f")
    x_shape, y_shape = list(shape_of(x)), list(shape_of(y))
    for argument, dims, shape in (("x_num_col_dims", x_num_col_dims, x_shape),
                                  ("y_num_col_dims", y_num_col_dims, y_shape)):
        check_type("mul", argument, dims, int, "an int")
        if not 1 <= dims < max(len(shape), 2):
            raise ValueError(f"mul: {argument}={dims} must lie in [1, {len(shape) - 1}] for an "
                             f"operand of shape {shape}")
    x_rows = int(np.prod(x_shape[:x_num_col_dims]))
    x_cols = int(np.prod(x_shape[x_num_col_dims:]))
    y_rows = int(np.prod(y_shape[:y_num_col_dims]))
    y_cols = int(np.prod(y_shape[y_num_col_dims:]))
    if x_cols != y_rows:
        raise ValueError(f"mul: x of shape {x_shape} flattens to [{x_rows}, {x_cols}] and y of "
                         f"shape {y_shape} to [{y_rows}, {y_cols}]; x's width ({x_cols}) must "
                         f"equal y's height ({y_rows})")
    out = matmul_nd(_plain_reshape(x, (x_rows, x_cols)), _plain_reshape(y, (y_rows, y_cols)))
    return _plain_reshape(out, x_shape[:x_num_col_dims] + y_shape[y_num_col_dims:])


def add_n(x):
    """Paddle's `fluid.layers.sum`: the elementwise sum of a list of same-shaped Variables.

    x: a Variable or a list/tuple of Variables of one shape and dtype (float32/64, int32/64).
    A single Variable gives a copy. Differentiable.
    Raises TypeError for anything else and ValueError for mismatched shapes.

        total = fluid.layers.sum([a, b, c])
    """
    inputs = [x] if isinstance(x, (Variable, np.ndarray)) else x
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError(f"sum: x must be a Variable or a non-empty list of Variables, got "
                        f"{type(x).__name__} ({x!r:.60})")
    shape, dtype = shape_of(inputs[0]), None
    for i, value in enumerate(inputs):
        check_tensor("sum", f"x[{i}]", value, dtypes="iuf")
        if shape_of(value) != shape:
            raise ValueError(f"sum: x[{i}] has shape {list(shape_of(value))} but x[0] has "
                             f"{list(shape)}; all must match")
        if dtype is not None and _dtype(value) != dtype:
            raise TypeError(f"sum: x[{i}] has dtype {_dtype(value)} but x[0] has {dtype}; all "
                            "must match")
        dtype = _dtype(value)
    if len(inputs) == 1:
        from minigrad.ops.creation import assign
        return assign(inputs[0])
    total = inputs[0]
    for value in inputs[1:]:
        total = total + value
    return total


def multiplex(inputs, index):
    """Row i of the result is row i of `inputs[index[i]]`.

    inputs: a list of at least 2 Variables of one shape [N, ...].
    index:  an int32 (or int64) Variable of shape [N, 1] with values in [0, len(inputs)).
    Gradients flow to the rows that were picked.

        out = fluid.layers.multiplex([a, b], index)
    """
    if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
        raise ValueError(f"multiplex: inputs must be a list of at least 2 Variables, got "
                         f"{inputs!r:.80}")
    shape = shape_of(inputs[0])
    for i, value in enumerate(inputs):
        check_tensor("multiplex", f"inputs[{i}]", value)
        if shape_of(value) != shape or not shape:
            raise ValueError(f"multiplex: inputs[{i}] has shape {list(shape_of(value))} but "
                             f"inputs[0] has {list(shape)}; all must match and have a batch dim")
    check_tensor("multiplex", "index", index, dtypes="iu")
    rows = np.asarray(data_of(index))
    if rows.shape != (shape[0], 1):
        raise ValueError(f"multiplex: index must have shape [{shape[0]}, 1] (one choice per row "
                         f"of inputs of shape {list(shape)}), got {list(rows.shape)}")
    rows = rows[:, 0].astype(np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= len(inputs)):
        raise ValueError(f"multiplex: index values must lie in [0, {len(inputs)}), got range "
                         f"[{rows.min()}, {rows.max()}]")
    return getitem(stack(list(inputs), 0), (rows, np.arange(shape[0])))


def increment(x, value=1.0, in_place=True):
    """x + value for a one-element Variable (a loop counter).

    in_place=True (the default) adds into x's own buffer and returns x itself, as Paddle does;
    in_place=False returns a new Variable (differentiable in x). value is cast to x's dtype.
    Raises ValueError unless x has exactly one element.

        step = fluid.layers.increment(step)
    """
    check_tensor("increment", "x", x, dtypes="iuf")
    if not isinstance(x, Variable) and in_place:
        raise TypeError("increment: x must be a Variable to be incremented in place")
    value = check_number("increment", "value", value)
    if int(np.prod(shape_of(x))) != 1:
        raise ValueError(f"increment: x must have exactly 1 element, got shape "
                         f"{list(shape_of(x))}")
    step = _dtype(x).type(value)
    if in_place:
        x.data[...] = x.data + step
        return x
    return x + (float(step) if _dtype(x).kind == "f" else int(step))


def clip_by_norm(x, max_norm, name=None):
    """x scaled down to L2 norm `max_norm` when its norm (over all elements) is larger.

    out = x * max_norm / norm(x) if norm(x) > max_norm else x. Float input; differentiable
    (Paddle 1.8's op had no gradient). Raises ValueError unless max_norm > 0.

        g = fluid.layers.clip_by_norm(g, max_norm=1.0)
    """
    _float_input("clip_by_norm", x)
    max_norm = check_positive("clip_by_norm", "max_norm", max_norm)
    norm = float(np.sqrt(np.sum(np.square(data_of(x), dtype=np.float64))))
    if norm <= max_norm:
        return x * 1.0    # a copy; the identity's gradient
    norm = Sum(None, False)(x * x) ** 0.5
    return x * (max_norm / norm)
