"""Paddle 1.8's further math in ops/math.py: acos/asin/atan, cumsum, reduce_prod, mul (the
flattening matmul), sum (of a list), multiplex, increment, clip_by_norm. Values against loops and
closed forms written here, gradients by finite differences (first and second order, float64),
dtype preservation and bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers


def _elementwise(function, x):
    return np.vectorize(function, otypes=[np.float64])(x)


# -- inverse trigonometry --------------------------------------------------------------------

TRIG = [(L.acos, math.acos), (L.asin, math.asin), (L.atan, math.atan)]


@pytest.mark.parametrize("function, reference", TRIG, ids=["acos", "asin", "atan"])
def test_inverse_trig_values_gradients_and_dtype(function, reference):
    x = uniform((2, 3), -0.9, 0.9)
    with fluid.dygraph.guard():
        np.testing.assert_allclose(function(var(x)).numpy(), _elementwise(reference, x),
                                   rtol=1e-12)
    check_grads(function, x)
    out, (g,) = grads_of(function, x.astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


def test_atan_gradient_far_from_zero():
    check_grads(L.atan, uniform((3,), -4.0, 4.0))


@pytest.mark.parametrize("function", [L.acos, L.asin, L.atan])
def test_inverse_trig_rejects_integers(function):
    with fluid.dygraph.guard(), pytest.raises(TypeError, match="floating point"):
        function(var(np.array([1, 0], np.int64)))


# -- cumsum ----------------------------------------------------------------------------------

def _cumsum_loop(x, axis, exclusive, reverse):
    moved = np.moveaxis(x, axis, -1)
    out = np.zeros_like(moved)
    n = moved.shape[-1]
    for index in np.ndindex(*moved.shape[:-1]):
        for i in range(n):
            js = range(i, n) if reverse else range(0, i + 1)
            out[index + (i,)] = sum(moved[index + (j,)] for j in js
                                    if not (exclusive and j == i))
    return np.moveaxis(out, -1, axis)


CUMSUM = [(axis, exclusive, reverse) for axis in (None, 0, 1, -2)
          for exclusive in (None, True) for reverse in (None, True)]


@pytest.mark.parametrize("axis, exclusive, reverse", CUMSUM)
def test_cumsum_values_and_gradients(axis, exclusive, reverse):
    x = uniform((2, 3, 4))
    f = lambda v: L.cumsum(v, axis=axis, exclusive=exclusive, reverse=reverse)  # noqa: E731
    with fluid.dygraph.guard():
        out = f(var(x)).numpy()
    np.testing.assert_allclose(out, _cumsum_loop(x, -1 if axis is None else axis,
                                                 exclusive, reverse), rtol=1e-12, atol=1e-15)
    check_grads(f, x)


def test_cumsum_default_axis_is_the_last_and_ints_keep_their_dtype():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    with fluid.dygraph.guard():
        out = L.cumsum(var(x))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out.numpy(), [[0, 1, 3], [3, 7, 12]])
    out, (g,) = grads_of(L.cumsum, uniform((2, 3)).astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


def test_cumsum_bad_axis():
    with fluid.dygraph.guard(), pytest.raises(ValueError, match=r"cumsum: axis=2 .*\[-2, 1\]"):
        L.cumsum(var(np.ones((2, 3))), axis=2)


# -- reduce_prod -----------------------------------------------------------------------------

def _prod_loop(x, axes):
    axes = tuple(range(x.ndim)) if axes is None else axes
    kept = [i for i in range(x.ndim) if i not in axes]
    out = np.ones([x.shape[i] for i in kept])
    for index in np.ndindex(*x.shape):
        out[tuple(index[i] for i in kept)] *= x[index]
    return out


@pytest.mark.parametrize("dim, axes", [(None, None), (0, (0,)), (-1, (2,)), ([0, 2], (0, 2))])
def test_reduce_prod_values_and_gradients(dim, axes):
    x = uniform((2, 3, 2), 0.5, 1.5)
    with fluid.dygraph.guard():
        out = L.reduce_prod(var(x), dim=dim).numpy()
    expected = _prod_loop(x, axes)
    np.testing.assert_allclose(out, expected.reshape(-1) if expected.ndim == 0 else expected,
                               rtol=1e-12)
    check_grads(lambda v: L.reduce_prod(v, dim=dim), x)


def test_reduce_prod_shapes_and_dtypes():
    with fluid.dygraph.guard():
        x = var(np.arange(1, 7, dtype=np.int64).reshape(2, 3))
        assert L.reduce_prod(x).shape == [1]
        assert L.reduce_prod(x, dim=[0, 1], keep_dim=True).shape == [1, 1]
        out = L.reduce_prod(x, dim=1)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.numpy(), [6, 120])
        assert L.reduce_prod(var(np.ones((2, 3), np.int32)), dim=0).dtype == np.int32
    out, (g,) = grads_of(lambda v: L.reduce_prod(v, dim=0), uniform((2, 3)).astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


def test_reduce_prod_gradient_with_zeros_is_the_product_of_the_others():
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.5, 2.0, 4.0]])
    _, (g,) = grads_of(lambda v: L.reduce_prod(v, dim=1), x)
    expected = np.array([[math.prod(np.delete(row, j)) for j in range(3)] for row in x])
    np.testing.assert_allclose(g, expected, rtol=1e-12)
    assert np.isfinite(g).all()


# -- mul -------------------------------------------------------------------------------------

def _mul_loop(x, y, xn, yn):
    a = x.reshape(int(np.prod(x.shape[:xn])), -1)
    b = y.reshape(int(np.prod(y.shape[:yn])), -1)
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            out[i, j] = sum(a[i, k] * b[k, j] for k in range(a.shape[1]))
    return out.reshape(x.shape[:xn] + y.shape[yn:])


@pytest.mark.parametrize("x_shape, y_shape, xn, yn, out_shape", [
    ((2, 3), (3, 4), 1, 1, [2, 4]),
    ((2, 3, 4), (12, 5), 1, 1, [2, 5]),
    ((2, 3, 4), (4, 5, 2), 2, 1, [2, 3, 5, 2]),
    ((2, 3, 4), (3, 4, 2), 1, 2, [2, 2]),
])
def test_mul_flattens_multiplies_and_restores(x_shape, y_shape, xn, yn, out_shape):
    x, y = uniform(x_shape), uniform(y_shape, seed=1)
    f = lambda a, b: L.mul(a, b, x_num_col_dims=xn, y_num_col_dims=yn)  # noqa: E731
    with fluid.dygraph.guard():
        out = f(var(x), var(y))
    assert out.shape == out_shape
    np.testing.assert_allclose(out.numpy(), _mul_loop(x, y, xn, yn), rtol=1e-12)
    check_grads(f, x, y)


def test_mul_errors_and_dtype():
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3, 4), np.float32))
        assert L.mul(x, var(np.ones((12, 2), np.float32))).dtype == np.float32
        with pytest.raises(ValueError, match=r"mul: .*\[2, 12\].*\[4, 10\]"):
            L.mul(x, var(np.ones((4, 5, 2), np.float32)))
        with pytest.raises(ValueError, match="x_num_col_dims=3"):
            L.mul(x, var(np.ones((4, 2), np.float32)), x_num_col_dims=3)
        with pytest.raises(TypeError, match="mul: x must have a floating point dtype"):
            L.mul(var(np.ones((2, 2), np.int64)), var(np.ones((2, 2), np.int64)))


def test_elementwise_multiplication_operator_is_untouched():
    with fluid.dygraph.guard():
        x = var(np.full((2, 3), 2.0))
        np.testing.assert_array_equal((x * x).numpy(), np.full((2, 3), 4.0))


# -- sum (of a list) -------------------------------------------------------------------------

def test_sum_adds_a_list_elementwise():
    xs = [uniform((2, 3), seed=s) for s in range(3)]
    with fluid.dygraph.guard():
        out = L.sum([var(x) for x in xs]).numpy()
        single = var(xs[0])
        copy = L.sum(single)
        assert copy is not single
        np.testing.assert_array_equal(copy.numpy(), xs[0])
        ints = L.sum([var(np.full((2,), 5, np.int64)), var(np.full((2,), 3, np.int64))])
        assert ints.dtype == np.int64 and ints.numpy().tolist() == [8, 8]
    np.testing.assert_allclose(out, xs[0] + xs[1] + xs[2], rtol=1e-15)
    check_grads(lambda a, b, c: L.sum([a, b, c]), *xs)
    out, grads = grads_of(lambda a, b: L.sum([a, b]), xs[0].astype(np.float32),
                          xs[1].astype(np.float32))
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)


def test_sum_errors():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match=r"sum: x\[1\] has shape \[2, 3, 4\]"):
            L.sum([var(np.ones((2, 3))), var(np.ones((2, 3, 4)))])
        with pytest.raises(TypeError, match="sum: x must be"):
            L.sum([])
        with pytest.raises(TypeError, match=r"sum: x\[1\] has dtype int64"):
            L.sum([var(np.ones(2)), var(np.ones(2, np.int64))])


# -- multiplex -------------------------------------------------------------------------------

def test_multiplex_picks_rows_and_routes_gradients():
    a, b, c = uniform((3, 2)), uniform((3, 2), seed=1), uniform((3, 2), seed=2)
    index = np.array([[2], [0], [2]], np.int32)
    with fluid.dygraph.guard():
        out = L.multiplex([var(a), var(b), var(c)], var(index)).numpy()
    candidates = [a, b, c]
    expected = np.array([candidates[index[i, 0]][i] for i in range(3)])
    np.testing.assert_array_equal(out, expected)
    _, grads = grads_of(lambda x, y, z: L.multiplex([x, y, z], var(index)), a, b, c)
    for k, g in enumerate(grads):
        np.testing.assert_array_equal(g, (index == k).astype(float) * np.ones((3, 2)))
    check_grads(lambda x, y: L.multiplex([x, y], var(np.array([[1], [0], [1]], np.int32))),
                a, b)


def test_multiplex_errors():
    with fluid.dygraph.guard():
        a = var(np.ones((2, 3)))
        with pytest.raises(ValueError, match="at least 2"):
            L.multiplex([a], var(np.zeros((2, 1), np.int32)))
        with pytest.raises(ValueError, match=r"index must have shape \[2, 1\]"):
            L.multiplex([a, a], var(np.zeros(2, np.int32)))
        with pytest.raises(ValueError, match=r"index values must lie in \[0, 2\)"):
            L.multiplex([a, a], var(np.array([[2], [0]], np.int32)))


# -- increment -------------------------------------------------------------------------------

def test_increment_in_place_and_not():
    with fluid.dygraph.guard():
        counter = var(np.array([3.0], np.float32))
        assert L.increment(counter) is counter
        assert counter.numpy().tolist() == [4.0] and counter.dtype == np.float32
        other = L.increment(counter, value=2.5, in_place=False)
        assert other is not counter and other.numpy().tolist() == [6.5]
        assert counter.numpy().tolist() == [4.0]
        step = var(np.array([3], np.int64))
        L.increment(step, 2)
        assert step.numpy().tolist() == [5] and step.dtype == np.int64
        with pytest.raises(ValueError, match=r"increment: x must have exactly 1 element"):
            L.increment(var(np.ones(2)))
    check_grads(lambda v: L.increment(v, 0.5, in_place=False), np.array([1.0]))


# -- clip_by_norm ----------------------------------------------------------------------------

def test_clip_by_norm_values():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    norm = math.sqrt(sum(v * v for v in x.ravel()))
    with fluid.dygraph.guard():
        np.testing.assert_allclose(L.clip_by_norm(var(x), 1.0).numpy(), x / norm, rtol=1e-12)
        np.testing.assert_array_equal(L.clip_by_norm(var(x), 100.0).numpy(), x)
        assert L.clip_by_norm(var(x.astype(np.float32)), 1.0).dtype == np.float32
        with pytest.raises(ValueError, match="clip_by_norm: max_norm must be > 0"):
            L.clip_by_norm(var(x), 0.0)


@pytest.mark.parametrize("max_norm", [0.5, 10.0])
def test_clip_by_norm_gradients(max_norm):
    check_grads(lambda v: L.clip_by_norm(v, max_norm), uniform((2, 3)))
