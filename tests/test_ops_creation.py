"""ops/creation.py: constants, assign, one_hot, argmax/argmin, argsort/topk, accuracy. Values
against loops, gradients where they exist (assign, topk/argsort values), stop_gradient of index
outputs, dtypes, and bad input."""
import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, distinct, grads_of, uniform, var

L = fluid.layers


# -- constants -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", np.float32])
def test_fill_constant(dtype):
    with fluid.dygraph.guard():
        out = L.fill_constant([2, 3], dtype, 1)
        assert out.shape == [2, 3] and out.dtype == np.dtype(dtype) and out.stop_gradient
        assert (out.numpy() == 1).all()


def test_fill_constant_value_shape_forms_and_out():
    with fluid.dygraph.guard():
        np.testing.assert_array_equal(L.fill_constant((3,), "float32", 2.5).numpy(), [2.5] * 3)
        assert L.fill_constant(4, "int64", 7).shape == [4]
        assert L.fill_constant([], "float32", 1.0).shape == []
        shape = fluid.dygraph.to_variable(np.array([2, 2]))
        assert L.fill_constant(shape, "float32", 0.0).shape == [2, 2]
        target = L.zeros([2], "float32")
        assert L.fill_constant([2], "float32", 3.0, out=target) is target
        np.testing.assert_array_equal(target.numpy(), [3.0, 3.0])


def test_zeros_ones_and_likes():
    x = uniform((2, 3)).astype(np.float32)
    with fluid.dygraph.guard():
        z, o = L.zeros([2, 1], "int64"), L.ones([3], "float64")
        assert z.dtype == np.int64 and (z.numpy() == 0).all() and z.shape == [2, 1]
        assert o.dtype == np.float64 and (o.numpy() == 1).all()
        zl, ol = L.zeros_like(var(x)), L.ones_like(var(x))
        assert zl.shape == ol.shape == [2, 3] and zl.dtype == ol.dtype == np.float32
        assert (zl.numpy() == 0).all() and (ol.numpy() == 1).all()


def test_constants_need_dygraph():
    with pytest.raises(RuntimeError, match=r"fluid.dygraph.guard\(\)"):
        L.fill_constant([1], "float32", 0.0)


def test_linspace_and_range():
    with fluid.dygraph.guard():
        out = L.linspace(0, 1, 5, "float32")
        assert out.dtype == np.float32 and out.stop_gradient
        np.testing.assert_allclose(out.numpy(), [0, 0.25, 0.5, 0.75, 1.0])
        np.testing.assert_array_equal(L.linspace(2.0, 2.0, 1, "float64").numpy(), [2.0])
        r = L.range(1, 10, 3, "int64")
        assert r.dtype == np.int64
        np.testing.assert_array_equal(r.numpy(), [1, 4, 7])
        np.testing.assert_allclose(L.range(0, 1, 0.25, "float32").numpy(), [0, 0.25, 0.5, 0.75])


def test_sums():
    a, b, c = uniform((2, 3)), uniform((2, 3), seed=1), uniform((2, 3), seed=2)
    with fluid.dygraph.guard():
        np.testing.assert_allclose(L.sums([var(a), var(b), var(c)]).numpy(), a + b + c)
        single = var(a)
        assert L.sums([single]) is not single
    check_grads(lambda x, y: L.sums([x, y, x]), a, b)


# -- assign ----------------------------------------------------------------------------------------

def test_assign_copies():
    x = uniform((2, 3))
    with fluid.dygraph.guard():
        v = var(x)
        copy = L.assign(v)
        assert copy is not v
        copy.numpy()[0, 0] = 100.0
        assert v.numpy()[0, 0] == x[0, 0]
        from_array = L.assign(x)
        x_before = x.copy()
        from_array.numpy()[:] = 0
        np.testing.assert_array_equal(x, x_before)
        assert L.assign([1.0, 2.0]).dtype == np.float32          # Python floats -> float32
        assert L.assign(np.ones(2, np.float64)).dtype == np.float64
        target = L.zeros([2, 3], "float64")
        assert L.assign(v, output=target) is target
        np.testing.assert_array_equal(target.numpy(), x)


