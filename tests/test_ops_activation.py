"""ops/activation.py: every activation's values against closed forms computed element by element
with Python's math module, first- and second-order gradients (float64), dtype preservation,
apply_act / check_act / ACTIVATIONS, and bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops import activation as A
from op_helpers import away_from_zero, check_grads, grads_of, uniform, var

L = fluid.layers


def _elementwise(function):
    """Apply a scalar Python function to every element: an independent reference."""
    return lambda x: np.vectorize(function, otypes=[np.float64])(x)


def _softmax_rows(x, axis):
    moved = np.moveaxis(x, axis, -1)
    out = np.empty_like(moved)
    for index in np.ndindex(*moved.shape[:-1]):
        row = moved[index]
        top = max(row)
        exps = [math.exp(v - top) for v in row]
        out[index] = [e / sum(exps) for e in exps]
    return np.moveaxis(out, -1, axis)


def _gelu(v):
    return 0.5 * v * (1 + math.erf(v / math.sqrt(2)))


def _gelu_tanh(v):
    return 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))


def _softplus(v):
    return max(v, 0) + math.log1p(math.exp(-abs(v)))


# name, function, reference, input domain (kinks avoided by construction)
SMOOTH = lambda: uniform((2, 3), -2.0, 2.0)          # noqa: E731
NONZERO = lambda: away_from_zero((2, 3), 0.2, 2.0)   # noqa: E731
POSITIVE = lambda: uniform((2, 3), 0.3, 2.0)         # noqa: E731

CASES = [
    ("relu", L.relu, _elementwise(lambda v: max(v, 0.0)), NONZERO),
    ("sigmoid", L.sigmoid, _elementwise(lambda v: 1 / (1 + math.exp(-v))), SMOOTH),
    ("tanh", L.tanh, _elementwise(math.tanh), SMOOTH),
    ("softmax", L.softmax, lambda x: _softmax_rows(x, -1), SMOOTH),
    ("softmax_axis0", lambda x: L.softmax(x, axis=0), lambda x: _softmax_rows(x, 0), SMOOTH),
    ("log_softmax", L.log_softmax, lambda x: np.log(_softmax_rows(x, -1)), SMOOTH),
    ("log_softmax_axis0", lambda x: L.log_softmax(x, axis=0),
     lambda x: np.log(_softmax_rows(x, 0)), SMOOTH),
    ("leaky_relu", L.leaky_relu, _elementwise(lambda v: v if v > 0 else 0.02 * v), NONZERO),
    ("leaky_relu_alpha", lambda x: L.leaky_relu(x, alpha=0.3),
     _elementwise(lambda v: v if v > 0 else 0.3 * v), NONZERO),
    ("relu6", L.relu6, _elementwise(lambda v: min(max(v, 0.0), 6.0)),
     lambda: np.array([[-2.0, 0.5, 3.0], [5.5, 7.0, -0.3]])),
    ("relu6_threshold", lambda x: L.relu6(x, threshold=1.0),
     _elementwise(lambda v: min(max(v, 0.0), 1.0)), lambda: np.array([[-1.0, 0.3, 0.7],
                                                                        [1.5, 2.0, 0.5]])),
    ("elu", L.elu, _elementwise(lambda v: v if v > 0 else math.expm1(v)), NONZERO),
    ("elu_alpha", lambda x: L.elu(x, alpha=0.5),
     _elementwise(lambda v: v if v > 0 else 0.5 * math.expm1(v)), NONZERO),
    ("gelu", L.gelu, _elementwise(_gelu), SMOOTH),
    ("gelu_tanh", lambda x: L.gelu(x, approximate=True), _elementwise(_gelu_tanh), SMOOTH),
    ("erf", L.erf, _elementwise(math.erf), SMOOTH),
    ("softplus", L.softplus, _elementwise(_softplus), SMOOTH),
    ("softsign", L.softsign, _elementwise(lambda v: v / (1 + abs(v))), NONZERO),
    ("swish", L.swish, _elementwise(lambda v: v / (1 + math.exp(-v))), SMOOTH),
    ("hard_sigmoid", L.hard_sigmoid, _elementwise(lambda v: min(max(0.2 * v + 0.5, 0.0), 1.0)),
     lambda: np.array([[-3.0, -1.0, 0.5], [2.0, 3.0, -2.0]])),
    ("exp", L.exp, _elementwise(math.exp), SMOOTH),
    ("sqrt", L.sqrt, _elementwise(math.sqrt), POSITIVE),
    ("rsqrt", L.rsqrt, _elementwise(lambda v: 1 / math.sqrt(v)), POSITIVE),
    ("square", L.square, _elementwise(lambda v: v * v), SMOOTH),
    ("reciprocal", L.reciprocal, _elementwise(lambda v: 1 / v), NONZERO),
    ("sin", L.sin, _elementwise(math.sin), SMOOTH),
    ("cos", L.cos, _elementwise(math.cos), SMOOTH),
    ("log", L.log, _elementwise(math.log), POSITIVE),
    ("abs", L.abs, _elementwise(abs), NONZERO),
    ("pow", lambda x: L.pow(x, 2.5), _elementwise(lambda v: v ** 2.5), POSITIVE),
    ("pow_default", L.pow, _elementwise(lambda v: v), SMOOTH),
    ("pow_negative", lambda x: L.pow(x, -1.5), _elementwise(lambda v: v ** -1.5), POSITIVE),
    ("clip", lambda x: L.clip(x, -0.5, 1.0), _elementwise(lambda v: min(max(v, -0.5), 1.0)),
     lambda: np.array([[-2.0, -0.3, 0.2], [0.9, 1.4, -0.6]])),
    ("scale", lambda x: L.scale(x, 2.0, 0.5), _elementwise(lambda v: 2 * v + 0.5), SMOOTH),
    ("scale_bias_first", lambda x: L.scale(x, 2.0, 0.5, bias_after_scale=False),
     _elementwise(lambda v: 2 * (v + 0.5)), SMOOTH),
    ("scale_act", lambda x: L.scale(x, -1.0, act="tanh"), _elementwise(lambda v: math.tanh(-v)),
     SMOOTH),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_values(name, function, reference, domain):
    x = domain()
    with fluid.dygraph.guard():
        out = function(var(x)).numpy()
    np.testing.assert_allclose(out, reference(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_gradients(name, function, reference, domain):
    check_grads(function, domain())


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_float32_stays_float32(name, function, reference, domain):
    out, (g,) = grads_of(function, domain().astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_plain_ndarrays_give_ndarrays(name, function, reference, domain):
    # Backward implementations call these functions on ndarrays: no Variable, no tape needed.
    x = domain()
    out = function(x)
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, reference(x), rtol=1e-12, atol=1e-15)


def test_softmax_of_a_3d_input_along_the_middle_axis():
    x = uniform((2, 3, 2))
    check_grads(lambda v: L.softmax(v, axis=1), x)
    with fluid.dygraph.guard():
        out = L.softmax(var(x), axis=1).numpy()
    np.testing.assert_allclose(out, _softmax_rows(x, 1), rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-12)


def test_large_inputs_do_not_overflow():
    x = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"), fluid.dygraph.guard():
        np.testing.assert_allclose(L.softmax(var(x)).numpy(), [[1.0, 0.0, 0.0]])
        np.testing.assert_allclose(L.log_softmax(var(x)).numpy(), [[0.0, -1000.0, -2000.0]])
        np.testing.assert_allclose(L.sigmoid(var(x)).numpy(), [[1.0, 0.5, 0.0]])
        np.testing.assert_allclose(L.softplus(var(x)).numpy(), [[1000.0, math.log(2), 0.0]])
        np.testing.assert_allclose(L.elu(var(x)).numpy(), [[1000.0, 0.0, -1.0]])


def test_pow_with_a_variable_factor():
    check_grads(lambda x, f: L.pow(x, f), uniform((2, 3), 0.5, 1.5), uniform((1,), 1.0, 2.0))


def test_scale_with_a_variable_scale():
    check_grads(lambda x, s: L.scale(x, s, bias=0.5), uniform((2, 3)), uniform((1,), 1.0, 2.0))


def test_scale_numpy_scalars_keep_float32():
    with fluid.dygraph.guard():
        out = L.scale(var(np.ones(3, np.float32)), np.float64(2.0), np.float64(1.0))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [3.0, 3.0, 3.0])


def test_relu_and_clip_gradients_at_the_kinks():
    # Documented choices: relu'(0) = 0; clip passes the gradient strictly inside (min, max).
    _, (g,) = grads_of(L.relu, np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(g, [0, 0, 1])
    _, (g,) = grads_of(lambda v: L.clip(v, 0.0, 1.0), np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [0, 0, 1, 0, 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_is_numpys_maximum_bit_for_bit(dtype):
    # Signed zeros, infinities and NaN (whose gradient is 0, as for any x <= 0), on a strided input.
    x = np.array([[-0.0, 0.0, np.nan, -np.inf], [np.inf, -2.5, 3.0, 1e-30]], dtype).T
    gy = np.arange(1, 9, dtype=dtype).reshape(4, 2)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        y = L.relu(v)
        L.reduce_sum(y * var(gy)).backward()
        assert y.dtype == dtype and v.gradient().dtype == dtype
        np.testing.assert_array_equal(y.numpy().view(f"u{x.itemsize}"),
                                      np.maximum(x, 0).view(f"u{x.itemsize}"))
        np.testing.assert_array_equal(v.gradient(), np.where(x > 0, gy, 0))


@pytest.mark.parametrize("function, reference", [
    (L.floor, math.floor), (L.ceil, math.ceil), (L.round, round),
    (L.sign, lambda v: int(v > 0) - int(v < 0))])
def test_rounding_ops_have_values_and_a_zero_gradient(function, reference):
    # Paddle 1.8.5 (and PyTorch) keep them in the graph with a zero gradient.
    x = np.array([[-1.5, -0.2, 0.0], [0.5, 1.7, 2.5]])
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = function(v)
        assert not out.stop_gradient and out.dtype == np.float64
        L.reduce_sum(out * 3.0 + v).backward()
        np.testing.assert_array_equal(v.gradient(), np.ones_like(x))
    np.testing.assert_array_equal(out.numpy(), np.vectorize(reference)(x))


# -- apply_act / check_act ----------------------------------------------------------------------

REQUIRED_NAMES = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "relu6",
                  "elu", "gelu", "softplus", "exp", "sqrt", "abs", "square", "log"]


def test_activations_table_has_the_agreed_names():
    for name in REQUIRED_NAMES:
        assert callable(A.ACTIVATIONS[name])


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_apply_act_calls_the_named_function(name):
    x = uniform((2, 3), 0.3, 2.0)
    with fluid.dygraph.guard():
        out = A.apply_act(var(x), name).numpy()
        expected = A.ACTIVATIONS[name](var(x)).numpy()
    np.testing.assert_array_equal(out, expected)


def test_apply_act_none_is_identity():
    with fluid.dygraph.guard():
        x = var(np.ones(2))
        assert A.apply_act(x, None) is x


def test_check_act_accepts_and_rejects():
    assert A.check_act("relu", "Conv2D") == "relu"
    assert A.check_act(None, "Conv2D") is None
    with pytest.raises(ValueError, match=r"Conv2D: act='rleu' is not a known activation; "
                                         r"expected one of .*relu.*sigmoid"):
        A.check_act("rleu", "Conv2D")
    with pytest.raises(TypeError, match=r"Linear: act must be None or an activation name \(str\), "
                                        r"got function"):
        A.check_act(L.relu, "Linear")
    with pytest.raises(ValueError, match=r"apply_act: act='nope'"):
        A.apply_act(np.ones(2), "nope")
    with pytest.raises(TypeError, match=r"apply_act: act must be"):
        A.apply_act(np.ones(2), 3)


# -- bad input ----------------------------------------------------------------------------------

BAD_CASES = [
    (lambda x: L.relu(np.ones(3, dtype=np.int64)), TypeError,
     r"relu: x must have a floating point dtype, got int64"),
    (lambda x: L.sigmoid([1.0, 2.0]), TypeError, r"sigmoid: x must be a Variable, got list"),
    (lambda x: L.softmax(x, axis=2), ValueError, r"softmax: axis=2 is out of range"),
    (lambda x: L.log_softmax(x, axis=1.0), TypeError, r"log_softmax: axis must be an int"),
    (lambda x: L.softmax("x"), TypeError, r"softmax: input must be a Variable"),
    (lambda x: L.leaky_relu(x, alpha="0.1"), TypeError, r"leaky_relu: alpha must be a number"),
    (lambda x: L.elu(x, alpha=None), TypeError, r"elu: alpha must be a number"),
    (lambda x: L.relu6(x, threshold=[6]), TypeError, r"relu6: threshold must be a number"),
    (lambda x: L.clip(x, 1.0, -1.0), ValueError, r"clip: min \(1.0\) must not exceed max"),
    (lambda x: L.clip(x, None, 1.0), TypeError, r"clip: min must be a number"),
    (lambda x: L.pow(x, "2"), TypeError, r"pow: factor must be a number"),
    (lambda x: L.scale(x, scale="2"), TypeError, r"scale: scale must be a number"),
    (lambda x: L.scale(x, act="relux"), ValueError, r"scale: act='relux' is not a known"),
    (lambda x: L.gelu(np.arange(3)), TypeError, r"gelu: x must have a floating point dtype"),
    (lambda x: L.exp(x.astype("int32")), TypeError, r"exp: x must have a floating point dtype"),
    (lambda x: L.floor(np.arange(2)), TypeError, r"floor: x must have a floating point dtype"),
    (lambda x: L.sin(None), TypeError, r"sin: x must be a Variable, got NoneType"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_CASES, ids=[c[2] for c in BAD_CASES])
def test_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3)))
        with pytest.raises(error, match=pattern):
            call(x)


# -- erf on large arrays (rational approximation path) ------------------------------------------

def test_erf_matches_math_erf_on_small_and_large_arrays():
    from minigrad.ops.erf import erf_array
    grid = np.concatenate([np.linspace(-9, 9, 4001), np.linspace(-1e-3, 1e-3, 101),
                           [0.0, -0.0, 1e-300, 1.0, -1.0, 7.99, 8.0, 30.0, np.inf, -np.inf]])
    expected = np.array([math.erf(v) for v in grid])
    for values in (grid, grid[:50]):                      # both the vectorised and scalar paths
        got = erf_array(values)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected[:len(values)], rtol=5e-16, atol=3e-16)
    assert np.isnan(erf_array(np.full(300, np.nan))).all()
    big32 = erf_array(grid.astype(np.float32))
    assert big32.dtype == np.float32
    np.testing.assert_allclose(big32, expected, rtol=1e-6, atol=1e-7)


def test_gelu_on_a_large_array_matches_the_closed_form():
    x = uniform((40, 30), -4, 4)
    with fluid.dygraph.guard():
        out = L.gelu(var(x)).numpy()
    np.testing.assert_allclose(out, np.vectorize(_gelu)(x), rtol=1e-14, atol=1e-16)
