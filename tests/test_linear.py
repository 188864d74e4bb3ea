"""Linear layer: values against direct sums, act, attrs, gradients, errors."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid


def direct(x, w, b):
    rows = x.reshape(-1, x.shape[-1])
    out = np.array([[sum(r[k] * w[k, j] for k in range(w.shape[0])) + (b[j] if b is not None
                     else 0.0) for j in range(w.shape[1])] for r in rows])
    return out.reshape(x.shape[:-1] + (w.shape[1],))


@pytest.mark.parametrize("shape", [(2, 3), (2, 4, 3)])
def test_forward_matches_direct_sum(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype("float32")
    with fluid.dygraph.guard():
        fc = fluid.dygraph.Linear(3, 5)
        fc.bias.set_value(rng.standard_normal(5).astype("float32"))
        assert fc.weight.shape == [3, 5] and fc.bias.shape == [5]
        out = fc(fluid.dygraph.to_variable(x))
        assert out.dtype == np.float32 and out.shape == list(shape[:-1]) + [5]
        np.testing.assert_allclose(out.numpy(), direct(x, fc.weight.numpy(), fc.bias.numpy()),
                                   rtol=1e-5, atol=1e-6)


def test_act_bias_attr_false_and_param_attr():
    x = np.array([[1.0, -2.0]], "float32")
    with fluid.dygraph.guard():
        fc = fluid.dygraph.Linear(2, 2, act="relu", bias_attr=False, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.NumpyArrayInitializer(np.array([[1.0, 2.0],
                                                                          [1.0, 0.5]]))))
        assert fc.bias is None and len(fc.parameters()) == 1
        assert list(fc.state_dict()) == ["weight"]
        np.testing.assert_allclose(fc(fluid.dygraph.to_variable(x)).numpy(), [[0.0, 1.0]])
        sig = fluid.dygraph.Linear(2, 1, act="sigmoid", param_attr=fluid.initializer.Constant(1.0),
                                   bias_attr=fluid.initializer.Constant(0.5))
        np.testing.assert_allclose(sig(fluid.dygraph.to_variable(x)).numpy(),
                                   [[1 / (1 + np.exp(0.5))]], rtol=1e-6)


def test_gradients_first_and_second_order():
    rng = np.random.default_rng(1)
    with fluid.dygraph.guard():
        fc = fluid.dygraph.Linear(3, 2, act="tanh", dtype="float64")
        fc.bias.set_value(rng.standard_normal(2))
        assert minigrad.gradcheck(lambda x: fc(x), [rng.standard_normal((4, 3))])
        assert minigrad.gradgradcheck(lambda x: fc(x), [rng.standard_normal((4, 3))])
        x = fluid.dygraph.to_variable(rng.standard_normal((4, 3)))
        fluid.layers.reduce_sum(fc(x)).backward()
        # d/dW sum(tanh(xW + b)) = x^T (1 - y^2), by hand.
        y = np.tanh(x.numpy() @ fc.weight.numpy() + fc.bias.numpy())
        np.testing.assert_allclose(fc.weight.gradient(), x.numpy().T @ (1 - y ** 2), rtol=1e-10)
        np.testing.assert_allclose(fc.bias.gradient(), (1 - y ** 2).sum(0), rtol=1e-10)


def test_bad_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="input_dim must be a positive int"):
            fluid.dygraph.Linear(0, 3)
        with pytest.raises(ValueError, match="output_dim must be a positive int"):
            fluid.dygraph.Linear(3, 2.5)
        with pytest.raises(ValueError, match="not a known activation"):
            fluid.dygraph.Linear(3, 2, act="rellu")
        fc = fluid.dygraph.Linear(3, 2)
        with pytest.raises(ValueError, match=r"shape \[2, 4\] .* input_dim=3"):
            fc(fluid.dygraph.to_variable(np.zeros((2, 4), "float32")))
        with pytest.raises(TypeError, match="dtype float64 but the layer's parameters are "
                                            "float32"):
            fc(fluid.dygraph.to_variable(np.zeros((2, 3))))
        with pytest.raises(TypeError, match="Variable"):
            fc([[1.0, 2.0, 3.0]])
