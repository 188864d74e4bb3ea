"""Constants, copies, indices and metrics under Paddle 1.x `fluid.layers` names.

Nothing here has a gradient except `assign` (a copy) and the values `topk` / `argsort` pick.
Index-valued results (argmax, one_hot, topk indices...) come back as Variables with
`stop_gradient=True`: they are constants with respect to differentiation.
"""
import numbers

import numpy as np

from minigrad.core import naming
from minigrad.core.checks import data_of, check_axis, check_tensor, check_type, shape_of
from minigrad.core.op import NoGradient, Op
from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Variable
from minigrad.ops.shape import getitem

__all__ = ["fill_constant", "zeros", "ones", "zeros_like", "ones_like", "linspace", "arange",
           "assign", "sums", "one_hot", "argmax", "argmin", "argsort", "topk", "accuracy",
           "fill_constant_batch_size_like", "batch_size_like_shape", "create_global_var",
           "create_tensor", "EmptyTensor"]


def _dtype(op, dtype):
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: dtype {dtype!r} is not a dtype name such as 'float32' or "
                        "'int64'") from None


def _shape(op, shape):
    if isinstance(shape, Variable):
        shape = shape.data.reshape(-1).tolist()
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = [shape]
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in shape):
        raise TypeError(f"{op}: shape must be a list or tuple of ints, got {shape!r}")
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: shape {list(shape)} has a negative dim; dims must be >= 0")
    return tuple(int(s) for s in shape)


def _constant(array):
    require_dygraph("creating a constant Variable")
    return Variable(array, stop_gradient=True)


# -- constants -------------------------------------------------------------------------------


def fill_constant(shape, dtype, value, force_cpu=False, out=None):
    """A Variable of `shape` and `dtype` filled with `value` (stop_gradient=True).

        x = fluid.layers.fill_constant([2, 3], "float32", 0.5)
    """
    shape = _shape("fill_constant", shape)
    dtype = _dtype("fill_constant", dtype)
    if isinstance(value, Variable):
        value = value.data.reshape(-1)[0]
    if not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"fill_constant: value must be a number, got {type(value).__name__} "
                        f"({value!r})")
    result = _constant(np.full(shape, value, dtype=dtype))
    if out is not None:
        out.set_value(result.data)
        return out
    return result


def zeros(shape, dtype, force_cpu=False):
    return fill_constant(shape, dtype, 0)


def ones(shape, dtype, force_cpu=False):
    return fill_constant(shape, dtype, 1)


def zeros_like(x, out=None):
    """Zeros of x's shape and dtype."""
    check_tensor("zeros_like", "x", x)
    return fill_constant(shape_of(x), data_of(x).dtype, 0, out=out)


def ones_like(x, out=None):
    """Ones of x's shape and dtype."""
    check_tensor("ones_like", "x", x)
    return fill_constant(shape_of(x), data_of(x).dtype, 1, out=out)


def batch_size_like_shape(op, input, shape, input_dim_idx, output_dim_idx):
    """`shape` with dim `output_dim_idx` set to input's dim `input_dim_idx` (the `*_batch_size_like`
    rule); every other dim must be >= 0 (a -1 may only stand at output_dim_idx)."""
    check_tensor(op, "input", input)
    in_shape = shape_of(input)
    check_type(op, "shape", shape, (list, tuple), "a list or tuple of ints")
    if not shape or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                            for s in shape):
        raise TypeError(f"{op}: shape must be a non-empty list of ints, got {shape!r}")
    for argument, index, ndim, of in (("input_dim_idx", input_dim_idx, len(in_shape), "input"),
                                      ("output_dim_idx", output_dim_idx, len(shape), "shape")):
        if (not isinstance(index, numbers.Integral) or isinstance(index, bool)
                or not 0 <= index < ndim):
            raise ValueError(f"{op}: {argument} must be an int in [0, {ndim - 1}] (a dim of "
                             f"{of}, shape {list(in_shape) if of == 'input' else list(shape)}), "
                             f"got {index!r}")
    out = [int(s) for s in shape]
    out[output_dim_idx] = in_shape[input_dim_idx]
    if min(out) < 0:
        raise ValueError(f"{op}: shape {list(shape)} has a negative dim outside output_dim_idx="
                         f"{output_dim_idx}; only that dim is taken from the input")
    return tuple(out)


