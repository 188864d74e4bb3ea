"""Conv2D and Conv2DTranspose layers: every documented parameter, defaults, names, errors, and
a small decoder that learns."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.dygraph.nn import Conv2D, Conv2DTranspose

import reference


def _var(array):
    return fluid.dygraph.to_variable(array)


def test_seed_example_gives_3_2_34_7():
    with fluid.dygraph.guard():
        data = np.random.random((3, 32, 32, 5)).astype('float32')
        conv2DTranspose = fluid.dygraph.nn.Conv2DTranspose(num_channels=32, num_filters=2,
                                                           filter_size=3)
        ret = conv2DTranspose(fluid.dygraph.base.to_variable(data))
        assert ret.shape == [3, 2, 34, 7]
        assert ret.dtype == np.float32


def test_transpose_parameters_names_shapes_and_defaults():
    with fluid.dygraph.guard():
        layer = Conv2DTranspose(num_channels=6, num_filters=4, filter_size=(3, 2), groups=2)
        assert layer.full_name() == "conv2d_transpose_0"
        assert layer.weight.name == "conv2d_transpose_0.w_0"
        assert layer.bias.name == "conv2d_transpose_0.b_0"
        assert layer.weight.shape == [6, 2, 3, 2]
        assert layer.bias.shape == [4]
        assert not layer.weight.stop_gradient and not layer.bias.stop_gradient
        np.testing.assert_array_equal(layer.bias.numpy(), 0)
        # Xavier-uniform: fan_in = (F/g) kh kw = 12, fan_out = C_in kh kw = 36.
        limit = math.sqrt(6.0 / (12 + 36))
        assert np.abs(layer.weight.numpy()).max() <= limit
        assert np.abs(layer.weight.numpy()).max() > 0.5 * limit
        assert [p.name for p in layer.parameters()] == ["conv2d_transpose_0.w_0",
                                                        "conv2d_transpose_0.b_0"]


def test_conv2d_default_init_is_normal_with_paddle_std():
    with fluid.dygraph.guard():
        layer = Conv2D(num_channels=16, num_filters=64, filter_size=3)
        assert layer.weight.shape == [64, 16, 3, 3]
        assert layer.full_name() == "conv2d_0" and layer.weight.name == "conv2d_0.w_0"
        std = math.sqrt(2.0 / (3 * 3 * 16))
        assert abs(layer.weight.numpy().std() - std) < 0.1 * std
        np.testing.assert_array_equal(layer.bias.numpy(), 0)


@pytest.mark.parametrize("groups", [None, 1, 2])
@pytest.mark.parametrize("act", [None, "relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_transpose_layer_matches_reference(groups, act, dtype):
    rng = np.random.default_rng(0)
    with fluid.dygraph.guard():
        layer = Conv2DTranspose(4, 6, filter_size=3, padding=1, stride=2, dilation=(1, 2),
                                groups=groups, act=act, dtype=dtype,
                                bias_attr=fluid.ParamAttr(
                                    initializer=fluid.initializer.Uniform(-1, 1, seed=3)))
        x = rng.standard_normal((2, 4, 3, 4)).astype(dtype)
        y = layer(_var(x))
        assert y.dtype == np.dtype(dtype)
        expected = reference.conv2d_transpose(x, layer.weight.numpy(), layer.bias.numpy(), 2, 1,
                                              (1, 2), groups or 1)
        expected = {None: lambda v: v, "relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
                    "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[act](expected)   # act after bias
        tolerance = 1e-5 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(y.numpy(), expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("output_size", [None, 9, [9, 10], (10, 9)])
def test_output_size_int_list_tuple(output_size):
    with fluid.dygraph.guard():
        layer = Conv2DTranspose(2, 3, filter_size=3, stride=2, padding=1,
                                output_size=output_size)
        x = np.random.default_rng(1).standard_normal((1, 2, 5, 5)).astype(np.float32)
        y = layer(_var(x))
        size = tuple(output_size) if isinstance(output_size, (list, tuple)) else (9, 9)
        assert y.shape == [1, 3, *size]
        expected = reference.conv2d_transpose(x, layer.weight.numpy(), layer.bias.numpy(), 2, 1,
                                              output_size=size)
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-5)


def test_output_size_checked_at_call_time_with_range():
    with fluid.dygraph.guard():
        layer = Conv2DTranspose(2, 3, filter_size=3, stride=2, padding=1, output_size=12)
        with pytest.raises(ValueError) as info:
            layer(_var(np.zeros((1, 2, 5, 5), np.float32)))
        message = str(info.value)
        assert message.startswith("Conv2DTranspose") and "12" in message
        assert "[9, 11)" in message
        # The same layer is fine on an input for which 12 is in range ([11, 13) for H = 6).
        assert layer(_var(np.zeros((1, 2, 6, 6), np.float32))).shape == [1, 3, 12, 12]


def test_bias_attr_false_and_param_attr_initializer():
    with fluid.dygraph.guard():
        layer = Conv2DTranspose(
            2, 2, 2, bias_attr=False,
            param_attr=fluid.ParamAttr(name="deconv_w",
                                       initializer=fluid.initializer.Constant(0.5)))
        assert layer.bias is None
        assert layer.weight.name == "deconv_w"
        np.testing.assert_array_equal(layer.weight.numpy(), 0.5)
        y = layer(_var(np.ones((1, 2, 1, 1), np.float32)))
        np.testing.assert_array_equal(y.numpy(), 1.0)    # 2 channels * 1 * 0.5, no bias
        assert [p.name for p in layer.parameters()] == ["deconv_w"]
        conv = Conv2D(2, 2, 1, bias_attr=False)
        assert conv.bias is None


def test_conv2d_layer_matches_reference_with_act():
    rng = np.random.default_rng(2)
    with fluid.dygraph.guard():
        layer = Conv2D(4, 6, filter_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=2,
                       groups=2, act="relu", dtype="float64",
                       bias_attr=fluid.initializer.Uniform(-1, 1, seed=4))
        x = rng.standard_normal((2, 4, 7, 6))
        expected = np.maximum(reference.conv2d(x, layer.weight.numpy(), layer.bias.numpy(),
                                               (2, 1), (1, 0), 2, 2), 0)
        np.testing.assert_allclose(layer(_var(x)).numpy(), expected, atol=1e-12)


def test_layer_gradients_reach_weight_and_bias():
    with fluid.dygraph.guard():
        layer = Conv2DTranspose(3, 2, 3, stride=2, dtype="float64")
        x = np.random.default_rng(3).standard_normal((2, 3, 4, 4))
        y = layer(_var(x))
        fluid.layers.reduce_sum(y).backward()
        np.testing.assert_allclose(layer.bias.gradient(), [y.shape[0] * 9 * 9] * 2)
        # d sum / d w[c, f, u, v] = sum over n, i, j of x[n, c, i, j] (every tap lands inside).
        expected = np.broadcast_to(x.sum(axis=(0, 2, 3))[:, None, None, None], (3, 2, 3, 3))
        np.testing.assert_allclose(layer.weight.gradient(), expected, atol=1e-12)


# -- construction and call errors --------------------------------------------------------------


def _bad_layers():
    return [
        ("groups divide", lambda: Conv2DTranspose(4, 6, 3, groups=4), ValueError,
         "groups=4 must divide"),
        ("groups zero", lambda: Conv2DTranspose(4, 6, 3, groups=0), ValueError, "groups"),
        ("use_cudnn int", lambda: Conv2DTranspose(4, 6, 3, use_cudnn=1), TypeError,
         "use_cudnn must be a bool"),
        ("use_cudnn str", lambda: Conv2D(4, 6, 3, use_cudnn="yes"), TypeError, "use_cudnn"),
        ("unknown act", lambda: Conv2DTranspose(4, 6, 3, act="relu7"), ValueError, "relu"),
        ("act type", lambda: Conv2D(4, 6, 3, act=1), TypeError, "act"),
        ("zero filter", lambda: Conv2DTranspose(4, 6, 0), ValueError, "filter_size"),
        ("negative stride", lambda: Conv2DTranspose(4, 6, 3, stride=-1), ValueError, "stride"),
        ("zero dilation", lambda: Conv2D(4, 6, 3, dilation=(1, 0)), ValueError, "dilation"),
        ("negative padding", lambda: Conv2DTranspose(4, 6, 3, padding=-1), ValueError,
         "padding"),
        ("zero channels", lambda: Conv2DTranspose(0, 6, 3), ValueError, "num_channels"),
        ("float filters", lambda: Conv2D(4, 6.0, 3), ValueError, "num_filters"),
        ("bad output_size", lambda: Conv2DTranspose(4, 6, 3, output_size=[1, 2, 3]), TypeError,
         "output_size"),
        ("dtype", lambda: Conv2DTranspose(4, 6, 3, dtype="int32"), TypeError, "float32"),
    ]


@pytest.mark.parametrize("name, build, error, text", _bad_layers(),
                         ids=[b[0] for b in _bad_layers()])
def test_bad_construction_is_a_clear_error(name, build, error, text):
    with fluid.dygraph.guard():
        with pytest.raises(error) as info:
            build()
        assert text in str(info.value)


@pytest.mark.parametrize("layer_class", [Conv2D, Conv2DTranspose])
def test_bad_call_is_a_clear_error(layer_class):
    with fluid.dygraph.guard():
        layer = layer_class(4, 6, 3)
        with pytest.raises(TypeError, match="float64.*float32"):
            layer(_var(np.zeros((1, 4, 5, 5), np.float64)))
        with pytest.raises(ValueError, match="3 channels"):
            layer(_var(np.zeros((1, 3, 5, 5), np.float32)))
        with pytest.raises(ValueError, match="4-D"):
            layer(_var(np.zeros((4, 5, 5), np.float32)))


def test_conv2d_kernel_larger_than_padded_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="larger than the padded input"):
            Conv2D(1, 1, 5)(_var(np.zeros((1, 1, 3, 3), np.float32)))


# -- training --------------------------------------------------------------------------------


def test_small_decoder_learns_a_fixed_target():
    """Two Conv2DTranspose layers (4x4 -> 8x8 -> 16x16) fit a fixed image; loss falls 10x."""
    rng = np.random.default_rng(0)
    with fluid.dygraph.guard():
        up1 = Conv2DTranspose(4, 8, 4, stride=2, padding=1, act="relu",
                              param_attr=fluid.initializer.Normal(0, 0.2, seed=1))
        up2 = Conv2DTranspose(8, 1, 4, stride=2, padding=1,
                              param_attr=fluid.initializer.Normal(0, 0.2, seed=2))
        code = _var(rng.standard_normal((2, 4, 4, 4)).astype(np.float32))
        yy, xx = np.mgrid[0:16, 0:16] / 15.0
        target = np.stack([np.sin(3 * xx) * yy, np.cos(2 * yy) * xx])[:, None].astype(np.float32)
        target = _var(target)
        params = up1.parameters() + up2.parameters()
        losses = []
        for _ in range(200):
            out = up2(up1(code))
            loss = fluid.layers.reduce_mean((out - target) * (out - target))
            loss.backward()
            for p in params:                  # plain SGD on the parameters' data
                p.data -= 0.5 * p.gradient()
                p.clear_gradient()
            losses.append(float(loss.numpy()[0]))
        assert losses[-1] < losses[0] / 10, losses[::40]
        assert np.isfinite(losses).all()
