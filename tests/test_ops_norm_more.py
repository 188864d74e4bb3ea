"""ops/norm.py's layer / instance / group norm, l2_normalize, lrn, affine_channel, data_norm and
spectral_norm kernels, and the Paddle 1.8 functions of nn/functional/norm.py that create their
parameters (fluid.layers.layer_norm, group_norm, instance_norm, batch_norm, data_norm,
spectral_norm): values against element-by-element loops, first- and second-order gradients
(float64), float32 preserved, Paddle's parameter shapes / names / initial values, bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.layer_helper import LayerHelper
from minigrad.ops import norm as N
from op_helpers import check_grads, uniform, var

L = fluid.layers


# -- references: plain Python loops over the elements ---------------------------------------------


def _standardized(values, eps):
    """(v - mean) / sqrt(biased var + eps) of a flat list of Python floats."""
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return [(v - mean) / math.sqrt(variance + eps) for v in values]


def ref_layer_norm(x, weight, bias, begin, eps):
    rows = int(np.prod(x.shape[:begin]))
    flat = x.reshape(rows, -1)
    out = np.empty(flat.shape)
    for r in range(rows):
        for i, value in enumerate(_standardized([float(v) for v in flat[r]], eps)):
            out[r, i] = value * (1.0 if weight is None else weight[i]) + (
                0.0 if bias is None else bias[i])
    return out.reshape(x.shape)


def ref_group_norm(x, groups, weight, bias, eps):
    """NCHW-like x [N, C, ...]; groups of ceil(C / groups) channels as in Paddle 1.8."""
    n, c = x.shape[:2]
    size = -(-c // groups)
    out = np.empty(x.shape)
    for sample in range(n):
        for start in range(0, c, size):
            channels = range(start, min(c, start + size))
            values = [float(v) for ch in channels for v in np.ravel(x[sample, ch])]
            normed = iter(_standardized(values, eps))
            for ch in channels:
                block = np.array([next(normed) for _ in range(x[sample, ch].size)])
                w = 1.0 if weight is None else weight[ch]
                b = 0.0 if bias is None else bias[ch]
                out[sample, ch] = block.reshape(x.shape[2:]) * w + b
    return out


def ref_l2_normalize(x, axis, eps):
    moved = np.moveaxis(x, axis, -1)
    out = np.empty(moved.shape)
    for index in np.ndindex(*moved.shape[:-1]):
        row = [float(v) for v in moved[index]]
        norm = math.sqrt(sum(v * v for v in row) + eps)
        out[index] = [v / norm for v in row]
    return np.moveaxis(out, -1, axis)


def ref_lrn(x, n, k, alpha, beta):
    """NCHW; the window holds the channels within n // 2 of c."""
    out = np.empty(x.shape)
    channels = x.shape[1]
    for index in np.ndindex(*x.shape):
        b, c, i, j = index
        window = sum(float(x[b, d, i, j]) ** 2
                     for d in range(max(0, c - n // 2), min(channels - 1, c + n // 2) + 1))
        out[index] = float(x[index]) / (k + alpha * window) ** beta
    return out


def ref_power_iteration(matrix, u, v, iters, eps):
    h, w = matrix.shape
    u, v = [float(a) for a in u], [float(a) for a in v]
    for _ in range(iters):
        v = [sum(matrix[i, j] * u[i] for i in range(h)) for j in range(w)]
        norm = math.sqrt(sum(a * a for a in v))
        v = [a / (norm + eps) for a in v]
        u = [sum(matrix[i, j] * v[j] for j in range(w)) for i in range(h)]
        norm = math.sqrt(sum(a * a for a in u))
        u = [a / (norm + eps) for a in u]
    sigma = sum(u[i] * matrix[i, j] * v[j] for i in range(h) for j in range(w))
    return np.array(u), np.array(v), sigma


def _matrix(weight, dim):
    perm = [dim] + [i for i in range(weight.ndim) if i != dim]
    return np.transpose(weight, perm).reshape(weight.shape[dim], -1), perm


def _run(fn, *arrays):
    """fn on Variables (needing gradients) -> (output ndarray, its dtype, input gradients)."""
    with fluid.dygraph.guard():
        variables = [var(a, stop_gradient=False) for a in arrays]
        out = fn(*variables)
        L.reduce_sum(out * out).backward()
        return out.numpy(), out.dtype, [v.gradient() for v in variables]


@pytest.fixture
def created(monkeypatch):
    """Every parameter a LayerHelper creates during the test, in order (attr=False: none)."""
    made = []
    original = LayerHelper.create_parameter

    def recording(self, *args, **kwargs):
        parameter = original(self, *args, **kwargs)
        if parameter is not None:
            made.append(parameter)
        return parameter
    monkeypatch.setattr(LayerHelper, "create_parameter", recording)
    return made


# -- layer_norm -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, begin", [((3, 4), 1), ((2, 3, 4), 1), ((2, 3, 4), 2),
                                          ((2, 2, 2, 3), 3)])
def test_layer_norm_kernel_values(shape, begin):
    x = uniform(shape, -2, 3, seed=1)
    size = int(np.prod(shape[begin:]))
    weight, bias = uniform(size, 0.5, 2, seed=2), uniform(size, seed=3)
    with fluid.dygraph.guard():
        out = N.layer_norm(var(x), var(weight), var(bias), begin, 1e-3).numpy()
        shaped = N.layer_norm(var(x), var(weight.reshape(shape[begin:])),
                              var(bias.reshape(shape[begin:])), begin, 1e-3).numpy()
    np.testing.assert_allclose(out, ref_layer_norm(x, weight, bias, begin, 1e-3), atol=1e-12)
    np.testing.assert_allclose(shaped, out, atol=1e-12)


@pytest.mark.parametrize("begin", [1, 2])
def test_layer_norm_gradients(begin):
    shape = (2, 3, 2)
    size = int(np.prod(shape[begin:]))
    check_grads(lambda x, w, b: N.layer_norm(x, w, b, begin), uniform(shape, seed=4),
                uniform(size, 0.5, 1.5, seed=5), uniform(size, seed=6))
    check_grads(lambda x: N.layer_norm(x, begin_norm_axis=begin), uniform(shape, seed=7))


def test_layer_norm_gradient_penalty_reaches_the_parameters(created):
    """A WGAN-GP style penalty through fluid.layers.layer_norm: d/dw of |d out / d x|^2."""
    x = uniform((3, 4), seed=8)
    with fluid.dygraph.guard():
        xv = var(x, stop_gradient=False)
        out = L.layer_norm(xv, act="tanh")
        (gx,) = fluid.dygraph.grad([out], [xv], create_graph=True)
        penalty = L.reduce_sum(gx * gx)
        penalty.backward()
        weight, bias = created
        assert weight.gradient() is not None and bias.gradient() is not None
        assert np.abs(weight.gradient()).sum() > 0

    def penalty_of(w):
        with fluid.dygraph.guard():
            xv = var(x, stop_gradient=False)
            out = L.tanh(N.layer_norm(xv, var(w), var(np.zeros(4)), 1))
            (g,) = fluid.dygraph.grad([out], [xv])
            return float((g.numpy() ** 2).sum())
    w0, step = np.ones(4), 1e-6
    numeric = [(penalty_of(w0 + step * e) - penalty_of(w0 - step * e)) / (2 * step)
               for e in np.eye(4)]
    np.testing.assert_allclose(created[0].gradient(), numeric, rtol=1e-3, atol=1e-6)


def test_layer_norm_paddle_function_parameters(created):
    x = uniform((2, 3, 4), seed=9).astype("float32")
    with fluid.dygraph.guard():
        out = L.layer_norm(var(x), begin_norm_axis=1, epsilon=1e-5)
        assert out.dtype == np.float32 and out.shape == [2, 3, 4]
        weight, bias = created
        assert weight.shape == [12] and bias.shape == [12]
        assert weight.name == "layer_norm_0.w_0" and bias.name == "layer_norm_0.b_0"
        assert weight.dtype == np.float32
        np.testing.assert_array_equal(weight.numpy(), 1.0)
        np.testing.assert_array_equal(bias.numpy(), 0.0)
        np.testing.assert_allclose(out.numpy(), ref_layer_norm(x.astype(np.float64), None, None,
                                                               1, 1e-5), atol=2e-6)
        created.clear()
        L.layer_norm(var(x), scale=False, shift=False)
        assert created == []
        gain = fluid.ParamAttr(initializer=fluid.initializer.Constant(2.0))
        doubled = L.layer_norm(var(x), begin_norm_axis=2, param_attr=gain, shift=False)
        np.testing.assert_allclose(doubled.numpy(),
                                   2 * ref_layer_norm(x.astype(np.float64), None, None, 2, 1e-5),
                                   atol=4e-6)


def test_layer_norm_is_stable_when_the_mean_dwarfs_the_spread():
    # float32 values around 1000 with spread 0.01: E[x^2] - mean^2 cancels to noise there.
    x = (1000 + 0.01 * np.random.default_rng(10).standard_normal((4, 64))).astype(np.float32)
    with fluid.dygraph.guard():
        out = N.layer_norm(var(x), epsilon=0.0).numpy()
    expected = ref_layer_norm(x.astype(np.float64), None, None, 1, 0.0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, atol=0.05)


@pytest.mark.parametrize("fn", [
    lambda x: N.layer_norm(x, begin_norm_axis=2),
    lambda x: N.instance_norm(x),
    lambda x: N.group_norm(x, 2),
    lambda x: N.group_norm(x, 3),      # uneven groups: 2, 2, 1 channels
    lambda x: L.lrn(x, n=3, alpha=0.5),
    lambda x: L.l2_normalize(x, axis=1),
], ids=["layer_norm", "instance_norm", "group_norm", "group_norm_uneven", "lrn", "l2"])
def test_recorded_backward_equals_the_plain_one(fn):
    """grad(create_graph=True) runs the backward on Variables: it must give the same values."""
    x, g = uniform((2, 5, 2, 2), seed=49), uniform((2, 5, 2, 2), seed=50)
    results = []
    for create_graph in (False, True):
        with fluid.dygraph.guard():
            xv = var(x, stop_gradient=False)
            (gx,) = fluid.dygraph.grad([fn(xv)], [xv], [var(g)], create_graph=create_graph)
            results.append(gx.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12, atol=1e-14)


# -- instance_norm and group_norm -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (2, 3, 2, 2), (1, 2, 2, 1, 3)])
def test_instance_norm_kernel_values_and_gradients(shape):
    x = uniform(shape, -1, 2, seed=11)
    weight, bias = uniform(shape[1], 0.5, 2, seed=12), uniform(shape[1], seed=13)
    with fluid.dygraph.guard():
        out = N.instance_norm(var(x), var(weight), var(bias), 1e-4).numpy()
    # instance norm = group norm with one channel per group
    np.testing.assert_allclose(out, ref_group_norm(x, shape[1], weight, bias, 1e-4),
                               atol=1e-12)
    if len(shape) > 2:
        check_grads(N.instance_norm, x, weight, bias)


@pytest.mark.parametrize("shape, groups", [((2, 4, 3, 2), 2), ((2, 6, 3), 3), ((3, 4), 2),
                                           ((2, 5, 2, 2), 2), ((1, 6, 2, 2), 4),
                                           ((1, 4, 2, 1, 2), 1)])
def test_group_norm_kernel_values(shape, groups):
    x = uniform(shape, -1, 2, seed=14)
    weight, bias = uniform(shape[1], 0.5, 2, seed=15), uniform(shape[1], seed=16)
    with fluid.dygraph.guard():
        out = N.group_norm(var(x), groups, var(weight), var(bias), 1e-3).numpy()
        nhwc = N.group_norm(var(np.moveaxis(x, 1, -1)), groups, var(weight), var(bias), 1e-3,
                            data_layout="NHWC").numpy()
    expected = ref_group_norm(x, groups, weight, bias, 1e-3)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(nhwc, np.moveaxis(expected, 1, -1), atol=1e-12)


@pytest.mark.parametrize("shape, groups, layout", [((2, 4, 2, 2), 2, "NCHW"),
                                                   ((1, 5, 3), 2, "NCHW"),
                                                   ((2, 2, 3, 4), 2, "NHWC")])
def test_group_norm_gradients(shape, groups, layout):
    channels = shape[1] if layout == "NCHW" else shape[-1]
    check_grads(lambda x, w, b: N.group_norm(x, groups, w, b, data_layout=layout),
                uniform(shape, seed=17), uniform(channels, 0.5, 1.5, seed=18),
                uniform(channels, seed=19))


def test_group_and_instance_norm_paddle_functions(created):
    x = uniform((2, 4, 3, 3), seed=20).astype("float32")
    with fluid.dygraph.guard():
        out = L.group_norm(var(x), groups=2, act="relu")
        assert out.dtype == np.float32 and out.shape == [2, 4, 3, 3]
        assert [(p.name, p.shape) for p in created] == [("group_norm_0.w_0", [4]),
                                                        ("group_norm_0.b_0", [4])]
        np.testing.assert_array_equal(created[0].numpy(), 1.0)
        np.testing.assert_array_equal(created[1].numpy(), 0.0)
        expected = np.maximum(ref_group_norm(x.astype(np.float64), 2, None, None, 1e-5), 0)
        np.testing.assert_allclose(out.numpy(), expected, atol=2e-6)
        created.clear()
        L.group_norm(var(x), groups=2, param_attr=False, bias_attr=False)
        assert created == []
        out = L.instance_norm(var(x))
        assert [(p.name, p.shape) for p in created] == [("instance_norm_0.w_0", [4]),
                                                        ("instance_norm_0.b_0", [4])]
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(),
                                   ref_group_norm(x.astype(np.float64), 4, None, None, 1e-5),
                                   atol=2e-6)


