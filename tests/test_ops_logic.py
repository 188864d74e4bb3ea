"""ops/logic.py: logical_and/or/xor/not, where (coordinates), isfinite/has_inf/has_nan,
reduce_all/any, shape/size/rank/is_empty. Values against truth tables and loops written here,
Paddle 1.8's output shapes and dtypes, constants (no gradient), and bad input."""
import itertools

import numpy as np
import pytest

import minigrad as fluid
from op_helpers import var

L = fluid.layers

A = np.array([[True, False], [False, True]])
B = np.array([[True, True], [False, False]])
TRUTH = {"logical_and": lambda p, q: p and q, "logical_or": lambda p, q: p or q,
         "logical_xor": lambda p, q: p != q}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_binary_logic_against_truth_tables(name):
    with fluid.dygraph.guard():
        out = getattr(L, name)(var(A), var(B))
        assert out.dtype == np.bool_ and out.shape == [2, 2] and out.stop_gradient
        expected = [[TRUTH[name](bool(p), bool(q)) for p, q in zip(ra, rb)]
                    for ra, rb in zip(A, B)]
        assert out.numpy().tolist() == expected


def test_logical_not_and_out_argument():
    with fluid.dygraph.guard():
        assert L.logical_not(var(A)).numpy().tolist() == [[not v for v in row] for row in A]
        out = var(np.zeros((2, 2), bool))
        assert L.logical_and(var(A), var(B), out=out) is out
        assert out.numpy().tolist() == [[True, False], [False, False]]
        target = var(np.zeros((2, 2), bool))
        assert L.logical_not(var(A), out=target) is target
        with pytest.raises(ValueError, match=r"logical_or: out has shape \[3\]"):
            L.logical_or(var(A), var(B), out=var(np.zeros(3, bool)))


def test_binary_logic_pairs_elements_in_order_when_counts_agree():
    # Paddle 1.8 does not broadcast; equal element counts pair up and the result has x's shape.
    with fluid.dygraph.guard():
        out = L.logical_and(var(A), var(np.array([True, False, True, True])))
        assert out.shape == [2, 2] and out.numpy().tolist() == [[True, False], [False, True]]
        with pytest.raises(ValueError, match=r"logical_and: x of shape \[2, 2\] and y of shape "
                                             r"\[2\]"):
            L.logical_and(var(A), var(np.array([True, False])))


@pytest.mark.parametrize("function", [L.logical_and, L.logical_or, L.logical_xor])
def test_binary_logic_requires_bool(function):
    with fluid.dygraph.guard(), pytest.raises(TypeError, match="y must have a bool dtype"):
        function(var(A), var(np.ones((2, 2), np.float32)))


def _coordinates_loop(condition):
    return [list(index) for index in itertools.product(*map(range, condition.shape))
            if condition[index]]


@pytest.mark.parametrize("condition", [
    np.array([True, False, True]),
    A,
    np.arange(24).reshape(2, 3, 4) % 5 == 0,
    np.array([0.0, 2.5, 0.0, -1.0]),          # numbers: non-zero counts as True
    np.zeros((2, 3), bool),
])
def test_where_returns_int64_coordinates(condition):
    with fluid.dygraph.guard():
        out = L.where(var(condition))
    assert out.dtype == np.int64 and out.stop_gradient
    expected = _coordinates_loop(condition)
    assert out.shape == [len(expected), condition.ndim]
    assert out.numpy().tolist() == expected


def test_where_rejects_0d():
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="where: condition must have"):
        L.where(var(np.array(True)))


