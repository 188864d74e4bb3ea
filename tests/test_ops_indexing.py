"""ops/indexing.py: gather_nd, scatter, scatter_nd, scatter_nd_add, strided_slice, crop,
crop_tensor, expand_as, reverse, unique, unique_with_counts, eye and diag against element loops
written here, first- and second-order gradients (float64), dtypes, shapes and bad input."""
import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers


def _gather_nd_loop(x, index):
    lead = index.shape[:-1]
    out = np.empty(lead + x.shape[index.shape[-1]:], dtype=x.dtype)
    for i in np.ndindex(*lead):
        out[i] = x[tuple(int(v) for v in index[i])]
    return out


def _scatter_nd_add_loop(ref, index, updates):
    out = ref.copy()
    for i in np.ndindex(*index.shape[:-1]):
        out[tuple(int(v) for v in index[i])] += updates[i]
    return out


def _scatter_loop(x, index, updates, overwrite):
    """The loop in Paddle 1.8's scatter docstring."""
    out = x.copy()
    if not overwrite:
        for i in index:
            out[i] = 0
    for k, i in enumerate(index):
        if overwrite:
            out[i] = updates[k]
        else:
            out[i] += updates[k]
    return out


X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


# -- gather_nd ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [[[1]], [[0, 2]], [[1, 2, 3]], [[[0, 1], [1, 2]]],
                                   [[1, 0], [1, 0]], [[-1, 0]], [[0, -1, -4]]])
def test_gather_nd_values_and_shape(index):
    index = np.array(index, dtype=np.int64)
    with fluid.dygraph.guard():
        out = L.gather_nd(var(X), var(index))
        expected = _gather_nd_loop(X, index)
        assert out.shape == list(index.shape[:-1]) + list(X.shape[index.shape[-1]:])
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), expected)


def test_gather_nd_empty_last_dim_repeats_the_input():
    with fluid.dygraph.guard():
        out = L.gather_nd(var(X), var(np.zeros((2, 0), dtype=np.int64)))
        assert out.shape == [2, 2, 3, 4]
        np.testing.assert_array_equal(out.numpy()[1], X)


def test_gather_nd_int_input_and_int32_index():
    x = np.arange(6).reshape(2, 3)
    with fluid.dygraph.guard():
        out = L.gather_nd(var(x), var(np.array([[1]], dtype=np.int32)))
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.numpy(), [[3, 4, 5]])


def test_gather_nd_grads_with_repeated_index():
    index = np.array([[1, 0], [1, 0], [0, 2]])
    check_grads(lambda x: L.gather_nd(x, index), uniform((2, 3, 4)))
    _, (g,) = grads_of(lambda x: L.gather_nd(x, index), X.astype(np.float64))
    expected = np.zeros_like(X, dtype=np.float64)
    for i in index:
        expected[tuple(i)] += 1
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize("index, error, match", [
    (np.array([1]), ValueError, "rank >= 2"),
    (np.array([[0, 0, 0, 0]]), ValueError, "exceeds the rank"),
    (np.array([[2]]), ValueError, r"\[-2, 2\)"),
    (np.array([[0.5]]), TypeError, "integer dtype"),
    ("0", TypeError, "integer Variable"),
])
def test_gather_nd_bad_index(index, error, match):
    with fluid.dygraph.guard(), pytest.raises(error, match="gather_nd: index.*" + match):
        L.gather_nd(var(X), index)


# -- scatter_nd_add / scatter_nd ---------------------------------------------------------------


def test_scatter_nd_add_docs_cases():
    with fluid.dygraph.guard():
        ref = np.arange(6, dtype=np.float32)
        index = np.array([[1], [2], [3], [1]])
        updates = np.array([9, 10, 11, 12], dtype=np.float32)
        out = L.scatter_nd_add(var(ref), var(index), var(updates))
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), _scatter_nd_add_loop(ref, index, updates))
        ref2 = np.array([[65, 17], [-14, -25]], dtype=np.float32)
        up2 = np.array([[[-1, -2], [1, 2]], [[3, 4], [-3, -4]]], dtype=np.float32)
        out = L.scatter_nd_add(var(ref2), var(np.zeros((2, 0), dtype=np.int64)), var(up2))
        np.testing.assert_array_equal(out.numpy(), ref2 + up2[0] + up2[1])


