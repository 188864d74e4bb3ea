"""pool2d and Pool2D: forward vs direct loops, gradients, second order, torch oracle, errors."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.dygraph.nn import Pool2D
from minigrad.ops.pool import MaxPool2d, _Window, pool2d

import reference

# (shape, size, stride, padding, ceil_mode)
CASES = [
    ((2, 3, 6, 6), 2, 2, 0, False),
    ((1, 2, 7, 5), 3, 2, 1, False),
    ((1, 2, 7, 5), 3, 2, 1, True),
    ((2, 1, 5, 8), (2, 3), (1, 2), (1, 1), True),
    ((1, 1, 1, 1), 1, 1, 0, False),
    ((1, 2, 4, 4), 4, 1, 0, False),
    ((2, 2, 7, 7), 2, 2, 0, False),          # disjoint windows, last row and column unread
    ((1, 2, 6, 9), 2, (2, 3), 0, False),     # disjoint windows with gaps between them
]


@pytest.mark.parametrize("shape, size, stride, padding, ceil_mode", CASES)
@pytest.mark.parametrize("pool_type, exclusive", [("max", True), ("avg", True), ("avg", False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pool2d_matches_direct_loops(shape, size, stride, padding, ceil_mode, pool_type,
                                     exclusive, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    with fluid.dygraph.guard():
        y = pool2d(fluid.dygraph.to_variable(x), size, pool_type, stride, padding,
                   ceil_mode=ceil_mode, exclusive=exclusive)
    assert y.dtype == dtype
    expected = reference.pool2d(x, size, pool_type, stride, padding, ceil_mode, exclusive)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("pool_type", ["max", "avg"])
def test_global_pooling(pool_type):
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5))
    with fluid.dygraph.guard():
        y = Pool2D(pool_type=pool_type, global_pooling=True)(fluid.dygraph.to_variable(x))
    reduce = np.max if pool_type == "max" else np.mean
    np.testing.assert_allclose(y.numpy(), reduce(x, axis=(2, 3), keepdims=True), atol=1e-12)


@pytest.mark.parametrize("shape, size, stride, padding, ceil_mode", CASES[1:4])
@pytest.mark.parametrize("pool_type, exclusive", [("max", True), ("avg", True), ("avg", False)])
def test_gradcheck_and_gradgradcheck(shape, size, stride, padding, ceil_mode, pool_type,
                                     exclusive):
    # Distinct values keep max pooling away from ties, where it is not differentiable.
    rng = np.random.default_rng(2)
    x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0

    def fn(x):
        return fluid.layers.tanh(pool2d(x, size, pool_type, stride, padding,
                                        ceil_mode=ceil_mode, exclusive=exclusive))
    assert minigrad.gradcheck(fn, [x])
    assert minigrad.gradgradcheck(fn, [x])


def test_max_gradient_goes_to_the_winner_only():
    x = np.array([[[[1.0, 5.0], [3.0, 2.0]]]])
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(x)
        v.stop_gradient = False
        pool2d(v, 2, "max", 2).backward()
        np.testing.assert_array_equal(v.gradient(), [[[[0, 1], [0, 0]]]])


@pytest.mark.parametrize("shape, size, stride, padding, ceil_mode", CASES)
def test_max_gradient_with_ties_goes_to_the_first_maximal_cell(shape, size, stride, padding,
                                                               ceil_mode):
    # Small integers (and relu-like zeros) tie often; Paddle sends each window's gradient to its
    # first maximal real cell in row-major order.
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, size=shape).astype(np.float64)
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(x)
        v.stop_gradient = False
        y = pool2d(v, size, "max", stride, padding, ceil_mode=ceil_mode)
        gy = rng.standard_normal(y.shape)
        fluid.layers.reduce_sum(y * fluid.dygraph.to_variable(gy)).backward()
        got = v.gradient()
    (kh, kw), (sh, sw), (ph, pw) = (reference._pair(a) for a in (size, stride, padding))
    expected = np.zeros_like(x)
    n, c, oh, ow = gy.shape
    for b, ch, i, j in np.ndindex(n, c, oh, ow):
        cells = [(r, q) for r in range(i * sh - ph, i * sh - ph + kh)
                 for q in range(j * sw - pw, j * sw - pw + kw)
                 if 0 <= r < shape[2] and 0 <= q < shape[3]]
        first = max(cells, key=lambda cell: (x[b, ch][cell], -cells.index(cell)))
        expected[b, ch][first] += gy[b, ch, i, j]
    np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize("shape, size, stride", [((2, 3, 6, 6), 2, 2), ((1, 2, 7, 7), 2, 2),
                                                  ((1, 2, 6, 9), 2, (2, 3))])
def test_max_gradgradcheck_for_disjoint_windows(shape, size, stride):
    x = np.random.default_rng(5).permutation(np.prod(shape)).reshape(shape) / 7.0

    def fn(x):
        return fluid.layers.tanh(pool2d(x, size, "max", stride))
    assert minigrad.gradcheck(fn, [x])
    assert minigrad.gradgradcheck(fn, [x])


def test_max_forward_finds_the_winners_only_when_a_gradient_will_be_needed():
    # A forward that will be differentiated also finds each window's winner (its masks are kept
    # for backward, dropped on release); any other forward does not, and gives the same output.
    x = np.random.default_rng(6).integers(0, 3, size=(2, 3, 6, 5)).astype(np.float32)
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(x)
        plain = MaxPool2d(_Window(x.shape, (3, 3), (2, 2), (1, 1), True))
        expected = plain(v).numpy()
        assert plain._masks is None
        v.stop_gradient = False
        y = pool2d(v, 3, "max", 2, 1, ceil_mode=True)
        np.testing.assert_array_equal(y.numpy(), expected)
        op = y.creator
        assert op._masks.dtype == np.bool_ and op._masks.shape == (9,) + y.numpy().shape
        loss = fluid.layers.reduce_sum(y * fluid.dygraph.to_variable(
            np.arange(y.numpy().size, dtype=np.float32).reshape(y.shape)))
        loss.backward(retain_graph=True)
        first = v.gradient().copy()
        assert first.dtype == np.float32
        loss.backward()
        np.testing.assert_array_equal(v.gradient(), 2 * first)
        assert op._masks is None
    assert np.count_nonzero(first) <= y.numpy().size      # one winner per window


def test_against_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 7))
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, 3, 2, 1, ceil_mode=True)
    ty.sum().backward()
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(x)
        v.stop_gradient = False
        y = pool2d(v, 3, "max", 2, 1, ceil_mode=True)
        fluid.layers.reduce_sum(y).backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy())
        np.testing.assert_allclose(v.gradient(), tx.grad.numpy())
    avg = torch.nn.functional.avg_pool2d(torch.tensor(x), 3, 2, 1, count_include_pad=False)
    mine = pool2d(x, 3, "avg", 2, 1, exclusive=True)
    np.testing.assert_allclose(mine, avg.numpy(), atol=1e-12)


def test_layer_reexports_and_repr():
    assert fluid.layers.pool2d is pool2d
    assert fluid.dygraph.Pool2D is Pool2D
    with fluid.dygraph.guard():
        layer = Pool2D(pool_size=2, pool_type="avg", pool_stride=2)
        assert layer.parameters() == []
        assert layer(fluid.dygraph.to_variable(np.ones((1, 1, 4, 4), np.float32))).shape == \
            [1, 1, 2, 2]


@pytest.mark.parametrize("build, error, text", [
    (lambda: Pool2D(2, pool_type="min"), ValueError, "pool_type"),
    (lambda: Pool2D(), ValueError, "pool_size=-1"),
    (lambda: Pool2D(0), ValueError, "pool_size"),
    (lambda: Pool2D(2, pool_stride=0), ValueError, "pool_stride"),
    (lambda: Pool2D(2, pool_padding=-1), ValueError, "pool_padding"),
    (lambda: Pool2D(2, use_cudnn=1), TypeError, "use_cudnn"),
    (lambda: Pool2D(2, ceil_mode="no"), TypeError, "ceil_mode"),
    (lambda: Pool2D(2, data_format="NHWC"), ValueError, "NCHW"),
])
def test_bad_layer_arguments(build, error, text):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=text):
            build()


@pytest.mark.parametrize("call, error, text", [
    (lambda: pool2d(np.zeros((2, 3, 3)), 2), ValueError, "4-D"),
    (lambda: pool2d(np.zeros((1, 1, 3, 3)), 4), ValueError, "larger than the padded input"),
    (lambda: pool2d(np.zeros((1, 1, 3, 3)), 2, pool_padding=2), ValueError, "smaller"),
    (lambda: pool2d(np.zeros((1, 1, 3, 3), np.int64), 2), TypeError, "floating"),
])
def test_bad_call_arguments(call, error, text):
    with pytest.raises(error, match=text):
        call()
