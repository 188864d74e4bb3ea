"""Initializers: Paddle's fan rules, distributions checked statistically, seeds, aliases, errors."""
import math

import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.initializer import compute_fans

init = fluid.initializer


@pytest.mark.parametrize("shape, fans", [
    ([], (1, 1)), ([7], (7, 7)), ([5, 3], (5, 3)),
    ([8, 4, 3, 3], (4 * 9, 8 * 9)), ([6, 2, 5], (2 * 5, 6 * 5))])
def test_fans_follow_paddle(shape, fans):
    assert compute_fans(shape) == fans


def _sample_std_bound(n, std):
    # The sample std of n iid draws is within 5 standard errors (std / sqrt(2n)) almost surely.
    return 5 * std / math.sqrt(2 * n)


def test_constant():
    value = init.Constant(0.25)([2, 3])
    assert value.dtype == np.float32 and value.shape == (2, 3)
    np.testing.assert_array_equal(value, np.full((2, 3), 0.25))
    assert init.Constant(3)([2], "int64").dtype == np.int64
    with pytest.raises(TypeError, match="value must be a number"):
        init.Constant("1")


def test_uniform_bounds_and_moments():
    low, high = -0.3, 0.5
    value = init.Uniform(low, high, seed=11)([200, 100])
    assert value.dtype == np.float32
    assert value.min() >= low and value.max() <= high
    n = value.size
    std = (high - low) / math.sqrt(12)
    assert abs(value.mean() - (low + high) / 2) < 5 * std / math.sqrt(n)
    assert abs(value.std() - std) < _sample_std_bound(n, std)


def test_normal_moments():
    value = init.Normal(1.5, 0.2, seed=3)([300, 100])
    n = value.size
    assert abs(value.mean() - 1.5) < 5 * 0.2 / math.sqrt(n)
    assert abs(value.std() - 0.2) < _sample_std_bound(n, 0.2)


def test_truncated_normal_is_cut_at_two_std():
    value = init.TruncatedNormal(0.5, 0.1, seed=4)([200, 200]).astype(np.float64)
    assert value.min() >= 0.5 - 0.2 - 1e-6 and value.max() <= 0.5 + 0.2 + 1e-6
    # Variance of a standard normal truncated to [-2, 2]: 1 - 4 phi(2) / (Phi(2) - Phi(-2)).
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    std = 0.1 * math.sqrt(1 - 4 * phi2 / mass)
    assert abs(value.std() - std) < _sample_std_bound(value.size, std)
    assert abs(value.mean() - 0.5) < 5 * std / math.sqrt(value.size)


@pytest.mark.parametrize("shape", [[400, 300], [64, 32, 3, 3]])
def test_xavier_uniform_and_normal_use_paddle_fans(shape):
    fan_in, fan_out = compute_fans(shape)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    value = init.Xavier(uniform=True, seed=1)(shape)
    assert np.abs(value).max() <= bound and np.abs(value).max() > 0.99 * bound
    std = bound / math.sqrt(3)
    assert abs(value.std() - std) < _sample_std_bound(value.size, std)
    normal = init.Xavier(uniform=False, seed=1)(shape)
    std = math.sqrt(2.0 / (fan_in + fan_out))
    assert abs(normal.std() - std) < _sample_std_bound(normal.size, std)


def test_xavier_fan_overrides():
    value = init.Xavier(uniform=True, fan_in=10, fan_out=14, seed=2)([300, 300])
    assert np.abs(value).max() <= 0.5 and np.abs(value).max() > 0.49   # sqrt(6 / 24) = 0.5


@pytest.mark.parametrize("shape", [[500, 200], [32, 16, 5, 5]])
def test_msra_uses_fan_in(shape):
    fan_in = compute_fans(shape)[0]
    bound = math.sqrt(6.0 / fan_in)
    value = init.MSRA(uniform=True, seed=5)(shape)
    assert np.abs(value).max() <= bound and np.abs(value).max() > 0.99 * bound
    normal = init.MSRA(uniform=False, seed=5)(shape)
    std = math.sqrt(2.0 / fan_in)
    assert abs(normal.std() - std) < _sample_std_bound(normal.size, std)
    assert np.abs(init.MSRA(fan_in=6, seed=1)([100, 100])).max() <= 1.0   # sqrt(6 / 6)


def test_bilinear_kernel_by_hand():
    # K = 4: f = 2, c = (2*2 - 1 - 0) / 4 = 0.75, t = 1 - |k/2 - 0.75| = [.25, .75, .75, .25].
    t = np.array([0.25, 0.75, 0.75, 0.25])
    value = init.Bilinear()([2, 3, 4, 4])
    assert value.shape == (2, 3, 4, 4) and value.dtype == np.float32
    for a in range(2):
        for b in range(3):
            for i in range(4):
                for j in range(4):
                    assert value[a, b, i, j] == pytest.approx(t[i] * t[j])
    with pytest.raises(ValueError, match="4-D"):
        init.Bilinear()([3, 3])
    with pytest.raises(ValueError, match="square"):
        init.Bilinear()([1, 1, 3, 4])