def test_scatter_nd_add_slices_and_grads():
    index = np.array([[1, 0], [0, 2], [1, 0]])
    ref, updates = uniform((2, 3, 4)), uniform((3, 4), seed=1)
    with fluid.dygraph.guard():
        out = L.scatter_nd_add(var(ref), var(index), var(updates))
        np.testing.assert_allclose(out.numpy(), _scatter_nd_add_loop(ref, index, updates))
    check_grads(lambda r, u: L.scatter_nd_add(r, index, u), ref, updates)


def test_scatter_nd_is_scatter_onto_zeros():
    index = np.array([[1], [2], [3], [1]], dtype=np.int64)
    updates = np.array([9, 10, 11, 12], dtype=np.float32)
    with fluid.dygraph.guard():
        for shape in ([6], (6,)):
            out = L.scatter_nd(var(index), var(updates), shape)
            assert out.dtype == np.float32 and out.shape == [6]
            np.testing.assert_array_equal(
                out.numpy(), _scatter_nd_add_loop(np.zeros(6, np.float32), index, updates))
    check_grads(lambda u: L.scatter_nd(index, u, [6]), uniform((4,)))


def test_gather_nd_and_scatter_nd_are_adjoint():
    rng = np.random.default_rng(3)
    index = rng.integers(-3, 3, (5, 2))
    x, y = rng.normal(size=(3, 3, 2)), rng.normal(size=(5, 2))
    with fluid.dygraph.guard():
        ax = L.gather_nd(var(x), index).numpy()
        aty = L.scatter_nd(index, var(y), [3, 3, 2]).numpy()
    assert abs(np.sum(ax * y) - np.sum(x * aty)) < 1e-12


def test_scatter_nd_add_bad_input():
    with fluid.dygraph.guard():
        ref = var(np.zeros(6, np.float32))
        with pytest.raises(ValueError, match="scatter_nd_add: ref and updates .*same dtype"):
            L.scatter_nd_add(ref, np.array([[1]]), var(np.ones(1)))
        with pytest.raises(ValueError, match=r"scatter_nd_add: updates must have shape .*\[2\]"):
            L.scatter_nd_add(ref, np.array([[1], [2]]), var(np.ones(3, np.float32)))
        with pytest.raises(TypeError, match="scatter_nd: shape"):
            L.scatter_nd(np.array([[1]]), var(np.ones(1, np.float32)), 6)


# -- scatter -------------------------------------------------------------------------------


@pytest.mark.parametrize("overwrite", [True, False])
@pytest.mark.parametrize("index", [[2, 1, 0, 1], [0, 2], [1, 1, 1, 1], [-1, 0, 2, -3]])
def test_scatter_values(overwrite, index):
    x = np.array([[1, 1], [2, 2], [3, 3]], dtype=np.float32)
    index = np.array(index, dtype=np.int64)
    updates = np.arange(2 * len(index), dtype=np.float32).reshape(-1, 2) + 10
    with fluid.dygraph.guard():
        out = L.scatter(var(x), var(index), var(updates), overwrite=overwrite)
        assert out.dtype == np.float32 and out.shape == [3, 2]
        np.testing.assert_array_equal(out.numpy(),
                                      _scatter_loop(x, index % 3, updates, overwrite))


def test_scatter_docs_example_and_default_overwrite():
    x = np.array([[1, 1], [2, 2], [3, 3]], dtype=np.float32)
    index = np.array([2, 1, 0, 1], dtype=np.int32)
    updates = np.array([[1, 1], [2, 2], [3, 3], [4, 4]], dtype=np.float32)
    with fluid.dygraph.guard():
        np.testing.assert_array_equal(
            L.scatter(var(x), var(index), var(updates), overwrite=False).numpy(),
            [[3, 3], [6, 6], [1, 1]])
        np.testing.assert_array_equal(L.scatter(var(x), var(index), var(updates)).numpy(),
                                      [[3, 3], [4, 4], [1, 1]])