# -- batch_norm (the Paddle function) -----------------------------------------------------------------


@pytest.mark.parametrize("shape, layout", [((4, 3), "NCHW"), ((2, 3, 2, 2), "NCHW"),
                                           ((2, 2, 2, 3), "NHWC")])
def test_batch_norm_paddle_function(created, shape, layout):
    x = uniform(shape, -1, 3, seed=21).astype("float32")
    channel_axis = 1 if layout == "NCHW" else len(shape) - 1
    with fluid.dygraph.guard():
        out = L.batch_norm(var(x), epsilon=1e-3, data_layout=layout, momentum=0.8)
        weight, bias, mean, variance = created
        assert [p.name for p in created] == ["batch_norm_0.w_0", "batch_norm_0.b_0",
                                             "batch_norm_0.w_1", "batch_norm_0.w_2"]
        assert all(p.shape == [3] and p.dtype == np.float32 for p in created)
        assert mean.stop_gradient and variance.stop_gradient and not mean.trainable
        np.testing.assert_array_equal(weight.numpy(), 1.0)
        np.testing.assert_array_equal(bias.numpy(), 0.0)
        moved = np.moveaxis(x.astype(np.float64), channel_axis, 0).reshape(3, -1)
        batch_mean = [sum(row) / len(row) for row in moved]
        batch_var = [sum((v - m) ** 2 for v in row) / len(row)
                     for row, m in zip(moved, batch_mean)]
        np.testing.assert_allclose(mean.numpy(), 0.2 * np.array(batch_mean), atol=1e-6)
        np.testing.assert_allclose(variance.numpy(), 0.8 + 0.2 * np.array(batch_var), rtol=1e-5)
        expected = np.moveaxis(np.stack([_standardized(list(row), 1e-3) for row in moved])
                               .reshape(np.moveaxis(x, channel_axis, 0).shape), 0, channel_axis)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), expected, atol=2e-5)
        for flags in ({"is_test": True}, {"use_global_stats": True}):
            frozen = L.batch_norm(var(x), epsilon=1e-3, data_layout=layout, **flags)
            np.testing.assert_allclose(frozen.numpy(), x / np.sqrt(1 + 1e-3), rtol=1e-6)


