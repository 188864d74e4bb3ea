"""ops/random.py: uniform_random, gaussian_random, their *_batch_size_like forms, sampling_id and
random_crop. Shapes and dtypes, ranges, sample statistics against closed forms (tolerances of
several standard errors), seeds (global via minigrad.seed, per-call via seed=), references by
direct loops for sampling_id and random_crop, random_crop's gradient, and bad input."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from op_helpers import check_grads, var

L = fluid.layers


# -- uniform_random / gaussian_random --------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", np.float64])
def test_uniform_random_shape_dtype_range(dtype):
    with fluid.dygraph.guard():
        out = L.uniform_random([200, 50], dtype=dtype, min=2.0, max=3.0)
        assert out.shape == [200, 50] and out.dtype == np.dtype(dtype) and out.stop_gradient
        values = out.numpy()
    assert values.min() >= 2.0 and values.max() < 3.0
    n = values.size
    # Uniform(2, 3): mean 2.5, variance 1/12.
    assert abs(values.mean() - 2.5) < 5 * np.sqrt(1 / 12 / n)
    assert abs(values.var() - 1 / 12) < 0.01


def test_uniform_random_default_range_and_shape_forms():
    with fluid.dygraph.guard():
        values = L.uniform_random((3, 4)).numpy()
        assert values.shape == (3, 4) and values.min() >= -1.0 and values.max() < 1.0
        dim = L.fill_constant([1], "int64", 3)
        assert L.uniform_random([dim, 2]).shape == [3, 2]
        shape = fluid.dygraph.to_variable(np.array([2, 5], dtype="int32"))
        assert L.uniform_random(shape).shape == [2, 5]
        assert L.uniform_random([0, 2]).shape == [0, 2]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gaussian_random_statistics(dtype):
    with fluid.dygraph.guard():
        out = L.gaussian_random([100, 100], mean=2.0, std=3.0, dtype=dtype)
        assert out.shape == [100, 100] and out.dtype == np.dtype(dtype) and out.stop_gradient
        values = out.numpy()
    n = values.size
    assert abs(values.mean() - 2.0) < 5 * 3.0 / np.sqrt(n)
    assert abs(values.std() - 3.0) < 5 * 3.0 / np.sqrt(2 * n)
    with fluid.dygraph.guard():
        assert (L.gaussian_random([4], mean=1.5, std=0.0).numpy() == 1.5).all()


@pytest.mark.parametrize("draw", [
    lambda seed: L.uniform_random([3, 4], seed=seed),
    lambda seed: L.gaussian_random([3, 4], seed=seed),
    lambda seed: L.uniform_random_batch_size_like(L.zeros([3, 1], "float32"), [-1, 4], seed=seed),
    lambda seed: L.gaussian_random_batch_size_like(L.zeros([3, 1], "float32"), [-1, 4],
                                                   seed=seed),
], ids=["uniform", "gaussian", "uniform_bsl", "gaussian_bsl"])
def test_seeds(draw):
    with fluid.dygraph.guard():
        # A non-zero seed: the same numbers on every call, whatever the global stream does.
        a, b, c = draw(7).numpy(), draw(7).numpy(), draw(8).numpy()
        assert (a == b).all() and not (a == c).all()
        # seed=0: the global generator, which minigrad.seed resets.
        unseeded = draw(0).numpy(), draw(0).numpy()
        assert not (unseeded[0] == unseeded[1]).all()
        minigrad.seed(11)
        first = draw(0).numpy()
        minigrad.seed(11)
        assert (draw(0).numpy() == first).all()


def test_random_needs_dygraph():
    with pytest.raises(RuntimeError, match=r"fluid.dygraph.guard\(\)"):
        L.uniform_random([2])
    with pytest.raises(RuntimeError, match=r"fluid.dygraph.guard\(\)"):
        L.gaussian_random([2])


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: L.uniform_random(3), TypeError, "uniform_random: shape must be a list"),
    (lambda: L.uniform_random([2, -1]), ValueError, "negative dim"),
    (lambda: L.uniform_random([]), ValueError, "at least one dim"),
    (lambda: L.uniform_random([2.5]), TypeError, r"shape\[0\] must be an int"),
    (lambda: L.uniform_random([2], dtype="int64"), TypeError, "dtype must be one of"),
    (lambda: L.uniform_random([2], dtype="floaty"), TypeError, "not a dtype name"),
    (lambda: L.uniform_random([2], min=1.0, max=1.0), ValueError, "min must be less than max"),
    (lambda: L.uniform_random([2], min="a"), TypeError, "min must be a number"),
    (lambda: L.uniform_random([2], seed=-1), ValueError, "seed must be None or a non-negative"),
    (lambda: L.gaussian_random([2], std=-1.0), ValueError, "std must be >= 0"),
    (lambda: L.gaussian_random([2], dtype="int32"), TypeError, "gaussian_random: dtype"),
    (lambda: L.gaussian_random("2"), TypeError, "gaussian_random: shape"),
])
def test_random_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call()


# -- *_batch_size_like -------------------------------------------------------------------------

@pytest.mark.parametrize("function", [L.uniform_random_batch_size_like,
                                      L.gaussian_random_batch_size_like])
def test_batch_size_like_shapes(function):
    x = np.zeros((5, 7), np.float32)
    with fluid.dygraph.guard():
        assert function(var(x), [2, 4]).shape == [5, 4]
        assert function(var(x), [-1, 4]).shape == [5, 4]
        assert function(var(x), [2, 4], input_dim_idx=1, output_dim_idx=1).shape == [2, 7]
        assert function(var(x), [3, 4, -1], input_dim_idx=0, output_dim_idx=2).shape == [3, 4, 5]
        out = function(var(x), [-1, 3], dtype="float64")
        assert out.dtype == np.float64 and out.stop_gradient
        # Only the input's shape matters: an integer input works too.
        assert function(var(np.zeros((2, 3), np.int64)), [-1, 3]).shape == [2, 3]


def test_batch_size_like_value_ranges():
    x = np.zeros((4000, 1), np.float32)
    with fluid.dygraph.guard():
        u = L.uniform_random_batch_size_like(var(x), [-1, 5], min=-3.0, max=-2.0).numpy()
        g = L.gaussian_random_batch_size_like(var(x), [-1, 5], mean=1.0, std=0.5).numpy()
    assert u.min() >= -3.0 and u.max() < -2.0
    assert abs(u.mean() + 2.5) < 5 * np.sqrt(1 / 12 / u.size)
    assert abs(g.mean() - 1.0) < 5 * 0.5 / np.sqrt(g.size)
    assert abs(g.std() - 0.5) < 5 * 0.5 / np.sqrt(2 * g.size)


@pytest.mark.parametrize("call, error, pattern", [
    (lambda x: L.uniform_random_batch_size_like(x, [2, 3], input_dim_idx=2), ValueError,
     "input_dim_idx must be an int in"),
    (lambda x: L.uniform_random_batch_size_like(x, [2, 3], output_dim_idx=2), ValueError,
     "output_dim_idx must be an int in"),
    (lambda x: L.uniform_random_batch_size_like(x, [-1, -1]), ValueError, "negative dim"),
    (lambda x: L.uniform_random_batch_size_like(x, 3), TypeError, "shape must be"),
    (lambda x: L.uniform_random_batch_size_like([1, 2], [2]), TypeError, "input must be a"),
    (lambda x: L.uniform_random_batch_size_like(x, [2], dtype="int64"), TypeError, "dtype"),
    (lambda x: L.gaussian_random_batch_size_like(x, [2], dtype="int32"), TypeError, "dtype"),
    (lambda x: L.gaussian_random_batch_size_like(x, [2], std=-2.0), ValueError, "std"),
])
def test_batch_size_like_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call(var(np.zeros((2, 3), np.float32)))


# -- sampling_id -------------------------------------------------------------------------------

def _first_index_above(row, r):
    """The reference rule, step by step: subtract weights from r until it drops below zero."""
    for j, w in enumerate(row):
        r -= w
        if r < 0:
            return j
    return len(row) - 1


def test_sampling_id_matches_loop_rule_in_a_narrow_window():
    rows = np.array([[0.1, 0.2, 0.7], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.3, 0.3, 0.4],
                     [0.0, 0.0, 0.0]], np.float32)
    # Every r in [0.5, 0.55) gives the same id for these rows, so the draw does not matter.
    expected = [_first_index_above(row, 0.52) for row in rows]
    with fluid.dygraph.guard():
        ids = L.sampling_id(var(rows), min=0.5, max=0.55)
        assert ids.shape == [5] and ids.dtype == np.int64 and ids.stop_gradient
        np.testing.assert_array_equal(ids.numpy(), expected)
        # The weights are not normalised: a first weight of 1 catches every r in [0, 1).
        assert (L.sampling_id(var(np.array([[1.0, 2.0, 7.0]] * 6))).numpy() == 0).all()


def test_sampling_id_frequencies():
    p = np.array([0.2, 0.5, 0.3])
    n = 20000
    with fluid.dygraph.guard():
        ids = L.sampling_id(var(np.tile(p, (n, 1)).astype(np.float32)), dtype="int64").numpy()
    freq = np.bincount(ids, minlength=3) / n
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n))


def test_sampling_id_seed():
    x = np.full((50, 4), 0.25, np.float32)
    with fluid.dygraph.guard():
        a, b = L.sampling_id(var(x), seed=3).numpy(), L.sampling_id(var(x), seed=3).numpy()
        assert (a == b).all()


@pytest.mark.parametrize("value, kwargs, error, pattern", [
    (np.ones((2, 2, 3), np.float32), {}, ValueError, "sampling_id: x must be 2-D"),
    (np.ones((2, 3), np.int64), {}, TypeError, "floating point"),
    (np.ones((2, 3), np.float32), {"min": 1.0, "max": 0.5}, ValueError, "min must be less"),
    (np.ones((2, 3), np.float32), {"dtype": "nonsense"}, TypeError, "not a dtype name"),
])
def test_sampling_id_bad_input(value, kwargs, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            L.sampling_id(var(value), **kwargs)


# -- random_crop -------------------------------------------------------------------------------

def _find_window(image, crop):
    """All offsets at which `crop` equals a window of `image` (a direct search)."""
    found = []
    ch, cw = crop.shape[-2:]
    for a in range(image.shape[-2] - ch + 1):
        for b in range(image.shape[-1] - cw + 1):
            if np.array_equal(image[..., a:a + ch, b:b + cw], crop):
                found.append((a, b))
    return found


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8"])
def test_random_crop_windows(dtype):
    images = np.arange(4 * 2 * 5 * 6).reshape(4, 2, 5, 6).astype(dtype)
    with fluid.dygraph.guard():
        out = L.random_crop(var(images), [3, 4])
        assert out.shape == [4, 2, 3, 4] and out.dtype == np.dtype(dtype)
        crops = out.numpy()
        full = L.random_crop(var(images), [2, 3, 4]).numpy()
    # Every leading index (image and channel here) is an instance with its own window, as in
    # Paddle; a crop over three dims takes the same window across the channels.
    for i in range(4):
        for c in range(2):
            assert len(_find_window(images[i, c], crops[i, c])) == 1
        assert len(_find_window(images[i], full[i])) == 1


def test_random_crop_offsets_cover_every_position():
    image = np.arange(200 * 4).reshape(200, 4).astype(np.float32)
    with fluid.dygraph.guard():
        crops = L.random_crop(var(image), [2]).numpy()
    starts = crops[:, 0] - image[:, 0]
    assert set(starts.tolist()) == {0.0, 1.0, 2.0}


def test_random_crop_seeds():
    images = np.arange(6 * 8 * 8).reshape(6, 8, 8).astype(np.float32)
    with fluid.dygraph.guard():
        a = L.random_crop(var(images), [3, 3], seed=5).numpy()
        assert (L.random_crop(var(images), [3, 3], seed=5).numpy() == a).all()
        # A seed Variable advances in place: new crops each call, the same sequence each time.
        sequences = []
        for _ in range(2):
            seed = L.fill_constant([1], "int64", 9)
            sequences.append([L.random_crop(var(images), [3, 3], seed=seed).numpy()
                              for _ in range(3)])
            assert int(seed.numpy()[0]) != 9
        for first, second in zip(*sequences):
            assert (first == second).all()
        assert not (sequences[0][0] == sequences[0][1]).all()


def test_random_crop_gradient():
    images = np.random.default_rng(0).standard_normal((2, 4, 5))
    check_grads(lambda x: L.random_crop(x, [2, 3], seed=4), images)
    with fluid.dygraph.guard():
        x = var(images.astype(np.float32), stop_gradient=False)
        out = L.random_crop(x, [2, 3], seed=4)
        L.reduce_sum(out).backward()
        grad = x.gradient()
        assert grad.dtype == np.float32
        # Each instance's gradient is 1 on its window, 0 elsewhere.
        assert (grad.sum(axis=(1, 2)) == 6).all()
        for i in range(2):
            window = x.numpy()[i][grad[i] == 1].reshape(2, 3)
            np.testing.assert_array_equal(window, out.numpy()[i])


@pytest.mark.parametrize("shape, seed, error, pattern", [
    ([6, 2], None, ValueError, "must be positive and fit"),
    ([0, 2], None, ValueError, "must be positive and fit"),
    ([2, 5, 2, 2], None, ValueError, "1 to 2 ints"),
    ([], None, ValueError, "1 to 2 ints"),
    (3, None, TypeError, "random_crop: shape must be a list"),
    ([2, 2], -3, ValueError, "seed must be None or a non-negative"),
    ([2, 2], "s", ValueError, "seed must be None"),
])
def test_random_crop_bad_input(shape, seed, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            L.random_crop(var(np.zeros((2, 5, 5), np.float32)), shape, seed=seed)
