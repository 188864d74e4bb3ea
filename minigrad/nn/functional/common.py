"""Paddle 1.x `fluid.layers` functions that make their own parameters: create_parameter, fc,
embedding, bilinear_tensor_product, row_conv.

In dygraph mode each call makes fresh parameters (`fc_0.w_0`, then `fc_1.w_0`, ...), as Paddle 1.8
does: these suit one-off computations and ports of static-graph code. To train weights across
steps, use the Layer classes (`fluid.dygraph.Linear`, `Embedding`...), which keep theirs.

    h = fluid.layers.fc(x, size=64, act="relu")                  # x [N, 32] -> [N, 64]
    e = fluid.layers.embedding(ids, size=[1000, 16])              # ids [N, 1] -> [N, 16]
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, check_type, shape_of
from minigrad.core.variable import Variable
from minigrad.layer_helper import LayerHelper
from minigrad.ops.creation import _dtype
from minigrad.ops.math import matmul, reduce_sum
from minigrad.ops.shape import concat, getitem, reshape, transpose, unsqueeze
from minigrad.param_attr import ParamAttr

__all__ = ["create_parameter", "fc", "embedding", "embedding_v2", "bilinear_tensor_product",
           "row_conv"]

_FLOATS = ("float16", "float32", "float64")


def _float_inputs(op, argument, inputs):
    for i, value in enumerate(inputs):
        where = argument if len(inputs) == 1 else f"{argument}[{i}]"
        check_tensor(op, where, value, dtypes="f")
    dtypes = {(v.data if isinstance(v, Variable) else v).dtype for v in inputs}
    if len(dtypes) != 1:
        raise TypeError(f"{op}: all of {argument} must share one dtype, got "
                        f"{sorted(d.name for d in dtypes)}")
    return dtypes.pop()


def create_parameter(shape, dtype, name=None, attr=None, is_bias=False,
                     default_initializer=None):
    """A new trainable Parameter of `shape` and `dtype`.

    name: its name when `attr` gives none (default `create_parameter_<k>.w_0`).
    attr: a ParamAttr (or shorthand: a str name, an initializer...).
    is_bias: picks the default initializer, Constant(0) instead of Xavier.
    default_initializer: used when `attr` has no initializer.
    Raises TypeError for a shape that is not a list of ints, and for an integer dtype without
    an initializer (Xavier and Constant(0) defaults are for floats), as in Paddle.

        w = fluid.layers.create_parameter([784, 200], "float32")
    """
    op = "create_parameter"
    if isinstance(shape, np.ndarray):
        shape = shape.tolist()
    check_type(op, "shape", shape, (list, tuple), "a list or tuple of ints")
    dtype = _dtype(op, dtype)
    attr = ParamAttr(name=name) if attr is None else ParamAttr._to_attr(attr)
    if not isinstance(attr, ParamAttr):
        raise TypeError(f"{op}: attr must be None or a fluid.ParamAttr, got {attr!r}")
    if dtype.kind != "f" and attr.initializer is None and default_initializer is None:
        raise TypeError(f"{op}: a parameter of dtype {dtype.name} needs an initializer: the "
                        "default ones (Xavier, Constant(0.0)) are for float parameters; pass "
                        "default_initializer or attr=fluid.ParamAttr(initializer=...)")
    helper = LayerHelper(op)
    return helper.create_parameter(attr, list(shape), dtype, is_bias, default_initializer)


def _param_attrs(op, param_attr, count):
    """One ParamAttr per input (Paddle's `iter_inputs_and_params`)."""
    attrs = ParamAttr._to_attr(param_attr)
    if isinstance(attrs, list):
        if len(attrs) != count:
            raise ValueError(f"{op}: param_attr has {len(attrs)} entries for {count} inputs; "
                             "give one ParamAttr per input (or a single one)")
        return attrs
    if count > 1 and attrs is not False and attrs.name is not None:
        raise ValueError(f"{op}: param_attr names one parameter ({attrs.name!r}) but there are "
                         f"{count} inputs, each with its own weight; give a list of ParamAttrs")
    return [attrs] * count


def fc(input, size, num_flatten_dims=1, param_attr=None, bias_attr=None, act=None, name=None):
    """Fully connected layer: flatten, multiply by a fresh weight, add a bias, activate.

    input: a float Variable, or a list of them (each gets its own weight; results are summed).
        Dims before `num_flatten_dims` are kept, the rest are flattened into the weight's rows:
        an input [d0, ..., dk] gets a weight [d_nfd * ... * dk, size] and gives
        [d0, ..., d_(nfd-1), size]. num_flatten_dims=-1 means len(shape) - 1.
    size: number of output units. bias [size] (none with bias_attr=False). act: a name.
    Raises TypeError for a non-float input, ValueError for num_flatten_dims outside
    [1, len(shape) - 1] or a bad size.

        out = fluid.layers.fc(input=[a, b], size=10, act="softmax")
    """
    op = "fc"
    inputs = list(input) if isinstance(input, (list, tuple)) else [input]
    if not inputs:
        raise ValueError("fc: input must be a Variable or a non-empty list of Variables")
    dtype = _float_inputs(op, "input", inputs)
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size <= 0:
        raise ValueError(f"fc: size must be a positive int, got {size!r}")
    helper = LayerHelper(op, param_attr=param_attr, bias_attr=bias_attr, act=act, name=name)
    products = []
    for x, attr in zip(inputs, _param_attrs(op, param_attr, len(inputs))):
        shape = shape_of(x)
        nfd = len(shape) - 1 if num_flatten_dims == -1 else num_flatten_dims
        if not isinstance(nfd, numbers.Integral) or isinstance(nfd, bool) or not (
                1 <= nfd < len(shape)):
            raise ValueError(f"fc: num_flatten_dims must be an int in [1, {len(shape) - 1}] "
                             f"(or -1) for an input of shape {list(shape)}, got "
                             f"{num_flatten_dims!r}")
        rows = int(np.prod(shape[:nfd], dtype=np.int64))
        cols = int(np.prod(shape[nfd:], dtype=np.int64))
        w = helper.create_parameter(attr, [cols, int(size)], dtype)
        products.append(reshape(matmul(reshape(x, [rows, cols]), w),
                                list(shape[:nfd]) + [int(size)]))
    out = products[0]
    for product in products[1:]:
        out = out + product
    out = helper.append_bias_op(out, dim_start=len(shape_of(out)) - 1)
    return helper.append_activation(out)


def _embedding_args(op, size, padding_idx, dtype):
    if (not isinstance(size, (list, tuple)) or len(size) != 2 or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0 for n in size)):
        raise ValueError(f"{op}: size must be [vocab_size, embedding_dim] with positive ints, "
                         f"got {size!r}")
    vocab = int(size[0])
    if padding_idx is not None:
        if (not isinstance(padding_idx, numbers.Integral) or isinstance(padding_idx, bool)
                or not -vocab <= padding_idx < vocab):
            raise ValueError(f"{op}: padding_idx must be None or an int in [{-vocab}, {vocab}), "
                             f"got {padding_idx!r}")
        padding_idx = int(padding_idx) % vocab
    dtype = _dtype(op, dtype)
    if dtype.name not in _FLOATS:
        raise TypeError(f"{op}: dtype must be one of {', '.join(_FLOATS)}, got {dtype.name}")
    return [vocab, int(size[1])], padding_idx, dtype


