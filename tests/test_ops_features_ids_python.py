"""ops/features.py, ops/ids.py, ops/python_call.py: fsp_matrix, similarity_focus,
add_position_encoding, shard_index, hash, continuous_value_model, Print, py_func. Values against
loops and formulas written here (and published xxHash64 test vectors), gradients by finite
differences where the op has them, Paddle's gradient rule for continuous_value_model, and bad
input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops.ids import _xxh64
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers


# -- fsp_matrix ------------------------------------------------------------------------------

def test_fsp_matrix_against_loops_and_gradients():
    x, y = uniform((2, 3, 2, 3)), uniform((2, 4, 2, 3), seed=1)
    with fluid.dygraph.guard():
        out = L.fsp_matrix(var(x), var(y))
    assert out.shape == [2, 3, 4]
    expected = np.zeros((2, 3, 4))
    for n in range(2):
        for i in range(3):
            for j in range(4):
                expected[n, i, j] = sum(x[n, i, h, w] * y[n, j, h, w]
                                        for h in range(2) for w in range(3)) / 6
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    check_grads(L.fsp_matrix, x, y)
    out, grads = grads_of(L.fsp_matrix, x.astype(np.float32), y.astype(np.float32))
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="except the channels"):
        L.fsp_matrix(var(x), var(uniform((2, 4, 3, 3))))


# -- similarity_focus ------------------------------------------------------------------------

def _focus_loop(x, axis, indexes):
    out = np.zeros_like(x)
    others = [d for d in (1, 2, 3) if d != axis]
    for n in range(x.shape[0]):
        for index in indexes:
            cells = []
            for r in range(x.shape[others[0]]):
                for c in range(x.shape[others[1]]):
                    at = [n, 0, 0, 0]
                    at[axis], at[others[0]], at[others[1]] = index, r, c
                    cells.append((x[tuple(at)], r, c))
            cells.sort(key=lambda cell: -cell[0])           # stable: ties in row-major order
            rows, cols = set(), set()
            for _, r, c in cells:
                if r in rows or c in cols:
                    continue
                rows.add(r)
                cols.add(c)
                for k in range(x.shape[axis]):
                    at = [n, 0, 0, 0]
                    at[axis], at[others[0]], at[others[1]] = k, r, c
                    out[tuple(at)] = 1
    return out


def test_similarity_focus_documented_example():
    # The example of Paddle 1.8's similarity_focus docstring.
    x = np.array([[[[0.8, 0.1], [0.4, 0.5]], [[0.9, 0.7], [0.9, 0.9]], [[0.8, 0.9], [0.1, 0.2]]],
                  [[[0.2, 0.5], [0.3, 0.4]], [[0.9, 0.7], [0.8, 0.4]], [[0.0, 0.2], [0.4, 0.7]]]],
                 np.float32)
    diagonal, anti = [[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]
    with fluid.dygraph.guard():
        out = L.similarity_focus(var(x), axis=1, indexes=[0])
    assert out.dtype == np.float32 and out.stop_gradient
    assert out.numpy().tolist() == [[diagonal] * 3, [anti] * 3]


@pytest.mark.parametrize("axis, indexes", [(1, [0]), (1, [0, 2]), (2, [1]), (3, [0, 3])])
def test_similarity_focus_against_a_greedy_loop(axis, indexes):
    x = np.random.default_rng(axis).random((2, 3, 4, 4))
    with fluid.dygraph.guard():
        out = L.similarity_focus(var(x), axis=axis, indexes=indexes).numpy()
    np.testing.assert_array_equal(out, _focus_loop(x, axis, indexes))


def test_similarity_focus_errors():
    with fluid.dygraph.guard():
        x = var(np.ones((1, 2, 2, 2)))
        with pytest.raises(ValueError, match="axis must be 1, 2 or 3"):
            L.similarity_focus(x, 0, [0])
        with pytest.raises(ValueError, match="indexes can not be empty"):
            L.similarity_focus(x, 1, [])
        with pytest.raises(ValueError, match=r"indexes must lie in \[0, 2\)"):
            L.similarity_focus(x, 1, [2])
        with pytest.raises(ValueError, match="must be 4-D"):
            L.similarity_focus(var(np.ones((2, 2, 2))), 1, [0])


# -- add_position_encoding -------------------------------------------------------------------

def _encoding_loop(length, size):
    half = size // 2
    out = np.zeros((length, size))
    for pos in range(length):
        for k in range(half):
            angle = pos / 10000 ** (k / (half - 1)) if half > 1 else pos / 10000
            out[pos, k], out[pos, half + k] = math.sin(angle), math.cos(angle)
    return out


@pytest.mark.parametrize("size", [2, 6])
def test_add_position_encoding_values_and_gradient(size):
    x = uniform((2, 4, size))
    with fluid.dygraph.guard():
        out = L.add_position_encoding(var(x), alpha=2.0, beta=0.5).numpy()
    np.testing.assert_allclose(out, 2.0 * x + 0.5 * _encoding_loop(4, size), rtol=1e-12)
    check_grads(lambda v: L.add_position_encoding(v, 2.0, 0.5), x)
    out, (g,) = grads_of(lambda v: L.add_position_encoding(v, 2.0, 0.5), x.astype(np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(g, np.full(x.shape, 2.0, np.float32))


def test_add_position_encoding_errors():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="must be even, got 5"):
            L.add_position_encoding(var(np.zeros((1, 3, 5))), 1.0, 1.0)
        with pytest.raises(ValueError, match="must be 3-D"):
            L.add_position_encoding(var(np.zeros((3, 4))), 1.0, 1.0)


# -- shard_index -----------------------------------------------------------------------------

SHARDS = [(20, 2, 0, -1), (20, 2, 1, -1), (20, 3, 2, -5), (7, 7, 3, 99)]


@pytest.mark.parametrize("index_num, nshards, shard_id, ignore", SHARDS)
def test_shard_index_against_the_formula(index_num, nshards, shard_id, ignore):
    x = np.random.default_rng(index_num + shard_id).integers(0, index_num, (6, 1))
    with fluid.dygraph.guard():
        out = L.shard_index(var(x), index_num, nshards, shard_id, ignore_value=ignore)
    size = -(-index_num // nshards)
    expected = [[v % size if v // size == shard_id else ignore] for v in x[:, 0].tolist()]
    assert out.dtype == x.dtype and out.numpy().tolist() == expected


def test_shard_index_errors():
    with fluid.dygraph.guard():
        label = var(np.array([[1], [6]]))
        with pytest.raises(ValueError, match=r"shard_id \(2\) should be in \[0, 2\)"):
            L.shard_index(label, 20, 2, 2)
        with pytest.raises(ValueError, match=r"values must lie in \[0, 5\)"):
            L.shard_index(label, 5, 2, 0)
        with pytest.raises(ValueError, match="at least 2 dims"):
            L.shard_index(var(np.array([1, 6])), 20, 2, 0)


# -- hash ------------------------------------------------------------------------------------

def test_xxh64_matches_published_test_vectors():
    assert _xxh64(b"", 0) == 0xEF46DB3751D8E999
    assert _xxh64(b"abc", 0) == 0x44BC2CF5AD770999


def test_hash_documented_example_shape_and_dtype():
    # The example of Paddle 1.8's hash docstring.
    with fluid.dygraph.guard():
        out = L.hash(var(np.array([[1, 2], [3, 4]], np.int32)), hash_size=1000, num_hash=4)
    assert out.shape == [2, 4, 1] and out.dtype == np.int32
    assert out.numpy()[:, :, 0].tolist() == [[722, 407, 337, 395], [603, 590, 386, 901]]


def test_hash_is_xxh64_of_each_rows_bytes():
    x = np.random.default_rng(0).integers(-2 ** 40, 2 ** 40, (3, 5))   # 40 bytes a row
    with fluid.dygraph.guard():
        out = L.hash(var(x), hash_size=12345, num_hash=2).numpy()
    expected = [[[_xxh64(row.astype("<i8").tobytes(), seed) % 12345] for seed in range(2)]
                for row in x]
    assert out.tolist() == expected


def test_hash_against_the_xxhash_library():
    xxhash = pytest.importorskip("xxhash")
    x = np.random.default_rng(1).integers(-2 ** 31, 2 ** 31, (4, 9)).astype(np.int32)
    with fluid.dygraph.guard():
        out = L.hash(var(x), hash_size=2 ** 31 - 1, num_hash=3).numpy()
    expected = [[xxhash.xxh64_intdigest(row.astype("<i4").tobytes(), seed) % (2 ** 31 - 1)
                 for seed in range(3)] for row in x]
    assert out[:, :, 0].tolist() == expected


def test_hash_errors():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="hash: input must be 2-D"):
            L.hash(var(np.arange(3)), 10)
        with pytest.raises(TypeError, match="hash: input must have a integer"):
            L.hash(var(np.ones((2, 2))), 10)


# -- continuous_value_model ------------------------------------------------------------------

def test_continuous_value_model_values():
    x = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, 1.5, 2.0, 3.0]])
    cvm = np.array([[1.0, 1.0], [2.0, 3.0]])
    with fluid.dygraph.guard():
        on = L.continuous_value_model(var(x), var(cvm), True).numpy()
        off = L.continuous_value_model(var(x), var(cvm), False).numpy()
    expected = [[math.log(r[0] + 1), math.log(r[1] + 1) - math.log(r[0] + 1), r[2], r[3]]
                for r in x]
    np.testing.assert_allclose(on, expected, rtol=1e-12)
    np.testing.assert_array_equal(off, x[:, 2:])


@pytest.mark.parametrize("use_cvm", [True, False])
def test_continuous_value_model_keeps_paddles_gradient_rule(use_cvm):
    x = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, 1.5, 2.0, 3.0]], np.float32)
    cvm = np.array([[1.0, 1.0], [2.0, 3.0]], np.float32)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = L.continuous_value_model(v, var(cvm), use_cvm)
        weights = np.arange(1.0, out.numpy().size + 1, dtype=np.float32).reshape(out.shape)
        L.reduce_sum(out * var(weights)).backward()
        g = v.gradient()
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g[:, :2], cvm)           # show/click get the cvm values
    np.testing.assert_array_equal(g[:, 2:], weights[:, -2:])


# -- Print -----------------------------------------------------------------------------------

def test_print_prints_forward_and_backward_and_passes_values(capsys):
    x = np.arange(6.0).reshape(2, 3)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        v.name = "h"
        y = L.Print(v, message="hidden:", summarize=4)
        printed = capsys.readouterr().out
        assert "hidden:" in printed and "Tensor[h]" in printed and "shape: [2,3,]" in printed
        assert "data: 0.0,1.0,2.0,3.0," in printed and "4.0" not in printed
        L.reduce_sum(y * 3.0).backward()
        assert "Tensor[h@GRAD]" in capsys.readouterr().out
        np.testing.assert_array_equal(y.numpy(), x)
        np.testing.assert_array_equal(v.gradient(), np.full((2, 3), 3.0))
        L.Print(v, print_phase="backward")
        assert capsys.readouterr().out == ""
        with pytest.raises(ValueError, match="print_phase must be"):
            L.Print(v, print_phase="sideways")
    check_grads(lambda t: L.Print(t, print_phase="forward"), uniform((2,)))


# -- py_func ---------------------------------------------------------------------------------

def test_py_func_forward_backward_and_skip():
    x = uniform((2, 3))
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = L.zeros([2, 3], "float64")
        result = L.py_func(np.tanh, v, out, backward_func=lambda y, dy: dy * (1 - y * y),
                           skip_vars_in_backward_input=v)
        assert result is out and not out.stop_gradient
        np.testing.assert_allclose(out.numpy(), np.tanh(x), rtol=1e-15)
        L.reduce_sum(out * 2.0).backward()
    np.testing.assert_allclose(v.gradient(), 2 * (1 - np.tanh(x) ** 2), rtol=1e-12)

    def forward(a, b):
        return a * b, a + b

    def backward(a, b, prod, total, d_prod, d_total):
        return d_prod * b + d_total, d_prod * a + d_total

    def two_outputs(a, b):
        outs = [L.zeros([2, 3], "float64"), L.zeros([2, 3], "float64")]
        first, second = L.py_func(forward, [a, b], outs, backward_func=backward)
        return first, second
    # py_func's gradients are constants, so only the first order is checked.
    assert fluid.gradcheck(two_outputs, [x, uniform((2, 3), seed=1)])


def test_py_func_without_backward_or_outputs(capsys):
    with fluid.dygraph.guard():
        v = var(np.ones(2), stop_gradient=False)
        out = L.zeros([2], "float32")
        L.py_func(lambda a: a * 3, v, out)
        assert out.stop_gradient and out.dtype == np.float32
        assert out.numpy().tolist() == [3.0, 3.0]
        assert L.py_func(lambda a: print("seen", a.tolist()), v, None) is None
        assert "seen [1.0, 1.0]" in capsys.readouterr().out
        with pytest.raises(ValueError, match="returned 1 value"):
            L.py_func(lambda a: a, v, [out, L.zeros([2], "float32")])
        with pytest.raises(ValueError, match="neither in x nor in out"):
            L.py_func(np.tanh, v, out, backward_func=lambda *a: None,
                      skip_vars_in_backward_input=var(np.ones(1)))
        with pytest.raises(TypeError, match="py_func: x must be a Variable"):
            L.py_func(np.tanh, np.ones(2), out)