# -- l2_normalize, lrn, affine_channel -------------------------------------------------------------


@pytest.mark.parametrize("shape, axis", [((2, 3), 1), ((2, 3), 0), ((4,), -1), ((2, 3, 4), -1),
                                         ((2, 3, 4), None)])
def test_l2_normalize(shape, axis):
    x = uniform(shape, seed=22)
    # a large epsilon shows where it sits: inside the square root
    with fluid.dygraph.guard():
        out = L.l2_normalize(var(x), axis=axis, epsilon=0.5).numpy()
    axis = 0 if len(shape) == 1 else (1 if axis is None else axis)
    np.testing.assert_allclose(out, ref_l2_normalize(x, axis, 0.5), atol=1e-12)
    check_grads(lambda v: L.l2_normalize(v, axis=axis, epsilon=1e-3), x)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_lrn(n):
    x = uniform((2, 4, 2, 3), -2, 2, seed=23)
    expected = ref_lrn(x, n, 2.0, 0.3, 0.75)
    with fluid.dygraph.guard():
        out = L.lrn(var(x), n=n, k=2.0, alpha=0.3, beta=0.75).numpy()
        nhwc = L.lrn(var(x.transpose(0, 2, 3, 1)), n=n, k=2.0, alpha=0.3, beta=0.75,
                     data_format="NHWC").numpy()
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(nhwc, expected.transpose(0, 2, 3, 1), atol=1e-12)
    check_grads(lambda v: L.lrn(v, n=n, k=1.5, alpha=0.4), uniform((1, 4, 2, 2), seed=24))
    check_grads(lambda v: L.lrn(v, n=n, data_format="NHWC", alpha=0.4),
                uniform((1, 2, 2, 4), seed=25))


