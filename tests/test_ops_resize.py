"""image_resize and friends: values against direct per-pixel loops written from Paddle 1.8's
coordinate rules, gradients (first and second order), the adjoint identity, output-size rules,
layouts, dtypes, and bad input. torch is an extra oracle for the modes it shares."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops.taps import AxisTaps, Taps
from op_helpers import check_grads, uniform, var

L = fluid.layers


# -- the reference: Paddle 1.8's rules, one output cell at a time ---------------------------------

def _ratio(in_size, out_size, align_corners):
    # Paddle computes the ratio in float32; 0 when the output has one cell.
    if out_size == 1:
        return 0.0
    if align_corners:
        return float(np.float32(in_size - 1) / np.float32(out_size - 1))
    return float(np.float32(in_size) / np.float32(out_size))


def _linear_source(o, in_size, out_size, align_corners, align_mode):
    """(lo, hi, weight of lo, weight of hi) for output cell o along one axis."""
    ratio = _ratio(in_size, out_size, align_corners)
    if align_mode == 0 and not align_corners:
        src = max(ratio * (o + 0.5) - 0.5, 0.0)
    else:
        src = ratio * o
    lo = min(int(src), in_size - 1)
    hi = min(lo + 1, in_size - 1)
    frac = src - lo
    return lo, hi, 1.0 - frac, frac


def _nearest_source(o, in_size, out_size, align_corners):
    ratio = np.float32(_ratio(in_size, out_size, align_corners))
    src = float(ratio * np.float32(o))
    return min(int(src + 0.5) if align_corners else int(src), in_size - 1)


def reference_resize(x, out_sizes, mode, align_corners=True, align_mode=1):
    """x: [N, C, *spatial] float64; loops over every output cell and every corner."""
    x = np.asarray(x, dtype=np.float64)
    spatial = x.shape[2:]
    out = np.zeros(x.shape[:2] + tuple(out_sizes))
    for cell in np.ndindex(*out_sizes):
        if mode == "NEAREST":
            source = tuple(_nearest_source(o, i, n, align_corners)
                           for o, i, n in zip(cell, spatial, out_sizes))
            out[(Ellipsis,) + cell] = x[(Ellipsis,) + source]
            continue
        per_axis = [_linear_source(o, i, n, align_corners, align_mode)
                    for o, i, n in zip(cell, spatial, out_sizes)]
        value = 0.0
        for corner in np.ndindex(*[2] * len(cell)):
            weight = 1.0
            index = []
            for (lo, hi, w_lo, w_hi), side in zip(per_axis, corner):
                index.append(hi if side else lo)
                weight *= w_hi if side else w_lo
            value = value + weight * x[(Ellipsis,) + tuple(index)]
        out[(Ellipsis,) + cell] = value
    return out


def _resize(x, out_sizes, mode, **kwargs):
    with fluid.dygraph.guard():
        y = L.image_resize(fluid.dygraph.to_variable(x), out_shape=list(out_sizes),
                           resample=mode, **kwargs)
        return y.numpy()


ALIGNS = [(True, 1), (True, 0), (False, 1), (False, 0)]
SIZES_2D = [((3, 4), (5, 7)), ((5, 7), (3, 4)), ((1, 4), (3, 2)), ((4, 4), (1, 1)),
            ((2, 3), (2, 3)), ((3, 2), (8, 9)), ((6, 6), (4, 9))]


@pytest.mark.parametrize("in_hw, out_hw", SIZES_2D)
@pytest.mark.parametrize("align_corners, align_mode", ALIGNS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bilinear_matches_the_direct_loop(in_hw, out_hw, align_corners, align_mode, dtype):
    x = uniform((2, 3) + in_hw, seed=1).astype(dtype)
    y = _resize(x, out_hw, "BILINEAR", align_corners=align_corners, align_mode=align_mode)
    assert y.dtype == dtype and y.shape == (2, 3) + out_hw
    np.testing.assert_allclose(y, reference_resize(x, out_hw, "BILINEAR", align_corners,
                                                   align_mode), atol=1e-5)


@pytest.mark.parametrize("in_hw, out_hw", SIZES_2D)
@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nearest_matches_the_direct_loop(in_hw, out_hw, align_corners, dtype):
    x = uniform((2, 2) + in_hw, seed=2).astype(dtype)
    y = _resize(x, out_hw, "NEAREST", align_corners=align_corners)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, reference_resize(x, out_hw, "NEAREST", align_corners)
                                  .astype(dtype))


@pytest.mark.parametrize("in_size", range(1, 9))
@pytest.mark.parametrize("out_size", range(1, 19))
def test_nearest_source_cells_for_many_sizes(in_size, out_size):
    # Integer-valued input: the output names the source cell, including the exact ties
    # (ratio * o + 0.5 an integer) where align_corners=True rounds up.
    x = np.arange(in_size, dtype=np.float32).reshape(1, 1, 1, in_size)
    for align_corners in (True, False):
        y = _resize(x, (1, out_size), "NEAREST", align_corners=align_corners)
        expected = [_nearest_source(o, in_size, out_size, align_corners)
                    for o in range(out_size)]
        np.testing.assert_array_equal(y[0, 0, 0], expected)


@pytest.mark.parametrize("in_dhw, out_dhw", [((2, 3, 4), (3, 5, 2)), ((3, 2, 2), (1, 1, 1)),
                                             ((1, 2, 3), (4, 4, 4))])
@pytest.mark.parametrize("align_corners, align_mode", ALIGNS)
def test_trilinear_matches_the_direct_loop(in_dhw, out_dhw, align_corners, align_mode):
    x = uniform((1, 2) + in_dhw, seed=3).astype(np.float32)
    y = _resize(x, out_dhw, "TRILINEAR", align_corners=align_corners, align_mode=align_mode,
                data_format="NCDHW")
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, reference_resize(x, out_dhw, "TRILINEAR", align_corners,
                                                   align_mode), atol=1e-5)


def test_align_corners_keeps_the_corners_and_midpoints():
    x = np.array([[[[0.0, 4.0], [8.0, 12.0]]]])
    y = _resize(x, (3, 3), "BILINEAR")
    np.testing.assert_allclose(y[0, 0], [[0, 2, 4], [4, 6, 8], [8, 10, 12]])


def test_one_output_cell_reads_the_first_input_cell_in_every_mode():
    # Paddle's ratio is 0 for an output of size 1, even with half-pixel centres.
    x = uniform((1, 1, 3, 5), seed=4)
    for align_corners, align_mode in ALIGNS:
        y = _resize(x, (1, 1), "BILINEAR", align_corners=align_corners, align_mode=align_mode)
        assert y[0, 0, 0, 0] == x[0, 0, 0, 0]


def test_same_size_is_a_copy():
    x = uniform((1, 2, 3, 4), seed=11)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        for ac, am in ALIGNS:
            y = L.resize_bilinear(v, out_shape=[3, 4], align_corners=ac, align_mode=am)
            assert y is not v and not y.stop_gradient
            np.testing.assert_array_equal(y.numpy(), x)
    check_grads(lambda a: L.resize_nearest(a, out_shape=[3, 4]) * a, x)


def test_wrappers_and_layouts():
    x = uniform((2, 3, 4, 5), seed=5).astype(np.float32)
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(x)
        a = L.resize_bilinear(v, out_shape=[6, 7], align_corners=False, align_mode=0)
        b = L.image_resize(v, [6, 7], resample="BILINEAR", align_corners=False, align_mode=0)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        c = L.resize_nearest(v, out_shape=(6, 7), align_corners=False)
        np.testing.assert_array_equal(
            c.numpy(), reference_resize(x, (6, 7), "NEAREST", False).astype(np.float32))
        nhwc = L.resize_bilinear(fluid.dygraph.to_variable(x.transpose(0, 2, 3, 1).copy()),
                                 out_shape=[6, 7], data_format="NHWC")
        nchw = L.resize_bilinear(v, out_shape=[6, 7])
        np.testing.assert_allclose(nhwc.numpy().transpose(0, 3, 1, 2), nchw.numpy(), atol=1e-6)
        x5 = uniform((1, 2, 3, 4, 2), seed=6)
        ndhwc = L.resize_trilinear(fluid.dygraph.to_variable(x5.transpose(0, 2, 3, 4, 1).copy()),
                                   out_shape=[2, 5, 3], data_format="NDHWC")
        np.testing.assert_allclose(ndhwc.numpy().transpose(0, 4, 1, 2, 3),
                                   reference_resize(x5, (2, 5, 3), "TRILINEAR"), atol=1e-6)


def test_output_size_from_scale_tensors_and_actual_shape():
    x = uniform((1, 2, 3, 4), seed=7).astype(np.float32)
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(x)
        # scale: each size is int(in * scale); the coordinates then use in / out, not 1 / scale.
        y = L.resize_bilinear(v, scale=1.5, align_corners=False, align_mode=0)
        assert y.shape == [1, 2, int(3 * 1.5), int(4 * 1.5)]
        np.testing.assert_allclose(y.numpy(), reference_resize(x, (4, 6), "BILINEAR", False, 0),
                                   atol=1e-6)
        assert L.resize_nearest(v, scale=2).shape == [1, 2, 6, 8]
        assert L.resize_nearest(v, out_shape=[4.9, 2.0]).shape == [1, 2, 4, 2]   # int(), as 1.8
        scale = fluid.dygraph.to_variable(np.array([2.0], dtype=np.float32))
        assert L.resize_bilinear(v, scale=scale).shape == [1, 2, 6, 8]
        sizes = fluid.dygraph.to_variable(np.array([5, 2], dtype=np.int32))
        assert L.resize_bilinear(v, out_shape=sizes).shape == [1, 2, 5, 2]
        one = fluid.dygraph.to_variable(np.array([6], dtype=np.int32))
        assert L.resize_bilinear(v, out_shape=[4, one]).shape == [1, 2, 4, 6]
        actual = fluid.dygraph.to_variable(np.array([2, 3], dtype=np.int32))
        # actual_shape beats out_shape (Paddle documents it as the highest priority).
        assert L.resize_bilinear(v, out_shape=[7, 7], actual_shape=actual).shape == [1, 2, 2, 3]


def test_image_resize_short():
    with fluid.dygraph.guard():
        v = fluid.dygraph.to_variable(uniform((1, 3, 6, 9)).astype(np.float32))
        y = L.image_resize_short(v, 3)
        assert y.shape == [1, 3, 3, int(9 * 3 / 6 + 0.5)] and y.dtype == np.float32
        w = fluid.dygraph.to_variable(uniform((1, 1, 7, 4)))
        assert L.image_resize_short(w, 6, resample="NEAREST").shape == \
            [1, 1, int(7 * 6 / 4 + 0.5), 6]


def test_uint8_images_truncate():
    x = np.array([0, 255], dtype=np.uint8).reshape(1, 1, 1, 2)
    with fluid.dygraph.guard():
        y = L.resize_bilinear(fluid.dygraph.to_variable(x), out_shape=[1, 3])
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(y.numpy().ravel(), [0, math.trunc(127.5), 255])


@pytest.mark.parametrize("mode, in_shape, out_sizes", [
    ("BILINEAR", (2, 2, 3, 4), (5, 3)), ("NEAREST", (1, 2, 3, 4), (5, 7)),
    ("TRILINEAR", (1, 1, 2, 3, 2), (3, 2, 4))])
@pytest.mark.parametrize("align_corners, align_mode", ALIGNS)
def test_gradients(mode, in_shape, out_sizes, align_corners, align_mode):
    x = uniform(in_shape, seed=8)
    fmt = "NCDHW" if len(in_shape) == 5 else "NCHW"

    def fn(v):
        return L.tanh(L.image_resize(v, list(out_sizes), resample=mode, align_corners=align_corners,
                                     align_mode=align_mode, data_format=fmt))
    check_grads(fn, x)


@pytest.mark.parametrize("in_size, out_size", [(3, 7), (7, 3), (5, 5), (1, 4), (4, 1)])
@pytest.mark.parametrize("align_corners, align_mode", ALIGNS)
@pytest.mark.parametrize("mode", ["linear", "nearest"])
def test_the_backward_map_is_the_adjoint(in_size, out_size, align_corners, align_mode, mode):
    # <A x, y> = <x, A^T y>, and the adjoint's adjoint is A itself.
    from minigrad.ops.resize import linear_taps, nearest_taps
    index, weight = (linear_taps(in_size, out_size, align_corners, align_mode)
                     if mode == "linear" else nearest_taps(in_size, out_size, align_corners))
    taps = Taps(index, weight, 1, in_size)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, in_size, 2))
    y = rng.standard_normal((3, out_size, 2))
    ax = AxisTaps(taps)(x)
    aty = AxisTaps(taps.adjoint())(y)
    assert ax.shape == y.shape and aty.shape == x.shape
    assert abs(np.vdot(ax, y) - np.vdot(x, aty)) < 1e-12
    assert taps.adjoint().adjoint() is taps


def test_torch_agrees_where_the_conventions_match():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = uniform((2, 3, 5, 6), seed=10)
    t = torch.from_numpy(x)
    for size in [(9, 4), (3, 11)]:
        got = _resize(x, size, "BILINEAR", align_corners=True)
        want = F.interpolate(t, size=size, mode="bilinear", align_corners=True).numpy()
        np.testing.assert_allclose(got, want, atol=1e-6)
        got = _resize(x, size, "BILINEAR", align_corners=False, align_mode=0)
        want = F.interpolate(t, size=size, mode="bilinear", align_corners=False).numpy()
        np.testing.assert_allclose(got, want, atol=1e-6)
        got = _resize(x, size, "NEAREST", align_corners=False)
        want = F.interpolate(t, size=size, mode="nearest").numpy()
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(out_shape=[4, 4], resample="BICUBIC"), ValueError, "resample"),
    (dict(out_shape=[4, 4, 4], resample="TRILINEAR"), ValueError, "5-D"),
    (dict(out_shape=[4, 4], align_corners=1), TypeError, "align_corners"),
    (dict(out_shape=[4, 4], align_mode=2), ValueError, "align_mode"),
    (dict(out_shape=[4, 4], data_format="NCDHW"), ValueError, "data_format"),
    (dict(out_shape=[4]), ValueError, "out_shape"),
    (dict(out_shape=4), TypeError, "out_shape"),
    (dict(out_shape=[4, 0]), ValueError, "out_w=0"),
    (dict(out_shape=[4, "2"]), TypeError, "out_shape"),
    (dict(out_shape=[4, 0.5]), ValueError, "out_w=0"),
    (dict(scale=-1.0), ValueError, "scale"),
    (dict(scale="2"), TypeError, "scale"),
    (dict(scale=0.1), ValueError, "out_h=0"),
    (dict(), ValueError, "out_shape and scale"),
    (dict(out_shape=[4, 4], actual_shape=[3, 3]), TypeError, "actual_shape"),
])
def test_bad_input(kwargs, error, words):
    with fluid.dygraph.guard():
        v = var(np.ones((1, 1, 3, 4), dtype=np.float32))
        with pytest.raises(error, match="image_resize") as info:
            L.image_resize(v, **kwargs)
        assert words in str(info.value)


def test_bad_input_of_the_wrappers():
    with fluid.dygraph.guard():
        v = var(np.ones((1, 1, 3, 4), dtype=np.float32))
        with pytest.raises(ValueError, match="4-D"):
            L.resize_bilinear(var(np.ones((1, 1, 2, 3, 4))), out_shape=[2, 2])
        with pytest.raises(TypeError, match="int64"):
            L.resize_nearest(var(np.ones((1, 1, 3, 4), dtype=np.int64)), out_shape=[2, 2])
        with pytest.raises(ValueError, match="image_resize_short: out_short_len"):
            L.image_resize_short(v, 0)
        with pytest.raises(ValueError, match="image_resize_short: input must be 4-D"):
            L.image_resize_short(var(np.ones((1, 3, 4))), 2)
