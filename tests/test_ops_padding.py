"""ops/padding.py: pad, pad2d (constant, reflect, edge; NCHW and NHWC) and pad_constant_like
against element loops written here, first- and second-order gradients (float64), dtypes and
bad input."""
import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, uniform, var

L = fluid.layers


def _source(i, n, mode):
    """The input position a padded position i reads (None: the constant)."""
    if 0 <= i < n:
        return i
    if mode == "constant":
        return None
    if mode == "edge":
        return min(max(i, 0), n - 1)
    while not 0 <= i < n:    # reflect, border not repeated
        i = -i if i < 0 else 2 * (n - 1) - i
    return i


def _pad2d_loop(x, paddings, mode, value, data_format):
    if data_format == "NHWC":
        x = x.transpose(0, 3, 1, 2)
    top, bottom, left, right = paddings
    n, c, h, w = x.shape
    out = np.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            si, sj = _source(i - top, h, mode), _source(j - left, w, mode)
            if si is not None and sj is not None:
                out[:, :, i, j] = x[:, :, si, sj]
    return out.transpose(0, 2, 3, 1) if data_format == "NHWC" else out


def test_pad_docs_case_and_dtype():
    x = np.ones((2, 3), dtype=np.float32)
    with fluid.dygraph.guard():
        out = L.pad(var(x), [0, 1, 1, 2], pad_value=2.5)
        assert out.shape == [3, 6] and out.dtype == np.float32
        for i, j in np.ndindex(3, 6):
            assert out.numpy()[i, j] == (1 if i < 2 and 1 <= j < 4 else 2.5)
        out = L.pad(var(np.ones((2, 3), np.int64)), (0, 1, 1, 0), 2)
        assert out.dtype == np.int64 and out.numpy()[2, 0] == 2


def test_pad_grads():
    check_grads(lambda v: L.pad(v, [1, 0, 2, 1, 0, 3], 0.5), uniform((2, 2, 3)))


@pytest.mark.parametrize("paddings, match", [([0, 1, 1], "must have 2 \\* rank = 4"),
                                             ([0, -1, 1, 2], "must be >= 0")])
def test_pad_bad_paddings(paddings, match):
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="pad: paddings " + match):
        L.pad(var(np.ones((2, 3))), paddings)


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("data_format", ["NCHW", "NHWC"])
@pytest.mark.parametrize("paddings", [[0, 1, 2, 3], [2, 1, 0, 2], [0, 0, 0, 0], [1, 2, 3, 3]])
def test_pad2d_values(mode, data_format, paddings):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    if data_format == "NHWC":
        x = x.transpose(0, 2, 3, 1).copy()
    with fluid.dygraph.guard():
        out = L.pad2d(var(x), paddings, mode, 9.0, data_format)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), _pad2d_loop(x, paddings, mode, 9.0,
                                                               data_format))


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_pad2d_grads(mode):
    check_grads(lambda v: L.pad2d(v, [2, 1, 1, 2], mode, 0.5), uniform((1, 2, 3, 4)))
    check_grads(lambda v: L.pad2d(v, [0, 2, 1, 0], mode, data_format="NHWC"),
                uniform((1, 3, 4, 2)))


def test_pad2d_docs_defaults_variable_paddings_and_negative_crop():
    x = np.arange(12, dtype=np.float32).reshape(1, 1, 3, 4)
    with fluid.dygraph.guard():
        np.testing.assert_array_equal(L.pad2d(var(x)).numpy(), x)
        out = L.pad2d(var(x), var(np.array([0, 1, 0, 0], np.int32)))
        np.testing.assert_array_equal(out.numpy()[0, 0, :3], x[0, 0])
        assert (out.numpy()[0, 0, 3] == 0).all()
        # negative constant paddings crop (Paddle 1.8.5 does the same)
        np.testing.assert_array_equal(L.pad2d(var(x), [-1, 0, 0, -2]).numpy(), x[:, :, 1:, :2])
        assert L.pad2d(var(x.astype(np.int64)), [0, 1, 0, 0], pad_value=3).dtype == np.int64
    check_grads(lambda v: L.pad2d(v, [-1, 1, 2, -1]), uniform((1, 1, 3, 4)))


@pytest.mark.parametrize("kwargs, match", [
    (dict(paddings=[3, 0, 0, 0], mode="reflect"), "reflect paddings .* at most 2"),
    (dict(paddings=[0, 0, 0, 0], mode="circular"), "mode must be"),
    (dict(paddings=[0, 0, 0], mode="constant"), "paddings must be"),
    (dict(paddings=[-1, 0, 0, 0], mode="edge"), "paddings must be >= 0 in edge mode"),
    (dict(paddings=[0, 0, 0, 0], data_format="NWHC"), "data_format must be"),
])
def test_pad2d_bad_input(kwargs, match):
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="pad2d: " + match):
        L.pad2d(var(np.zeros((1, 1, 3, 4), np.float32)), **kwargs)


def test_pad2d_needs_4d():
    with fluid.dygraph.guard(), pytest.raises(ValueError, match="pad2d: input must be 4-D"):
        L.pad2d(var(np.zeros((3, 4))), [0, 0, 0, 0])


def test_pad_constant_like():
    x = np.zeros((2, 3, 2, 3), dtype=np.float32)
    y = np.arange(9, dtype=np.float32).reshape(1, 3, 1, 3) + 35
    with fluid.dygraph.guard():
        out = L.pad_constant_like(var(x), var(y), 0.0)
        assert out.shape == [2, 3, 2, 3] and out.dtype == np.float32
        for index in np.ndindex(2, 3, 2, 3):
            inside = index[0] < 1 and index[2] < 1
            assert out.numpy()[index] == (y[0, index[1], 0, index[3]] if inside else 0)
        out = L.pad_constant_like(var(x), var(np.ones((1, 2, 2, 1), np.int64)), 3.0)
        assert out.dtype == np.int64 and out.numpy()[1, 2, 1, 2] == 3
        with pytest.raises(ValueError, match="pad_constant_like: y must have x's rank"):
            L.pad_constant_like(var(np.zeros((2, 3))), var(np.ones((3, 2))))
    check_grads(lambda v: L.pad_constant_like(np.zeros((3, 4)), v, 1.5), uniform((2, 2)))
