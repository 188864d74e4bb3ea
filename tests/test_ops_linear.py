"""The fused affine op behind Linear: values, first and second order, errors."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.ops.math import linear


@pytest.mark.parametrize("x_shape", [(3, 4), (2, 3, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_gradients(x_shape, with_bias):
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal(x_shape), rng.standard_normal((4, 5))]
    if with_bias:
        inputs.append(rng.standard_normal(5))
    assert minigrad.gradcheck(lambda *a: linear(*a), inputs)
    assert minigrad.gradgradcheck(lambda *a: linear(*a), inputs)


def test_linear_matches_direct_sum():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    expected = np.array([[sum(x[i, k] * w[k, j] for k in range(3)) + b[j] for j in range(4)]
                         for i in range(2)])
    with fluid.dygraph.guard():
        out = linear(fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(w),
                     fluid.dygraph.to_variable(b))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


def test_linear_float32_preserved_and_shape_errors():
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.ones((2, 3), "float32"))
        w = fluid.dygraph.to_variable(np.ones((3, 4), "float32"))
        w.stop_gradient = False
        y = linear(x, w)
        assert y.dtype == np.float32
        y.backward()
        assert w.gradient().dtype == np.float32
        with pytest.raises(ValueError, match=r"linear: input of shape \[2, 3\].*\[4, 4\]"):
            linear(x, fluid.dygraph.to_variable(np.ones((4, 4), "float32")))
        with pytest.raises(ValueError, match="bias"):
            linear(x, w, fluid.dygraph.to_variable(np.ones(3, "float32")))
