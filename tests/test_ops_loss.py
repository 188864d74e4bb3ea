"""ops/loss.py: values against per-example loops with Python's math module, gradients (closed
forms, and finite differences of first and second order in float64), ignore_index, shapes,
numerical stability, dtype preservation and bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers


def _probabilities(shape, seed=0):
    p = uniform(shape, 0.2, 1.0, seed)
    return p / p.sum(axis=-1, keepdims=True)


def _log_softmax_row(row):
    top = max(row)
    log_total = top + math.log(sum(math.exp(v - top) for v in row))
    return [v - log_total for v in row]


LABELS = np.array([[0], [3], [1]])


# -- cross_entropy ------------------------------------------------------------------------------

def test_cross_entropy_values_and_shape():
    p = _probabilities((3, 4))
    with fluid.dygraph.guard():
        out = L.cross_entropy(var(p), var(LABELS))
        assert out.shape == [3, 1]
        expected = [[-math.log(p[i, LABELS[i, 0]])] for i in range(3)]
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-14)
        # A label without the trailing 1 gives an output of the label's shape.
        assert L.cross_entropy(var(p), var(LABELS[:, 0])).shape == [3]


def test_cross_entropy_higher_rank():
    p = _probabilities((2, 3, 4))
    labels = np.array([[[0], [1], [3]], [[2], [2], [0]]])
    with fluid.dygraph.guard():
        out = L.cross_entropy(var(p), var(labels)).numpy()
    assert out.shape == (2, 3, 1)
    for i, j in np.ndindex(2, 3):
        assert out[i, j, 0] == pytest.approx(-math.log(p[i, j, labels[i, j, 0]]), rel=1e-14)


def test_cross_entropy_ignore_index():
    p = _probabilities((3, 4))
    labels = np.array([[0], [-100], [2]])
    out, (g,) = grads_of(lambda v: L.cross_entropy(v, labels), p)
    assert out[1, 0] == 0 and not np.signbit(out[1, 0])
    np.testing.assert_array_equal(g[1], 0)
    assert g[0, 0] == pytest.approx(-1 / p[0, 0])
    out, _ = grads_of(lambda v: L.cross_entropy(v, np.array([[0], [1], [2]]), ignore_index=1), p)
    assert out[1, 0] == 0 and out[0, 0] > 0


def test_cross_entropy_soft_label():
    p, q = _probabilities((3, 4)), _probabilities((3, 4), seed=1)
    with fluid.dygraph.guard():
        out = L.cross_entropy(var(p), var(q), soft_label=True).numpy()
    expected = [[-sum(q[i, j] * math.log(p[i, j]) for j in range(4))] for i in range(3)]
    np.testing.assert_allclose(out, expected, rtol=1e-14)


@pytest.mark.parametrize("labels", [LABELS, np.array([[0], [-100], [2]]), LABELS[:, 0]],
                         ids=["hard", "ignored_row", "label_without_trailing_1"])
def test_cross_entropy_gradients(labels):
    check_grads(lambda p: L.cross_entropy(p, labels), _probabilities((3, 4)))


def test_cross_entropy_soft_label_gradients():
    check_grads(lambda p, q: L.cross_entropy(p, q, soft_label=True),
                _probabilities((2, 3)), _probabilities((2, 3), seed=1))


# -- softmax_with_cross_entropy -----------------------------------------------------------------

def test_softmax_with_cross_entropy_values():
    x = uniform((3, 4), -3, 3)
    with fluid.dygraph.guard():
        out = L.softmax_with_cross_entropy(var(x), var(LABELS))
    assert out.shape == [3, 1]
    expected = [[-_log_softmax_row(x[i])[LABELS[i, 0]]] for i in range(3)]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-13)


def test_softmax_with_cross_entropy_is_stable_for_huge_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [0.0, 2000.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, (g,) = grads_of(lambda v: L.softmax_with_cross_entropy(v, np.array([[0], [0]])), x)
    np.testing.assert_allclose(out, [[0.0], [2000.0]])
    np.testing.assert_allclose(g, [[0, 0, 0], [-1, 1, 0]], atol=1e-300)


def test_softmax_with_cross_entropy_gradient_is_softmax_minus_one_hot():
    x = uniform((3, 4), -2, 2)
    _, (g,) = grads_of(lambda v: L.softmax_with_cross_entropy(v, LABELS), x)
    for i in range(3):
        probs = [math.exp(v) for v in _log_softmax_row(x[i])]
        expected = [probs[j] - (j == LABELS[i, 0]) for j in range(4)]
        np.testing.assert_allclose(g[i], expected, rtol=1e-12, atol=1e-15)


def test_softmax_with_cross_entropy_axis_and_return_softmax():
    x = uniform((2, 3, 2), -2, 2)
    labels = np.array([[[2, 0]], [[1, 1]]])          # class axis 1 has size 1
    with fluid.dygraph.guard():
        loss, probs = L.softmax_with_cross_entropy(var(x), var(labels), axis=1,
                                                   return_softmax=True)
        assert loss.shape == [2, 1, 2] and probs.shape == [2, 3, 2]
        for i, k in np.ndindex(2, 2):
            row = _log_softmax_row(x[i, :, k])
            assert loss.numpy()[i, 0, k] == pytest.approx(-row[labels[i, 0, k]], rel=1e-13)
            np.testing.assert_allclose(probs.numpy()[i, :, k], np.exp(row), rtol=1e-13)


def test_softmax_with_cross_entropy_ignore_index_and_soft_label():
    x = uniform((3, 4), -2, 2)
    labels = np.array([[1], [5], [0]])
    out, (g,) = grads_of(lambda v: L.softmax_with_cross_entropy(v, labels, ignore_index=5), x)
    assert out[1, 0] == 0
    np.testing.assert_array_equal(g[1], 0)
    q = _probabilities((3, 4), seed=2)
    with fluid.dygraph.guard():
        out = L.softmax_with_cross_entropy(var(x), var(q), soft_label=True).numpy()
    expected = [[-sum(q[i, j] * _log_softmax_row(x[i])[j] for j in range(4))] for i in range(3)]
    np.testing.assert_allclose(out, expected, rtol=1e-13)


@pytest.mark.parametrize("shape, labels, kwargs", [
    ((3, 4), LABELS, {}),
    ((3, 4), np.array([[1], [-100], [0]]), {}),
    ((3, 4), LABELS[:, 0], {}),
    ((2, 3, 2), np.array([[[2, 0]], [[1, 1]]]), {"axis": 1}),
    ((2, 2, 3), np.array([[[2], [0]], [[1], [1]]]), {"axis": -1}),
], ids=["hard", "ignored_row", "label_without_trailing_1", "axis1", "3d_last_axis"])
def test_softmax_with_cross_entropy_gradients(shape, labels, kwargs):
    check_grads(lambda x: L.softmax_with_cross_entropy(x, labels, **kwargs),
                uniform(shape, -2, 2))


def test_softmax_with_cross_entropy_soft_label_gradients():
    check_grads(lambda x, q: L.softmax_with_cross_entropy(x, q, soft_label=True),
                uniform((2, 3), -2, 2), _probabilities((2, 3), seed=1))


# -- sigmoid_cross_entropy_with_logits ---------------------------------------------------------

def _logistic(x, z):
    sigma = 1 / (1 + math.exp(-x))
    return -z * math.log(sigma) - (1 - z) * math.log(1 - sigma)


def test_sigmoid_cross_entropy_values_and_gradient():
    x, z = uniform((2, 3), -3, 3), uniform((2, 3), 0, 1, seed=1)
    out, (gx, gz) = grads_of(L.sigmoid_cross_entropy_with_logits, x, z)
    expected = np.vectorize(_logistic)(x, z)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_allclose(gx, 1 / (1 + np.exp(-x)) - z, rtol=1e-12)
    np.testing.assert_allclose(gz, -x, rtol=1e-12)


def test_sigmoid_cross_entropy_is_stable_for_huge_logits():
    x, z = np.array([[1000.0, -1000.0, 0.0]]), np.array([[0.0, 0.0, 1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, (gx, _) = grads_of(L.sigmoid_cross_entropy_with_logits, x, z)
    np.testing.assert_allclose(out, [[1000.0, 0.0, math.log(2)]])
    np.testing.assert_allclose(gx, [[1.0, 0.0, -0.5]])


def test_sigmoid_cross_entropy_ignore_and_normalize():
    x = uniform((2, 3), -3, 3)
    z = np.array([[1.0, -1.0, 0.0], [0.3, -1.0, 1.0]])
    with fluid.dygraph.guard():
        out = L.sigmoid_cross_entropy_with_logits(var(x), var(z), ignore_index=-1).numpy()
        normalized = L.sigmoid_cross_entropy_with_logits(var(x), var(z), ignore_index=-1,
                                                         normalize=True).numpy()
    for i, j in np.ndindex(2, 3):
        expected = 0.0 if z[i, j] == -1 else _logistic(x[i, j], z[i, j])
        assert out[i, j] == pytest.approx(expected, rel=1e-12, abs=0)
        assert normalized[i, j] == pytest.approx(expected / 4, rel=1e-12, abs=0)


@pytest.mark.parametrize("normalize", [False, True])
def test_sigmoid_cross_entropy_gradients(normalize):
    check_grads(lambda x, z: L.sigmoid_cross_entropy_with_logits(x, z, normalize=normalize),
                uniform((2, 3), -2, 2), uniform((2, 3), 0, 1, seed=1))
    # With ignored entries the label is held constant: an ignore marker is not differentiable.
    z = np.array([[1.0, -100.0, 0.0], [0.3, -100.0, 1.0]])
    check_grads(lambda x: L.sigmoid_cross_entropy_with_logits(x, z, normalize=normalize),
                uniform((2, 3), -2, 2))


# -- square_error_cost / mse_loss ---------------------------------------------------------------

def test_square_error_cost_values_and_gradients():
    x, y = uniform((3, 2)), uniform((3, 2), seed=1)
    out, (gx, gy) = grads_of(L.square_error_cost, x, y)
    np.testing.assert_allclose(out, [[(a - b) ** 2 for a, b in zip(r, s)] for r, s in zip(x, y)])
    np.testing.assert_allclose(gx, 2 * (x - y))
    np.testing.assert_allclose(gy, -2 * (x - y))
    check_grads(L.square_error_cost, x, y)
    check_grads(L.square_error_cost, x, uniform((2,), seed=2))     # label broadcast over rows


def test_mse_loss():
    x, y = uniform((3, 2)), uniform((3, 2), seed=1)
    with fluid.dygraph.guard():
        out = L.mse_loss(var(x), var(y)).numpy()
    assert out.shape == (1,)
    assert out[0] == pytest.approx(sum((a - b) ** 2 for a, b in zip(x.ravel(), y.ravel())) / 6)
    check_grads(L.mse_loss, x, y)


# -- log_loss / label_smooth ------------------------------------------------------------------

def test_log_loss():
    p, z = uniform((3, 1), 0.1, 0.9), np.array([[1.0], [0.0], [1.0]])
    with fluid.dygraph.guard():
        out = L.log_loss(var(p), var(z)).numpy()
    expected = [[-z[i, 0] * math.log(p[i, 0] + 1e-4) - (1 - z[i, 0]) * math.log(1 - p[i, 0] + 1e-4)]
                for i in range(3)]
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    check_grads(L.log_loss, p, uniform((3, 1), 0, 1, seed=1))


def test_label_smooth():
    one_hot = np.eye(4)[[1, 3]]
    prior = np.array([[0.1, 0.2, 0.3, 0.4]])
    with fluid.dygraph.guard():
        uniform_prior = L.label_smooth(var(one_hot), epsilon=0.2).numpy()
        given = L.label_smooth(var(one_hot), prior_dist=var(prior), epsilon=0.2).numpy()
    for i, j in np.ndindex(2, 4):
        assert uniform_prior[i, j] == pytest.approx(0.8 * one_hot[i, j] + 0.2 / 4)
        assert given[i, j] == pytest.approx(0.8 * one_hot[i, j] + 0.2 * prior[0, j])
    check_grads(lambda z, q: L.label_smooth(z, q, epsilon=0.3), one_hot, prior)


# -- dtype preservation ---------------------------------------------------------------------------

FLOAT32_CASES = [
    ("cross_entropy", lambda p: L.cross_entropy(p, LABELS)),
    ("cross_entropy_ignore", lambda p: L.cross_entropy(p, np.array([[0], [-100], [1]]))),
    ("cross_entropy_soft", lambda p: L.cross_entropy(p, p * 0.5, soft_label=True)),
    ("softmax_with_cross_entropy", lambda x: L.softmax_with_cross_entropy(x, LABELS)),
    ("softmax_with_cross_entropy_soft",
     lambda x: L.softmax_with_cross_entropy(x, L.softmax(x), soft_label=True)),
    ("sigmoid_cross_entropy",
     lambda x: L.sigmoid_cross_entropy_with_logits(x, x * 0.5, normalize=True)),
    ("square_error_cost", lambda x: L.square_error_cost(x, x * x)),
    ("mse_loss", lambda x: L.mse_loss(x, x * 0.0)),
    ("log_loss", lambda x: L.log_loss(x, x * 0.5)),
    ("label_smooth", lambda x: L.label_smooth(x, epsilon=0.1)),
]


@pytest.mark.parametrize("name, function", FLOAT32_CASES, ids=[c[0] for c in FLOAT32_CASES])
def test_float32_stays_float32(name, function):
    out, (g,) = grads_of(function, _probabilities((3, 4)).astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


# -- bad input ----------------------------------------------------------------------------------

# Each call gets p, a [3, 4] float64 Variable.
BAD_CASES = [
    (lambda p: L.cross_entropy(p, var(np.zeros((3, 1)))), TypeError,
     r"cross_entropy: label must have a integer"),
    (lambda p: L.cross_entropy(p, var(np.zeros((3, 2), np.int64))), ValueError,
     r"cross_entropy: label has shape \[3, 2\]; expected \[3, 1\]"),
    (lambda p: L.cross_entropy(p, var(np.array([[0], [4], [1]]))), ValueError,
     r"cross_entropy: label\[1, 0\] = 4 is not a class index in \[0, 4\)"),
    (lambda p: L.cross_entropy(p, var(np.array([[0], [-1], [1]]))), ValueError,
     r"cross_entropy: label\[1, 0\] = -1 is not a class index"),
    (lambda p: L.cross_entropy(p.astype("int64"), var(LABELS)), TypeError,
     r"cross_entropy: input must have a floating point dtype"),
    (lambda p: L.cross_entropy(p, var(np.ones((3, 3))), soft_label=True), ValueError,
     r"cross_entropy: with soft_label=True, label must have the input's shape"),
    (lambda p: L.cross_entropy(p, var(LABELS), ignore_index=None), TypeError,
     r"cross_entropy: ignore_index must be an int"),
    (lambda p: L.softmax_with_cross_entropy(p, var(LABELS), axis=2), ValueError,
     r"softmax_with_cross_entropy: axis=2 is out of range"),
    (lambda p: L.softmax_with_cross_entropy(p, var(np.zeros((4, 1), np.int64))), ValueError,
     r"softmax_with_cross_entropy: label has shape \[4, 1\]; expected \[3, 1\]"),
    (lambda p: L.softmax_with_cross_entropy(p, var(np.full((3, 1), 9))), ValueError,
     r"softmax_with_cross_entropy: label\[0, 0\] = 9"),
    (lambda p: L.softmax_with_cross_entropy([[1.0]], var(LABELS)), TypeError,
     r"softmax_with_cross_entropy: logits must be a Variable"),
    (lambda p: L.softmax_with_cross_entropy(p, var(LABELS), soft_label=True), TypeError,
     r"softmax_with_cross_entropy: label must have a floating point dtype"),
    (lambda p: L.sigmoid_cross_entropy_with_logits(p, var(np.ones((4, 3)))), ValueError,
     r"sigmoid_cross_entropy_with_logits: label has shape \[4, 3\]; expected x's shape"),
    (lambda p: L.sigmoid_cross_entropy_with_logits(p, var(LABELS)), TypeError,
     r"sigmoid_cross_entropy_with_logits: label must have a floating point dtype"),
    (lambda p: L.square_error_cost(var(np.ones((3, 1))), var(np.ones(3))), ValueError,
     r"square_error_cost: label of shape \[3\] must match input's shape \[3, 1\]"),
    (lambda p: L.square_error_cost(p, var(np.ones((2, 4)))), ValueError,
     r"square_error_cost: label of shape \[2, 4\]"),
    (lambda p: L.square_error_cost(p, [1.0]), TypeError,
     r"square_error_cost: label must be a Variable"),
    (lambda p: L.log_loss(p, var(np.ones((3, 1)))), ValueError,
     r"log_loss: label has shape \[3, 1\]; expected input's shape \[3, 4\]"),
    (lambda p: L.label_smooth(p, epsilon=1.5), ValueError,
     r"label_smooth: epsilon must lie in \[0, 1\]"),
    (lambda p: L.label_smooth(p, prior_dist=var(np.ones(3))), ValueError,
     r"label_smooth: prior_dist has shape \[3\]; expected 4 entries"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_CASES, ids=[c[2] for c in BAD_CASES])
def test_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        p = var(_probabilities((3, 4)))
        with pytest.raises(error, match=pattern):
            call(p)


def test_cross_entropy_of_a_zero_probability_is_clamped_as_in_paddle():
    """Paddle's kernel clamps -log(0) to 1e20 instead of inf, and 0 * log(0) in a soft label
    contributes 0 instead of nan."""
    with fluid.dygraph.guard():
        probs = var(np.array([[0.0, 1.0], [0.25, 0.75]], "float32"))
        hard = fluid.layers.cross_entropy(probs, var(np.array([[0], [0]], "int64")))
        soft = fluid.layers.cross_entropy(probs, var(np.array([[0.0, 1.0], [1.0, 0.0]],
                                                              "float32")), soft_label=True)
    np.testing.assert_allclose(hard.numpy(), [[1e20], [-np.log(0.25)]], rtol=1e-6)
    np.testing.assert_allclose(soft.numpy(), [[0.0], [-np.log(0.25)]], rtol=1e-6)
    assert hard.dtype == np.float32