def fill_constant_batch_size_like(input, shape, dtype, value, input_dim_idx=0, output_dim_idx=0,
                                  force_cpu=False):
    """`fill_constant` of `shape` with dim `output_dim_idx` replaced by `input`'s dim
    `input_dim_idx` (by default: the batch size). stop_gradient=True.

    A float value is truncated for integer dtypes, as Paddle does.
    Raises ValueError for an index outside the dims, or a -1 left in the shape.

        h0 = fluid.layers.fill_constant_batch_size_like(x, [-1, 128], "float32", 0.0)
    """
    op = "fill_constant_batch_size_like"
    out_shape = batch_size_like_shape(op, input, shape, input_dim_idx, output_dim_idx)
    dtype = _dtype(op, dtype)
    value = _scalar(op, "value", value)
    if dtype.kind in "iu":
        value = int(value)
    return _constant(np.full(out_shape, value, dtype=dtype))


def create_global_var(shape, value, dtype, persistable=False, force_cpu=False, name=None):
    """A Variable of `shape` and `dtype` filled with `value`, stop_gradient=True (a counter or
    a global step, say). `value` goes through float() first, as in Paddle, so 7.6 in an int
    dtype is 7.

        step = fluid.layers.create_global_var([1], 0, "int64", persistable=True, name="step")
    """
    op = "create_global_var"
    if isinstance(shape, np.ndarray):
        shape = shape.tolist()
    check_type(op, "shape", shape, (list, tuple), "a list or tuple of ints")
    shape = _shape(op, list(shape))
    dtype = _dtype(op, dtype)
    value = float(_scalar(op, "value", value))
    require_dygraph(op)
    return Variable(np.full(shape, value).astype(dtype), stop_gradient=True, name=name,
                    persistable=bool(persistable))


class EmptyTensor(Variable):
    """What `create_tensor` returns: a Variable with no value yet (shape [0]), which takes the
    shape of the first value written into it (`assign(x, output=t)`, `fill_constant(...,
    out=t)`); after that it is an ordinary Variable of fixed shape. The dtype never changes."""

    __slots__ = ("_filled",)

    def set_value(self, value):
        if not getattr(self, "_filled", False):
            array = value.data if isinstance(value, Variable) else np.asarray(value)
            if array.dtype != self.data.dtype:
                raise ValueError(f"set_value of '{self.name}': dtype {array.dtype} does not match "
                                 f"the tensor's dtype {self.data.dtype}")
            self.data = array.copy()
            self._filled = True
            return
        super().set_value(value)


def create_tensor(dtype, name=None, persistable=False):
    """An empty Variable of `dtype` that an op's `out=` / `output=` argument fills.

        t = fluid.layers.create_tensor("float32")
        fluid.layers.assign(np.ones([2, 2], "float32"), output=t)   # t is now [2, 2]
    """
    dtype = _dtype("create_tensor", dtype)
    require_dygraph("create_tensor")
    return EmptyTensor(np.empty((0,), dtype=dtype), stop_gradient=True,
                       name=name or naming.unique_name("create_tensor"),
                       persistable=bool(persistable))


def _scalar(op, argument, value):
    if isinstance(value, Variable):
        if value.data.size != 1:
            raise ValueError(f"{op}: {argument} must have one element, got shape {value.shape}")
        value = value.data.reshape(-1)[0]
    if not isinstance(value, (numbers.Real, np.generic)) or isinstance(value, bool):
        raise TypeError(f"{op}: {argument} must be a number, got {type(value).__name__} "
                        f"({value!r})")
    return value


def linspace(start, stop, num, dtype="float32", name=None):
    """`num` evenly spaced values from start to stop, both included."""
    start, stop = _scalar("linspace", "start", start), _scalar("linspace", "stop", stop)
    num = _scalar("linspace", "num", num)
    if int(num) != num or num < 1:
        raise ValueError(f"linspace: num must be a positive int, got {num!r}")
    return _constant(np.linspace(start, stop, int(num)).astype(_dtype("linspace", dtype)))


