"""fluid.WeightNormParamAttr: real weight normalisation, w = g * v / ||v|| with g and v trained."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.nn.weight_norm import norm_except_dim


def test_the_weight_starts_as_drawn_and_is_g_times_the_direction():
    v0 = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    init = fluid.initializer.NumpyArrayInitializer(v0)
    with fluid.dygraph.guard():
        linear = fluid.dygraph.Linear(4, 3, param_attr=fluid.WeightNormParamAttr(
            dim=1, initializer=init))
        assert [p.name for p in linear.parameters()] == [
            "linear_0.w_0_g", "linear_0.w_0_v", "linear_0.b_0"]
        assert list(linear.state_dict()) == ["weight_g", "weight_v", "bias"]
        assert linear.weight_g.shape == [1, 3] and linear.weight_v.shape == [4, 3]
        np.testing.assert_allclose(linear.weight.numpy(), v0, rtol=1e-6)
        linear.weight_g.set_value(np.array([[2.0, 1.0, 0.5]], "float32"))
        columns = [v0[:, j] / np.sqrt(sum(x * x for x in v0[:, j])) for j in range(3)]
        expected = np.stack([c * g for c, g in zip(columns, [2.0, 1.0, 0.5])], axis=1)
        np.testing.assert_allclose(linear.weight.numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize("dim,g_shape", [(None, [1, 1, 1, 1]), (0, [5, 1, 1, 1]),
                                         (1, [1, 2, 1, 1]), (-1, [1, 1, 1, 3])])
def test_conv_weight_norm_over_each_dim(dim, g_shape):
    with fluid.dygraph.guard():
        conv = fluid.dygraph.Conv2D(2, 5, 3, param_attr=fluid.WeightNormParamAttr(dim=dim))
        assert conv.weight_g.shape == g_shape
        x = fluid.dygraph.to_variable(np.ones((1, 2, 4, 4), "float32"))
        fluid.layers.mean(conv(x)).backward()
        assert conv.weight_g.gradient().shape == tuple(g_shape)
        assert conv.weight_v.gradient().shape == (5, 2, 3, 3)


def test_gradients_of_g_and_v_match_finite_differences():
    rng = np.random.default_rng(1)
    for dim in (None, 0, 1):
        v = rng.normal(size=(3, 4))
        g = norm_except_dim(v, dim) * rng.uniform(0.5, 2.0, norm_except_dim(v, dim).shape)
        assert fluid.gradcheck(lambda g, v: v * (g / norm_except_dim(v, dim)), [g, v])
        assert fluid.gradgradcheck(lambda g, v: v * (g / norm_except_dim(v, dim)), [g, v])


def test_training_moves_g_and_v_and_the_state_round_trips(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(4, 1, param_attr=fluid.WeightNormParamAttr(dim=None))
        sgd = fluid.optimizer.SGD(0.1, parameter_list=model.parameters())
        losses = []
        for _ in range(20):
            loss = fluid.layers.mean(fluid.layers.square(model(fluid.dygraph.to_variable(x)) -
                                                         fluid.dygraph.to_variable(y)))
            loss.backward()
            sgd.minimize(loss)
            model.clear_gradients()
            losses.append(loss.item())
        assert losses[-1] < losses[0]
        fluid.save_dygraph(model.state_dict(), str(tmp_path / "wn"))
        params, _ = fluid.load_dygraph(str(tmp_path / "wn"))
        fresh = fluid.dygraph.Linear(4, 1, param_attr=fluid.WeightNormParamAttr(dim=None))
        fresh.set_dict(params)
        np.testing.assert_array_equal(fresh.weight.numpy(), model.weight.numpy())


def test_bad_dim_is_a_clear_error():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="dim=2"):
            fluid.dygraph.Linear(4, 3, param_attr=fluid.WeightNormParamAttr(dim=2))
    with pytest.raises(TypeError, match="dim"):
        fluid.WeightNormParamAttr(dim="0")
