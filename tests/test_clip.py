"""Gradient clipping: each clip against a hand computation, need_clip, dtype, no in-place,
errors."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter


@pytest.fixture(autouse=True)
def dygraph():
    with fluid.dygraph.guard():
        yield


def param(name, shape=(2,), dtype=np.float64):
    return Parameter(np.zeros(shape, dtype), name=name)


def test_clip_by_value_by_hand():
    a, b = param("a", (3,)), param("b")
    ga, gb = np.array([-2.0, 0.5, 3.0]), np.array([0.9, -1.0])
    out = fluid.clip.GradientClipByValue(max=1.0)([(a, ga), (b, gb)])
    assert [p for p, _ in out] == [a, b]
    np.testing.assert_array_equal(out[0][1], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(out[1][1], [0.9, -1.0])
    asym = fluid.clip.GradientClipByValue(0.5, min=-0.1)([(a, ga)])
    np.testing.assert_array_equal(asym[0][1], [-0.1, 0.5, 0.5])
    np.testing.assert_array_equal(ga, [-2.0, 0.5, 3.0])             # not modified in place


def test_clip_by_norm_by_hand():
    a, b = param("a"), param("b")
    out = fluid.clip.GradientClipByNorm(clip_norm=1.0)([(a, np.array([3.0, 4.0])),
                                                         (b, np.array([0.3, 0.4]))])
    np.testing.assert_allclose(out[0][1], [0.6, 0.8], rtol=1e-12)    # norm 5 -> 1
    np.testing.assert_allclose(out[1][1], [0.3, 0.4], rtol=1e-12)    # norm 0.5 stays


def test_clip_by_global_norm_by_hand():
    # Norms 5 and 12 -> global 13; clip_norm 6.5 halves both.
    a, b = param("a"), param("b", (1,))
    pairs = [(a, np.array([3.0, 4.0])), (b, np.array([12.0]))]
    out = fluid.clip.GradientClipByGlobalNorm(clip_norm=6.5)(pairs)
    np.testing.assert_allclose(out[0][1], [1.5, 2.0], rtol=1e-12)
    np.testing.assert_allclose(out[1][1], [6.0], rtol=1e-12)
    same = fluid.clip.GradientClipByGlobalNorm(clip_norm=13.5)(pairs)
    np.testing.assert_allclose(same[0][1], [3.0, 4.0], rtol=1e-12)
    np.testing.assert_allclose(same[1][1], [12.0], rtol=1e-12)


def test_need_clip_attribute_and_function_exclude_from_clipping_and_global_norm():
    a, b, c = param("a"), param("b", (1,)), param("c", (1,))
    b.need_clip = False
    pairs = [(a, np.array([3.0, 4.0])), (b, np.array([12.0])), (c, np.array([100.0]))]
    skip_c = lambda p: p.name != "c"  # noqa: E731
    out = fluid.clip.GradientClipByGlobalNorm(2.5, need_clip=skip_c)(pairs)
    # Only a counts: norm 5 -> scale 0.5; b and c unchanged.
    np.testing.assert_allclose(out[0][1], [1.5, 2.0], rtol=1e-12)
    np.testing.assert_array_equal(out[1][1], [12.0])
    np.testing.assert_array_equal(out[2][1], [100.0])
    by_value = fluid.clip.GradientClipByValue(1.0, need_clip=skip_c)(pairs)
    np.testing.assert_array_equal([g[0] for _, g in by_value], [1.0, 12.0, 100.0])


def test_missing_gradients_pass_through():
    a, b = param("a"), param("b")
    out = fluid.clip.GradientClipByGlobalNorm(1.0)([(a, None), (b, np.array([3.0, 4.0]))])
    assert out[0] == (a, None)
    np.testing.assert_allclose(out[1][1], [0.6, 0.8])


@pytest.mark.parametrize("clip", [fluid.clip.GradientClipByValue(0.1),
                                  fluid.clip.GradientClipByNorm(0.1),
                                  fluid.clip.GradientClipByGlobalNorm(0.1)])
def test_float32_stays_float32_and_variables_stay_variables(clip):
    a = param("a", dtype=np.float32)
    g = np.array([3.0, 4.0], np.float32)
    (_, out), = clip([(a, g)])
    assert out.dtype == np.float32
    (_, out_var), = clip([(a, fluid.dygraph.to_variable(g))])
    assert isinstance(out_var, fluid.Variable) and out_var.dtype == np.float32
    np.testing.assert_array_equal(out_var.numpy(), out)
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_global_norm_of_huge_float32_gradients_does_not_overflow():
    a = param("a", dtype=np.float32)
    (_, out), = fluid.clip.GradientClipByGlobalNorm(1.0)([(a, np.array([3e30, 4e30], np.float32))])
    np.testing.assert_allclose(out, [0.6, 0.8], rtol=1e-6)


def test_optimizer_applies_the_clip():
    w = Parameter(np.array([1.0, 1.0]), name="w")
    sgd = fluid.optimizer.SGD(0.5, parameter_list=[w],
                              grad_clip=fluid.clip.GradientClipByNorm(1.0))
    w.grad = np.array([6.0, 8.0])
    sgd.minimize(fluid.dygraph.to_variable(np.zeros(1)))
    np.testing.assert_allclose(w.data, [1.0 - 0.5 * 0.6, 1.0 - 0.5 * 0.8], rtol=1e-12)
    np.testing.assert_array_equal(w.grad, [6.0, 8.0])


@pytest.mark.parametrize("factory, error, match", [
    (lambda: fluid.clip.GradientClipByValue(1.0, min=2.0), ValueError, "min"),
    (lambda: fluid.clip.GradientClipByValue("1"), TypeError, "max.*str"),
    (lambda: fluid.clip.GradientClipByNorm(0.0), ValueError, "clip_norm.*> 0"),
    (lambda: fluid.clip.GradientClipByNorm(None), TypeError, "clip_norm.*NoneType"),
    (lambda: fluid.clip.GradientClipByGlobalNorm(-1.0), ValueError, "clip_norm"),
    (lambda: fluid.clip.GradientClipByGlobalNorm(1.0, need_clip=True), TypeError, "need_clip"),
])
def test_bad_arguments(factory, error, match):
    with pytest.raises(error, match=match):
        factory()
