"""minigrad/distributions.py: Normal, Uniform, Categorical, MultivariateNormalDiag. Values against
closed forms computed here with Python's math module, sample shapes, ranges, moments and seeds,
gradients of log_prob / entropy / kl_divergence / samples (first and second order, float64), the
methods Paddle 1.8 lacks, and bad input."""
import math

import numpy as np
import pytest

import minigrad
import minigrad as fluid
from op_helpers import check_grads, uniform, var

L = fluid.layers


def _normal_log_pdf(x, mu, sigma):
    return -((x - mu) ** 2) / (2 * sigma ** 2) - math.log(sigma) - 0.5 * math.log(2 * math.pi)


def _normal_kl(mu1, s1, mu2, s2):
    return math.log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - 0.5


# -- Normal ----------------------------------------------------------------------------------

def test_normal_values_against_closed_forms():
    loc, scale = [1.0, -2.0], [0.5, 3.0]
    value = np.array([[0.3, 1.0], [2.0, -2.5]], np.float32)
    with fluid.dygraph.guard():
        dist = L.Normal(loc, scale)
        other = L.Normal([0.5, 0.0], [2.0, 1.5])
        lp = dist.log_prob(var(value))
        ent, kl = dist.entropy(), dist.kl_divergence(other)
    assert lp.shape == [2, 2] and ent.shape == [2] and kl.shape == [2]
    assert lp.dtype == ent.dtype == kl.dtype == np.float32
    np.testing.assert_allclose(lp.numpy(), [[_normal_log_pdf(value[i, j], loc[j], scale[j])
                                             for j in range(2)] for i in range(2)], rtol=1e-6)
    np.testing.assert_allclose(ent.numpy(), [0.5 + 0.5 * math.log(2 * math.pi * s * s)
                                             for s in scale], rtol=1e-6)
    np.testing.assert_allclose(kl.numpy(), [_normal_kl(1.0, 0.5, 0.5, 2.0),
                                            _normal_kl(-2.0, 3.0, 0.0, 1.5)], rtol=1e-5)


def test_normal_float_parameters_give_shape_1_and_broadcast_mixed_ones():
    with fluid.dygraph.guard():
        dist = L.Normal(0.0, 3.0)
        assert dist.entropy().shape == [1]
        assert dist.sample([4]).shape == [4]
        assert L.Normal(1.0, [11.0, 22.0]).entropy().shape == [2]
        assert L.Normal(np.array([1.0, 2.0]), np.array([[1.0], [2.0]])).sample([3]).shape \
            == [3, 2, 2]
        assert L.Normal([0.0, 1.0], [1.0, 2.0]).sample([2, 3]).shape == [2, 3, 2]
        assert L.Normal(0, 1).entropy().shape == [1]      # ints are taken as floats


def test_normal_samples_have_the_right_moments_and_seeds_repeat():
    with fluid.dygraph.guard():
        dist = L.Normal([1.0, -3.0], [0.5, 2.0])
        draws = dist.sample([20000], seed=11).numpy()
        np.testing.assert_array_equal(draws, dist.sample([20000], seed=11).numpy())
        assert not np.array_equal(draws[:5], dist.sample([5], seed=12).numpy())
        minigrad.seed(5)
        first = dist.sample([3]).numpy()
        minigrad.seed(5)
        np.testing.assert_array_equal(first, dist.sample([3]).numpy())
    assert draws.dtype == np.float32
    # 20000 draws: the standard error of the mean is scale / 141, of the std about scale / 200.
    np.testing.assert_allclose(draws.mean(axis=0), [1.0, -3.0], atol=0.05)
    np.testing.assert_allclose(draws.std(axis=0), [0.5, 2.0], rtol=0.05)


def test_normal_with_variable_parameters_is_differentiable():
    loc, scale = uniform((3,)), uniform((3,), 0.5, 1.5, seed=1)
    value = uniform((2, 3), seed=2)
    check_grads(lambda m, s, v: L.Normal(m, s).log_prob(v), loc, scale, value)
    check_grads(lambda m, s: L.Normal(m, s).entropy(), loc, scale)
    check_grads(lambda m, s, m2, s2: L.Normal(m, s).kl_divergence(L.Normal(m2, s2)),
                loc, scale, uniform((3,), seed=3), uniform((3,), 0.5, 1.5, seed=4))
    # A sample is loc + scale * noise: with a fixed seed it is a differentiable function.
    check_grads(lambda m, s: L.Normal(m, s).sample([4], seed=3), loc, scale)