@pytest.mark.parametrize("shape, layout", [((2, 3, 2, 2), "NCHW"), ((2, 2, 2, 3), "NHWC"),
                                           ((4, 3), "NHWC"), ((2, 3, 4), "NCHW")])
def test_affine_channel(shape, layout):
    x = uniform(shape, seed=26)
    scale, bias = uniform(3, seed=27), uniform(3, seed=28)
    axis = 1 if layout == "NCHW" or len(shape) == 2 else len(shape) - 1
    expected, scaled = np.empty(shape), np.empty(shape)
    for index in np.ndindex(*shape):
        scaled[index] = x[index] * scale[index[axis]]
        expected[index] = scaled[index] + bias[index[axis]]
    with fluid.dygraph.guard():
        out = L.affine_channel(var(x), var(scale), var(bias), data_layout=layout).numpy()
        relu = L.affine_channel(var(x), var(scale), var(bias), data_layout=layout, act="relu")
        no_bias = L.affine_channel(var(x), scale=var(scale), data_layout=layout).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(relu.numpy(), np.maximum(expected, 0), atol=1e-12)
    np.testing.assert_allclose(no_bias, scaled, atol=1e-12)
    check_grads(lambda v, s, b: L.affine_channel(v, s, b, data_layout=layout), x, scale, bias)