def arange(start, end, step=1, dtype="int64"):
    """Values start, start + step, ... below `end` (fluid.layers.range)."""
    start, end = _scalar("range", "start", start), _scalar("range", "end", end)
    step = _scalar("range", "step", step)
    if step == 0:
        raise ValueError("range: step must not be 0")
    return _constant(np.arange(start, end, step).astype(_dtype("range", dtype)))


# -- assign: a differentiable copy ---------------------------------------------------------


class Assign(Op):
    def forward(self, x):
        return x.copy()

    def backward(self, gy, x):
        return gy


def assign(input, output=None):
    """A copy of `input` (a Variable, ndarray, list or number); gradients flow through the copy.

    output: an existing Variable to overwrite instead (same shape and dtype); the copy written
    there is a plain value, not connected to the graph.
    """
    if isinstance(input, Variable):
        result = Assign()(input)
    elif isinstance(input, (np.ndarray, list, tuple, numbers.Number, np.generic)):
        array = np.array(input)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"assign: input must be numeric, got dtype {array.dtype}")
        if array.dtype == np.float64 and not isinstance(input, np.ndarray):
            array = array.astype(np.float32)   # Paddle's default float for Python values
        result = _constant(array)
    else:
        raise TypeError(f"assign: input must be a Variable, ndarray, list or number, got "
                        f"{type(input).__name__}")
    if output is not None:
        check_type("assign", "output", output, Variable, "a Variable")
        output.set_value(result.data)
        return output
    return result


def sums(input, out=None):
    """Elementwise sum of a list of same-shaped Variables (differentiable)."""
    if not isinstance(input, (list, tuple)) or not input:
        raise TypeError(f"sums: input must be a non-empty list of Variables, got {input!r}")
    shape = shape_of(input[0])
    total = input[0]
    for i, x in enumerate(input[1:], 1):
        check_tensor("sums", f"input[{i}]", x)
        if shape_of(x) != shape:
            raise ValueError(f"sums: input[{i}] has shape {list(shape_of(x))} but input[0] has "
                             f"{list(shape)}; all must match")
        total = total + x
    if out is not None:
        out.set_value(data_of(total))
        return out
    return assign(total) if len(input) == 1 else total


# -- indices --------------------------------------------------------------------------------


def _index_result(x, function):
    return NoGradient(function)(x)


def one_hot(input, depth, allow_out_of_range=False):
    """[..., 1] integer class indices -> [..., depth] float32 one-hot rows.

    An index outside [0, depth) is a ValueError, or an all-zero row with allow_out_of_range=True.
    """
    check_tensor("one_hot", "input", input, dtypes="iu")
    shape = shape_of(input)
    if not shape or shape[-1] != 1:
        raise ValueError(f"one_hot: input must have a last dim of size 1 (e.g. [N, 1]), got shape "
                         f"{list(shape)}")
    if not isinstance(depth, numbers.Integral) or isinstance(depth, bool) or depth < 1:
        raise ValueError(f"one_hot: depth must be a positive int, got {depth!r}")
    indices = data_of(input)[..., 0]
    outside = (indices < 0) | (indices >= depth)
    if outside.any() and not allow_out_of_range:
        raise ValueError(f"one_hot: input has index {indices[outside][0]} outside [0, {depth}); "
                         "pass allow_out_of_range=True to get an all-zero row instead")

    def encode(values):
        values = values[..., 0]
        return (values[..., None] == np.arange(depth)).astype(np.float32)
    return _index_result(input, encode)


def sequence_mask(x, maxlen=None, dtype="int64", name=None):
    """mask[..., j] = j < x[...] for lengths `x`: shape x.shape + [maxlen] (maxlen defaults to
    max(x), truncated to an int; an int or a one-element Variable). Dense in dygraph, as in
    Paddle 1.8.5. Lengths may be integers or floats (1.8's own example feeds float32 lengths).
    """
    check_tensor("sequence_mask", "x", x, dtypes="iuf")
    if isinstance(maxlen, Variable):
        maxlen = int(maxlen.data.reshape(-1)[0])
    lengths = data_of(x)
    if maxlen is None:
        maxlen = int(lengths.max()) if lengths.size else 0
    if not isinstance(maxlen, numbers.Integral) or isinstance(maxlen, bool) or maxlen < 0:
        raise ValueError(f"sequence_mask: maxlen must be a non-negative int, got {maxlen!r}")
    dtype = _dtype("sequence_mask", dtype)
    return _index_result(x, lambda v: (np.arange(maxlen) < v[..., None]).astype(dtype))