def _lookup(op, ids, size, padding_idx, param_attr, dtype):
    """Rows of a fresh [vocab, dim] table at integer `ids` (an ndarray); padding rows are zero
    and get no gradient."""
    if ids.size and (ids.min() < 0 or ids.max() >= size[0]):
        raise ValueError(f"{op}: ids must lie in [0, {size[0]}), got values in "
                         f"[{ids.min()}, {ids.max()}]")
    helper = LayerHelper("embedding", param_attr=param_attr)
    w = helper.create_parameter(helper.param_attr, size, dtype)
    out = getitem(w, ids)
    if padding_idx is not None:
        out = out * (ids != padding_idx).astype(dtype)[..., None]
    return out


def embedding(input, size, is_sparse=False, is_distributed=False, padding_idx=None,
              param_attr=None, dtype="float32"):
    """Rows of a fresh [vocab_size, emb_size] table picked by ids whose last dim is 1.

    input: integer ids of shape [..., 1] (fluid.layers.embedding's rule; `fluid.embedding`
        takes ids of any shape). Output: [..., emb_size] (the trailing 1 replaced).
    size: [vocab_size, emb_size]. padding_idx: an id (negative counts from vocab_size) whose
        output is all zeros and whose row gets no gradient. is_sparse, is_distributed: accepted
        (gradients are dense). dtype: of the table and the output.
    Raises ValueError for ids whose last dim is not 1 or outside [0, vocab_size), a bad size
    or padding_idx; TypeError for non-integer ids. (Paddle 1.8.5 takes only int64 ids;
    minigrad takes any integer dtype.)

        vectors = fluid.layers.embedding(ids, size=[1000, 32])   # ids [N, 1] -> [N, 32]
    """
    check_tensor("embedding", "input", input, dtypes="iu")
    shape = shape_of(input)
    if not shape or shape[-1] != 1:
        raise ValueError(f"embedding: input must have a last dim of size 1 (ids [..., 1]), got "
                         f"shape {list(shape)}; fluid.embedding takes ids without it")
    size, padding_idx, dtype = _embedding_args("embedding", size, padding_idx, dtype)
    ids = np.asarray(input.data if isinstance(input, Variable) else input)[..., 0]
    return _lookup("embedding", ids, size, padding_idx, param_attr, dtype)