@pytest.mark.parametrize("overwrite", [True, False])
def test_scatter_grads_with_duplicates(overwrite):
    index = np.array([2, 1, 0, 1])
    check_grads(lambda x, u: L.scatter(x, index, u, overwrite=overwrite),
                uniform((4, 2)), uniform((4, 2), seed=1))
    _, (gx, gu) = grads_of(lambda x, u: L.scatter(x, index, u, overwrite=overwrite),
                           np.ones((4, 2)), np.ones((4, 2)))
    np.testing.assert_array_equal(gx, [[0, 0], [0, 0], [0, 0], [1, 1]])
    # the update at position 1 is overwritten by the one at position 3
    np.testing.assert_array_equal(gu[1], [0, 0] if overwrite else [1, 1])


def test_scatter_bad_input():
    with fluid.dygraph.guard():
        x, u = var(np.zeros((3, 2), np.float32)), var(np.ones((2, 2), np.float32))
        with pytest.raises(ValueError, match="scatter: index must be 1-D"):
            L.scatter(x, np.array([[0], [1]]), u)
        with pytest.raises(ValueError, match="scatter: updates must have shape"):
            L.scatter(x, np.array([0, 1, 2]), u)
        with pytest.raises(ValueError, match=r"scatter: index.*\[-3, 3\)"):
            L.scatter(x, np.array([0, 3]), u)
        with pytest.raises(TypeError, match="scatter: index must have an integer dtype"):
            L.scatter(x, np.array([0.0, 1.0]), u)


# -- strided_slice -----------------------------------------------------------------------------


def _numpy_slice(start, end, stride):
    """numpy's slice, with Paddle's "end -1 with a negative stride = through index 0"."""
    return slice(start, None if (end == -1 and stride < 0) else end, stride)


def test_strided_slice_docs_cases():
    data = np.array([[1, 2, 3, 4], [5, 6, 7, 8]], dtype=np.float32)
    with fluid.dygraph.guard():
        d = var(data)
        np.testing.assert_array_equal(
            L.strided_slice(d, [0, 1], [1, 0], [2, 3], [1, 1]).numpy(), [[5, 6, 7]])
        np.testing.assert_array_equal(
            L.strided_slice(d, [0, 1], [0, 1], [-1, 1000], [1, 3]).numpy(), [[2]])
        np.testing.assert_array_equal(
            L.strided_slice(d, [1], [3], [-1], [-1]).numpy(), data[:, ::-1])


def test_strided_slice_against_numpy():
    rng = np.random.default_rng(0)
    x = np.arange(5 * 6, dtype=np.float32).reshape(5, 6)
    checked = 0
    with fluid.dygraph.guard():
        for _ in range(200):
            start, end = (int(v) for v in rng.integers(-8, 9, 2))
            stride = int(rng.choice([-3, -2, -1, 1, 2, 3]))
            expected = x[:, _numpy_slice(start, end, stride)]
            if expected.size == 0:
                with pytest.raises(ValueError, match="strided_slice: start .* select nothing"):
                    L.strided_slice(var(x), [1], [start], [end], [stride])
                continue
            out = L.strided_slice(var(x), [-1], [start], [end], [stride])
            np.testing.assert_array_equal(out.numpy(), expected)
            checked += 1
    assert checked > 50


def test_strided_slice_variable_bounds_and_grads():
    with fluid.dygraph.guard():
        x = var(np.arange(12.0).reshape(3, 4))
        out = L.strided_slice(x, [0, 1], [var(np.array([1], np.int32)), 0],
                              var(np.array([3, 4], np.int32)), [1, 2])
        np.testing.assert_array_equal(out.numpy(), np.arange(12.0).reshape(3, 4)[1:3, 0:4:2])
    check_grads(lambda x: L.strided_slice(x, [0, 1], [2, -1], [-4, 0], [-2, -2]),
                uniform((4, 5)))