def _arg_reduce(op, function, x, axis):
    check_tensor(op, "x", x)
    ndim = len(shape_of(x))
    axis = check_axis(op, "axis", axis, ndim)

    def reduce(values):
        # A 1-D input gives a 0-d result, as in Paddle 1.8.5 (one of the few 0-d tensors it makes).
        return np.asarray(function(values, axis=axis), dtype=np.int64)
    return _index_result(x, reduce)


def argmax(x, axis=0):
    """int64 indices of the largest entries along `axis` (removed; a 1-D input gives a 0-d
    result, as in Paddle 1.8.5)."""
    return _arg_reduce("argmax", np.argmax, x, axis)


def argmin(x, axis=0):
    """int64 indices of the smallest entries along `axis` (removed; a 1-D input gives a 0-d
    result, as in Paddle 1.8.5)."""
    return _arg_reduce("argmin", np.argmin, x, axis)


def _take(x, indices, axis):
    """x's entries at `indices` along `axis` (np.take_along_axis), differentiable in x."""
    index = list(np.indices(indices.shape, sparse=True))
    index[axis] = indices
    return getitem(x, tuple(index))


def argsort(input, axis=-1, descending=False, name=None):
    """(sorted values, int64 indices) along `axis`; equal values keep their order."""
    check_tensor("argsort", "input", input)
    axis = check_axis("argsort", "axis", axis, len(shape_of(input)))
    values = data_of(input)
    order = np.argsort(-values if descending else values, axis=axis, kind="stable")
    indices = order.astype(np.int64)
    return _take(input, indices, axis), _wrap_like(input, indices)


def topk(input, k, name=None):
    """(values, int64 indices) of the k largest entries along the last dim, largest first.

    Ties go to the lower index. Raises ValueError unless 1 <= k <= the last dim's size.
    """
    check_tensor("topk", "input", input)
    shape = shape_of(input)
    if not shape:
        raise ValueError("topk: input must have at least 1 dim, got a 0-D input")
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or not 1 <= k <= shape[-1]:
        raise ValueError(f"topk: k must be an int in [1, {shape[-1]}] (the last dim of input "
                         f"of shape {list(shape)}), got {k!r}")
    order = np.argsort(-data_of(input), axis=-1, kind="stable")[..., :k].astype(np.int64)
    return _take(input, order, len(shape) - 1), _wrap_like(input, order)


def _wrap_like(x, array):
    return _constant(array) if isinstance(x, Variable) else array


# -- metrics ---------------------------------------------------------------------------------


def accuracy(input, label, k=1, correct=None, total=None):
    """Fraction of rows whose label is among the k highest scores, as a float32 [1] Variable.

    input:    scores of shape [N, D]; label: int [N, 1] (or [N]).
    correct, total: optional int Variables of one element that receive the counts.
    Ties go to the lower class index.

        acc = fluid.layers.accuracy(fluid.layers.softmax(logits), label)
    """
    check_tensor("accuracy", "input", input, ndim=2, dtypes="f")
    check_tensor("accuracy", "label", label, dtypes="iu")
    n, classes = shape_of(input)
    labels = np.asarray(data_of(label))
    if labels.shape not in ((n, 1), (n,)):
        raise ValueError(f"accuracy: label has shape {list(labels.shape)}; expected [{n}, 1] "
                         f"for input of shape {[n, classes]}")
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or not 1 <= k <= classes:
        raise ValueError(f"accuracy: k must be an int in [1, {classes}], got {k!r}")
    top = np.argsort(-data_of(input), axis=1, kind="stable")[:, :k]
    hits = int((top == labels.reshape(n, 1)).any(axis=1).sum())
    for argument, var, count in (("correct", correct, hits), ("total", total, n)):
        if var is not None:
            check_type("accuracy", argument, var, Variable, "a Variable")
            var.set_value(np.full(var.data.shape, count, dtype=var.data.dtype))
    return _constant(np.array([hits / max(n, 1)], dtype=np.float32))