def embedding_v2(input, size, is_sparse=False, is_distributed=False, padding_idx=None,
                 param_attr=None, dtype="float32"):
    """Paddle's top-level `fluid.embedding`: as `fluid.layers.embedding` but ids of any shape,
    the output appending emb_size: ids [...] -> [..., emb_size].

        vectors = fluid.embedding(ids, size=[1000, 32])   # ids [N, T] -> [N, T, 32]
    """
    check_tensor("embedding", "input", input, dtypes="iu")
    size, padding_idx, dtype = _embedding_args("embedding", size, padding_idx, dtype)
    ids = np.asarray(input.data if isinstance(input, Variable) else input)
    return _lookup("embedding", ids, size, padding_idx, param_attr, dtype)


def bilinear_tensor_product(x, y, size, act=None, name=None, param_attr=None, bias_attr=None):
    """out[b, i] = x[b] · W[i] · y[b]ᵀ + bias[i] with a fresh weight W [size, M, N] and bias
    [1, size] (none with bias_attr=False).

    x: [batch, M], y: [batch, N], same float dtype. Returns [batch, size].
    Raises ValueError unless x and y are 2-D with the same batch size.

        out = fluid.layers.bilinear_tensor_product(x, y, size=8, act="tanh")
    """
    op = "bilinear_tensor_product"
    dtype = _float_inputs(op, "x and y", [x, y])
    (batch, m), (batch_y, n) = _matrix(op, "x", x), _matrix(op, "y", y)
    if batch != batch_y:
        raise ValueError(f"{op}: x and y must have the same batch size, got shapes "
                         f"{list(shape_of(x))} and {list(shape_of(y))}")
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size <= 0:
        raise ValueError(f"{op}: size must be a positive int, got {size!r}")
    helper = LayerHelper(op, param_attr=param_attr, bias_attr=bias_attr, act=act, name=name)
    w = helper.create_parameter(helper.param_attr, [int(size), m, n], dtype)
    # x [B, M] @ W as [M, size * N] -> [B, size, N]; then contract N with y.
    xw = reshape(matmul(x, reshape(transpose(w, [1, 0, 2]), [m, size * n])), [batch, size, n])
    out = reduce_sum(xw * unsqueeze(y, [1]), dim=2)
    bias = helper.create_parameter(helper.bias_attr, [1, int(size)], dtype, is_bias=True)
    if bias is not None:
        out = out + bias
    return helper.append_activation(out)


def _matrix(op, argument, value):
    shape = shape_of(value)
    if len(shape) != 2:
        raise ValueError(f"{op}: {argument} must be 2-D [batch, features], got shape "
                         f"{list(shape)}")
    return shape


def row_conv(input, future_context_size, param_attr=None, act=None):
    """Lookahead ("row") convolution over time with a fresh filter W [future_context_size + 1,
    D]: out[b, t] = sum_j W[j] * input[b, t + j] over the steps j with t + j < T.

    input: float [batch, T, D] (Paddle 1.8.5 dygraph takes this dense form and float32 only;
        minigrad also takes float64, and [T, D] as one sequence).
    Returns input's shape and dtype, through `act`.
    Raises ValueError for another rank or a negative future_context_size.

        out = fluid.layers.row_conv(x, future_context_size=2)   # x [N, T, D]
    """
    op = "row_conv"
    check_tensor(op, "input", input, ndim=(2, 3), dtypes="f")
    if (not isinstance(future_context_size, numbers.Integral)
            or isinstance(future_context_size, bool) or future_context_size < 0):
        raise ValueError(f"{op}: future_context_size must be an int >= 0, got "
                         f"{future_context_size!r}")
    shape = shape_of(input)
    x = input if len(shape) == 3 else unsqueeze(input, [0])
    batch, steps, d = shape_of(x)
    dtype = x.data.dtype if isinstance(x, Variable) else x.dtype
    k = int(future_context_size)
    helper = LayerHelper(op, param_attr=param_attr, act=act)
    w = helper.create_parameter(helper.param_attr, [k + 1, d], dtype)
    # Zeros after the last step stand for the steps a window reaches past the end.
    padded = concat([x, np.zeros((batch, k, d), dtype)], axis=1) if k else x
    out = padded[:, 0:steps] * w[0]
    for j in range(1, k + 1):
        out = out + padded[:, j:j + steps] * w[j]
    out = out if len(shape) == 3 else reshape(out, list(shape))
    return helper.append_activation(out)