# -- data_norm ---------------------------------------------------------------------------------------


def test_data_norm_kernel_values_slots_and_gradients():
    x = uniform((3, 6), -2, 2, seed=29)
    x[0, 0] = 0.0          # row 0's first slot has a zero show count
    x[2, 3] = 5e-8         # row 2's second slot too (|show| < 1e-7)
    size, total, square = np.full(6, 8.0), np.full(6, 4.0), np.linspace(20, 40, 6)
    scale_w, bias = uniform(6, 0.5, 2, seed=30), uniform(6, seed=31)
    expected = np.empty(x.shape)
    for r in range(3):
        for c in range(6):
            start = c - c % 3
            if abs(x[r, start]) < 1e-7:
                expected[r, c] = 0.0
            else:
                normed = (x[r, c] - total[c] / size[c]) * math.sqrt(size[c] / square[c])
                expected[r, c] = normed * scale_w[c] + bias[c]
    with fluid.dygraph.guard():
        out = N.data_norm(var(x), size, total, square, var(scale_w), var(bias), slot_dim=3)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)
    # dx = dy * scales * scale_w on kept slots, as Paddle 1.8; the summaries get no gradient
    _, _, (gx,) = _run(lambda v: N.data_norm(v, size, total, square, scale_w, None, 3), x)
    kept = expected != 0.0
    np.testing.assert_allclose(gx, np.where(kept, 2 * (expected - np.where(kept, bias, 0))
                                            * np.sqrt(size / square) * scale_w, 0), atol=1e-12)
    check_grads(lambda v, s, b: N.data_norm(v, size, total, square, s, b),
                uniform((3, 6), seed=32), scale_w, bias)