def test_strided_slice_bad_input():
    with fluid.dygraph.guard():
        x = var(np.zeros((2, 3), np.float32))
        with pytest.raises(ValueError, match="strided_slice: strides must not be 0"):
            L.strided_slice(x, [0], [0], [1], [0])
        with pytest.raises(ValueError, match="strided_slice: ends must have 1 entries"):
            L.strided_slice(x, [0], [0], [1, 2], [1])
        with pytest.raises(ValueError, match="strided_slice: axes=2 is out of range"):
            L.strided_slice(x, [2], [0], [1], [1])
        with pytest.raises(TypeError, match="strided_slice: starts must"):
            L.strided_slice(x, [0], 0, [1], [1])


# -- crop / crop_tensor ------------------------------------------------------------------------


def test_crop_docs_cases():
    x = np.array([[0, 1, 2, 5, 0], [0, 3, 4, 6, 0], [0, 0, 0, 0, 0]], dtype=np.float32)
    with fluid.dygraph.guard():
        np.testing.assert_array_equal(L.crop(var(x), [2, 2], [0, 1]).numpy(), [[1, 2], [3, 4]])
        np.testing.assert_array_equal(
            L.crop(var(x), var(np.zeros((2, 3), np.float32)), [0, 1]).numpy(),
            [[1, 2, 5], [3, 4, 6]])
        np.testing.assert_array_equal(L.crop(var(x), (2, 2)).numpy(), x[:2, :2])
        np.testing.assert_array_equal(
            L.crop(var(x), [2, 2], var(np.array([1, 1], np.int32))).numpy(), x[1:3, 1:3])


def test_crop_tensor_shapes_and_grads():
    x = np.arange(24.0).reshape(2, 3, 4)
    with fluid.dygraph.guard():
        out = L.crop_tensor(var(x), [2, 2, -1], [0, 0, 1])
        assert out.shape == [2, 2, 3]
        np.testing.assert_array_equal(out.numpy(), x[:, :2, 1:])
        out = L.crop_tensor(var(x), var(np.array([1, 2, 2], np.int32)),
                            [1, var(np.array([1], np.int32)), 2])
        np.testing.assert_array_equal(out.numpy(), x[1:2, 1:3, 2:4])
    check_grads(lambda v: L.crop_tensor(v, [1, -1, 2], [1, 1, 1]), uniform((2, 3, 4)))
    check_grads(lambda v: L.crop(v, [1, 2, 2], [0, 1, 2]), uniform((2, 3, 4)))


@pytest.mark.parametrize("shape, offsets, match", [
    ([0, 2], [0, 0], "shape entries must be positive"),
    ([-2, 2], [0, 0], "shape entries must be positive"),
    ([2, 2], [-1, 0], "offsets must be >= 0"),
    ([3, 2], [1, 0], r"offsets\[0\] \+ shape\[0\] = 1 \+ 3 exceeds"),
    ([2], [0, 0], "shape must have 2 entries"),
])
def test_crop_tensor_bad_input(shape, offsets, match):
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="crop_tensor: " + match):
        L.crop_tensor(var(np.zeros((3, 5), np.float32)), shape, offsets)


# -- expand_as / reverse -----------------------------------------------------------------------


def test_expand_as_tiles():
    x = np.array([[1, 2, 3]], dtype=np.float32)
    with fluid.dygraph.guard():
        out = L.expand_as(var(x), var(np.zeros((4, 6), np.float32)))
        assert out.dtype == np.float32
        expected = [[x[0, j % 3] for j in range(6)] for _ in range(4)]
        np.testing.assert_array_equal(out.numpy(), expected)
        assert L.expand_as(var(np.array([[1, 2]])), var(np.zeros((2, 2)))).dtype == np.int64
    check_grads(lambda v: L.expand_as(v, np.zeros((4, 6))), uniform((2, 3)))
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="expand_as: each dim of target_tensor"):
            L.expand_as(var(x), var(np.zeros((4, 5))))
        with pytest.raises(ValueError, match="expand_as: target_tensor must have x's rank"):
            L.expand_as(var(x), var(np.zeros((2, 4, 6))))


