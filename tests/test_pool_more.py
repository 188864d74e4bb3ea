"""pool3d, adaptive_pool2d and adaptive_pool3d: values, masks and tie-breaking gradients against
direct loops over every output cell, first- and second-order gradients, paddings ('SAME',
'VALID', asymmetric, nested pairs), layouts, dtypes and bad input; torch as an extra oracle."""
import math

import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, distinct, uniform, var

L = fluid.layers


# -- references ----------------------------------------------------------------------------------

def _box_pool(x, boxes, pool_type, divisor):
    """x [N, C, *S]; boxes: {out cell: list of per-axis (lo, hi)}; divisor(cell, box) for avg.
    Returns (values, flat row-major index of each box's first maximum)."""
    n, c = x.shape[:2]
    out_shape = tuple(max(cell[k] for cell in boxes) + 1 for k in range(x.ndim - 2))
    values = np.zeros((n, c) + out_shape)
    mask = np.zeros((n, c) + out_shape, dtype=np.int64)
    for cell, box in boxes.items():
        cells = list(np.ndindex(*[hi - lo for lo, hi in box]))
        cells = [tuple(lo + d for (lo, _), d in zip(box, offset)) for offset in cells]
        for b, ch in np.ndindex(n, c):
            plane = x[b, ch]
            if pool_type == "max":
                best = cells[0]
                for point in cells[1:]:
                    if plane[point] > plane[best]:
                        best = point
                values[(b, ch) + cell] = plane[best]
                mask[(b, ch) + cell] = np.ravel_multi_index(best, plane.shape)
            else:
                values[(b, ch) + cell] = sum(plane[p] for p in cells) / divisor(box)
    return values, mask


