"""Paddle 1.8's further activations (hard_swish ... logsigmoid, maxout, prelu): values against
closed forms evaluated element by element with Python's math module (or direct loops), first- and
second-order gradients in float64, dtype preservation, their act= names, and bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter
from minigrad.ops import activation as A
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _elementwise(function):
    return lambda x: np.vectorize(function, otypes=[np.float64])(x)


def _softplus(v):
    return max(v, 0) + math.log1p(math.exp(-abs(v)))


# Inputs keep clear of each function's kinks (the shrink thresholds, clip bounds, 0).
KINKED = lambda: np.array([[-3.1, -0.8, -0.3, 0.2], [0.35, 0.9, 2.7, 7.0]])   # noqa: E731
SMOOTH = lambda: uniform((2, 4), -2.5, 2.5)                                   # noqa: E731

CASES = [
    ("hard_swish", L.hard_swish,
     _elementwise(lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0), KINKED),
    ("hard_swish_args", lambda x: L.hard_swish(x, threshold=2.0, scale=4.0, offset=1.0),
     _elementwise(lambda v: v * min(max(v + 1.0, 0.0), 2.0) / 4.0), KINKED),
    ("hard_shrink", L.hard_shrink, _elementwise(lambda v: v if abs(v) > 0.5 else 0.0), KINKED),
    ("hard_shrink_threshold", lambda x: L.hard_shrink(x, threshold=1.0),
     _elementwise(lambda v: v if abs(v) > 1.0 else 0.0), KINKED),
    ("softshrink", L.softshrink,
     _elementwise(lambda v: v - 0.5 if v > 0.5 else (v + 0.5 if v < -0.5 else 0.0)), KINKED),
    ("softshrink_alpha", lambda x: L.softshrink(x, alpha=0.25),
     _elementwise(lambda v: v - 0.25 if v > 0.25 else (v + 0.25 if v < -0.25 else 0.0)),
     KINKED),
    ("tanh_shrink", L.tanh_shrink, _elementwise(lambda v: v - math.tanh(v)), SMOOTH),
    ("thresholded_relu", L.thresholded_relu, _elementwise(lambda v: v if v > 1.0 else 0.0),
     KINKED),
    ("thresholded_relu_threshold", lambda x: L.thresholded_relu(x, threshold=-0.5),
     _elementwise(lambda v: v if v > -0.5 else 0.0), KINKED),
    ("brelu", L.brelu, _elementwise(lambda v: min(max(v, 0.0), 24.0)),
     lambda: np.array([[-2.0, 0.5, 30.0], [23.0, 1.5, -0.1]])),
    ("brelu_bounds", lambda x: L.brelu(x, t_min=-1.0, t_max=2.0),
     _elementwise(lambda v: min(max(v, -1.0), 2.0)), KINKED),
    ("soft_relu", L.soft_relu, _elementwise(lambda v: _softplus(min(max(v, -40.0), 40.0))),
     lambda: np.array([[-50.0, -1.0, 0.3], [2.0, 39.0, 45.0]])),
    ("soft_relu_threshold", lambda x: L.soft_relu(x, threshold=1.5),
     _elementwise(lambda v: _softplus(min(max(v, -1.5), 1.5))), KINKED),
    ("stanh", L.stanh, _elementwise(lambda v: 1.7159 * math.tanh(0.67 * v)), SMOOTH),
    ("stanh_args", lambda x: L.stanh(x, scale_a=2.0, scale_b=0.5),
     _elementwise(lambda v: 0.5 * math.tanh(2.0 * v)), SMOOTH),
    ("selu", L.selu,
     _elementwise(lambda v: SELU_SCALE * (v if v > 0 else SELU_ALPHA * math.expm1(v))), KINKED),
    ("selu_args", lambda x: L.selu(x, scale=2.0, alpha=0.5),
     _elementwise(lambda v: 2.0 * (v if v > 0 else 0.5 * math.expm1(v))), KINKED),
    ("logsigmoid", L.logsigmoid, _elementwise(lambda v: -_softplus(-v)), SMOOTH),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_values(name, function, reference, domain):
    x = domain()
    with fluid.dygraph.guard():
        out = function(var(x))
    assert out.shape == list(x.shape)
    np.testing.assert_allclose(out.numpy(), reference(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_gradients(name, function, reference, domain):
    check_grads(function, domain())


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_float32_stays_float32(name, function, reference, domain):
    out, (g,) = grads_of(function, domain().astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


@pytest.mark.parametrize("name, function, reference, domain", CASES, ids=IDS)
def test_plain_ndarrays_give_ndarrays(name, function, reference, domain):
    x = domain()
    out = function(x)
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, reference(x), rtol=1e-12, atol=1e-15)


def test_gradients_at_the_kinks_follow_paddle():
    # Paddle 1.8.5: hard_shrink / softshrink pass the gradient strictly outside the threshold,
    # thresholded_relu strictly above it, brelu / soft_relu strictly inside their bounds, selu
    # takes the exponential branch at 0 (slope scale * alpha), hard_swish has slope 1 at
    # x = threshold - offset and 0.5 at 0.
    _, (g,) = grads_of(L.hard_shrink, np.array([-0.5, 0.5, 0.6]))
    np.testing.assert_array_equal(g, [0, 0, 1])
    _, (g,) = grads_of(L.softshrink, np.array([-0.5, 0.5, -0.7]))
    np.testing.assert_array_equal(g, [0, 0, 1])
    _, (g,) = grads_of(L.thresholded_relu, np.array([1.0, 1.5]))
    np.testing.assert_array_equal(g, [0, 1])
    _, (g,) = grads_of(L.brelu, np.array([0.0, 24.0, 3.0]))
    np.testing.assert_array_equal(g, [0, 0, 1])
    _, (g,) = grads_of(L.soft_relu, np.array([-40.0, 40.0, 0.0]))
    np.testing.assert_array_equal(g, [0, 0, 0.5])
    _, (g,) = grads_of(L.selu, np.array([0.0]))
    np.testing.assert_allclose(g, [SELU_SCALE * SELU_ALPHA], rtol=1e-15)
    _, (g,) = grads_of(L.hard_swish, np.array([-3.0, 0.0, 3.0]))
    np.testing.assert_allclose(g, [0.0, 0.5, 1.0], rtol=1e-15)


def test_logsigmoid_and_soft_relu_do_not_overflow():
    x = np.array([-1000.0, 0.0, 1000.0])
    with np.errstate(over="raise", invalid="raise"), fluid.dygraph.guard():
        np.testing.assert_allclose(L.logsigmoid(var(x)).numpy(), [-1000.0, -math.log(2), 0.0])
        np.testing.assert_allclose(L.soft_relu(var(x)).numpy(),
                                   [_softplus(-40.0), math.log(2), 40.0])


@pytest.mark.parametrize("name", ["hard_swish", "hard_shrink", "softshrink", "tanh_shrink",
                                  "thresholded_relu", "brelu", "soft_relu", "stanh", "selu",
                                  "logsigmoid"])
def test_usable_as_act(name):
    x = uniform((2, 3), -2.0, 2.0)
    with fluid.dygraph.guard():
        out = A.apply_act(var(x), name).numpy()
        expected = getattr(L, name)(var(x)).numpy()
        layer = fluid.dygraph.Linear(3, 2, act=name)
        layer(var(x.astype(np.float32)))
    np.testing.assert_array_equal(out, expected)


# -- maxout ---------------------------------------------------------------------------------------

def _maxout_reference(x, groups, axis):
    """Each output channel c is the max of input channels c*groups ... c*groups + groups - 1."""
    moved = np.moveaxis(x, axis, -1)
    out = np.empty(moved.shape[:-1] + (moved.shape[-1] // groups,))
    for index in np.ndindex(*out.shape):
        c = index[-1]
        out[index] = max(moved[index[:-1] + (c * groups + k,)] for k in range(groups))
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("groups, axis", [(2, 1), (3, 1), (1, 1), (2, 3), (3, -1)])
def test_maxout_values_and_gradients(groups, axis):
    x = np.random.default_rng(3).permutation(2 * 6 * 2 * 6).reshape(2, 6, 2, 6) * 0.1
    with fluid.dygraph.guard():
        out = L.maxout(var(x), groups=groups, axis=axis)
    expected = _maxout_reference(x, groups, 3 if axis == -1 else axis)
    assert out.shape == list(expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected)
    check_grads(lambda v: L.maxout(v, groups, axis=axis), x)


def test_maxout_tie_sends_the_gradient_to_the_first_maximum():
    _, (g,) = grads_of(lambda v: L.maxout(v, 2), np.ones((1, 4, 1, 1)))
    np.testing.assert_array_equal(g.ravel(), [1, 0, 1, 0])


def test_maxout_float32():
    out, (g,) = grads_of(lambda v: L.maxout(v, 2), uniform((2, 4, 3, 3)).astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


# -- prelu ----------------------------------------------------------------------------------------

def _alpha_of(out):
    """The alpha parameter behind a recorded prelu output (through the reshape, if any)."""
    alpha = out.creator.inputs[1]
    while alpha.creator is not None:
        alpha = alpha.creator.inputs[0]
    return alpha


@pytest.mark.parametrize("mode, shape, alpha_shape", [
    ("all", (2, 3), [1]), ("all", (2, 3, 4, 5), [1]),
    ("channel", (2, 3), [1, 3, 1, 1]), ("channel", (2, 3, 4), [1, 3, 1, 1]),
    ("channel", (2, 3, 4, 5), [1, 3, 1, 1]),
    ("element", (2, 3), [1, 3]), ("element", (2, 3, 4), [1, 3, 4])])
def test_prelu_creates_alpha_of_paddles_shape(mode, shape, alpha_shape):
    x = uniform(shape, seed=1).astype(np.float32)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = L.prelu(v, mode)
        alpha = _alpha_of(out)
        assert isinstance(alpha, Parameter) and not alpha.stop_gradient
        assert alpha.shape == alpha_shape and alpha.dtype == np.float32
        np.testing.assert_array_equal(alpha.numpy(), np.full(alpha_shape, 0.25, np.float32))
        assert out.shape == list(shape) and out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), np.where(x > 0, x, 0.25 * x), rtol=1e-6)
        L.reduce_sum(out).backward()
        assert alpha.gradient().shape == tuple(alpha_shape)


def _prelu_reference(x, alpha, mode):
    out = np.empty_like(x)
    for index in np.ndindex(*x.shape):
        if mode == "all":
            a = alpha.ravel()[0]
        elif mode == "channel":
            a = alpha.ravel()[index[1]]
        else:
            a = alpha.reshape(x.shape[1:])[index[1:]]
        out[index] = x[index] if x[index] > 0 else a * x[index]
    return out


@pytest.mark.parametrize("mode, shape", [("all", (2, 3, 2)), ("channel", (2, 3, 2, 2)),
                                         ("channel", (3, 4)), ("element", (2, 3, 2))])
def test_parametric_relu_values_and_gradients(mode, shape):
    x = uniform(shape, seed=2)
    x[np.abs(x) < 0.1] = 0.5
    alpha = uniform(A.prelu_alpha_shape(shape, mode), 0.1, 0.9, seed=4)
    with fluid.dygraph.guard():
        out = A.parametric_relu(var(x), var(alpha), mode).numpy()
    np.testing.assert_allclose(out, _prelu_reference(x, alpha, mode), rtol=1e-15)
    check_grads(lambda v, a: A.parametric_relu(v, a, mode), x, alpha)


def test_prelu_param_attr_name_and_initializer_and_fresh_parameters():
    x = np.array([[-1.0, 2.0], [-3.0, 0.0]], np.float32)
    with fluid.dygraph.guard():
        attr = fluid.ParamAttr(name="my_alpha", initializer=fluid.initializer.Constant(0.5))
        out = L.prelu(var(x, stop_gradient=False), "all", param_attr=attr)
        np.testing.assert_array_equal(out.numpy(), [[-0.5, 2.0], [-1.5, 0.0]])
        a1 = _alpha_of(L.prelu(var(x), "all"))
        a2 = _alpha_of(L.prelu(var(x), "all"))
        assert a1 is not a2 and a1.name != a2.name


def test_prelu_slope_at_zero_is_alpha_and_float64_works():
    with fluid.dygraph.guard():
        v = var(np.array([[0.0, -1.0, 2.0]]), stop_gradient=False)
        out = L.prelu(v, "all")
        L.reduce_sum(out).backward()
        assert out.dtype == np.float64
        np.testing.assert_array_equal(v.gradient(), [[0.25, 0.25, 1.0]])


# -- bad input ------------------------------------------------------------------------------------

BAD_CASES = [
    (lambda x: L.hard_swish(np.ones(3, np.int64)), TypeError,
     r"hard_swish: x must have a floating point dtype"),
    (lambda x: L.hard_swish(x, scale=0.0), ValueError, r"hard_swish: threshold and scale must"),
    (lambda x: L.hard_shrink(x, threshold="1"), TypeError, r"hard_shrink: threshold must be a"),
    (lambda x: L.softshrink(x, alpha=-1.0), ValueError, r"softshrink: alpha must be >= 0"),
    (lambda x: L.tanh_shrink([1.0]), TypeError, r"tanh_shrink: x must be a Variable, got list"),
    (lambda x: L.thresholded_relu(x, threshold=[1]), TypeError,
     r"thresholded_relu: threshold must be a number"),
    (lambda x: L.brelu(x, t_min=2.0, t_max=1.0), ValueError, r"brelu: t_min \(2.0\) must not"),
    (lambda x: L.soft_relu(x, threshold=-1.0), ValueError, r"soft_relu: threshold must be >= 0"),
    (lambda x: L.stanh(x, scale_a=None), TypeError, r"stanh: scale_a must be a number"),
    (lambda x: L.selu(x, alpha="a"), TypeError, r"selu: alpha must be a number"),
    (lambda x: L.logsigmoid(np.arange(3)), TypeError, r"logsigmoid: x must have a floating"),
    (lambda x: L.maxout(x, 2), ValueError, r"maxout: x must be 4-D, got shape \[2, 3\]"),
    (lambda x: L.maxout(np.ones((1, 6, 2, 2)), 4), ValueError,
     r"maxout: groups=4 must be a positive divisor of the 6 channels"),
    (lambda x: L.maxout(np.ones((1, 6, 2, 2)), 2, axis=2), ValueError,
     r"maxout: axis must be 1 \(NCHW\), 3 or -1 \(NHWC\), got 2"),
    (lambda x: L.maxout(np.ones((1, 6, 2, 2)), 2.0), TypeError, r"maxout: groups must be a"),
    (lambda x: L.prelu(x, "row"), ValueError, r"prelu: mode must be one of 'all', 'channel'"),
    (lambda x: L.prelu(var(np.ones(3)), "channel"), ValueError,
     r"prelu: mode='channel' needs an input of rank >= 2"),
    (lambda x: L.prelu(var(np.ones(3, np.int32)), "all"), TypeError,
     r"prelu: x must have a floating point dtype"),
    (lambda x: A.parametric_relu(x, np.ones(2), "channel"), ValueError,
     r"prelu: alpha of shape \[2\] does not fit mode='channel' for an input of shape \[2, 3\]"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_CASES, ids=[c[2] for c in BAD_CASES])
def test_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3)))
        with pytest.raises(error, match=pattern):
            call(x)


def test_torch_agrees_where_it_has_the_function():
    torch = pytest.importorskip("torch")
    x = uniform((3, 5), -4.0, 4.0, seed=7)
    t = torch.tensor(x)
    pairs = [(L.hard_swish, torch.nn.functional.hardswish), (L.selu, torch.selu),
             (L.logsigmoid, torch.nn.functional.logsigmoid),
             (L.tanh_shrink, torch.nn.functional.tanhshrink),
             (L.softshrink, lambda v: torch.nn.functional.softshrink(v, 0.5)),
             (L.hard_shrink, lambda v: torch.nn.functional.hardshrink(v, 0.5))]
    with fluid.dygraph.guard():
        for ours, theirs in pairs:
            np.testing.assert_allclose(ours(var(x)).numpy(), theirs(t).numpy(), rtol=1e-12,
                                       atol=1e-14)