def test_data_norm_paddle_function(created):
    x = uniform((4, 3), seed=33).astype("float32")
    with fluid.dygraph.guard():
        out = L.data_norm(var(x))
        assert [(p.name, p.shape) for p in created] == [
            ("dn.batch_size", [3]), ("dn.batch_sum", [3]), ("dn.batch_square_sum", [3])]
        assert [float(p.numpy()[0]) for p in created] == [1e4, 0.0, 1e4]
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), x, rtol=1e-6)      # the defaults give y = x
        created.clear()
        attrs = {"batch_size": 8.0, "batch_sum": 4.0, "batch_square": 32.0, "scale_w": 2.0,
                 "bias": 0.5}
        out = L.data_norm(var(x), param_attr=attrs, enable_scale_and_shift=True, name="d")
        assert sorted(p.name for p in created) == ["d.batch_size", "d.batch_square_sum",
                                                   "d.batch_sum", "d.bias", "d.scale_w"]
        np.testing.assert_allclose(out.numpy(), (x - 0.5) * 0.5 * 2.0 + 0.5, rtol=1e-6)


# -- spectral_norm ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, dim, iters", [((3, 4), 0, 1), ((3, 4), 1, 2), ((2, 3, 2, 2), 1, 3),
                                               ((2, 3, 2), 2, 0), ((4, 2), 0, 1)])
def test_spectral_norm_kernel_values(shape, dim, iters):
    weight = uniform(shape, seed=34)
    matrix, _ = _matrix(weight, dim)
    u0, v0 = uniform(matrix.shape[0], seed=35), uniform(matrix.shape[1], seed=36)
    _, _, sigma = ref_power_iteration(matrix, u0, v0, iters, 1e-12)
    with fluid.dygraph.guard():
        u, v = var(u0), var(v0)
        out = N.spectral_norm(var(weight), u, v, dim, iters).numpy()
        np.testing.assert_array_equal(u.numpy(), u0)       # never updated, as in Paddle 1.8
    np.testing.assert_allclose(out, weight / sigma, rtol=1e-10)


def test_spectral_norm_converges_to_the_largest_singular_value():
    weight = uniform((4, 3, 2), seed=37)
    with fluid.dygraph.guard():
        out = N.spectral_norm(var(weight), uniform(3, seed=38), uniform(8, seed=39), dim=1,
                              power_iters=200).numpy()
    top = np.linalg.svd(_matrix(weight, 1)[0], compute_uv=False)[0]
    np.testing.assert_allclose(out, weight / top, rtol=1e-8)


def test_spectral_norm_gradients():
    weight = uniform((3, 2, 2), seed=40)
    u0, v0 = uniform(2, seed=41), uniform(6, seed=42)
    # With no iteration u and v do not depend on the weight: the exact derivative.
    check_grads(lambda w: N.spectral_norm(w, u0, v0, dim=1, power_iters=0), weight)
    # With iterations the gradient holds the iterated u, v fixed: g / s - <g, W> / s^2 u v^T.
    matrix, perm = _matrix(weight, 1)
    u, v, sigma = ref_power_iteration(matrix, u0, v0, 2, 1e-12)
    g = uniform(weight.shape, seed=43)
    outer = np.outer(u, v).reshape([weight.shape[i] for i in perm]).transpose(np.argsort(perm))
    with fluid.dygraph.guard():
        w = var(weight, stop_gradient=False)
        L.reduce_sum(N.spectral_norm(w, u0, v0, dim=1, power_iters=2) * var(g)).backward()
        np.testing.assert_allclose(w.gradient(),
                                   g / sigma - (g * weight).sum() / sigma ** 2 * outer,
                                   rtol=1e-9, atol=1e-12)


