"""ops/shape.py: reshape, transpose, broadcast/sum_to, expand, indexing, slice, gather, squeeze,
unsqueeze, flatten, concat, split, stack, unstack. Values against numpy or loops, gradients by
finite differences (first and second order, float64), Paddle semantics, dtypes, bad input."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops import shape as S
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers


# -- gradients, first and second order ------------------------------------------------------

GRADIENT_CASES = [
    ("reshape", (2, 3), lambda x: L.reshape(x, [3, 2])),
    ("reshape_zero_minus_one", (2, 3, 2), lambda x: L.reshape(x, [0, -1])),
    ("transpose", (2, 3, 2), lambda x: L.transpose(x, [2, 0, 1])),
    ("broadcast_to", (3, 1), lambda x: S.broadcast_to(x, (2, 3, 2))),
    ("sum_to", (2, 3, 2), lambda x: S.sum_to(x, (3, 1))),
    ("expand", (2, 1), lambda x: L.expand(x, [2, 3])),
    ("getitem_int", (3, 2), lambda x: x[1]),
    ("getitem_negative_int", (3, 2), lambda x: x[-1, 0]),
    ("getitem_slice", (4, 3), lambda x: x[1:3, ::2]),
    ("getitem_tuple_none_ellipsis", (2, 3), lambda x: x[None, ..., 1:]),
    ("getitem_int_array", (4, 2), lambda x: x[np.array([3, 0])]),
    ("getitem_repeated_indices", (3, 2), lambda x: x[np.array([0, 2, 0, 0])]),
    ("getitem_list", (3, 2), lambda x: x[[1, 1, 2]]),
    ("getitem_bool_mask", (2, 3), lambda x: x[np.array([[True, False, True], [False] * 3])]),
    ("getitem_two_arrays", (3, 3), lambda x: x[np.array([0, 1, 1]), np.array([2, 2, 0])]),
    ("slice", (3, 4), lambda x: L.slice(x, axes=[0, 1], starts=[1, -3], ends=[100, -1])),
    ("gather", (4, 2), lambda x: L.gather(x, np.array([3, 1, 3]), overwrite=False)),
    ("gather_column_index", (3, 2), lambda x: L.gather(x, np.array([[2], [0]]))),
    ("squeeze", (2, 1, 3), lambda x: L.squeeze(x, [1])),
    ("squeeze_all", (1, 3, 1), lambda x: L.squeeze(x)),
    ("unsqueeze", (2, 3), lambda x: L.unsqueeze(x, [0, 3])),
    ("flatten", (2, 3, 2), lambda x: L.flatten(x, axis=2)),
    ("flatten_axis0", (2, 3), lambda x: L.flatten(x, axis=0)),
    ("split_equal", (2, 4), lambda x: tuple(L.split(x, 2, dim=1))),
    ("split_sections", (5, 2), lambda x: tuple(L.split(x, [2, -1, 1], dim=0))),
    ("unstack", (3, 2), lambda x: tuple(L.unstack(x, axis=1))),
    ("T_property", (2, 3), lambda x: x.T),
]


@pytest.mark.parametrize("name, shape, function", GRADIENT_CASES,
                         ids=[c[0] for c in GRADIENT_CASES])
def test_gradients(name, shape, function):
    check_grads(function, uniform(shape))


@pytest.mark.parametrize("name, function", [
    ("concat", lambda a, b: L.concat([a, b, a], axis=1)),
    ("concat_negative_axis", lambda a, b: L.concat([a, b], axis=-2)),
    ("stack", lambda a, b: L.stack([a, b], axis=1)),
    ("stack_last", lambda a, b: L.stack([b, a], axis=-1)),
])
def test_gradients_of_joins(name, function):
    check_grads(function, uniform((2, 3)), uniform((2, 3), seed=1))


def test_split_with_unused_parts_gives_zero_gradient():
    x = uniform((2, 5))
    _, (g,) = grads_of(lambda v: L.split(v, [1, 3, 1], dim=1)[1] * 2, x)
    np.testing.assert_array_equal(g, [[0, 2, 2, 2, 0]] * 2)
    # Second order through the same partly-unused split.
    check_grads(lambda v: L.split(v, [1, 3, 1], dim=1)[1] ** 2, x)


def test_getitem_repeated_indices_accumulate():
    x = uniform((3, 2))
    _, (g,) = grads_of(lambda v: v[np.array([0, 2, 0, 0])], x)
    np.testing.assert_array_equal(g, [[3, 3], [0, 0], [1, 1]])
    _, (g,) = grads_of(lambda v: L.gather(v, np.array([1, 1]), overwrite=False), x)
    np.testing.assert_array_equal(g, [[0, 0], [2, 2], [0, 0]])
    # Paddle's default overwrite=True: a row picked twice gets the gradient of its last pick
    weights = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    _, (g,) = grads_of(lambda v: L.gather(v, np.array([2, 0, 2])) * weights, x)
    np.testing.assert_array_equal(g, [[3, 4], [0, 0], [5, 6]])      # 1.8.5's values


# -- forward values and Paddle semantics ----------------------------------------------------

def _run(function, array):
    with fluid.dygraph.guard():
        return function(var(array)).numpy()


def test_reshape_zero_copies_and_minus_one_infers():
    x = uniform((2, 3, 4))
    assert _run(lambda v: L.reshape(v, [0, -1]), x).shape == (2, 12)
    assert _run(lambda v: L.reshape(v, [-1, 0, 2]), x).shape == (4, 3, 2)
    assert _run(lambda v: L.reshape(v, [0, 0, 4]), x).shape == (2, 3, 4)
    assert _run(lambda v: L.reshape(v, (24,)), x).shape == (24,)
    out = _run(lambda v: L.reshape(v, [6, -1]), x)
    np.testing.assert_array_equal(out.ravel(), x.ravel())   # row-major order kept


def test_reshape_act():
    x = uniform((2, 3))
    np.testing.assert_allclose(_run(lambda v: L.reshape(v, [3, 2], act="relu"), x),
                               np.maximum(x, 0).reshape(3, 2))


def test_transpose_values():
    x = uniform((2, 3, 4))
    out = _run(lambda v: L.transpose(v, [1, 2, 0]), x)
    assert out.shape == (3, 4, 2)
    for i, j, k in np.ndindex(2, 3, 4):
        assert out[j, k, i] == x[i, j, k]


def test_expand_tiles():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = _run(lambda v: L.expand(v, [2, 3]), x)
    expected = [[x[i % 2, j % 2] for j in range(6)] for i in range(4)]
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("axes, starts, ends, expected", [
    ([0], [1], [3], np.s_[1:3]),
    ([1], [-3], [10 ** 9], np.s_[:, -3:]),                  # end clamped to the dim
    ([0, 2], [-100, 1], [2, 100], np.s_[:2, :, 1:]),         # negative start clamped to 0
    ([1], [2], [1], np.s_[:, 2:1]),                           # empty
])
def test_slice_clamps_like_paddle(axes, starts, ends, expected):
    x = uniform((3, 4, 2))
    out = _run(lambda v: L.slice(v, axes=axes, starts=starts, ends=ends), x)
    np.testing.assert_array_equal(out, x[expected])


def test_split_sections_and_minus_one():
    x = uniform((2, 6))
    with fluid.dygraph.guard():
        parts = L.split(var(x), [1, -1, 2], dim=1)
        assert [p.shape for p in parts] == [[2, 1], [2, 3], [2, 2]]
        np.testing.assert_array_equal(parts[1].numpy(), x[:, 1:4])
        parts = L.split(var(x), 3)          # dim defaults to -1
        assert [p.shape for p in parts] == [[2, 2]] * 3
        np.testing.assert_array_equal(parts[2].numpy(), x[:, 4:])
        assert isinstance(L.split(var(x), 1, dim=0), list)


def test_concat_and_stack_values():
    a, b = uniform((2, 3)), uniform((2, 3), seed=1)
    with fluid.dygraph.guard():
        np.testing.assert_array_equal(L.concat([var(a), var(b)], axis=0).numpy(),
                                      np.vstack([a, b]))
        np.testing.assert_array_equal(L.concat([var(a), var(b)], axis=1).numpy(),
                                      np.hstack([a, b]))
        stacked = L.stack([var(a), var(b)], axis=2)
        assert stacked.shape == [2, 3, 2]
        np.testing.assert_array_equal(stacked.numpy()[:, :, 1], b)
        rows = L.unstack(var(a), axis=0)
        assert len(rows) == 2 and rows[1].shape == [3]


def test_gather_picks_rows():
    x = uniform((4, 3))
    out = _run(lambda v: L.gather(v, np.array([2, 0, 2])), x)
    np.testing.assert_array_equal(out, np.stack([x[2], x[0], x[2]]))
    with fluid.dygraph.guard():
        index = fluid.dygraph.to_variable(np.array([1, 3]))
        np.testing.assert_array_equal(L.gather(var(x), index).numpy(), x[[1, 3]])


def test_squeeze_unsqueeze_flatten_shapes():
    x = uniform((1, 2, 1, 3))
    assert _run(lambda v: L.squeeze(v, [0, 2]), x).shape == (2, 3)
    with pytest.raises(ValueError, match="squeeze: axes names dim 1 of size 2"):   # as 1.8.5
        _run(lambda v: L.squeeze(v, [1]), x)
    assert _run(lambda v: L.squeeze(v), x).shape == (2, 3)
    assert _run(lambda v: L.unsqueeze(v, [0, 5]), x).shape == (1, 1, 2, 1, 3, 1)
    assert _run(lambda v: L.unsqueeze(v, 1), x).shape == (1, 1, 2, 1, 3)
    assert _run(lambda v: L.flatten(v), x).shape == (1, 6)
    assert _run(lambda v: L.flatten(v, axis=3), x).shape == (2, 3)
    assert _run(lambda v: L.flatten(v, axis=0), x).shape == (1, 6)


@pytest.mark.parametrize("index", [
    1, -1, (0, 2), np.s_[1:], np.s_[::-1], np.s_[:, 1], np.s_[None, 0], np.s_[..., 0],
    np.array([2, 0, 2]), [0, 0], (np.array([0, 1]), np.array([1, 1])),
    np.array([True, False, True]),
])
def test_indexing_matches_numpy(index):
    x = uniform((3, 4))
    np.testing.assert_array_equal(_run(lambda v: v[index], x), x[index])


def test_indexing_with_int_variables_and_iteration():
    x = uniform((3, 2))
    with fluid.dygraph.guard():
        v = var(x)
        i = fluid.dygraph.to_variable(np.array([2, 0]))
        np.testing.assert_array_equal(v[i].numpy(), x[[2, 0]])
        rows = [row.numpy() for row in v]                        # iteration stops at IndexError
        assert len(rows) == len(v) == 3
        np.testing.assert_array_equal(rows[2], x[2])


# -- dtype preservation -------------------------------------------------------------------------

FLOAT32_CASES = [
    lambda v: L.reshape(v, [-1]),
    lambda v: L.transpose(v, [1, 0]),
    lambda v: L.expand(v, [2, 1]),
    lambda v: v[np.array([0, 0])],
    lambda v: L.slice(v, [1], [1], [3]),
    lambda v: L.gather(v, np.array([1])),
    lambda v: L.unsqueeze(v, [0]),
    lambda v: L.flatten(v),
    lambda v: L.concat([v, v * 2.0]),
    lambda v: L.split(v, [1, 2], dim=1)[1],
    lambda v: L.stack([v, v]),
    lambda v: S.sum_to(v, (1, 3)),
]


@pytest.mark.parametrize("index", range(len(FLOAT32_CASES)))
def test_float32_stays_float32(index):
    out, (g,) = grads_of(FLOAT32_CASES[index], uniform((2, 3)).astype(np.float32))
    assert out.dtype == np.float32 and g.dtype == np.float32


# -- bad input ----------------------------------------------------------------------------------

# Each call gets x, a [2, 3] float64 Variable.
BAD_CASES = [
    (lambda x: L.reshape(x, "23"), TypeError, r"reshape: shape must be a list"),
    (lambda x: L.reshape(x, [-1, -1]), ValueError, r"reshape: .*more than one -1"),
    (lambda x: L.reshape(x, [4, -1]), ValueError, r"reshape: cannot infer -1"),
    (lambda x: L.reshape(x, [5]), ValueError, r"reshape: shape \[5\] has 5 elements"),
    (lambda x: L.reshape(x, [2, -3]), ValueError, r"reshape: shape \[2, -3\] has -3"),
    (lambda x: L.reshape(x, [1, 1, 0]), ValueError, r"reshape: shape\[2\] is 0"),
    (lambda x: L.transpose(x, [0, 0]), ValueError, r"transpose: perm must be a permutation"),
    (lambda x: L.transpose(x, 1), ValueError, r"transpose: perm must be"),
    (lambda x: L.expand(x, [2]), ValueError, r"expand: expand_times must be a list of 2"),
    (lambda x: L.expand(x, [2, 0]), ValueError, r"expand: expand_times must be positive"),
    (lambda x: x["a"], TypeError, r"getitem: index entries must be"),
    (lambda x: x[5], IndexError, r"getitem: index 5 is invalid for shape \[2, 3\]"),
    (lambda x: L.slice(x, [0, 1], [0], [1]), ValueError,
     r"slice: axes, starts and ends must have the same length"),
    (lambda x: L.slice(x, [2], [0], [1]), ValueError, r"slice: axes=2 is out of range"),
    (lambda x: L.gather(x, np.array([0.5])), TypeError, r"gather: index must be integer"),
    (lambda x: L.gather(x, np.array([2])), ValueError, r"gather: index values must lie in"),
    (lambda x: L.gather(x, np.zeros((2, 2), int)), ValueError, r"gather: index must be 1-D"),
    (lambda x: L.squeeze(x, [2]), ValueError, r"squeeze: axes=2 is out of range"),
    (lambda x: L.unsqueeze(x, [3]), ValueError, r"unsqueeze: axes=3 is out of range"),
    (lambda x: L.flatten(x, axis=3), ValueError, r"flatten: axis must be an int in \[0, 2\]"),
    (lambda x: L.concat([]), TypeError, r"concat: input must be a non-empty list"),
    (lambda x: L.concat([x, var(np.ones((3, 2)))], axis=0), ValueError,
     r"concat: input\[1\] has shape \[3, 2\]"),
    (lambda x: L.concat([x, x], axis=2), ValueError, r"concat: axis=2 is out of range"),
    (lambda x: L.split(x, 2, dim=1), ValueError, r"split: cannot cut dim 1 of size 3 into 2"),
    (lambda x: L.split(x, [1, 1], dim=1), ValueError, r"split: sections \[1, 1\] do not add up"),
    (lambda x: L.split(x, 2, dim=2), ValueError, r"split: dim=2 is out of range"),
    (lambda x: L.stack([x, var(np.ones((3, 2)))]), ValueError, r"stack: x\[1\] has shape"),
    (lambda x: L.stack(x), TypeError, r"stack: x must be a non-empty list"),
    (lambda x: L.unstack(x, axis=2), ValueError, r"unstack: axis=2 is out of range"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_CASES, ids=[c[2] for c in BAD_CASES])
def test_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3)))
        with pytest.raises(error, match=pattern):
            call(x)