def test_assign_is_differentiable():
    check_grads(lambda x: L.assign(x) * L.assign(x), uniform((2, 3)))
    out, (g,) = grads_of(L.assign, uniform((2, 2)).astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32
    np.testing.assert_array_equal(g, np.ones((2, 2)))


# -- one_hot ---------------------------------------------------------------------------------------

def test_one_hot_values_and_shape():
    labels = np.array([[2], [0], [3]])
    with fluid.dygraph.guard():
        out = L.one_hot(var(labels), depth=4)
    assert out.shape == [3, 4] and out.dtype == np.float32 and out.stop_gradient
    expected = [[1.0 if j == labels[i, 0] else 0.0 for j in range(4)] for i in range(3)]
    np.testing.assert_array_equal(out.numpy(), expected)


def test_one_hot_higher_rank_and_out_of_range():
    labels = np.array([[[1], [0]], [[2], [1]]])
    with fluid.dygraph.guard():
        out = L.one_hot(var(labels), 3).numpy()
        assert out.shape == (2, 2, 3)
        assert out[1, 0, 2] == 1 and out.sum() == 4
        out = L.one_hot(var(np.array([[1], [5], [-1]])), 3, allow_out_of_range=True).numpy()
    np.testing.assert_array_equal(out, [[0, 1, 0], [0, 0, 0], [0, 0, 0]])


# -- argmax / argmin / argsort / topk --------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, -1])
def test_argmax_argmin(axis):
    x = distinct((3, 4))
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        high, low = L.argmax(v, axis=axis), L.argmin(v, axis=axis)
    assert high.dtype == low.dtype == np.int64 and high.stop_gradient and low.stop_gradient
    moved = np.moveaxis(x, axis, -1)
    expected_high = [max(range(len(row)), key=lambda j: row[j]) for row in moved]
    expected_low = [min(range(len(row)), key=lambda j: row[j]) for row in moved]
    np.testing.assert_array_equal(high.numpy(), expected_high)
    np.testing.assert_array_equal(low.numpy(), expected_low)


def test_argmax_default_axis_and_vector():
    x = distinct((3, 2))
    with fluid.dygraph.guard():
        assert L.argmax(var(x)).shape == [2]                      # Paddle 1.x default axis=0
        out = L.argmax(var(np.array([1.0, 5.0, 2.0])))
    assert out.shape == [] and int(out) == 1                    # 0-d, as Paddle 1.8.5 gives


def test_topk_values_indices_and_ties():
    x = np.array([[1.0, 3.0, 2.0, 3.0], [0.0, -1.0, 4.0, 2.0]])
    with fluid.dygraph.guard():
        values, indices = L.topk(var(x), k=2)
    assert values.shape == indices.shape == [2, 2] and indices.dtype == np.int64
    np.testing.assert_array_equal(indices.numpy(), [[1, 3], [2, 3]])   # ties: lower index first
    np.testing.assert_array_equal(values.numpy(), [[3.0, 3.0], [4.0, 2.0]])
    assert indices.stop_gradient


def test_topk_and_argsort_gradients():
    check_grads(lambda x: L.topk(x, 2)[0], distinct((2, 4)))
    check_grads(lambda x: L.argsort(x, axis=0)[0], distinct((3, 2)))
    _, (g,) = grads_of(lambda v: L.topk(v, 1)[0], np.array([[1.0, 5.0, 2.0]]))
    np.testing.assert_array_equal(g, [[0, 1, 0]])


@pytest.mark.parametrize("axis, descending", [(-1, False), (0, True), (1, True)])
def test_argsort(axis, descending):
    x = distinct((3, 4))
    with fluid.dygraph.guard():
        values, indices = L.argsort(var(x), axis=axis, descending=descending)
    moved = np.moveaxis(x, axis, -1)
    expected = np.array([sorted(range(len(row)), key=lambda j: -row[j] if descending else row[j])
                         for row in moved.reshape(-1, moved.shape[-1])]).reshape(moved.shape)
    np.testing.assert_array_equal(indices.numpy(), np.moveaxis(expected, -1, axis))
    np.testing.assert_array_equal(values.numpy(),
                                  np.take_along_axis(x, indices.numpy(), axis=axis))


# -- accuracy ------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 3])
def test_accuracy(k):
    scores = distinct((5, 4), seed=3)
    labels = np.array([[0], [1], [2], [3], [1]])
    with fluid.dygraph.guard():
        acc = L.accuracy(var(scores.astype(np.float32)), var(labels), k=k)
    assert acc.shape == [1] and acc.dtype == np.float32 and acc.stop_gradient
    hits = 0
    for row, label in zip(scores, labels[:, 0]):
        top = sorted(range(4), key=lambda j: -row[j])[:k]
        hits += label in top
    assert acc.numpy()[0] == pytest.approx(hits / 5)


def test_accuracy_counts_and_flat_labels():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    with fluid.dygraph.guard():
        correct, total = L.zeros([1], "int64"), L.zeros([1], "int64")
        acc = L.accuracy(var(scores), var(np.array([1, 1, 1])), correct=correct, total=total)
        assert acc.numpy()[0] == pytest.approx(2 / 3)
        assert correct.numpy()[0] == 2 and total.numpy()[0] == 3


# -- bad input -----------------------------------------------------------------------------------

# Each call gets x, a [3, 4] float64 Variable.
BAD_CASES = [
    (lambda x: L.fill_constant([2, -1], "float32", 0), ValueError,
     r"fill_constant: shape \[2, -1\] has a negative dim"),
    (lambda x: L.fill_constant("23", "float32", 0), TypeError,
     r"fill_constant: shape must be a list or tuple of ints"),
    (lambda x: L.fill_constant([2], "floaty", 0), TypeError, r"fill_constant: dtype 'floaty'"),
    (lambda x: L.fill_constant([2], "float32", "zero"), TypeError,
     r"fill_constant: value must be a number, got str"),
    (lambda x: L.zeros([1.5], "float32"), TypeError, r"fill_constant: shape must be"),
    (lambda x: L.zeros_like([1.0]), TypeError, r"zeros_like: x must be a Variable"),
    (lambda x: L.linspace(0, 1, 0), ValueError, r"linspace: num must be a positive int"),
    (lambda x: L.linspace("0", 1, 3), TypeError, r"linspace: start must be a number, got str"),
    (lambda x: L.range(0, 5, 0), ValueError, r"range: step must not be 0"),
    (lambda x: L.range(0, None), TypeError, r"range: end must be a number"),
    (lambda x: L.sums(x), TypeError, r"sums: input must be a non-empty list"),
    (lambda x: L.sums([x, x[0]]), ValueError, r"sums: input\[1\] has shape \[4\]"),
    (lambda x: L.assign("abc"), TypeError, r"assign: input must be a Variable, ndarray"),
    (lambda x: L.assign(x, output=np.zeros((3, 4))), TypeError, r"assign: output must be a "),
    (lambda x: L.one_hot(var(np.array([[1.0]])), 3), TypeError,
     r"one_hot: input must have a integer"),
    (lambda x: L.one_hot(var(np.array([1, 2])), 3), ValueError,
     r"one_hot: input must have a last dim of size 1"),
    (lambda x: L.one_hot(var(np.array([[3]])), 3), ValueError,
     r"one_hot: input has index 3 outside \[0, 3\)"),
    (lambda x: L.one_hot(var(np.array([[0]])), 0), ValueError,
     r"one_hot: depth must be a positive int"),
    (lambda x: L.argmax(x, axis=2), ValueError, r"argmax: axis=2 is out of range"),
    (lambda x: L.argmin(x, axis=None), TypeError, r"argmin: axis must be an int"),
    (lambda x: L.argsort(x, axis=-3), ValueError, r"argsort: axis=-3 is out of range"),
    (lambda x: L.topk(x, 5), ValueError, r"topk: k must be an int in \[1, 4\]"),
    (lambda x: L.topk(x, 0), ValueError, r"topk: k must be"),
    (lambda x: L.accuracy(x, var(np.zeros((2, 1), np.int64))), ValueError,
     r"accuracy: label has shape \[2, 1\]; expected \[3, 1\]"),
    (lambda x: L.accuracy(x, var(np.zeros((3, 1)))), TypeError,
     r"accuracy: label must have a integer"),
    (lambda x: L.accuracy(x[0], var(np.zeros((3, 1), np.int64))), ValueError,
     r"accuracy: input must be 2-D"),
    (lambda x: L.accuracy(x, var(np.zeros((3, 1), np.int64)), k=9), ValueError,
     r"accuracy: k must be an int in \[1, 4\]"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_CASES, ids=[c[2] for c in BAD_CASES])
def test_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        x = var(uniform((3, 4)))
        with pytest.raises(error, match=pattern):
            call(x)