def test_spectral_norm_paddle_function(created):
    weight = uniform((4, 3, 2, 2), seed=44).astype("float32")
    with fluid.dygraph.guard():
        out = L.spectral_norm(var(weight), dim=1, power_iters=2)
        u, v = created
        assert (u.shape, v.shape) == ([3], [16])
        assert (u.name, v.name) == ("spectral_norm_0.w_0", "spectral_norm_0.w_1")
        assert u.stop_gradient and v.stop_gradient and u.dtype == np.float32
        assert out.dtype == np.float32 and out.shape == [4, 3, 2, 2]
        _, _, sigma = ref_power_iteration(_matrix(weight.astype(np.float64), 1)[0], u.numpy(),
                                          v.numpy(), 2, 1e-12)
        np.testing.assert_allclose(out.numpy(), weight / sigma, rtol=1e-5)


# -- float32 in, float32 out (values and gradients) ---------------------------------------------------

FLOAT32_CASES = {
    "layer_norm": lambda x: L.layer_norm(x, begin_norm_axis=2),
    "group_norm": lambda x: L.group_norm(x, groups=2),
    "group_norm_uneven": lambda x: N.group_norm(x, 3),
    "instance_norm": lambda x: L.instance_norm(x),
    "batch_norm": lambda x: L.batch_norm(x),
    "l2_normalize": lambda x: L.l2_normalize(x, axis=1),
    "lrn": lambda x: L.lrn(x, n=3),
    "affine_channel": lambda x: L.affine_channel(x, np.full(4, 2.0, np.float32)),
    "spectral_norm": lambda x: L.spectral_norm(x, dim=1),
    "data_norm": lambda x: L.data_norm(L.reshape(x, [2, -1])),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_CASES))
def test_float32_is_preserved(name):
    x = uniform((2, 4, 2, 3), seed=45).astype(np.float32)
    out, dtype, (gx,) = _run(FLOAT32_CASES[name], x)
    assert dtype == np.float32 and out.dtype == np.float32 and gx.dtype == np.float32
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(gx))


# -- bad input ----------------------------------------------------------------------------------------

