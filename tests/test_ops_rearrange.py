"""ops/rearrange.py: pixel_shuffle, space_to_depth, shuffle_channel, temporal_shift and unfold
against element loops written here (torch as an extra oracle for unfold), the unfold/fold
adjoint identity, first- and second-order gradients (float64), dtypes and bad input."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops.rearrange import Fold, Unfold
from op_helpers import check_grads, uniform, var

L = fluid.layers


def _pixel_shuffle_loop(x, r):
    n, c, h, w = x.shape
    out = np.empty((n, c // (r * r), h * r, w * r), dtype=x.dtype)
    for index in np.ndindex(*out.shape):
        b, k, i, j = index
        out[index] = x[b, k * r * r + (i % r) * r + j % r, i // r, j // r]
    return out


def _space_to_depth_loop(x, bs):
    """Paddle 1.8.5's space_to_depth kernel, element by element: input element (b, k, j, i)
    goes to flat position w2 + W bs (h2 + H bs (c2 + out_c b)) of the output buffer."""
    n, c, h, w = x.shape
    out_c = c // (bs * bs)
    flat = np.empty(x.size, dtype=x.dtype)
    for b, k, j, i in np.ndindex(*x.shape):
        c2, offset = k % out_c, k // out_c
        w2, h2 = i * bs + offset % bs, j * bs + offset // bs
        flat[w2 + w * bs * (h2 + h * bs * (c2 + out_c * b))] = x[b, k, j, i]
    return flat.reshape(n, c * bs * bs, h // bs, w // bs)


def test_pixel_shuffle():
    x = np.arange(2 * 18 * 2 * 3, dtype=np.float32).reshape(2, 18, 2, 3)
    with fluid.dygraph.guard():
        for r in (1, 3):
            out = L.pixel_shuffle(var(x), r)
            assert out.dtype == np.float32
            np.testing.assert_array_equal(out.numpy(), _pixel_shuffle_loop(x, r))
        with pytest.raises(ValueError, match="pixel_shuffle: upscale_factor\\^2 = 4 must divide"):
            L.pixel_shuffle(var(np.zeros((1, 3, 2, 2))), 2)
    check_grads(lambda v: L.pixel_shuffle(v, 2), uniform((1, 8, 2, 3)))


def test_space_to_depth_matches_paddle_kernel_and_docs_example():
    with fluid.dygraph.guard():
        x = np.arange(16, dtype=np.float32).reshape(1, 4, 2, 2)
        out = L.space_to_depth(var(x), 2)
        assert out.shape == [1, 16, 1, 1] and out.dtype == np.float32
        # 1.8's runnable docstring example
        np.testing.assert_array_equal(out.numpy().ravel(),
                                      [0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15])
        for shape, bs in [((2, 8, 4, 6), 2), ((1, 9, 3, 6), 3)]:
            x = np.arange(np.prod(shape)).reshape(shape)
            out = L.space_to_depth(var(x), bs)
            assert out.dtype == np.int64
            np.testing.assert_array_equal(out.numpy(), _space_to_depth_loop(x, bs))
        with pytest.raises(ValueError, match="space_to_depth: .* blocksize\\^2 = 4"):
            L.space_to_depth(var(np.zeros((1, 2, 4, 4))), 2)
        with pytest.raises(ValueError, match="space_to_depth: .* divisible by blocksize = 2"):
            L.space_to_depth(var(np.zeros((1, 4, 4, 3))), 2)
        with pytest.raises(TypeError, match="space_to_depth: blocksize must be an int"):
            L.space_to_depth(var(np.zeros((1, 4, 4, 4))), 2.0)
    check_grads(lambda v: L.space_to_depth(v, 2), uniform((1, 8, 2, 4)))


@pytest.mark.parametrize("group", [1, 2, 3, 6])
def test_shuffle_channel(group):
    x = np.arange(2 * 6 * 2 * 2, dtype=np.float32).reshape(2, 6, 2, 2)
    per = 6 // group
    expected = np.empty_like(x)
    for k in range(6):
        # channel j * group + i of the output is channel i * per + j of the input
        i, j = k % group, k // group
        expected[:, k] = x[:, i * per + j]
    with fluid.dygraph.guard():
        np.testing.assert_array_equal(L.shuffle_channel(var(x), group).numpy(), expected)
    check_grads(lambda v: L.shuffle_channel(v, group), uniform((1, 6, 1, 2)))


def test_shuffle_channel_bad_group():
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="shuffle_channel: group=4"):
        L.shuffle_channel(var(np.zeros((1, 6, 1, 1))), 4)


def _temporal_shift_loop(x, t, ratio):
    nt, c, h, w = x.shape
    c1, c2 = int(np.float32(c) * np.float32(ratio)), int(np.float32(c) * np.float32(2 * ratio))
    out = np.zeros_like(x)
    for b in range(nt):
        clip, frame = divmod(b, t)
        for k in range(c):
            source = frame - 1 if k < c1 else frame + 1 if k < c2 else frame
            if 0 <= source < t:
                out[b, k] = x[clip * t + source, k]
    return out


@pytest.mark.parametrize("t, ratio, c", [(2, 0.25, 8), (3, 0.3, 10), (3, 0.1, 4), (1, 0.2, 5),
                                         (4, 0.45, 7)])
def test_temporal_shift(t, ratio, c):
    x = np.arange(2 * t * c * 2, dtype=np.float32).reshape(2 * t, c, 1, 2) + 1
    with fluid.dygraph.guard():
        out = L.temporal_shift(var(x), t, ratio)
        assert out.dtype == np.float32 and out.shape == list(x.shape)
        np.testing.assert_array_equal(out.numpy(), _temporal_shift_loop(x, t, ratio))
    check_grads(lambda v: L.temporal_shift(v, t, ratio), uniform((t, c, 1, 2)))


def test_temporal_shift_bad_input():
    with fluid.dygraph.guard():
        x = var(np.zeros((4, 8, 1, 1), np.float32))
        with pytest.raises(ValueError, match="temporal_shift: shift_ratio must be in"):
            L.temporal_shift(x, 2, 0.5)
        with pytest.raises(ValueError, match="temporal_shift: x's first dim 4 .* seg_num=3"):
            L.temporal_shift(x, 3)
        with pytest.raises(TypeError, match="temporal_shift: seg_num must be an int"):
            L.temporal_shift(x, 2.0)


# -- unfold --------------------------------------------------------------------------------------


def _unfold_loop(x, kernel, stride, paddings, dilation):
    top, left, bottom, right = paddings
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh = (h + top + bottom - (dh * (kh - 1) + 1)) // sh + 1
    ow = (w + left + right - (dw * (kw - 1) + 1)) // sw + 1
    out = np.zeros((n, c * kh * kw, oh * ow), dtype=x.dtype)
    for b, ch, i, j, p, q in np.ndindex(n, c, kh, kw, oh, ow):
        row, col = p * sh + i * dh - top, q * sw + j * dw - left
        if 0 <= row < h and 0 <= col < w:
            out[b, ch * kh * kw + i * kw + j, p * ow + q] = x[b, ch, row, col]
    return out


UNFOLD_CASES = [
    # kernel_sizes, strides, paddings, dilations, expanded (kernel, stride, paddings, dilation)
    ([2, 2], 1, 0, 1, ((2, 2), (1, 1), (0, 0, 0, 0), (1, 1))),
    (3, 1, 1, 1, ((3, 3), (1, 1), (1, 1, 1, 1), (1, 1))),
    ([2, 3], [2, 1], [1, 0], [1, 2], ((2, 3), (2, 1), (1, 0, 1, 0), (1, 2))),
    ([3, 2], [1, 3], [1, 0, 2, 1], 2, ((3, 2), (1, 3), (1, 0, 2, 1), (2, 2))),
    (2, 2, [0, 1, 0, 1], 1, ((2, 2), (2, 2), (0, 1, 0, 1), (1, 1))),
]


@pytest.mark.parametrize("kernel_sizes, strides, paddings, dilations, expanded", UNFOLD_CASES)
def test_unfold_values(kernel_sizes, strides, paddings, dilations, expanded):
    x = uniform((2, 3, 5, 6)).astype(np.float32)
    with fluid.dygraph.guard():
        out = L.unfold(var(x), kernel_sizes, strides, paddings, dilations)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), _unfold_loop(x, *expanded))


def test_unfold_against_torch():
    torch = pytest.importorskip("torch")
    x = uniform((2, 3, 6, 5))
    with fluid.dygraph.guard():
        out = L.unfold(var(x), [3, 2], [2, 1], [1, 2], [1, 2]).numpy()
    ref = torch.nn.functional.unfold(torch.from_numpy(x), (3, 2), dilation=(1, 2),
                                     padding=(1, 2), stride=(2, 1)).numpy()
    np.testing.assert_allclose(out, ref, rtol=0, atol=0)


@pytest.mark.parametrize("kernel_sizes, strides, paddings, dilations, expanded",
                         UNFOLD_CASES[1:4])
def test_unfold_grads(kernel_sizes, strides, paddings, dilations, expanded):
    check_grads(lambda v: L.unfold(v, kernel_sizes, strides, paddings, dilations),
                uniform((1, 2, 4, 5)))


def test_unfold_and_fold_are_adjoint():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 6, 7))
    op = Unfold((3, 2), (2, 1), (1, 2))
    blocks = op.forward(x)
    y = rng.normal(size=blocks.shape)
    folded = Fold(x.shape, (3, 2), (2, 1), (1, 2)).forward(y)
    assert folded.shape == x.shape
    assert abs(np.sum(blocks * y) - np.sum(x * folded)) < 1e-12


@pytest.mark.parametrize("args, error, match", [
    (([4, 4],), ValueError, "do not fit x of spatial size \\[3, 3\\]"),
    (([0, 2],), ValueError, "kernel_sizes must be >= 1"),
    ((2, 1, [1, 1, -1, 0]), ValueError, "paddings must be non-negative"),
    ((2, 1, [1, 1, 1]), TypeError, "paddings must be an int or a pair"),
])
def test_unfold_bad_input(args, error, match):
    with fluid.dygraph.guard(), pytest.raises(error, match="unfold: .*" + match):
        L.unfold(var(np.zeros((1, 1, 3, 3), np.float32)), *args)


@pytest.mark.parametrize("row_mode", ["compact", "row-flat", "image-flat", "batch-minor"])
def test_unfold_under_every_conv_layout(row_mode, monkeypatch):
    """unfold reads the conv core's im2col, whatever grid layout that core picks."""
    from minigrad.ops import conv
    monkeypatch.setattr(conv, "FORCE_ROW_MODE", row_mode)
    x = uniform((3, 2, 5, 6))
    for kernel, stride, dilation in [((2, 3), (1, 2), (2, 1)), ((2, 2), (2, 2), (1, 1))]:
        with fluid.dygraph.guard():
            out = L.unfold(var(x), kernel, stride, 0, dilation).numpy()
        np.testing.assert_array_equal(out, _unfold_loop(x, kernel, stride, (0, 0, 0, 0),
                                                        dilation))
        blocks = Unfold(kernel, stride, dilation).forward(x)
        y = np.random.default_rng(2).normal(size=blocks.shape)
        folded = Fold(x.shape, kernel, stride, dilation).forward(y)
        assert abs(np.sum(blocks * y) - np.sum(x * folded)) < 1e-12