def test_isfinite_has_inf_has_nan_give_one_bool():
    cases = {
        "clean": (np.array([1.0, -2.0, 0.0], np.float32), True, False, False),
        "inf": (np.array([1.0, np.inf]), False, True, False),
        "minus_inf": (np.array([[-np.inf, 0.0]]), False, True, False),
        "nan": (np.array([np.nan, 1.0]), False, False, True),
        "both": (np.array([np.nan, np.inf]), False, True, True),
        "ints": (np.array([[1, 2]], np.int64), True, False, False),
        "empty": (np.zeros((0, 3), np.float32), True, False, False),
    }
    with fluid.dygraph.guard():
        for name, (x, finite, inf, nan) in cases.items():
            for function, expected in ((L.isfinite, finite), (L.has_inf, inf),
                                       (L.has_nan, nan)):
                out = function(var(x))
                assert out.shape == [1] and out.dtype == np.bool_, name
                assert out.numpy().tolist() == [expected], (name, function.__name__)


def _reduce_loop(x, dims, function):
    kept = [i for i in range(x.ndim) if i not in dims]
    groups = {}
    for index in np.ndindex(*x.shape):
        groups.setdefault(tuple(index[i] for i in kept), []).append(bool(x[index]))
    out = np.zeros([x.shape[i] for i in kept], bool)
    for key, values in groups.items():
        out[key] = function(values)
    return out


@pytest.mark.parametrize("name, function", [("reduce_all", all), ("reduce_any", any)])
@pytest.mark.parametrize("dim, dims", [(0, (0,)), (-1, (2,)), ([0, 2], (0, 2)), (1, (1,))])
def test_bool_reductions(name, function, dim, dims):
    x = np.random.default_rng(3).random((2, 3, 4)) > 0.3
    with fluid.dygraph.guard():
        out = getattr(L, name)(var(x), dim=dim)
        kept = getattr(L, name)(var(x), dim=dim, keep_dim=True)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.numpy(), _reduce_loop(x, dims, function))
    assert kept.shape == [1 if i in dims else n for i, n in enumerate(x.shape)]


def test_bool_reductions_over_everything_and_errors():
    with fluid.dygraph.guard():
        assert L.reduce_all(var(A)).shape == [1]
        assert L.reduce_all(var(A)).numpy().tolist() == [False]
        assert L.reduce_any(var(A)).numpy().tolist() == [True]
        assert L.reduce_all(var(np.ones((2, 2), bool)), dim=[]).numpy().tolist() == [True]
        assert L.reduce_all(var(np.zeros(0, bool))).numpy().tolist() == [True]
        with pytest.raises(TypeError, match="reduce_all: input must have a bool dtype"):
            L.reduce_all(var(np.ones(2, np.float32)))
        with pytest.raises(ValueError, match="reduce_any: dim=2 is out of range"):
            L.reduce_any(var(A), dim=2)


def test_shape_size_rank_is_empty():
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3, 4), np.float32))
        shape, size, rank = L.shape(x), L.size(x), L.rank(x)
        assert shape.dtype == np.int32 and shape.numpy().tolist() == [2, 3, 4]
        assert size.dtype == np.int64 and size.numpy().tolist() == [24]
        assert rank.dtype == np.int32 and rank.shape == [] and int(rank) == 3    # 0-d as 1.8.5
        assert all(v.stop_gradient for v in (shape, size, rank))
        empty = L.is_empty(var(np.zeros((0, 3), np.float32)))
        assert empty.dtype == np.bool_ and empty.numpy().tolist() == [True]
        cond = var(np.array([True]))
        assert L.is_empty(x, cond=cond) is cond and cond.numpy().tolist() == [False]
        with pytest.raises(TypeError, match="is_empty: cond must be a bool Variable"):
            L.is_empty(x, cond=var(np.array([1.0])))


def test_results_are_constants_even_for_inputs_that_need_gradients():
    with fluid.dygraph.guard():
        x = var(np.array([1.0, np.nan]), stop_gradient=False)
        for out in (L.isfinite(x), L.has_nan(x), L.where(x), L.shape(x), L.size(x)):
            assert out.stop_gradient and out.creator is None


def test_plain_ndarrays_give_ndarrays():
    out = L.logical_and(A, B)
    assert type(out) is np.ndarray and out.tolist() == [[True, False], [False, False]]
    assert type(L.where(A)) is np.ndarray
