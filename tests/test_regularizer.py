"""L1/L2 weight decay: terms by hand, precedence of a parameter's own regularizer, errors."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter


@pytest.fixture(autouse=True)
def dygraph():
    with fluid.dygraph.guard():
        yield


def test_l2_and_l1_terms_by_hand():
    w = Parameter(np.array([2.0, -0.5, 0.0]), name="w")
    g = np.array([1.0, 1.0, 1.0])
    np.testing.assert_allclose(fluid.regularizer.L2Decay(0.1)(w, g), [1.2, 0.95, 1.0])
    np.testing.assert_allclose(fluid.regularizer.L1Decay(0.1)(w, g), [1.1, 0.9, 1.0])
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0])                # not modified in place


def test_paddle_names():
    assert fluid.regularizer.L1DecayRegularizer is fluid.regularizer.L1Decay
    assert fluid.regularizer.L2DecayRegularizer is fluid.regularizer.L2Decay
    assert fluid.regularizer.L2Decay(regularization_coeff=0.5).coeff == 0.5


def test_float32_stays_float32():
    w = Parameter(np.array([2.0, -0.5], np.float32), name="w")
    g = np.ones(2, np.float32)
    for reg in (fluid.regularizer.L1Decay(0.1), fluid.regularizer.L2Decay(0.1)):
        assert reg(w, g).dtype == np.float32


def test_optimizer_regularization_and_parameter_override():
    # SGD lr 0.5, gradient 1. Optimizer: L2Decay(0.1); b has its own L1Decay(0.2) which wins.
    a = Parameter(np.array([2.0]), name="a")
    b = Parameter(np.array([2.0]), name="b", regularizer=fluid.regularizer.L1Decay(0.2))
    sgd = fluid.optimizer.SGD(0.5, parameter_list=[a, b],
                              regularization=fluid.regularizer.L2Decay(0.1))
    a.grad, b.grad = np.ones(1), np.ones(1)
    sgd.minimize(fluid.dygraph.to_variable(np.zeros(1)))
    np.testing.assert_allclose(a.data, [2.0 - 0.5 * (1 + 0.1 * 2.0)], rtol=1e-12)
    np.testing.assert_allclose(b.data, [2.0 - 0.5 * (1 + 0.2 * 1.0)], rtol=1e-12)


def test_parameter_regularizer_without_optimizer_regularization():
    a = Parameter(np.array([-4.0]), name="a", regularizer=fluid.regularizer.L2Decay(0.5))
    c = Parameter(np.array([-4.0]), name="c")
    sgd = fluid.optimizer.SGD(0.1, parameter_list=[a, c])
    a.grad, c.grad = np.zeros(1), np.zeros(1)
    sgd.minimize(fluid.dygraph.to_variable(np.zeros(1)))
    np.testing.assert_allclose(a.data, [-4.0 - 0.1 * (0.5 * -4.0)], rtol=1e-12)
    np.testing.assert_array_equal(c.data, [-4.0])


def test_param_attr_regularizer_reaches_the_optimizer():
    layer_module = pytest.importorskip("minigrad.nn.layer")
    layer = layer_module.Layer()
    attr = fluid.ParamAttr(regularizer=fluid.regularizer.L1Decay(1.0),
                           initializer=fluid.initializer.Constant(3.0))
    w = layer.create_parameter([2], attr=attr, dtype="float64")
    sgd = fluid.optimizer.SGD(0.1, parameter_list=[w],
                              regularization=fluid.regularizer.L2Decay(10.0))
    w.grad = np.zeros(2)
    sgd.minimize(fluid.dygraph.to_variable(np.zeros(1)))
    np.testing.assert_allclose(w.data, [2.9, 2.9], rtol=1e-12)      # L1 term 1.0, not L2's 30


@pytest.mark.parametrize("factory, error, match", [
    (lambda: fluid.regularizer.L2Decay(-0.1), ValueError, "regularization_coeff"),
    (lambda: fluid.regularizer.L1Decay("0.1"), TypeError, "regularization_coeff.*str"),
    (lambda: fluid.regularizer.L2Decay(float("inf")), ValueError, "finite"),
])
def test_bad_arguments(factory, error, match):
    with pytest.raises(error, match=match):
        factory()