def test_normal_sample_with_variables_is_loc_plus_scale_times_the_noise():
    with fluid.dygraph.guard():
        loc, scale = var(np.array([0.0, 10.0])), var(np.array([1.0, 0.1]))
        standard = L.Normal(var(np.zeros(2)), var(np.ones(2))).sample([3], seed=9).numpy()
        out = L.Normal(loc, scale).sample([3], seed=9)
    assert out.shape == [3, 2] and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), standard * [1.0, 0.1] + [0.0, 10.0], rtol=1e-12)


def test_normal_errors():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="all arguments should be Variable"):
            L.Normal(var(np.zeros(2)), 1.0)
        with pytest.raises(TypeError, match="Normal: loc must be a float, list"):
            L.Normal("0", 1.0)
        with pytest.raises(TypeError, match="Normal.kl_divergence: other must be a Normal"):
            L.Normal(0.0, 1.0).kl_divergence(L.Uniform(0.0, 1.0))
        with pytest.raises(TypeError, match="Normal.sample: shape must be a list"):
            L.Normal(0.0, 1.0).sample(3)
        with pytest.raises(TypeError, match="Normal.log_prob: value must have a floating"):
            L.Normal(0.0, 1.0).log_prob(var(np.array([1], np.int64)))
        with pytest.raises(ValueError, match="cannot be broadcast"):
            L.Normal([0.0, 1.0], [1.0, 2.0, 3.0])


# -- Uniform ---------------------------------------------------------------------------------

def test_uniform_values_samples_and_support():
    with fluid.dygraph.guard():
        dist = L.Uniform([1.0, 2.0], [3.0, 6.0])
        draws = dist.sample([5000], seed=4).numpy()
        ent = dist.entropy()
        lp = dist.log_prob(var(np.array([[1.0, 2.0], [2.5, 5.9], [3.0, 6.0], [0.0, 7.0]],
                                        np.float32)))
        scalar = L.Uniform(3.0, 4.0)
        assert scalar.sample([7]).shape == [7]
        assert scalar.entropy().shape == [1]
    assert draws.shape == (5000, 2) and draws.dtype == np.float32
    assert (draws >= [1.0, 2.0]).all() and (draws < [3.0, 6.0]).all()
    np.testing.assert_allclose(draws.mean(axis=0), [2.0, 4.0], atol=0.05)
    np.testing.assert_allclose(ent.numpy(), [math.log(2.0), math.log(4.0)], rtol=1e-6)
    inside = [-math.log(2.0), -math.log(4.0)]
    # The support is [low, high): low itself is inside, high is not (as 1.8 documents).
    np.testing.assert_allclose(lp.numpy()[:2], [inside, inside], rtol=1e-6)
    assert np.isneginf(lp.numpy()[2:]).all()


def test_uniform_gradients_and_missing_kl():
    low, high = uniform((3,), -1.0, 0.0), uniform((3,), 1.0, 2.0, seed=1)
    check_grads(lambda a, b: L.Uniform(a, b).entropy(), low, high)
    check_grads(lambda a, b: L.Uniform(a, b).log_prob(var(np.zeros(3))), low, high)
    check_grads(lambda a, b: L.Uniform(a, b).sample([2], seed=1), low, high)
    with fluid.dygraph.guard(), pytest.raises(NotImplementedError, match="Uniform.kl_div"):
        L.Uniform(0.0, 1.0).kl_divergence(L.Uniform(0.0, 2.0))


# -- Categorical -----------------------------------------------------------------------------

def _softmax(row):
    exps = [math.exp(v) for v in row]
    return [e / sum(exps) for e in exps]