def test_numpy_array_initializer_copies_and_checks_shape():
    source = np.arange(6, dtype=np.float64).reshape(2, 3)
    value = init.NumpyArrayInitializer(source)([2, 3])
    np.testing.assert_array_equal(value, source)
    assert value.dtype == np.float32
    value[0, 0] = 100
    assert source[0, 0] == 0
    with pytest.raises(ValueError, match=r"shape \[2, 3\] but the parameter has shape \[3, 2\]"):
        init.NumpyArrayInitializer(source)([3, 2])
    with pytest.raises(TypeError, match="numpy.ndarray"):
        init.NumpyArrayInitializer([1, 2])


@pytest.mark.parametrize("make", [
    lambda s: init.Uniform(-1, 1, seed=s), lambda s: init.Normal(0, 1, seed=s),
    lambda s: init.TruncatedNormal(0, 1, seed=s), lambda s: init.Xavier(seed=s),
    lambda s: init.MSRA(uniform=False, seed=s)])
def test_seeded_initializers_are_reproducible(make):
    first = make(17)([20, 10])
    np.testing.assert_array_equal(first, make(17)([20, 10]))
    np.testing.assert_array_equal(first, make(17)([20, 10]))   # the same numbers every call
    assert not np.array_equal(first, make(18)([20, 10]))


def test_seed_zero_uses_the_global_generator():
    minigrad.seed(123)
    a = init.Normal(0, 1)([50]), init.Uniform(seed=0)([50])
    minigrad.seed(123)
    b = init.Normal(0, 1)([50]), init.Uniform(seed=0)([50])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], init.Normal(0, 1)([50]))
    with pytest.raises(ValueError, match="non-negative int"):
        minigrad.seed(-1)


def test_paddle_call_form_fills_a_variable_in_place():
    with fluid.dygraph.guard():
        fc = fluid.dygraph.Linear(3, 2)
        weight = fc.weight
        data = weight.data
        assert init.Constant(0.5)(weight) is weight
        assert weight.data is data
        np.testing.assert_array_equal(weight.numpy(), np.full((3, 2), 0.5))


def test_aliases_and_float64():
    assert init.XavierInitializer is init.Xavier and init.MSRAInitializer is init.MSRA
    assert init.ConstantInitializer is init.Constant and init.NormalInitializer is init.Normal
    assert init.UniformInitializer is init.Uniform
    assert init.TruncatedNormalInitializer is init.TruncatedNormal
    assert init.BilinearInitializer is init.Bilinear
    assert init.Xavier(seed=1)([3, 3], "float64").dtype == np.float64


def test_bad_arguments():
    with pytest.raises(ValueError, match="low .* must not exceed high"):
        init.Uniform(1.0, -1.0)
    with pytest.raises(ValueError, match="scale must be >= 0"):
        init.Normal(0, -1)
    with pytest.raises(TypeError, match="uniform must be a bool"):
        init.Xavier(uniform="yes")
    with pytest.raises(ValueError, match="fan_in must be None or a positive int"):
        init.MSRA(fan_in=0)
    with pytest.raises(ValueError, match="seed must be None or a non-negative int"):
        init.Normal(seed=-3)
    with pytest.raises(TypeError, match="floating dtype"):
        init.Normal()([3], "int32")
    with pytest.raises(TypeError, match="shape must be a list"):
        init.Normal()("3")
    with pytest.raises(TypeError, match="loc must be a number"):
        init.Normal(loc="0")


def test_layers_use_paddle_defaults():
    with fluid.dygraph.guard():
        fc = fluid.dygraph.Linear(300, 200)
        bound = math.sqrt(6.0 / 500)
        assert np.abs(fc.weight.numpy()).max() <= bound
        assert np.abs(fc.weight.numpy()).max() > 0.98 * bound
        np.testing.assert_array_equal(fc.bias.numpy(), np.zeros(200))
        bn = fluid.dygraph.BatchNorm(4)
        np.testing.assert_array_equal(bn.weight.numpy(), np.ones(4))
        np.testing.assert_array_equal(bn.bias.numpy(), np.zeros(4))
        seeded = [fluid.dygraph.Linear(4, 4, param_attr=fluid.ParamAttr(
            initializer=init.Normal(0, 1, seed=9))).weight.numpy() for _ in range(2)]
        np.testing.assert_array_equal(seeded[0], seeded[1])
