"""fluid.layers.conv2d / conv2d_transpose in Paddle 1.8's form (creating their weights) and in
minigrad's weight-taking form, against the direct-loop references."""
import numpy as np
import pytest

import minigrad as fluid
import reference

L = fluid.layers


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


def test_paddle_form_conv2d_with_nhwc_and_act():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 3, 6, 6))
    w = rng.uniform(-1, 1, (4, 3, 3, 3))
    b = rng.uniform(-1, 1, 4)
    expected = np.maximum(reference.conv2d(x, w, b, stride=2, padding=1), 0)
    with fluid.dygraph.guard():
        out = L.conv2d(fluid.dygraph.to_variable(x), num_filters=4, filter_size=3, stride=2,
                       padding=1, param_attr=attr(w), bias_attr=attr(b), act="relu")
        nhwc = L.conv2d(fluid.dygraph.to_variable(x.transpose(0, 2, 3, 1).copy()), 4, 3, 2, 1,
                        param_attr=attr(w), bias_attr=attr(b), act="relu", data_format="NHWC")
        fresh = L.conv2d(fluid.dygraph.to_variable(x.astype("float32")), 4, 3)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(nhwc.numpy(), expected.transpose(0, 2, 3, 1), atol=1e-12)
    assert fresh.dtype == np.float32 and fresh.shape == [2, 4, 4, 4]


def test_paddle_form_conv2d_transpose_and_filter_size_from_output_size():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (1, 3, 4, 4))
    w = rng.uniform(-1, 1, (3, 2, 4, 4))
    with fluid.dygraph.guard():
        # filter_size None: Paddle's rule gives (10 - (4 - 1) * 2 - 1) // 1 + 1 = 4
        out = L.conv2d_transpose(fluid.dygraph.to_variable(x), num_filters=2, output_size=10,
                                 stride=2, param_attr=attr(w), bias_attr=False)
        assert out.shape == [1, 2, 10, 10]
        np.testing.assert_allclose(out.numpy(), reference.conv2d_transpose(x, w, stride=2),
                                   atol=1e-12)
        with pytest.raises(ValueError, match="filter_size or output_size"):
            L.conv2d_transpose(fluid.dygraph.to_variable(x), num_filters=2)


def test_weight_form_is_the_parameter_free_op():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (1, 2, 5, 5))
    w = rng.uniform(-1, 1, (2, 3, 3, 3))
    with fluid.dygraph.guard():
        xv, wv = fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(w)
        out = L.conv2d_transpose(xv, wv, stride=2, padding=1)
        back = L.conv2d(out, wv, None, 2, 1)          # the same weight maps back: the adjoint
    np.testing.assert_allclose(out.numpy(), reference.conv2d_transpose(x, w, stride=2, padding=1),
                               atol=1e-12)
    assert back.shape == [1, 2, 5, 5]
    np.testing.assert_allclose(back.numpy(), reference.conv2d(out.numpy(), w, stride=2, padding=1),
                               atol=1e-12)
