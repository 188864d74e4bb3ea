"""BatchNorm: statistics and running averages against hand loops, modes, layouts, gradients."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.ops.norm import batch_norm


def channel_stats(x):
    """Per-channel mean and biased variance of NCHW (or [N, C]) x by explicit loops."""
    channels = x.shape[1]
    means, variances = np.zeros(channels), np.zeros(channels)
    for c in range(channels):
        values = [v for n in range(x.shape[0]) for v in np.ravel(x[n, c])]
        mean = sum(values) / len(values)
        means[c] = mean
        variances[c] = sum((v - mean) ** 2 for v in values) / len(values)
    return means, variances


def normalise(x, mean, variance, weight, bias, eps):
    out = np.empty_like(x, dtype=np.float64)
    for c in range(x.shape[1]):
        out[:, c] = (x[:, c] - mean[c]) / np.sqrt(variance[c] + eps) * weight[c] + bias[c]
    return out


@pytest.mark.parametrize("shape", [(4, 3, 2, 5), (6, 3)])
def test_training_forward_and_running_statistics(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype("float32") * 2 + 1
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(3, momentum=0.8, epsilon=1e-3)
        bn.weight.set_value(np.array([1.0, 2.0, -0.5], "float32"))
        bn.bias.set_value(np.array([0.0, 0.3, 1.0], "float32"))
        out = bn(fluid.dygraph.to_variable(x))
        mean, variance = channel_stats(x.astype(np.float64))
        expected = normalise(x.astype(np.float64), mean, variance, [1.0, 2.0, -0.5],
                             [0.0, 0.3, 1.0], 1e-3)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
        # running = momentum * running + (1 - momentum) * batch, from 0 and 1.
        np.testing.assert_allclose(bn._mean.numpy(), 0.2 * mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn._variance.numpy(), 0.8 + 0.2 * variance, rtol=1e-5)
        x2 = rng.standard_normal(shape).astype("float32")
        bn(fluid.dygraph.to_variable(x2))
        mean2, variance2 = channel_stats(x2.astype(np.float64))
        np.testing.assert_allclose(bn._mean.numpy(), 0.8 * 0.2 * mean + 0.2 * mean2,
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn._variance.numpy(),
                                   0.8 * (0.8 + 0.2 * variance) + 0.2 * variance2, rtol=1e-5)


def test_eval_uses_running_statistics_and_leaves_them_alone():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 2, 2)).astype("float32")
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(2)
        bn._mean.set_value(np.array([0.5, -1.0], "float32"))
        bn._variance.set_value(np.array([4.0, 0.25], "float32"))
        bn.weight.set_value(np.array([2.0, 1.0], "float32"))
        bn.bias.set_value(np.array([0.0, 1.0], "float32"))
        bn.eval()
        out = bn(fluid.dygraph.to_variable(x))
        expected = normalise(x, [0.5, -1.0], [4.0, 0.25], [2.0, 1.0], [0.0, 1.0], 1e-5)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5)
        np.testing.assert_array_equal(bn._mean.numpy(), [0.5, -1.0])
        # is_test=True behaves the same even in training mode; so does use_global_stats.
        for kwargs in ({"is_test": True}, {"use_global_stats": True}):
            other = fluid.dygraph.BatchNorm(2, **kwargs)
            other.set_dict(bn.state_dict())
            np.testing.assert_allclose(other(fluid.dygraph.to_variable(x)).numpy(), expected,
                                       rtol=1e-5)
            np.testing.assert_array_equal(other._variance.numpy(), [4.0, 0.25])


def test_trainable_statistics_in_eval_uses_the_batch():
    x = np.random.default_rng(2).standard_normal((5, 2)).astype("float32")
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(2, trainable_statistics=True)
        bn.eval()
        out = bn(fluid.dygraph.to_variable(x))
        mean, variance = channel_stats(x)
        np.testing.assert_allclose(out.numpy(), normalise(x, mean, variance, [1, 1], [0, 0],
                                                          1e-5), rtol=1e-4, atol=1e-5)
        np.testing.assert_array_equal(bn._mean.numpy(), [0.0, 0.0])


def test_act_and_nhwc_layout():
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 3)).astype("float32")
    with fluid.dygraph.guard():
        nchw = fluid.dygraph.BatchNorm(3, act="relu")
        nhwc = fluid.dygraph.BatchNorm(3, act="relu", data_layout="NHWC")
        a = nchw(fluid.dygraph.to_variable(x)).numpy()
        b = nhwc(fluid.dygraph.to_variable(np.ascontiguousarray(x.transpose(0, 2, 3, 1))))
        np.testing.assert_allclose(b.numpy().transpose(0, 3, 1, 2), a, rtol=1e-5, atol=1e-6)
        assert a.min() == 0.0
        np.testing.assert_allclose(nchw._mean.numpy(), nhwc._mean.numpy(), rtol=1e-5)


def test_running_statistics_are_buffers_not_parameters():
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(4)
        assert [p.name for p in bn.parameters()] == ["batch_norm_0.w_0", "batch_norm_0.b_0"]
        assert list(bn.state_dict()) == ["weight", "bias", "_mean", "_variance"]
        assert bn._mean.name == "batch_norm_0.w_1" and bn._variance.name == "batch_norm_0.w_2"
        assert bn._mean.stop_gradient and bn._mean.persistable
        named = fluid.dygraph.BatchNorm(4, moving_mean_name="mm", moving_variance_name="mv")
        assert named._mean.name == "mm" and named._variance.name == "mv"
        no_affine = fluid.dygraph.BatchNorm(2, param_attr=False, bias_attr=False)
        assert no_affine.parameters() == []
        out = no_affine(fluid.dygraph.to_variable(np.array([[1.0, 2.0], [3.0, 6.0]], "float32")))
        np.testing.assert_allclose(out.numpy(), [[-1, -1], [1, 1]], atol=1e-4)


@pytest.mark.parametrize("shape", [(3, 2, 2, 2), (4, 3), (1, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients_first_and_second_order(shape, training):
    rng = np.random.default_rng(4)
    channels = shape[1]
    x = rng.standard_normal(shape)
    weight, bias = rng.standard_normal(channels), rng.standard_normal(channels)
    running_mean, running_var = rng.standard_normal(channels), rng.uniform(0.5, 2, channels)

    def fn(x, weight, bias):
        return batch_norm(x, weight, bias, running_mean.copy(), running_var.copy(),
                          training=training)

    assert minigrad.gradcheck(fn, [x, weight, bias])
    assert minigrad.gradgradcheck(fn, [x, weight, bias], atol=1e-4)


def test_gradient_penalty_through_batch_norm_matches_finite_differences():
    # WGAN-GP style: penalty = sum((d out.v / dx)^2) differentiated w.r.t. the BN scale.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 2, 2, 1))
    v = rng.standard_normal((4, 2, 2, 1))

    def penalty(scale):
        with fluid.dygraph.guard():
            xv = fluid.dygraph.to_variable(x)
            xv.stop_gradient = False
            w = fluid.dygraph.to_variable(scale)
            w.stop_gradient = False
            out = batch_norm(xv, w, np.zeros(2), np.zeros(2), np.ones(2), training=True)
            (gx,) = fluid.dygraph.grad(out, [xv], grad_outputs=[v], create_graph=True)
            value = fluid.layers.reduce_sum(gx * gx)
            (gw,) = fluid.dygraph.grad(value, [w])
            return float(value), gw.numpy()

    scale = np.array([0.7, -1.3])
    _, analytic = penalty(scale)
    eps = 1e-6
    numeric = [(penalty(scale + eps * e)[0] - penalty(scale - eps * e)[0]) / (2 * eps)
               for e in np.eye(2)]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_layer_gradients_in_float64_and_float32_dtypes():
    rng = np.random.default_rng(6)
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(3, dtype="float64")
        bn.weight.set_value(rng.standard_normal(3))

        def fn(x):
            return bn(x)

        assert minigrad.gradcheck(fn, [rng.standard_normal((4, 3, 2))])
        bn32 = fluid.dygraph.BatchNorm(3)
        x = fluid.dygraph.to_variable(rng.standard_normal((4, 3)).astype("float32"))
        x.stop_gradient = False
        fluid.layers.mean(bn32(x) * x).backward()
        assert x.gradient().dtype == np.float32 and bn32.weight.gradient().dtype == np.float32


def test_torch_oracle_training_output():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(7).standard_normal((5, 3, 4, 4)).astype("float32")
    with fluid.dygraph.guard():
        ours = fluid.dygraph.BatchNorm(3)(fluid.dygraph.to_variable(x)).numpy()
    theirs = torch.nn.functional.batch_norm(torch.from_numpy(x), None, None, training=True,
                                            eps=1e-5).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1, 1)])
def test_one_value_per_channel_passes_through_as_in_paddle(shape):
    # Paddle 1.8.5's kernel skips the normalisation when a channel has a single value: y = x,
    # dx = dy, zero weight and bias gradients, running statistics untouched.
    x_np = np.array([0.3, -0.5, 0.9], "float32").reshape(shape)
    cotangent = np.array([1.0, 2.0, 3.0], "float32").reshape(shape)
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(3, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.Constant(1.5)), bias_attr=fluid.ParamAttr(
            initializer=fluid.initializer.Constant(0.25)))
        x = fluid.dygraph.to_variable(x_np)
        x.stop_gradient = False
        y = bn(x)
        fluid.layers.reduce_sum(y * fluid.dygraph.to_variable(cotangent)).backward()
        assert y.dtype == np.float32 and y.shape == list(shape)
        np.testing.assert_array_equal(y.numpy(), x_np)
        np.testing.assert_array_equal(x.gradient(), cotangent)
        np.testing.assert_array_equal(bn.weight.gradient(), np.zeros(3, "float32"))
        np.testing.assert_array_equal(bn.bias.gradient(), np.zeros(3, "float32"))
        np.testing.assert_array_equal(bn._mean.numpy(), np.zeros(3, "float32"))
        np.testing.assert_array_equal(bn._variance.numpy(), np.ones(3, "float32"))
        functional = fluid.layers.batch_norm(fluid.dygraph.to_variable(x_np))
        np.testing.assert_array_equal(functional.numpy(), x_np)


def test_bad_input_and_arguments():
    with fluid.dygraph.guard():
        bn = fluid.dygraph.BatchNorm(3)
        with pytest.raises(ValueError, match=r"shape \[2, 4, 5, 5\] has 4 channels .* "
                                             "num_channels=3"):
            bn(fluid.dygraph.to_variable(np.zeros((2, 4, 5, 5), "float32")))
        with pytest.raises(ValueError, match="at least 2 dims|must be \\[N, C\\]"):
            bn(fluid.dygraph.to_variable(np.zeros(3, "float32")))
        with pytest.raises(TypeError, match="dtype float64"):
            bn(fluid.dygraph.to_variable(np.zeros((2, 3))))
        with pytest.raises(ValueError, match="at least one value per channel"):
            bn(fluid.dygraph.to_variable(np.zeros((0, 3), "float32")))
        with pytest.raises(TypeError, match="floating point"):
            bn(fluid.dygraph.to_variable(np.zeros((2, 3), "int64")))
        with pytest.raises(ValueError, match="momentum"):
            fluid.dygraph.BatchNorm(3, momentum=1.5)
        with pytest.raises(ValueError, match="data_layout"):
            fluid.dygraph.BatchNorm(3, data_layout="NCWH")
        with pytest.raises(ValueError, match="num_channels must be a positive int"):
            fluid.dygraph.BatchNorm(0)
        with pytest.raises(ValueError, match="not a known activation"):
            fluid.dygraph.BatchNorm(3, act="relu7")
        with pytest.raises(ValueError, match=r"weight has shape \[2\]; expected \[3\]"):
            batch_norm(np.zeros((2, 3)), np.ones(2), np.zeros(3), np.zeros(3), np.ones(3))
