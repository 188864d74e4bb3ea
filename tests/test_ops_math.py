"""ops/math.py: elementwise arithmetic, Paddle's elementwise_*, matmul, reductions, log/abs, cast,
and the Variable operators. Forward values against numpy, gradients by finite differences (first
and second order, float64), dtype preservation, and bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops import math as M
from op_helpers import away_from_zero, check_grads, distinct, grads_of, uniform, var

L = fluid.layers


# -- gradients, first and second order ------------------------------------------------------

def _apart(x, seed):
    """y = x shifted by +-[0.2, 0.6]: no ties between x and y for maximum/minimum."""
    return x + away_from_zero(x.shape, 0.2, 0.6, seed)


BINARY = [
    ("add", M.add, uniform((2, 3)), uniform((3,), seed=1)),
    ("add_both_broadcast", M.add, uniform((2, 1)), uniform((1, 3), seed=1)),
    ("sub", M.sub, uniform((2, 3)), uniform((2, 1), seed=1)),
    ("mul", M.mul, uniform((2, 3)), uniform((2, 3), seed=1)),
    ("mul_scalar_shaped", M.mul, uniform((2, 3)), uniform((1,), seed=1)),
    ("div", M.div, uniform((2, 3)), uniform((3,), 0.5, 1.5, seed=1)),
    ("pow", M.pow, uniform((2, 3), 0.5, 1.5), uniform((2, 3), -1.0, 2.0, seed=1)),
    ("maximum", M.maximum, uniform((2, 3)), _apart(uniform((2, 3)), 1)),
    ("minimum", M.minimum, uniform((2, 3)), _apart(uniform((2, 3)), 2)),
    # x / y in (2.1, 2.8): away from the jumps of floor(x / y).
    ("mod", M.mod, uniform((2, 3), 2.2, 2.8), uniform((2, 3), 1.0, 1.05, seed=1)),
]


@pytest.mark.parametrize("name, function, x, y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradients(name, function, x, y):
    check_grads(function, x, y)


ELEMENTWISE = [
    ("elementwise_add", L.elementwise_add, (2, 3, 2), (3,), 1),
    ("elementwise_sub", L.elementwise_sub, (2, 3, 2), (3, 2), 1),
    ("elementwise_mul", L.elementwise_mul, (2, 3, 2), (2, 3), 0),
    ("elementwise_div", L.elementwise_div, (2, 3, 2), (2,), -1),
    ("elementwise_max", L.elementwise_max, (2, 3), (2, 3), -1),
    ("elementwise_min", L.elementwise_min, (2, 3), (2, 3), -1),
    ("elementwise_pow", L.elementwise_pow, (2, 3), (3,), 1),
    ("elementwise_mod", L.elementwise_mod, (2, 3), (2, 3), -1),
]


@pytest.mark.parametrize("name, function, x_shape, y_shape, axis", ELEMENTWISE,
                         ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_gradients(name, function, x_shape, y_shape, axis):
    x = uniform(x_shape, 0.5, 1.5)
    y = uniform(y_shape, 0.6, 1.4, seed=1)
    if name in ("elementwise_max", "elementwise_min"):
        y = _apart(x, 3)
    if name == "elementwise_mod":
        x, y = uniform(x_shape, 2.2, 2.8), uniform(y_shape, 1.0, 1.05, seed=1)
    check_grads(lambda a, b: function(a, b, axis=axis), x, y)


UNARY = [
    ("neg", M.neg, uniform((2, 3))),
    ("log", M.log, uniform((2, 3), 0.5, 2.0)),
    ("abs", M.abs, away_from_zero((2, 3))),
    ("cast_float64", lambda x: M.cast(x, "float64"), uniform((2, 3))),
    ("mean", L.mean, uniform((2, 3))),
]


@pytest.mark.parametrize("name, function, x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradients(name, function, x):
    check_grads(function, x)


MATMUL = [
    ("plain", (2, 3), (3, 4), {}),
    ("transpose_x", (3, 2), (3, 4), {"transpose_x": True}),
    ("transpose_y", (2, 3), (4, 3), {"transpose_y": True}),
    ("both_alpha", (3, 2), (4, 3), {"transpose_x": True, "transpose_y": True, "alpha": 0.5}),
    ("batched", (2, 2, 3), (2, 3, 2), {}),
    ("batch_broadcast", (2, 2, 3), (3, 2), {}),
    ("vector_left", (3,), (3, 2), {}),
    ("vector_right", (2, 3), (3,), {}),
    ("vector_vector", (3,), (3,), {}),
]


@pytest.mark.parametrize("name, x_shape, y_shape, kwargs", MATMUL, ids=[m[0] for m in MATMUL])
def test_matmul_gradients(name, x_shape, y_shape, kwargs):
    check_grads(lambda x, y: L.matmul(x, y, **kwargs), uniform(x_shape), uniform(y_shape, seed=1))


REDUCTIONS = [L.reduce_sum, L.reduce_mean, L.reduce_max, L.reduce_min]


@pytest.mark.parametrize("reduce", REDUCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dim, keep_dim", [(None, False), (0, False), (-1, True), ([0, 2], False),
                                           ([1], True)])
def test_reduction_gradients(reduce, dim, keep_dim):
    check_grads(lambda x: reduce(x, dim=dim, keep_dim=keep_dim), distinct((2, 3, 2)))


def test_linear_gradients():
    check_grads(M.linear, uniform((2, 3)), uniform((3, 2), seed=1), uniform((2,), seed=2))


# -- forward values and Paddle semantics ------------------------------------------------------

def _run(function, *arrays):
    with fluid.dygraph.guard():
        return function(*[var(a) for a in arrays]).numpy()


@pytest.mark.parametrize("function, reference", [
    (M.add, np.add), (M.sub, np.subtract), (M.mul, np.multiply), (M.div, np.divide),
    (M.pow, np.power), (M.maximum, np.maximum), (M.minimum, np.minimum), (M.mod, np.mod),
    (M.floor_divide, np.floor_divide)])
def test_binary_values(function, reference):
    x, y = uniform((2, 3), 0.5, 3.0), uniform((3,), 0.5, 1.5, seed=1)
    np.testing.assert_allclose(_run(function, x, y), reference(x, y), rtol=1e-14)


def test_elementwise_axis_places_y_inside_x():
    x, y = uniform((2, 3, 4)), uniform((3,), seed=1)
    out = _run(lambda a, b: L.elementwise_add(a, b, axis=1), x, y)
    expected = np.empty_like(x)
    for i in range(2):
        for j in range(3):
            for k in range(4):
                expected[i, j, k] = x[i, j, k] + y[j]
    np.testing.assert_allclose(out, expected)
    out = _run(lambda a, b: L.elementwise_mul(a, b, axis=0), x, uniform((2, 3), seed=2))
    np.testing.assert_allclose(out, x * uniform((2, 3), seed=2)[:, :, None])
    # axis=-1 is numpy's trailing alignment.
    y4 = uniform((4,), seed=3)
    np.testing.assert_allclose(_run(lambda a, b: L.elementwise_sub(a, b), x, y4), x - y4)


def test_elementwise_act_is_applied():
    x, y = uniform((2, 3)), uniform((2, 3), seed=1)
    out = _run(lambda a, b: L.elementwise_add(a, b, act="relu"), x, y)
    np.testing.assert_allclose(out, np.maximum(x + y, 0))


def _matmul_reference(x, y, transpose_x=False, transpose_y=False, alpha=1.0):
    """Direct triple loop over the last two dims, batch dims broadcast by numpy indexing."""
    if transpose_x and x.ndim > 1:
        x = np.swapaxes(x, -1, -2)
    if transpose_y and y.ndim > 1:
        y = np.swapaxes(y, -1, -2)
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    batch = np.broadcast_shapes(x2.shape[:-2], y2.shape[:-2])
    x2 = np.broadcast_to(x2, batch + x2.shape[-2:])
    y2 = np.broadcast_to(y2, batch + y2.shape[-2:])
    out = np.zeros(batch + (x2.shape[-2], y2.shape[-1]))
    for b in np.ndindex(*batch):
        for i in range(x2.shape[-2]):
            for j in range(y2.shape[-1]):
                out[b + (i, j)] = sum(x2[b + (i, k)] * y2[b + (k, j)]
                                      for k in range(x2.shape[-1]))
    if y.ndim == 1:
        out = out[..., 0]
    if x.ndim == 1:
        out = out[..., 0] if y.ndim == 1 else out[..., 0, :]
    return alpha * out.reshape(out.shape or (1,))


@pytest.mark.parametrize("name, x_shape, y_shape, kwargs", MATMUL, ids=[m[0] for m in MATMUL])
def test_matmul_values(name, x_shape, y_shape, kwargs):
    x, y = uniform(x_shape), uniform(y_shape, seed=1)
    out = _run(lambda a, b: L.matmul(a, b, **kwargs), x, y)
    expected = _matmul_reference(x, y, **kwargs)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_matmul_shapes():
    assert _run(L.matmul, uniform((3,)), uniform((3,))).shape == (1,)
    assert _run(L.matmul, uniform((3,)), uniform((2, 3, 4))).shape == (2, 4)
    assert _run(L.matmul, uniform((2, 4, 3)), uniform((3,))).shape == (2, 4)


@pytest.mark.parametrize("reduce, reference", [(L.reduce_sum, np.sum), (L.reduce_mean, np.mean),
                                               (L.reduce_max, np.max), (L.reduce_min, np.min)])
def test_reduction_values_and_shapes(reduce, reference):
    x = distinct((2, 3, 4))
    full = _run(lambda a: reduce(a), x)
    assert full.shape == (1,)                       # Paddle: a full reduction has shape [1]
    np.testing.assert_allclose(full, [reference(x)])
    assert _run(lambda a: reduce(a, dim=[0, 1], keep_dim=True), x).shape == (1, 1, 4)
    assert _run(lambda a: reduce(a, dim=1), x).shape == (2, 4)
    np.testing.assert_allclose(_run(lambda a: reduce(a, dim=-1), x), reference(x, axis=-1))
    np.testing.assert_allclose(_run(lambda a: reduce(a, dim=[0, 2]), x), reference(x, axis=(0, 2)))
    kept = _run(lambda a: reduce(a, dim=None, keep_dim=True), x)
    assert kept.shape == (1, 1, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shape, dim", [((64, 6, 28, 28), [0, 2, 3]), ((5, 4, 3), [0, 2]),
                                        ((7, 300, 3), [0, 1]), ((3, 4, 5, 6), [0, 1, 3])])
@pytest.mark.parametrize("keep_dim", [False, True])
def test_reduce_sum_over_the_leading_and_other_axes(shape, dim, keep_dim, dtype):
    # Sum adds the leading axis first for float32/64 here (a conv's bias gradient); the result
    # must be numpy's sum in shape, dtype and value, for contiguous and strided inputs alike.
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    expected = x.astype(np.float64).sum(axis=tuple(dim), keepdims=keep_dim)
    tolerance = 1e-2 if dtype == np.float16 else 1e-5 if dtype == np.float32 else 1e-12
    for value in (x, np.asfortranarray(x)):
        out = _run(lambda a: L.reduce_sum(a, dim=dim, keep_dim=keep_dim), value)
        assert out.dtype == dtype and out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=tolerance,
                                   atol=tolerance * np.sqrt(x.size / expected.size))


def test_empty_dim_list_reduces_everything():
    x = uniform((2, 3))
    out = _run(lambda a: L.reduce_sum(a, dim=[]), x)
    assert out.shape == (1,)
    assert out[0] == pytest.approx(x.sum())


def test_matmul_numpy_scalar_alpha_keeps_float32():
    x = uniform((2, 3)).astype(np.float32)
    out = _run(lambda a: L.matmul(a, a, transpose_y=True, alpha=np.float64(0.5)), x)
    assert out.dtype == np.float32


def test_mean_is_full_mean_of_shape_one():
    x = uniform((3, 4))
    out = _run(L.mean, x)
    assert out.shape == (1,)
    assert out[0] == pytest.approx(sum(x.ravel()) / 12, rel=1e-14)


def test_max_ties_share_the_gradient():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]])
    _, (g,) = grads_of(lambda v: L.reduce_max(v, dim=1), x)
    np.testing.assert_array_equal(g, [[0, 0.5, 0.5], [1, 0, 0]])
    _, (g,) = grads_of(lambda v: L.reduce_min(v), np.array([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.5, 0.5, 0])


def test_maximum_ties_share_the_gradient():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    _, (gx, gy) = grads_of(M.maximum, x, y)
    np.testing.assert_array_equal(gx, [0.5, 0, 1])
    np.testing.assert_array_equal(gy, [0.5, 1, 0])


def test_abs_and_log_values():
    x = away_from_zero((2, 3))
    np.testing.assert_allclose(_run(M.abs, x), [[math.fabs(v) for v in row] for row in x])
    p = uniform((2, 3), 0.5, 2.0)
    np.testing.assert_allclose(_run(M.log, p), [[math.log(v) for v in row] for row in p])


def test_cast_changes_dtype_and_passes_float_gradients():
    x = uniform((2, 3)).astype(np.float32)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        y = L.cast(v, "float64")
        assert y.dtype == np.float64
        (y * 3).sum().backward()
        assert v.gradient().dtype == np.float32
        np.testing.assert_allclose(v.gradient(), np.full((2, 3), 3.0))
        i = L.cast(v, "int64")
        assert i.dtype == np.int64 and i.stop_gradient


def test_comparisons_are_not_differentiable():
    x, y = uniform((2, 3)), uniform((2, 3), seed=1)
    with fluid.dygraph.guard():
        a, b = var(x, stop_gradient=False), var(y, stop_gradient=False)
        for function, reference in [(L.less_than, np.less), (L.less_equal, np.less_equal),
                                    (L.greater_than, np.greater),
                                    (L.greater_equal, np.greater_equal), (L.equal, np.equal),
                                    (L.not_equal, np.not_equal)]:
            out = function(a, b)
            assert out.stop_gradient and out.dtype == np.bool_
            np.testing.assert_array_equal(out.numpy(), reference(x, y))
        assert (a // b).stop_gradient


# -- dtype preservation -----------------------------------------------------------------------

FLOAT32_CASES = [
    ("add_scalar", lambda x, y: x + 2.5),
    ("radd_scalar", lambda x, y: 2.5 + x),
    ("sub", lambda x, y: x - y),
    ("rsub_scalar", lambda x, y: 1 - x),
    ("mul_scalar", lambda x, y: x * 3),
    ("div", lambda x, y: x / y),
    ("rdiv_scalar", lambda x, y: 2.0 / y),
    ("pow_scalar", lambda x, y: y ** 2.5),
    ("rpow_scalar", lambda x, y: 2.0 ** x),
    ("pow", lambda x, y: y ** x),
    ("mod_scalar", lambda x, y: y % 0.7),
    ("maximum", lambda x, y: M.maximum(x, y)),
    ("neg", lambda x, y: -x),
    ("matmul", lambda x, y: L.matmul(x, L.transpose(y, [1, 0]), alpha=0.5)),
    ("reduce_mean", lambda x, y: L.reduce_mean(x * y, dim=1)),
    ("reduce_max", lambda x, y: L.reduce_max(x + y)),
    ("mean", lambda x, y: L.mean(x)),
    ("log", lambda x, y: L.log(y)),
    ("abs", lambda x, y: L.abs(x)),
    ("elementwise_axis", lambda x, y: L.elementwise_mul(x, L.reduce_sum(y, dim=1), axis=0)),
    ("linear", lambda x, y: M.linear(x, L.transpose(y, [1, 0]))),
]


@pytest.mark.parametrize("name, function", FLOAT32_CASES, ids=[c[0] for c in FLOAT32_CASES])
def test_float32_stays_float32(name, function):
    x = uniform((2, 3)).astype(np.float32)
    y = uniform((2, 3), 0.5, 1.5, seed=1).astype(np.float32)
    out, grads = grads_of(function, x, y)
    assert out.dtype == np.float32
    for g in grads:
        assert g is None or g.dtype == np.float32


# -- Variable operators ----------------------------------------------------------------------

OPERATORS = [
    ("+", lambda a, b: a + b, np.add),
    ("-", lambda a, b: a - b, np.subtract),
    ("*", lambda a, b: a * b, np.multiply),
    ("/", lambda a, b: a / b, np.divide),
    ("**", lambda a, b: a ** b, np.power),
    ("//", lambda a, b: a // b, np.floor_divide),
    ("%", lambda a, b: a % b, np.mod),
    ("<", lambda a, b: a < b, np.less),
    ("<=", lambda a, b: a <= b, np.less_equal),
    (">", lambda a, b: a > b, np.greater),
    (">=", lambda a, b: a >= b, np.greater_equal),
    ("==", lambda a, b: a == b, np.equal),
    ("!=", lambda a, b: a != b, np.not_equal),
]


@pytest.mark.parametrize("symbol, operator, reference", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operators_with_variables_arrays_and_scalars(symbol, operator, reference):
    x, y = uniform((2, 3), 0.5, 3.0), uniform((2, 3), 0.5, 1.5, seed=1)
    with fluid.dygraph.guard():
        a, b = var(x), var(y)
        for left, right, lv, rv in [(a, b, x, y), (a, y, x, y), (x, b, x, y), (a, 1.5, x, 1.5),
                                    (1.5, b, 1.5, y), (a, 2, x, 2), (2, b, 2, y)]:
            out = operator(left, right)
            assert isinstance(out, fluid.dygraph.Variable), (symbol, type(left), type(right))
            np.testing.assert_allclose(out.numpy(), reference(lv, rv), rtol=1e-14)


@pytest.mark.parametrize("symbol, operator, dx, dy", [
    ("+", lambda a, b: a + b, lambda x, y: 1 + 0 * x, lambda x, y: 1 + 0 * y),
    ("-", lambda a, b: a - b, lambda x, y: 1 + 0 * x, lambda x, y: -1 + 0 * y),
    ("*", lambda a, b: a * b, lambda x, y: y, lambda x, y: x),
    ("/", lambda a, b: a / b, lambda x, y: 1 / y, lambda x, y: -x / y ** 2),
    ("**", lambda a, b: a ** b, lambda x, y: y * x ** (y - 1), lambda x, y: x ** y * np.log(x)),
    ("%", lambda a, b: a % b, lambda x, y: 1 + 0 * x, lambda x, y: -np.floor(x / y)),
    ("@", lambda a, b: a @ b.T, lambda x, y: np.ones((2, 2)) @ y, lambda x, y: np.ones((2, 2)) @ x),
])
def test_operator_gradients_closed_form(symbol, operator, dx, dy):
    x, y = uniform((2, 3), 2.2, 2.8), uniform((2, 3), 1.0, 1.05, seed=1)
    _, (gx, gy) = grads_of(operator, x, y)
    np.testing.assert_allclose(gx, dx(x, y), rtol=1e-12)
    np.testing.assert_allclose(gy, dy(x, y), rtol=1e-12)


def test_reflected_operators_with_ndarray_on_the_left():
    x = uniform((2, 3), 0.5, 1.5)
    arr = uniform((2, 3), 0.5, 1.5, seed=1)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = arr + v
        assert isinstance(out, fluid.dygraph.Variable)
        total = (arr + v) + (arr - v) + (arr * v) + (arr / v) + (arr ** v) + (arr % v)
        assert isinstance(total, fluid.dygraph.Variable)
        (L.reduce_sum(total) + L.reduce_sum(arr.T @ v)).backward()
        # d/dv[k, j] of sum(arr.T @ v) is sum_i arr[k, i].
        expected = (1 - 1 + arr - arr / x ** 2 + arr ** x * np.log(arr) - np.floor(arr / x)
                    + np.tile(arr.sum(axis=1)[:, None], (1, 3)))
        np.testing.assert_allclose(v.gradient(), expected, rtol=1e-12)
        for out in (arr < v, arr >= v, arr == v):
            assert isinstance(out, fluid.dygraph.Variable) and out.dtype == np.bool_


def test_unary_minus_abs_and_matmul_operator():
    x = away_from_zero((2, 3))
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        np.testing.assert_array_equal((-v).numpy(), -x)
        np.testing.assert_array_equal(abs(v).numpy(), np.abs(x))
        np.testing.assert_allclose((v @ v.T).numpy(), x @ x.T)
        (-v).sum().backward()
        np.testing.assert_array_equal(v.gradient(), -np.ones((2, 3)))


# -- bad input ----------------------------------------------------------------------------------

def _bad_cases():
    x = np.ones((2, 3))
    return [
        (lambda: M.add(var(x), np.ones(4)), ValueError,
         r"add: x of shape \[2, 3\] and y of shape \[4\] cannot be broadcast"),
        (lambda: var(x) * np.ones((3, 2)), ValueError, r"mul: .*broadcast"),
        (lambda: M.add(var(x), "a"), TypeError, r"add: y must be"),
        (lambda: var(x) + None, TypeError, r"add: y must be"),
        (lambda: M.less_than(var(x), np.ones(4)), ValueError, r"less_than: .*broadcast"),
        (lambda: L.elementwise_add(var(x), np.ones(3), axis=2), ValueError,
         r"elementwise_add: axis=2"),
        (lambda: L.elementwise_mul(var(x), np.ones(3), axis="1"), TypeError,
         r"elementwise_mul: axis must be an int"),
        (lambda: L.matmul(var(x), var(x)), ValueError, r"matmul: x's last dim \(3\)"),
        (lambda: L.matmul(var(x), [[1.0]]), TypeError, r"matmul: y must be a Variable"),
        (lambda: L.matmul(var(np.ones(())), var(x)), ValueError, r"matmul: x and y must have"),
        (lambda: L.matmul(var(np.ones((2, 2, 3))), var(np.ones((3, 3, 2)))), ValueError,
         r"matmul: batch dims"),
        (lambda: L.reduce_sum(var(x), dim=2), ValueError, r"reduce_sum: dim=2 is out of range"),
        (lambda: L.reduce_mean(var(x), dim=1.0), TypeError, r"reduce_mean: dim must be an int"),
        (lambda: L.reduce_max(var(x), dim=[0, -2]), ValueError, r"reduce_max: dim=.*repeats"),
        (lambda: L.reduce_min([1.0, 2.0]), TypeError, r"reduce_min: input must be a Variable"),
        (lambda: L.mean("x"), TypeError, r"mean: x must be a Variable"),
        (lambda: L.cast(var(x), "float17"), TypeError, r"cast: dtype 'float17'"),
        (lambda: L.cast(1.0, "float32"), TypeError, r"cast: x must be a Variable"),
        (lambda: M.linear(var(x), var(np.ones((2, 2)))), ValueError, r"linear: input of shape"),
    ]


@pytest.mark.parametrize("index", range(len(_bad_cases())))
def test_bad_input(index):
    call, error, pattern = _bad_cases()[index]
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call()