@pytest.mark.parametrize("axis", [0, -1, [0, 1], (1,)])
def test_reverse(axis):
    x = np.arange(15, dtype=np.float32).reshape(3, 5)
    axes = [axis] if isinstance(axis, int) else list(axis)
    expected = np.empty_like(x)
    for i in range(3):
        for j in range(5):
            expected[i, j] = x[2 - i if 0 in axes else i, 4 - j if (1 in axes or -1 in axes)
                               else j]
    with fluid.dygraph.guard():
        out = L.reverse(var(x), axis)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), expected)
    check_grads(lambda v: L.reverse(v, axis), uniform((3, 5)))


def test_reverse_bad_axis():
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="reverse: axis=2 is out"):
        L.reverse(var(np.zeros((2, 3))), 2)


# -- unique / unique_with_counts / eye / diag --------------------------------------------------


def _unique_loop(values):
    out, index, counts = [], [], []
    for v in values:
        if v not in out:
            out.append(v)
            counts.append(0)
        index.append(out.index(v))
        counts[out.index(v)] += 1
    return out, index, counts


@pytest.mark.parametrize("values", [[2, 3, 3, 1, 5, 3], [7], [4, 4, 4], [-1, 9, -1, 0, 9]])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_unique_first_appearance_order(values, dtype):
    out_ref, index_ref, count_ref = _unique_loop(values)
    with fluid.dygraph.guard():
        x = var(np.array(values, dtype=np.float32))
        out, index = L.unique(x, dtype)
        assert out.dtype == np.float32 and index.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(out.numpy(), out_ref)
        np.testing.assert_array_equal(index.numpy(), index_ref)
        out, index, count = L.unique_with_counts(var(np.array(values)), dtype)
        assert out.dtype == np.int64 and count.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(count.numpy(), count_ref)
        assert out.stop_gradient and index.stop_gradient


def test_unique_default_dtype_and_bad_input():
    with fluid.dygraph.guard():
        assert L.unique(var(np.array([1, 1])))[1].dtype == np.int32
        with pytest.raises(ValueError, match="unique: x must be 1-D"):
            L.unique(var(np.zeros((2, 2))))
        with pytest.raises(TypeError, match="unique_with_counts: dtype .* 'int32' or 'int64'"):
            L.unique_with_counts(var(np.array([1])), "float32")


def test_eye():
    with fluid.dygraph.guard():
        for rows, columns, batch, dtype in [(2, None, None, "float32"), (2, 3, None, "float64"),
                                            (3, 2, [2], "int64"), (2, 2, [2, 1], "float32")]:
            out = L.eye(rows, columns, batch, dtype)
            columns = rows if columns is None else columns
            batch = batch or []
            assert out.shape == batch + [rows, columns] and out.dtype == np.dtype(dtype)
            assert out.stop_gradient
            for index in np.ndindex(*out.shape):
                assert out.numpy()[index] == (index[-1] == index[-2])
        with pytest.raises(TypeError, match="eye: num_rows"):
            L.eye(-1)


def test_diag():
    d = np.array([1, 2, 3], dtype=np.float32)
    with fluid.dygraph.guard():
        for value in (var(d), d):
            out = L.diag(value)
            assert out.shape == [3, 3] and out.dtype == np.float32
            for i, j in np.ndindex(3, 3):
                assert out.numpy()[i, j] == (d[i] if i == j else 0)
        with pytest.raises(ValueError, match="diag: diagonal must be 1-D"):
            L.diag(var(np.zeros((2, 2))))
    check_grads(L.diag, uniform((4,)))


def test_one_hot_v2_appends_the_depth_dim():
    one_hot_v2 = fluid.one_hot      # Paddle 1.8's top-level name
    with fluid.dygraph.guard():
        for shape in [(3,), (2, 1), (2, 3)]:
            labels = np.arange(int(np.prod(shape))).reshape(shape) % 4
            out = one_hot_v2(var(labels.astype(np.int32)), 4)
            assert out.shape == list(shape) + [4] and out.dtype == np.float32
            for index in np.ndindex(*out.shape):
                assert out.numpy()[index] == (index[-1] == labels[index[:-1]])
        zeros = one_hot_v2(var(np.array([5, -1])), 4, allow_out_of_range=True)
        assert not zeros.numpy().any()
        with pytest.raises(ValueError, match="one_hot: input has index 5 outside"):
            one_hot_v2(var(np.array([5])), 4)