def reference_pool3d(x, kernel, stride, pads, pool_type, ceil_mode=False, exclusive=True):
    """pads: (front, back, top, bottom, left, right)."""
    sizes = x.shape[2:]
    counts = []
    for k in range(3):
        span = sizes[k] + pads[2 * k] + pads[2 * k + 1] - kernel[k]
        out = (math.ceil(span / stride[k]) if ceil_mode else span // stride[k]) + 1
        if ceil_mode and (out - 1) * stride[k] >= sizes[k] + pads[2 * k]:
            out -= 1            # a last window that would start in the padding
        counts.append(out)
    boxes = {}
    for cell in np.ndindex(*counts):
        boxes[cell] = [(max(o * s - p, 0), min(o * s - p + k, n))
                       for o, s, p, k, n in zip(cell, stride, pads[::2], kernel, sizes)]
    volume = int(np.prod(kernel))

    def divisor(box):
        return int(np.prod([hi - lo for lo, hi in box])) if exclusive else volume
    return _box_pool(x, boxes, pool_type, divisor)[0]


def reference_adaptive(x, out_sizes, pool_type):
    boxes = {}
    for cell in np.ndindex(*out_sizes):
        boxes[cell] = [(math.floor(o * n / m), math.ceil((o + 1) * n / m))
                       for o, n, m in zip(cell, x.shape[2:], out_sizes)]
    return _box_pool(x, boxes, pool_type, lambda box: np.prod([hi - lo for lo, hi in box]))


def _run(fn, x, *args, **kwargs):
    with fluid.dygraph.guard():
        out = fn(fluid.dygraph.to_variable(x), *args, **kwargs)
        if isinstance(out, tuple):
            return tuple(o.numpy() for o in out)
        return out.numpy()


# -- pool3d --------------------------------------------------------------------------------------

# (shape, pool_size, stride, padding as given, padding as 6 ints, ceil_mode)
POOL3D = [
    ((2, 2, 4, 5, 6), 2, 2, 0, (0,) * 6, False),
    ((1, 2, 5, 6, 7), 3, 2, 1, (1,) * 6, True),
    ((1, 1, 5, 6, 7), [2, 3, 2], [1, 2, 3], [1, 0, 1, 2, 0, 1], (1, 0, 1, 2, 0, 1), False),
    ((1, 2, 4, 4, 5), 2, 2, [[0, 0], [0, 0], [1, 1], [0, 1], [1, 0]], (1, 1, 0, 1, 1, 0), False),
    ((1, 1, 5, 6, 7), 4, 3, 2, (2,) * 6, True),             # last width window dropped
    ((1, 1, 3, 4, 5), [1, 2, 3], 1, [0, 1, 1], (0, 0, 1, 1, 1, 1), False),
]


@pytest.mark.parametrize("shape, size, stride, padding, pads, ceil_mode", POOL3D)
@pytest.mark.parametrize("pool_type, exclusive", [("max", True), ("avg", True), ("avg", False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pool3d_matches_the_direct_loop(shape, size, stride, padding, pads, ceil_mode,
                                        pool_type, exclusive, dtype):
    x = uniform(shape, seed=1).astype(dtype)
    y = _run(L.pool3d, x, size, pool_type, stride, padding, ceil_mode=ceil_mode,
             exclusive=exclusive)
    assert y.dtype == dtype
    triple = (lambda v: [v] * 3 if isinstance(v, int) else list(v))
    expected = reference_pool3d(x.astype(np.float64), triple(size), triple(stride), pads,
                                pool_type, ceil_mode, exclusive)
    np.testing.assert_allclose(y, expected, atol=1e-6)


@pytest.mark.parametrize("pool_type", ["max", "avg"])
def test_pool3d_same_valid_global_and_channels_last(pool_type):
    x = uniform((2, 3, 5, 6, 7), seed=2)
    # 'SAME': ceil(I / S) windows, the padding split with the smaller half in front.
    y = _run(L.pool3d, x, 3, pool_type, 2, "same")
    pads = []
    for n in x.shape[2:]:
        total = max((math.ceil(n / 2) - 1) * 2 + 3 - n, 0)
        pads += [total // 2, total - total // 2]
    assert y.shape[2:] == tuple(math.ceil(n / 2) for n in x.shape[2:])
    np.testing.assert_allclose(y, reference_pool3d(x, [3] * 3, [2] * 3, pads, pool_type),
                               atol=1e-12)
    y = _run(L.pool3d, x, 3, pool_type, 2, "VALID")
    np.testing.assert_allclose(y, reference_pool3d(x, [3] * 3, [2] * 3, [0] * 6, pool_type),
                               atol=1e-12)
    y = _run(L.pool3d, x, pool_type=pool_type, global_pooling=True)
    reduce = np.max if pool_type == "max" else np.mean
    np.testing.assert_allclose(y, reduce(x, axis=(2, 3, 4), keepdims=True), atol=1e-12)
    channels_last = _run(L.pool3d, x.transpose(0, 2, 3, 4, 1).copy(), 2, pool_type, 2,
                         data_format="NDHWC")
    np.testing.assert_allclose(channels_last.transpose(0, 4, 1, 2, 3),
                               _run(L.pool3d, x, 2, pool_type, 2), atol=1e-12)


@pytest.mark.parametrize("shape, size, stride, padding, ceil_mode", [
    ((1, 1, 3, 4, 5), 3, 2, 1, True),
    ((1, 1, 4, 3, 4), [2, 3, 2], [1, 2, 3], [1, 0, 1, 2, 0, 1], False),
    ((1, 2, 2, 3, 3), 2, 2, [[0, 0], [0, 0], [1, 1], [0, 1], [1, 0]], False)])
@pytest.mark.parametrize("pool_type, exclusive", [("max", True), ("avg", True), ("avg", False)])
def test_pool3d_gradients(shape, size, stride, padding, ceil_mode, pool_type, exclusive):
    x = distinct(shape, seed=3)     # no ties: max pooling is differentiable there

    def fn(v):
        return L.tanh(L.pool3d(v, size, pool_type, stride, padding, ceil_mode=ceil_mode,
                               exclusive=exclusive) * 0.1)
    check_grads(fn, x)


def _first_max_gradient(x, boxes_fn, gy):
    """Each window's cotangent lands on its first maximal cell (row-major), as in Paddle."""
    _, mask = boxes_fn(x)
    expected = np.zeros_like(x)
    for index in np.ndindex(*gy.shape):
        plane = expected[index[0], index[1]].reshape(-1)
        plane[mask[index]] += gy[index]
    return expected


def test_pool3d_ties_send_the_gradient_to_the_first_maximal_cell():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, size=(1, 2, 4, 5, 6)).astype(np.float64)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        y = L.pool3d(v, 3, "max", 2, 1, ceil_mode=True)
        gy = rng.standard_normal(y.shape)
        L.reduce_sum(y * var(gy)).backward()
        got = v.gradient()

    def boxes_fn(a):
        boxes = {}
        for cell in np.ndindex(*gy.shape[2:]):
            boxes[cell] = [(max(2 * o - 1, 0), min(2 * o - 1 + 3, n))
                           for o, n in zip(cell, a.shape[2:])]
        return _box_pool(a, boxes, "max", None)
    np.testing.assert_allclose(got, _first_max_gradient(x, boxes_fn, gy), atol=1e-12)


# -- adaptive pools ------------------------------------------------------------------------------

ADAPTIVE_2D = [((2, 3, 5, 7), [3, 4]), ((1, 2, 4, 4), 2), ((1, 1, 3, 5), [7, 9]),
               ((1, 2, 6, 6), (4, 1)), ((1, 1, 1, 1), [2, 3])]
ADAPTIVE_3D = [((1, 2, 3, 4, 5), [2, 3, 2]), ((1, 1, 4, 4, 4), 2), ((1, 1, 2, 3, 2), [3, 5, 4])]


def _sizes(size, rank):
    return [size] * rank if isinstance(size, int) else list(size)


@pytest.mark.parametrize("shape, size", [(s, z) for s, z in ADAPTIVE_2D] +
                         [(s, z) for s, z in ADAPTIVE_3D])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adaptive_pools_match_the_direct_loop(shape, size, dtype):
    rank = len(shape) - 2
    fn = L.adaptive_pool2d if rank == 2 else L.adaptive_pool3d
    x = distinct(shape, seed=5).astype(dtype)
    expected_max, expected_mask = reference_adaptive(x.astype(np.float64), _sizes(size, rank),
                                                     "max")
    y, mask = _run(fn, x, size, "max", require_index=True)
    assert y.dtype == dtype and mask.dtype == np.int32
    np.testing.assert_array_equal(y, expected_max.astype(dtype))
    np.testing.assert_array_equal(mask, expected_mask)
    y = _run(fn, x, size, "avg")
    assert y.dtype == dtype
    expected_avg, _ = reference_adaptive(x.astype(np.float64), _sizes(size, rank), "avg")
    np.testing.assert_allclose(y, expected_avg, rtol=1e-6)


def test_adaptive_max_ties_send_the_gradient_to_the_first_maximal_cell():
    rng = np.random.default_rng(6)
    x = rng.integers(0, 2, size=(2, 2, 5, 7)).astype(np.float64)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        y, mask = L.adaptive_pool2d(v, [3, 4], "max", require_index=True)
        assert mask.stop_gradient
        gy = rng.standard_normal(y.shape)
        L.reduce_sum(y * var(gy)).backward()
        got = v.gradient()
    expected = _first_max_gradient(x, lambda a: reference_adaptive(a, [3, 4], "max"), gy)
    np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize("shape, size", [ADAPTIVE_2D[0], ADAPTIVE_2D[2], ADAPTIVE_3D[0]])
@pytest.mark.parametrize("pool_type", ["max", "avg"])
def test_adaptive_gradients(shape, size, pool_type):
    fn = L.adaptive_pool2d if len(shape) == 4 else L.adaptive_pool3d
    check_grads(lambda v: L.tanh(fn(v, size, pool_type) * 0.1), distinct(shape, seed=7))


def test_torch_agrees():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = uniform((2, 3, 7, 9), seed=8)
    t = torch.from_numpy(x)
    np.testing.assert_allclose(_run(L.adaptive_pool2d, x, [3, 4], "avg"),
                               F.adaptive_avg_pool2d(t, (3, 4)).numpy(), atol=1e-12)
    y, mask = _run(L.adaptive_pool2d, x, [4, 5], "max", require_index=True)
    t_y, t_mask = F.adaptive_max_pool2d(t, (4, 5), return_indices=True)
    np.testing.assert_array_equal(y, t_y.numpy())
    np.testing.assert_array_equal(mask, t_mask.numpy())
    x5 = uniform((1, 2, 5, 6, 7), seed=9)
    t5 = torch.from_numpy(x5)
    np.testing.assert_allclose(_run(L.pool3d, x5, 3, "max", 2, 1),
                               F.max_pool3d(t5, 3, 2, 1).numpy(), atol=1e-12)
    np.testing.assert_allclose(_run(L.pool3d, x5, 3, "avg", 2, 1, exclusive=False),
                               F.avg_pool3d(t5, 3, 2, 1, count_include_pad=True).numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(_run(L.adaptive_pool3d, x5, [2, 4, 3], "avg"),
                               F.adaptive_avg_pool3d(t5, (2, 4, 3)).numpy(), atol=1e-12)


# -- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, words", [
    (dict(pool_size=2, pool_type="sum"), ValueError, "pool_type"),
    (dict(pool_size=-1), ValueError, "global_pooling"),
    (dict(pool_size=[2, 2]), TypeError, "pool_size"),
    (dict(pool_size=2, pool_stride=0), ValueError, "pool_stride"),
    (dict(pool_size=2, pool_padding="FULL"), ValueError, "'SAME' or 'VALID'"),
    (dict(pool_size=2, pool_padding="VALID", ceil_mode=True), ValueError, "ceil_mode"),
    (dict(pool_size=2, pool_padding=[[1, 0], [0, 0], [0, 0], [0, 0], [0, 0]]), ValueError,
     "batch or channel"),
    (dict(pool_size=2, pool_padding=2), ValueError, "smaller than pool_size"),
    (dict(pool_size=9), ValueError, "larger than the padded input"),
    (dict(pool_size=2, use_cudnn=1), TypeError, "use_cudnn"),
    (dict(pool_size=2, data_format="NCHW"), ValueError, "data_format"),
])
def test_pool3d_bad_input(kwargs, error, words):
    with fluid.dygraph.guard():
        v = var(np.ones((1, 1, 4, 4, 4), dtype=np.float32))
        with pytest.raises(error, match="pool3d") as info:
            L.pool3d(v, **kwargs)
        assert words in str(info.value)


def test_adaptive_bad_input():
    with fluid.dygraph.guard():
        v = var(np.ones((1, 1, 4, 4), dtype=np.float32))
        with pytest.raises(ValueError, match="adaptive_pool2d: require_index=True"):
            L.adaptive_pool2d(v, 2, "avg", require_index=True)
        with pytest.raises(ValueError, match="adaptive_pool2d: pool_type"):
            L.adaptive_pool2d(v, 2, "min")
        with pytest.raises(TypeError, match="adaptive_pool2d: pool_size"):
            L.adaptive_pool2d(v, [2, 2, 2])
        with pytest.raises(ValueError, match="adaptive_pool2d: pool_size must be >= 1"):
            L.adaptive_pool2d(v, [2, 0])
        with pytest.raises(TypeError, match="adaptive_pool2d: require_index"):
            L.adaptive_pool2d(v, 2, require_index=1)
        with pytest.raises(ValueError, match="adaptive_pool3d: input must be 5-D"):
            L.adaptive_pool3d(v, 2)
        with pytest.raises(TypeError, match="adaptive_pool2d: input must have a floating"):
            L.adaptive_pool2d(var(np.ones((1, 1, 4, 4), dtype=np.int64)), 2)
