"""nn/functional/common.py and the creation additions of ops/creation.py: create_parameter,
create_global_var, create_tensor, fill_constant_batch_size_like, fc, embedding (fluid.layers and
fluid.embedding forms), bilinear_tensor_product, row_conv. Values against direct loops with known
weights, fresh parameters per call (names and values), parameter gradients against closed forms,
check_grads for the inputs, dtypes, and bad input."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter
from minigrad.nn.functional.common import embedding_v2
from op_helpers import check_grads, uniform, var

L = fluid.layers
Init = fluid.initializer.NumpyArrayInitializer


def _parameters_of(out):
    """The Parameters `out` was computed from, found by walking the recorded graph (before a
    backward releases it)."""
    found, stack, seen = [], [out], set()
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, Parameter):
            found.append(v)
        if v.creator is not None:
            stack.extend(v.creator.input_variables())
    return sorted(found, key=lambda p: p.name)


# -- create_parameter / create_global_var / create_tensor ------------------------------------

def test_create_parameter():
    with fluid.dygraph.guard():
        w = L.create_parameter([3, 4], "float32")
        assert isinstance(w, Parameter) and w.shape == [3, 4] and w.dtype == np.float32
        assert not w.stop_gradient and w.trainable and w.name == "create_parameter_0.w_0"
        assert L.create_parameter([2], "float64").name == "create_parameter_1.w_0"
        # Xavier by default: uniform within sqrt(6 / (fan_in + fan_out)).
        assert np.abs(w.numpy()).max() <= np.sqrt(6 / 7)
        b = L.create_parameter([5], "float32", is_bias=True)
        assert b.name == "create_parameter_2.b_0" and (b.numpy() == 0).all()
        assert L.create_parameter((2,), "float32", name="mine").name == "mine"
        c = L.create_parameter([2], "float32", default_initializer=fluid.initializer.Constant(2.0))
        assert (c.numpy() == 2).all()
        a = L.create_parameter([2], "float32", name="ignored", attr=fluid.ParamAttr(
            name="from_attr", initializer=fluid.initializer.Constant(3.0)))
        assert a.name == "from_attr" and (a.numpy() == 3).all()
        i = L.create_parameter([2], "int64", default_initializer=fluid.initializer.Constant(4))
        assert i.dtype == np.int64 and (i.numpy() == 4).all()


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"shape": 3, "dtype": "float32"}, TypeError, "create_parameter: shape must be a list"),
    ({"shape": [2], "dtype": "int64"}, TypeError, "needs an initializer"),
    ({"shape": [2], "dtype": "float32", "attr": 3}, TypeError, "param_attr/bias_attr"),
    ({"shape": [0, 2], "dtype": "float32"}, ValueError, "positive"),
    ({"shape": [2], "dtype": "nonsense"}, TypeError, "not a dtype name"),
])
def test_create_parameter_bad_input(kwargs, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            L.create_parameter(**kwargs)


def test_create_global_var():
    with fluid.dygraph.guard():
        v = L.create_global_var([2, 3], 1.5, "float32", persistable=True, name="gv")
        assert v.shape == [2, 3] and v.dtype == np.float32 and (v.numpy() == 1.5).all()
        assert v.stop_gradient and v.persistable and v.name == "gv"
        # The value goes through float() and then the dtype, so 7.6 becomes 7 in int64.
        i = L.create_global_var(np.array([2]), 7.6, "int64")
        assert i.dtype == np.int64 and (i.numpy() == 7).all() and not i.persistable
        with pytest.raises(TypeError, match="create_global_var: shape must be a list"):
            L.create_global_var(2, 1.0, "float32")
        with pytest.raises(TypeError, match="value must be a number"):
            L.create_global_var([2], "x", "float32")


def test_create_tensor_takes_the_first_value_written():
    with fluid.dygraph.guard():
        t = L.create_tensor("float32", name="t", persistable=True)
        assert t.name == "t" and t.persistable and t.dtype == np.float32 and t.shape == [0]
        assert L.assign(np.ones((2, 2), np.float32), output=t) is t
        assert t.shape == [2, 2] and (t.numpy() == 1).all()
        # Afterwards it is an ordinary Variable: the shape is fixed.
        with pytest.raises(ValueError, match="does not match"):
            L.assign(np.ones((3,), np.float32), output=t)
        u = L.create_tensor("int64")
        assert u.name.startswith("create_tensor_")
        L.fill_constant([3], "int64", 5, out=u)
        assert u.shape == [3] and (u.numpy() == 5).all()
        with pytest.raises(ValueError, match="dtype float64 does not match"):
            L.assign(np.ones(2), output=L.create_tensor("float32"))


def test_fill_constant_batch_size_like():
    with fluid.dygraph.guard():
        x = var(np.zeros((5, 7), np.float32))
        out = L.fill_constant_batch_size_like(x, [1, 3], "int64", 2)
        assert out.shape == [5, 3] and out.dtype == np.int64 and (out.numpy() == 2).all()
        assert out.stop_gradient
        out = L.fill_constant_batch_size_like(x, [2, -1], "float64", 2.5, input_dim_idx=1,
                                              output_dim_idx=1)
        assert out.shape == [2, 7] and out.dtype == np.float64 and (out.numpy() == 2.5).all()
        assert (L.fill_constant_batch_size_like(x, [2], "int32", 2.7).numpy() == 2).all()
        assert L.fill_constant_batch_size_like(x, [2], "bool", 1).numpy().all()
        with pytest.raises(ValueError, match="negative dim outside output_dim_idx=1"):
            L.fill_constant_batch_size_like(x, [-1, 3], "float32", 0.0, 1, 1)
        with pytest.raises(ValueError, match="input_dim_idx must be an int in"):
            L.fill_constant_batch_size_like(x, [-1, 3], "float32", 0.0, input_dim_idx=2)
        with pytest.raises(TypeError, match="value must be a number"):
            L.fill_constant_batch_size_like(x, [-1, 3], "float32", "zero")


# -- fc ------------------------------------------------------------------------------------------

def _fc_reference(x, w, b, num_flatten_dims):
    rows = int(np.prod(x.shape[:num_flatten_dims]))
    flat = x.reshape(rows, -1)
    out = np.zeros((rows, w.shape[1]))
    for r in range(rows):
        for j in range(w.shape[1]):
            out[r, j] = sum(flat[r, k] * w[k, j] for k in range(w.shape[0])) + b[j]
    return out.reshape(x.shape[:num_flatten_dims] + (w.shape[1],))


@pytest.mark.parametrize("shape, nfd", [((4, 3), 1), ((2, 3, 4), 1), ((2, 3, 4), 2),
                                        ((2, 3, 4), -1)])
def test_fc_values(shape, nfd):
    x = uniform(shape)
    kept = len(shape) - 1 if nfd == -1 else nfd
    w = uniform((int(np.prod(shape[kept:])), 5), seed=1)
    b = uniform((5,), seed=2)
    expected = _fc_reference(x, w, b, kept)

    def fc(v):
        return L.fc(v, 5, num_flatten_dims=nfd, param_attr=Init(w), bias_attr=Init(b))
    with fluid.dygraph.guard():
        out = fc(var(x))
        assert out.shape == list(expected.shape) and out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
        out32 = L.fc(var(x.astype(np.float32)), 5, num_flatten_dims=nfd, act="relu")
        assert out32.dtype == np.float32 and (out32.numpy() >= 0).all()
    check_grads(fc, x)


def test_fc_list_of_inputs_and_parameter_gradients():
    a, c = uniform((3, 4)), uniform((3, 2, 3), seed=1)
    wa, wc, b = uniform((4, 5), seed=2), uniform((6, 5), seed=3), uniform((5,), seed=4)
    expected = np.tanh(_fc_reference(a, wa, b, 1) + _fc_reference(c, wc, np.zeros(5), 1))
    with fluid.dygraph.guard():
        out = L.fc([var(a), var(c)], 5, param_attr=[Init(wa), Init(wc)], bias_attr=Init(b),
                   act="tanh")
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
        params = _parameters_of(out)
        L.reduce_sum(out).backward()
        assert [(p.name, p.shape) for p in params] == [
            ("fc_0.b_0", [5]), ("fc_0.w_0", [4, 5]), ("fc_0.w_1", [6, 5])]
        g = 1 - expected ** 2          # d tanh
        np.testing.assert_allclose(params[0].gradient(), g.sum(0), rtol=1e-10)
        np.testing.assert_allclose(params[1].gradient(), a.T @ g, rtol=1e-10)
        np.testing.assert_allclose(params[2].gradient(), c.reshape(3, 6).T @ g, rtol=1e-10)


def test_fc_makes_fresh_parameters_each_call():
    x = uniform((2, 3)).astype(np.float32)
    with fluid.dygraph.guard():
        first, second = L.fc(var(x), 4), L.fc(var(x), 4)
        assert not np.allclose(first.numpy(), second.numpy())
        assert [p.name for p in _parameters_of(second)] == ["fc_1.b_0", "fc_1.w_0"]
        named = L.fc(var(x), 4, name="head", bias_attr=False)
        assert [p.name for p in _parameters_of(named)] == ["head.w_0"]


@pytest.mark.parametrize("call, error, pattern", [
    (lambda x: L.fc(var(np.ones((2, 3), np.int64)), 4), TypeError, "fc: input must have a "
     "floating point dtype"),
    (lambda x: L.fc(x, 4, num_flatten_dims=2), ValueError, r"num_flatten_dims must be an int in "
     r"\[1, 1\]"),
    (lambda x: L.fc(x, 4, num_flatten_dims=0), ValueError, "num_flatten_dims"),
    (lambda x: L.fc(x, 0), ValueError, "size must be a positive int"),
    (lambda x: L.fc([], 4), ValueError, "non-empty list"),
    (lambda x: L.fc([x, x], 4, param_attr=[None]), ValueError, "1 entries for 2 inputs"),
    (lambda x: L.fc([x, x], 4, param_attr="w"), ValueError, "names one parameter"),
    (lambda x: L.fc([x, x.astype("float64")], 4), TypeError, "share one dtype"),
    (lambda x: L.fc(x, 4, act="nope"), ValueError, "not a known activation"),
    (lambda x: L.fc("x", 4), TypeError, "fc: input must be a Variable"),
])
def test_fc_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call(var(np.ones((2, 3), np.float32)))


# -- embedding -------------------------------------------------------------------------------

def test_embedding_values_padding_and_gradient():
    table = uniform((6, 3))
    ids = np.array([[[1], [4]], [[0], [4]], [[5], [2]]], np.int64)     # [3, 2, 1]
    with fluid.dygraph.guard():
        out = L.embedding(var(ids), size=[6, 3], padding_idx=-2, param_attr=Init(table),
                          dtype="float64")
        assert out.shape == [3, 2, 3] and out.dtype == np.float64
        for i in range(3):
            for j in range(2):
                row = ids[i, j, 0]
                expected = np.zeros(3) if row == 4 else table[row]
                np.testing.assert_array_equal(out.numpy()[i, j], expected)
        (weight,) = _parameters_of(out)
        L.reduce_sum(out * out).backward()
        assert weight.name == "embedding_0.w_0"
        expected_grad = np.zeros_like(table)
        for row in ids.reshape(-1):
            if row != 4:                                # the padding row gets no gradient
                expected_grad[row] += 2 * table[row]
        np.testing.assert_allclose(weight.gradient(), expected_grad, rtol=1e-12)
        out32 = L.embedding(var(ids.astype(np.int32)), size=[6, 3])
        assert out32.dtype == np.float32 and out32.shape == [3, 2, 3]


def test_fluid_embedding_takes_any_id_shape():
    table = uniform((5, 2))
    ids = np.array([[1, 3, 0], [2, 2, 4]], np.int64)
    with fluid.dygraph.guard():
        out = embedding_v2(var(ids), [5, 2], padding_idx=0, param_attr=Init(table))
        assert out.shape == [2, 3, 2]
        for index in np.ndindex(*ids.shape):
            expected = np.zeros(2) if ids[index] == 0 else table[ids[index]]
            np.testing.assert_allclose(out.numpy()[index], expected.astype(np.float32))
        assert embedding_v2(var(ids[0]), [5, 2]).shape == [3, 2]


@pytest.mark.parametrize("ids, kwargs, error, pattern", [
    (np.array([1, 2]), {}, ValueError, "last dim of size 1"),
    (np.array([[1], [7]]), {}, ValueError, r"ids must lie in \[0, 5\)"),
    (np.array([[1.0]]), {}, TypeError, "integer"),
    (np.array([[1]]), {"size": [5]}, ValueError, r"size must be \[vocab_size"),
    (np.array([[1]]), {"padding_idx": 5}, ValueError, r"padding_idx must be None or an int in"),
    (np.array([[1]]), {"dtype": "int64"}, TypeError, "dtype must be one of"),
])
def test_embedding_bad_input(ids, kwargs, error, pattern):
    kwargs = {"size": [5, 2], **kwargs}
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            L.embedding(var(ids), **kwargs)


# -- bilinear_tensor_product -------------------------------------------------------------------

def test_bilinear_tensor_product():
    x, y = uniform((3, 4)), uniform((3, 2), seed=1)
    w, b = uniform((5, 4, 2), seed=2), uniform((1, 5), seed=3)
    expected = np.zeros((3, 5))
    for n in range(3):
        for i in range(5):
            expected[n, i] = sum(x[n, m] * w[i, m, k] * y[n, k]
                                 for m in range(4) for k in range(2)) + b[0, i]

    def btp(u, v, act=None):
        return L.bilinear_tensor_product(u, v, 5, act=act, param_attr=Init(w), bias_attr=Init(b))
    with fluid.dygraph.guard():
        out = btp(var(x), var(y))
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
        np.testing.assert_allclose(btp(var(x), var(y), "sigmoid").numpy(),
                                   1 / (1 + np.exp(-expected)), rtol=1e-12)
        plain = L.bilinear_tensor_product(var(x.astype(np.float32)), var(y.astype(np.float32)),
                                          5, bias_attr=False)
        assert plain.dtype == np.float32 and plain.shape == [3, 5]
        assert [p.shape for p in _parameters_of(out)] == [[1, 5], [5, 4, 2]]
    check_grads(btp, x, y)


@pytest.mark.parametrize("x, y, size, error, pattern", [
    ((3, 4, 1), (3, 2), 5, ValueError, "x must be 2-D"),
    ((3, 4), (2, 2), 5, ValueError, "same batch size"),
    ((3, 4), (3, 2), 0, ValueError, "size must be a positive int"),
])
def test_bilinear_tensor_product_bad_input(x, y, size, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            L.bilinear_tensor_product(var(np.ones(x)), var(np.ones(y)), size)


# -- row_conv ----------------------------------------------------------------------------------

def _row_conv_reference(x, w):
    batch, steps, d = x.shape
    out = np.zeros_like(x)
    for b in range(batch):
        for t in range(steps):
            for j in range(w.shape[0]):
                if t + j < steps:
                    out[b, t] += x[b, t + j] * w[j]
    return out


@pytest.mark.parametrize("context", [0, 1, 2, 6])
def test_row_conv(context):
    x, w = uniform((2, 5, 3)), uniform((context + 1, 3), seed=1)

    def row_conv(v):
        return L.row_conv(v, context, param_attr=Init(w))
    with fluid.dygraph.guard():
        out = row_conv(var(x))
        assert out.shape == [2, 5, 3] and out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), _row_conv_reference(x, w), rtol=1e-12)
        one = L.row_conv(var(x[0]), context, param_attr=Init(w), act="tanh")
        np.testing.assert_allclose(one.numpy(), np.tanh(_row_conv_reference(x[:1], w)[0]),
                                   rtol=1e-12)
        out32 = L.row_conv(var(x.astype(np.float32)), context)
        assert out32.dtype == np.float32
        assert [p.shape for p in _parameters_of(out32)] == [[context + 1, 3]]
    check_grads(row_conv, x)


def test_row_conv_bad_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="row_conv: input must be"):
            L.row_conv(var(np.ones((2, 2, 2, 2))), 1)
        with pytest.raises(ValueError, match="future_context_size must be an int >= 0"):
            L.row_conv(var(np.ones((2, 2, 2))), -1)
        with pytest.raises(TypeError, match="floating point"):
            L.row_conv(var(np.ones((2, 2, 2), np.int64)), 1)