X4 = np.zeros((2, 4, 3, 3), np.float32)
BAD = [
    (lambda: L.layer_norm([1.0, 2.0]), TypeError, r"layer_norm: input must be a Variable"),
    (lambda: L.layer_norm(var(X4.astype(np.int64))), TypeError, r"layer_norm: input .*floating"),
    (lambda: L.layer_norm(var(X4), begin_norm_axis=0), ValueError,
     r"layer_norm: begin_norm_axis=0 .*\[1, 3\]"),
    (lambda: L.layer_norm(var(X4), begin_norm_axis=4), ValueError, r"begin_norm_axis=4"),
    (lambda: L.layer_norm(var(X4), begin_norm_axis=-1), ValueError, r"begin_norm_axis=-1"),
    (lambda: L.layer_norm(var(X4), begin_norm_axis=1.5), TypeError, r"begin_norm_axis must be"),
    (lambda: L.layer_norm(var(X4), epsilon=-1.0), ValueError, r"layer_norm: epsilon must be >= 0"),
    (lambda: L.layer_norm(var(X4), param_attr=False), ValueError, r"param_attr=False"),
    (lambda: L.layer_norm(var(X4), shift=True, bias_attr=False), ValueError, r"bias_attr=False"),
    (lambda: L.layer_norm(var(X4), act="nope"), ValueError, r"layer_norm: act='nope'"),
    (lambda: L.layer_norm(var(np.zeros(3, np.float32))), ValueError, r"layer_norm: .*rank >= 2"),
    (lambda: N.layer_norm(var(X4), np.ones(5, np.float32)), ValueError,
     r"layer_norm: weight has shape \[5\]; expected \[36\] or \[4, 3, 3\]"),
    (lambda: N.layer_norm(var(X4), np.ones(36)), TypeError, r"weight has dtype float64"),
    (lambda: L.group_norm(var(X4), groups=5), ValueError, r"group_norm: groups=5 is more than"),
    (lambda: L.group_norm(var(X4), groups=0), ValueError, r"group_norm: groups must be >= 1"),
    (lambda: L.group_norm(var(X4), groups=2.0), TypeError, r"group_norm: groups must be an int"),
    (lambda: L.group_norm(var(X4), groups=2, data_layout="NCWH"), ValueError,
     r"group_norm: data_layout must be 'NCHW' or 'NHWC', got 'NCWH'"),
    (lambda: N.group_norm(var(X4), 2, bias=np.ones(3, np.float32)), ValueError,
     r"group_norm: bias has shape \[3\]; expected \[4\]"),
    (lambda: L.instance_norm(var(X4), bias_attr=False), ValueError,
     r"instance_norm: bias_attr=False"),
    (lambda: L.instance_norm(var(np.zeros(4, np.float32))), ValueError, r"instance_norm"),
    (lambda: L.batch_norm(var(X4), momentum=1.5), ValueError, r"batch_norm: momentum"),
    (lambda: L.batch_norm(var(X4), bias_attr=False), ValueError, r"batch_norm: bias_attr=False"),
    (lambda: L.batch_norm(var(X4), data_layout="CHW"), ValueError, r"batch_norm: data_layout"),
    (lambda: L.l2_normalize(var(X4), axis=4), ValueError, r"l2_normalize: axis=4"),
    (lambda: L.l2_normalize("x", axis=0), TypeError, r"l2_normalize: x must be a Variable"),
    (lambda: L.lrn(var(X4), n=4), ValueError, r"lrn: n must be odd, got 4"),
    (lambda: L.lrn(var(X4), n=0), ValueError, r"lrn: n must be >= 1"),
    (lambda: L.lrn(var(X4), k=0.0), ValueError, r"lrn: k must be > 0"),
    (lambda: L.lrn(var(X4[0])), ValueError, r"lrn: input must be 4-D"),
    (lambda: L.lrn(var(X4), data_format="NCWH"), ValueError, r"lrn: data_format must be"),
    (lambda: L.affine_channel(var(X4), np.ones(3, np.float32)), ValueError,
     r"affine_channel: scale has shape \[3\]; expected \[4\]"),
    (lambda: L.affine_channel(var(X4), act="bogus"), ValueError, r"affine_channel: act='bogus'"),
    (lambda: L.data_norm(var(X4)), ValueError, r"data_norm: input must be 2-D"),
    (lambda: N.data_norm(var(X4[:, :, 0, 0]), None, np.ones(4, np.float32),
                         np.ones(4, np.float32)), TypeError, r"data_norm: batch_size must be"),
    (lambda: L.spectral_norm(var(X4[0, 0, 0])), ValueError, r"spectral_norm: weight must have"),
    (lambda: L.spectral_norm(var(X4), dim=4), ValueError, r"spectral_norm: dim=4"),
    (lambda: L.spectral_norm(var(X4), power_iters=-1), ValueError,
     r"spectral_norm: power_iters must be >= 0"),
    (lambda: N.spectral_norm(var(X4), np.ones(3, np.float32), np.ones(36, np.float32)),
     ValueError, r"spectral_norm: u has shape \[3\]; expected \[2\]"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input(call, error, message):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=message):
            call()


# -- PyTorch as an extra oracle -----------------------------------------------------------------------


def test_against_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = uniform((2, 6, 3, 3), seed=46)
    w, b = uniform(6, 0.5, 2, seed=47), uniform(6, seed=48)
    t = torch.tensor(x)
    with fluid.dygraph.guard():
        np.testing.assert_allclose(
            N.layer_norm(var(x), begin_norm_axis=2).numpy(),
            F.layer_norm(t, [3, 3], eps=1e-5).numpy(), atol=1e-10)
        np.testing.assert_allclose(
            N.group_norm(var(x), 3, var(w), var(b)).numpy(),
            F.group_norm(t, 3, torch.tensor(w), torch.tensor(b), eps=1e-5).numpy(), atol=1e-10)
        np.testing.assert_allclose(
            N.instance_norm(var(x), var(w), var(b)).numpy(),
            F.instance_norm(t, weight=torch.tensor(w), bias=torch.tensor(b), eps=1e-5).numpy(),
            atol=1e-10)
        # torch divides alpha by the window size n
        np.testing.assert_allclose(
            L.lrn(var(x), n=5, k=2.0, alpha=0.3).numpy(),
            F.local_response_norm(t, 5, alpha=0.3 * 5, beta=0.75, k=2.0).numpy(), atol=1e-10)