def test_categorical_entropy_and_kl_against_sums():
    a = [[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]
    b = [[1.0, 1.0, 1.0], [2.0, 0.0, 1.0]]
    with fluid.dygraph.guard():
        ent = L.Categorical(var(np.array(a, np.float32))).entropy()
        kl = L.Categorical(a).kl_divergence(L.Categorical(b))
        assert L.Categorical([1.0, 2.0]).entropy().shape == [1]
    assert ent.shape == [2, 1] and kl.shape == [2, 1] and ent.dtype == np.float32
    expected_ent = [-sum(p * math.log(p) for p in _softmax(row)) for row in a]
    expected_kl = [sum(p * math.log(p / q) for p, q in zip(_softmax(ra), _softmax(rb)))
                   for ra, rb in zip(a, b)]
    np.testing.assert_allclose(ent.numpy()[:, 0], expected_ent, rtol=1e-6)
    np.testing.assert_allclose(kl.numpy()[:, 0], expected_kl, rtol=1e-5)


def test_categorical_large_logits_and_gradients():
    with fluid.dygraph.guard():
        ent = L.Categorical(var(np.array([1000.0, 1000.0]))).entropy()
    np.testing.assert_allclose(ent.numpy(), [math.log(2.0)], rtol=1e-12)
    logits, other = uniform((2, 4)), uniform((2, 4), seed=1)
    check_grads(lambda v: L.Categorical(v).entropy(), logits)
    check_grads(lambda v, w: L.Categorical(v).kl_divergence(L.Categorical(w)), logits, other)


def test_categorical_has_no_sample_or_log_prob_in_paddle_18():
    with fluid.dygraph.guard():
        dist = L.Categorical([0.0, 1.0])
        with pytest.raises(NotImplementedError, match="Categorical.sample .*entropy"):
            dist.sample([2])
        with pytest.raises(NotImplementedError, match="Categorical.log_prob"):
            dist.log_prob(var(np.array([1.0])))
        with pytest.raises(TypeError, match="Categorical: logits must be"):
            L.Categorical(1.0)


# -- MultivariateNormalDiag ------------------------------------------------------------------

def _mvn_entropy(cov):
    k = len(cov)
    return 0.5 * (k * (1 + math.log(2 * math.pi)) + sum(math.log(c) for c in cov))


def _mvn_kl(mu1, c1, mu2, c2):
    k = len(c1)
    return 0.5 * (sum(a / b for a, b in zip(c1, c2))
                  + sum((m2 - m1) ** 2 / b for m1, m2, b in zip(mu1, mu2, c2))
                  - k + sum(math.log(b / a) for a, b in zip(c1, c2)))


def test_multivariate_normal_diag_against_closed_forms():
    mu1, c1, mu2, c2 = [0.3, 0.5], [0.4, 0.5], [0.2, 0.4], [0.3, 0.4]
    with fluid.dygraph.guard():
        a = L.MultivariateNormalDiag(mu1, np.diag(c1).tolist())
        b = L.MultivariateNormalDiag(var(np.array(mu2, np.float32)),
                                     var(np.diag(c2).astype(np.float32)))
        ent, kl = a.entropy(), a.kl_divergence(b)
    assert ent.shape == [1] and kl.shape == [1] and kl.dtype == np.float32
    np.testing.assert_allclose(ent.numpy(), [_mvn_entropy(c1)], rtol=1e-6)
    np.testing.assert_allclose(kl.numpy(), [_mvn_kl(mu1, c1, mu2, c2)], rtol=1e-5)


def test_multivariate_normal_diag_gradients_and_errors():
    def make(loc, diagonal):
        eye = var(np.eye(3))
        return L.MultivariateNormalDiag(loc, eye * L.unsqueeze(diagonal, [0]))
    loc, cov = uniform((3,)), uniform((3,), 0.5, 1.5, seed=1)
    check_grads(lambda m, c: make(m, c).entropy(), loc, cov)
    check_grads(lambda m, c, m2, c2: make(m, c).kl_divergence(make(m2, c2)),
                loc, cov, uniform((3,), seed=2), uniform((3,), 0.5, 1.5, seed=3))
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="must be a diagonal matrix"):
            L.MultivariateNormalDiag([0.0, 0.0], [[1.0, 0.1], [0.0, 1.0]])
        with pytest.raises(ValueError, match=r"loc must have shape \[k\] and scale \[k, k\]"):
            L.MultivariateNormalDiag([0.0, 0.0], [[1.0, 0.0, 0.0]])
        with pytest.raises(NotImplementedError, match="MultivariateNormalDiag.sample"):
            L.MultivariateNormalDiag([0.0], [[1.0]]).sample([2])
