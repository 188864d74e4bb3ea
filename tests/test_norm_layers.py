"""The dygraph normalisation Layers LayerNorm, GroupNorm, InstanceNorm and SpectralNorm:
parameters as Paddle 1.8 makes them, values against loops written here, gradients of the input and
of every parameter (first and second order), dtypes, bad input, and small training programs."""
import warnings

import numpy as np
import pytest

import minigrad as fluid
from minigrad.dygraph.nn import GroupNorm, InstanceNorm, LayerNorm, SpectralNorm
from op_helpers import check_grads

# -- independent references --------------------------------------------------------------------


def standardise_loop(values, eps):
    """(v - mean) / sqrt(biased var + eps) of a flat list, by explicit sums."""
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return [(v - mean) / np.sqrt(var + eps) for v in values]


def layer_norm_ref(x, count, weight, bias, eps):
    """Each sample's last `count` dims standardised together, then * weight + bias (flat)."""
    x = np.asarray(x, np.float64)
    lead = x.shape[:x.ndim - count]
    rows = x.reshape(int(np.prod(lead)), -1)
    out = np.array([standardise_loop(list(row), eps) for row in rows])
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out.reshape(x.shape)


def group_norm_ref(x, groups, weight, bias, eps):
    """x [N, C, ...]: channels [g*s, (g+1)*s) with s = ceil(C / groups) standardised together."""
    x = np.asarray(x, np.float64)
    n, c = x.shape[:2]
    size = -(-c // groups)
    out = np.empty_like(x)
    for i in range(n):
        for start in range(0, c, size):
            block = x[i, start:start + size]
            out[i, start:start + size] = np.reshape(
                standardise_loop(list(block.ravel()), eps), block.shape)
        for ch in range(c):
            out[i, ch] = out[i, ch] * weight[ch] + bias[ch]
    return out


def instance_norm_ref(x, weight, bias, eps):
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        for ch in range(x.shape[1]):
            plane = x[i, ch]
            out[i, ch] = (np.reshape(standardise_loop(list(np.ravel(plane)), eps), plane.shape)
                          * weight[ch] + bias[ch])
    return out


def spectral_norm_ref(weight, dim, u, v, iters, eps):
    """Paddle's documented power iteration, then weight / (u^T W v)."""
    perm = [dim] + [i for i in range(weight.ndim) if i != dim]
    mat = np.transpose(weight, perm).reshape(weight.shape[dim], -1).astype(np.float64)
    u, v = np.array(u, np.float64), np.array(v, np.float64)
    for _ in range(iters):
        v = mat.T @ u
        v = v / (np.linalg.norm(v) + eps)
        u = mat @ v
        u = u / (np.linalg.norm(u) + eps)
    sigma = sum(u[i] * mat[i, j] * v[j] for i in range(mat.shape[0]) for j in range(mat.shape[1]))
    return weight / sigma


def attr(value):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(value))


def to_var(value, stop_gradient=True):
    v = fluid.dygraph.to_variable(value)
    v.stop_gradient = stop_gradient
    return v


def with_params(layer, names):
    """fn(x, *params): the layer called with its parameters `names` replaced by the Variables
    given, so gradcheck differentiates the input and the parameters together."""
    def fn(x, *params):
        saved = {name: layer._parameters[name] for name in names}
        try:
            for name, value in zip(names, params):
                layer._parameters[name] = value
            return layer(x)
        finally:
            layer._parameters.update(saved)
    return fn


# -- parameters, names, defaults ----------------------------------------------------------------


def test_layer_norm_parameters_as_paddle():
    with fluid.dygraph.guard():
        ln = LayerNorm([3, 4])
        assert [(p.name, p.shape) for p in ln.parameters()] == [
            ("layer_norm_0.w_0", [12]), ("layer_norm_0.b_0", [12])]
        assert list(ln.state_dict()) == ["weight", "bias"]
        np.testing.assert_array_equal(ln.weight.numpy(), np.ones(12, "float32"))
        np.testing.assert_array_equal(ln.bias.numpy(), np.zeros(12, "float32"))
        assert ln.weight.dtype == np.float32
        assert LayerNorm(5).weight.shape == [5]
        assert LayerNorm((2, 5)).weight.shape == [10]
        bare = LayerNorm(4, scale=False, shift=False)
        assert bare.weight is None and bare.bias is None and bare.parameters() == []
        no_gain = LayerNorm(4, param_attr=False)             # 1.8.5: weight None, no error
        assert no_gain.weight is None and no_gain.bias.shape == [4]
        assert LayerNorm(4, dtype="float64").bias.dtype == np.float64
        with pytest.warns(UserWarning, match="param_attr is only used when scale=True"):
            LayerNorm(4, scale=False, param_attr=fluid.ParamAttr(name="g"))


def test_group_norm_creates_gain_and_bias_by_default_as_documented():
    with fluid.dygraph.guard():
        gn = GroupNorm(6, 3)
        assert [(p.name, p.shape) for p in gn.parameters()] == [
            ("group_norm_0.w_0", [6]), ("group_norm_0.b_0", [6])]
        np.testing.assert_array_equal(gn.weight.numpy(), np.ones(6, "float32"))
        np.testing.assert_array_equal(gn.bias.numpy(), np.zeros(6, "float32"))
        assert list(gn.state_dict()) == ["weight", "bias"]
        bare = GroupNorm(6, 3, param_attr=False, bias_attr=False)
        assert bare.parameters() == [] and bare.weight is None


def test_instance_norm_parameters_are_scale_and_bias():
    with fluid.dygraph.guard():
        inorm = InstanceNorm(3)
        assert [(p.name, p.shape) for p in inorm.parameters()] == [
            ("instance_norm_0.w_0", [3]), ("instance_norm_0.b_0", [3])]
        assert list(inorm.state_dict()) == ["scale", "bias"]
        np.testing.assert_array_equal(inorm.scale.numpy(), np.ones(3, "float32"))


def test_spectral_norm_vectors_are_frozen_parameters():
    with fluid.dygraph.guard():
        sn = SpectralNorm([2, 3, 4, 5], dim=1)
        assert [(p.name, p.shape, p.stop_gradient) for p in sn.parameters()] == [
            ("spectral_norm_0.w_0", [3], True), ("spectral_norm_0.w_1", [40], True)]
        assert list(sn.state_dict()) == ["weight_u", "weight_v"]
        # Normal(0, 1) starting vectors.
        big = SpectralNorm([400, 300])
        for vector in (big.weight_u.numpy(), big.weight_v.numpy()):
            assert abs(vector.mean()) < 0.2 and 0.8 < vector.std() < 1.2


# -- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, normalized", [((3, 4), 4), ((2, 3, 4), [3, 4]),
                                               ((2, 3, 2, 5), [5])])
def test_layer_norm_values_against_loops(shape, normalized):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 2).astype("float32")
    count = 1 if isinstance(normalized, int) else len(normalized)
    size = int(np.prod(shape[len(shape) - count:]))
    gain, shift = rng.uniform(0.5, 1.5, size).astype("float32"), rng.standard_normal(size)
    with fluid.dygraph.guard():
        ln = LayerNorm(normalized, epsilon=1e-3, param_attr=attr(gain),
                       bias_attr=attr(shift.astype("float32")))
        out = ln(to_var(x))
        assert out.dtype == np.float32 and out.shape == list(shape)
        np.testing.assert_allclose(out.numpy(), layer_norm_ref(x, count, gain, shift, 1e-3),
                                   rtol=1e-4, atol=1e-5)
        relu = LayerNorm(normalized, scale=False, shift=False, act="relu")(to_var(x))
        np.testing.assert_allclose(relu.numpy(), np.maximum(
            layer_norm_ref(x, count, None, None, 1e-5), 0), rtol=1e-4, atol=1e-5)


def test_layer_norm_float32_statistics_stay_accurate_with_a_large_mean():
    # Two-pass statistics: a mean of 1e4 with unit spread does not lose the variance.
    x = (1e4 + np.random.default_rng(1).standard_normal((4, 64))).astype("float32")
    with fluid.dygraph.guard():
        out = LayerNorm(64, epsilon=0.0)(to_var(x)).numpy()
    np.testing.assert_allclose(out.std(axis=1), 1.0, rtol=1e-3)
    # float32 holds 1e4 to about 1e-3, the scale of the remaining error.
    np.testing.assert_allclose(out, layer_norm_ref(x, 1, None, None, 0.0), atol=2e-3)


@pytest.mark.parametrize("shape, groups", [((2, 6, 3, 3), 3), ((2, 6, 3, 3), 1),
                                           ((2, 6, 3, 3), 4), ((3, 4, 5), 2), ((4, 6), 2)])
def test_group_norm_values_against_loops(shape, groups):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype("float32")
    c = shape[1]
    gain, shift = rng.uniform(0.5, 1.5, c).astype("float32"), rng.standard_normal(c)
    with fluid.dygraph.guard():
        gn = GroupNorm(c, groups, epsilon=1e-4, param_attr=attr(gain),
                       bias_attr=attr(shift.astype("float32")), act="tanh")
        out = gn(to_var(x))
        assert out.dtype == np.float32 and out.shape == list(shape)
        np.testing.assert_allclose(out.numpy(), np.tanh(
            group_norm_ref(x, groups, gain, shift, 1e-4)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3, 7), (2, 3)])
def test_instance_norm_values_against_loops(shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype("float32") * 2
    gain, shift = rng.uniform(0.5, 1.5, 3).astype("float32"), rng.standard_normal(3)
    with fluid.dygraph.guard():
        out = InstanceNorm(3, epsilon=1e-4, param_attr=attr(gain),
                           bias_attr=attr(shift.astype("float32")))(to_var(x))
        assert out.dtype == np.float32 and out.shape == list(shape)
        np.testing.assert_allclose(out.numpy(), instance_norm_ref(x, gain, shift, 1e-4),
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape, dim, iters", [((4, 6), 0, 1), ((4, 6), 1, 3),
                                               ((3, 2, 2, 2), 1, 2), ((5, 3), 0, 0)])
def test_spectral_norm_values_against_the_documented_iteration(shape, dim, iters):
    rng = np.random.default_rng(4)
    w = rng.standard_normal(shape).astype("float32")
    with fluid.dygraph.guard():
        sn = SpectralNorm(list(shape), dim=dim, power_iters=iters, eps=1e-12)
        out = sn(to_var(w))
        assert out.dtype == np.float32 and out.shape == list(shape)
        expected = spectral_norm_ref(w, dim, sn.weight_u.numpy(), sn.weight_v.numpy(), iters,
                                     1e-12)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_spectral_norm_converges_to_unit_spectral_norm_and_keeps_u_v():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((6, 4)) @ np.diag([5.0, 2.0, 1.0, 0.5]) @ np.linalg.qr(
        rng.standard_normal((4, 4)))[0]
    with fluid.dygraph.guard():
        sn = SpectralNorm([6, 4], power_iters=60, dtype="float64")
        u0, v0 = sn.weight_u.numpy(), sn.weight_v.numpy()
        first = sn(to_var(w)).numpy()
        second = sn(to_var(w)).numpy()
        # As Paddle 1.8.5: u and v are read, never written; each call restarts from them.
        np.testing.assert_array_equal(sn.weight_u.numpy(), u0)
        np.testing.assert_array_equal(sn.weight_v.numpy(), v0)
        np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.svd(first, compute_uv=False)[0], 1.0, rtol=1e-8)


# -- gradients: input and every parameter, first and second order (float64) ----------------------


def test_layer_norm_gradients_input_and_parameters():
    rng = np.random.default_rng(6)
    with fluid.dygraph.guard():
        ln = LayerNorm([3, 2], act="tanh", dtype="float64")
        check_grads(with_params(ln, ["weight", "bias"]), rng.standard_normal((4, 3, 2)),
                    rng.uniform(0.5, 1.5, 6), rng.standard_normal(6))
        bare = LayerNorm(5, scale=False, shift=False, dtype="float64")
        check_grads(bare, rng.standard_normal((3, 5)))


def test_group_norm_gradients_input_and_parameters():
    rng = np.random.default_rng(7)
    with fluid.dygraph.guard():
        gn = GroupNorm(5, 2, act="sigmoid", dtype="float64")     # uneven: groups of 3 and 2
        check_grads(with_params(gn, ["weight", "bias"]), rng.standard_normal((2, 5, 2, 2)),
                    rng.uniform(0.5, 1.5, 5), rng.standard_normal(5))


def test_instance_norm_gradients_input_and_parameters():
    rng = np.random.default_rng(8)
    with fluid.dygraph.guard():
        inorm = InstanceNorm(3, dtype="float64")
        check_grads(with_params(inorm, ["scale", "bias"]), rng.standard_normal((2, 3, 2, 3)),
                    rng.uniform(0.5, 1.5, 3), rng.standard_normal(3))


def test_spectral_norm_gradients():
    rng = np.random.default_rng(9)
    with fluid.dygraph.guard():
        # power_iters=0: sigma = u^T W v with the stored u and v, so the gradient with u and v
        # fixed is the exact derivative, to second order.
        check_grads(SpectralNorm([3, 4], power_iters=0, dtype="float64"),
                    rng.standard_normal((3, 4)))
        # Converged iteration: sigma is stationary in u and v, so d sigma / dW = u v^T.
        w = rng.standard_normal((4, 3)) @ np.diag([4.0, 1.0, 0.5])
        assert fluid.gradcheck(SpectralNorm([4, 3], power_iters=80, dtype="float64"), [w],
                               atol=1e-5, rtol=1e-3)


def test_gradient_penalty_through_layer_norm():
    # WGAN-GP style: d/dgain of sum((d out.c / dx)^2), against central differences.
    rng = np.random.default_rng(10)
    x, c = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))

    def penalty(gain):
        with fluid.dygraph.guard():
            ln = LayerNorm(4, param_attr=attr(gain), dtype="float64")
            xv = to_var(x, stop_gradient=False)
            (gx,) = fluid.dygraph.grad(ln(xv), [xv], grad_outputs=[to_var(c)],
                                       create_graph=True)
            value = fluid.layers.reduce_sum(gx * gx)
            (gw,) = fluid.dygraph.grad(value, [ln.weight])
            return float(value), gw.numpy()

    gain = rng.uniform(0.5, 1.5, 4)
    _, analytic = penalty(gain)
    numeric = [(penalty(gain + 1e-6 * e)[0] - penalty(gain - 1e-6 * e)[0]) / 2e-6
               for e in np.eye(4)]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_float32_gradients_stay_float32():
    rng = np.random.default_rng(11)
    with fluid.dygraph.guard():
        layers = [(LayerNorm(4), (2, 3, 4)), (GroupNorm(4, 2), (2, 4, 3)),
                  (InstanceNorm(4), (2, 4, 3))]
        for layer, shape in layers:
            x = to_var(rng.standard_normal(shape).astype("float32"), stop_gradient=False)
            y = layer(x)
            fluid.layers.reduce_sum(y * y * x).backward()
            assert y.dtype == np.float32 and x.gradient().dtype == np.float32
            for p in layer.parameters():
                assert p.gradient().dtype == np.float32
        sn = SpectralNorm([3, 4])
        w = to_var(rng.standard_normal((3, 4)).astype("float32"), stop_gradient=False)
        fluid.layers.reduce_sum(sn(w) * w).backward()
        assert w.gradient().dtype == np.float32
        assert sn.weight_u.gradient() is None and sn.weight_v.gradient() is None


# -- PyTorch as an extra oracle ------------------------------------------------------------------


def test_torch_oracle_forward_and_input_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 6, 3, 3))
    g = rng.standard_normal((2, 6, 3, 3))
    gain, shift = rng.uniform(0.5, 1.5, 6), rng.standard_normal(6)
    cases = [
        (lambda: GroupNorm(6, 3, param_attr=attr(gain), bias_attr=attr(shift), dtype="float64"),
         lambda t: torch.nn.functional.group_norm(t, 3, torch.tensor(gain), torch.tensor(shift))),
        (lambda: InstanceNorm(6, param_attr=attr(gain), bias_attr=attr(shift), dtype="float64"),
         lambda t: torch.nn.functional.instance_norm(t, weight=torch.tensor(gain),
                                                     bias=torch.tensor(shift))),
        (lambda: LayerNorm([3, 3], dtype="float64"),
         lambda t: torch.nn.functional.layer_norm(t, [3, 3])),
    ]
    for ours, theirs in cases:
        with fluid.dygraph.guard():
            xv = to_var(x, stop_gradient=False)
            out = ours()(xv)
            fluid.layers.reduce_sum(out * to_var(g)).backward()
            mine, mine_grad = out.numpy(), xv.gradient()
        t = torch.tensor(x, requires_grad=True)
        ref = theirs(t)
        (ref * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(mine, ref.detach().numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(mine_grad, t.grad.numpy(), rtol=1e-9, atol=1e-10)


# -- bad input ------------------------------------------------------------------------------------


def test_bad_input_and_arguments():
    f32 = lambda *shape: to_var(np.zeros(shape, "float32"))  # noqa: E731
    with fluid.dygraph.guard():
        ln = LayerNorm([3, 4])
        with pytest.raises(ValueError, match=r"LayerNorm: normalized_shape is \[3, 4\].*got "
                                             r"shape \[2, 4, 3\]"):
            ln(f32(2, 4, 3))
        with pytest.raises(ValueError, match="at least one dim in front"):
            ln(f32(3, 4))
        with pytest.raises(TypeError, match="LayerNorm: input has dtype float64"):
            ln(to_var(np.zeros((2, 3, 4))))
        with pytest.raises(TypeError, match="LayerNorm: input must have a floating point"):
            ln(to_var(np.zeros((2, 3, 4), "int64")))
        with pytest.raises(TypeError, match="LayerNorm: input must be a Variable"):
            ln([[1.0]])
        with pytest.raises(ValueError, match="bias_attr=False with shift=True"):
            LayerNorm(4, bias_attr=False)
        with pytest.raises(ValueError, match="normalized_shape must be a positive int"):
            LayerNorm([3, 0])
        with pytest.raises(TypeError, match="normalized_shape must be an int or a non-empty"):
            LayerNorm([])
        with pytest.raises(ValueError, match="epsilon must be >= 0"):
            LayerNorm(4, epsilon=-1.0)
        with pytest.raises(ValueError, match="not a known activation"):
            LayerNorm(4, act="relu7")

        gn = GroupNorm(4, 2)
        with pytest.raises(ValueError, match=r"GroupNorm: input of shape \[2, 3, 5\] has 3 "
                                             r"channels on axis 1, but channels=4"):
            gn(f32(2, 3, 5))
        with pytest.raises(ValueError, match=r"GroupNorm: input must have rank >= 2"):
            gn(f32(4))
        with pytest.raises(TypeError, match="GroupNorm: input has dtype float64"):
            gn(to_var(np.zeros((2, 4))))
        with pytest.raises(ValueError, match="groups=5 is more than channels=4"):
            GroupNorm(4, 5)
        with pytest.raises(ValueError, match="groups must be >= 1"):
            GroupNorm(4, 0)
        with pytest.raises(ValueError, match="data_layout must be 'NCHW'"):
            GroupNorm(4, 2, data_layout="NHWC")
        with pytest.raises(ValueError, match="channels must be a positive int"):
            GroupNorm(0, 1)
        with pytest.raises(ValueError, match="not a known activation"):
            GroupNorm(4, 2, act="nope")

        inorm = InstanceNorm(3)
        with pytest.raises(ValueError, match="has 4 channels on axis 1, but num_channels=3"):
            inorm(f32(2, 4, 5, 5))
        with pytest.raises(ValueError, match="InstanceNorm: input must have rank >= 2"):
            inorm(f32(3))
        with pytest.raises(TypeError, match="InstanceNorm: input has dtype float64"):
            inorm(to_var(np.zeros((2, 3, 2))))
        for argument in ("param_attr", "bias_attr"):
            with pytest.raises(ValueError, match=f"{argument}=False is not supported"):
                InstanceNorm(3, **{argument: False})

        sn = SpectralNorm([4, 6])
        with pytest.raises(ValueError, match=r"weight of shape \[6, 4\] does not fit .*"
                                             r"weight_shape=\[4, 6\]"):
            sn(f32(6, 4))
        same_matrix = to_var(np.ones((4, 2, 3), "float32"))     # [h, w] = [4, 6], as in 1.8.5
        assert sn(same_matrix).shape == [4, 2, 3]
        with pytest.raises(TypeError, match="SpectralNorm: weight has dtype float64"):
            sn(to_var(np.zeros((4, 6))))
        with pytest.raises(ValueError, match="weight_shape must be a list of at least 2"):
            SpectralNorm([4])
        with pytest.raises(ValueError, match="dim=2 is out of range"):
            SpectralNorm([4, 6], dim=2)
        with pytest.raises(ValueError, match="power_iters must be >= 0"):
            SpectralNorm([4, 6], power_iters=-1)
        with pytest.raises(ValueError, match="eps must be >= 0"):
            SpectralNorm([4, 6], eps=-1e-3)


# -- Paddle-style training programs ---------------------------------------------------------------


class TransformerBlock(fluid.dygraph.Layer):
    """One post-norm transformer encoder block (self-attention, feed-forward, two LayerNorms)
    with a regression head on the mean token."""

    def __init__(self, d_model=8, d_ff=16):
        super().__init__()
        Linear = fluid.dygraph.Linear
        self.d_model = d_model
        self.q, self.k, self.v, self.o = (Linear(d_model, d_model) for _ in range(4))
        self.norm1 = LayerNorm(d_model)
        self.ff1 = Linear(d_model, d_ff, act="relu")
        self.ff2 = Linear(d_ff, d_model)
        self.norm2 = LayerNorm(d_model)
        self.head = Linear(d_model, 1)

    def forward(self, x):
        L = fluid.layers
        scores = L.matmul(self.q(x), self.k(x), transpose_y=True, alpha=self.d_model ** -0.5)
        attended = L.matmul(L.softmax(scores), self.v(x))
        h = self.norm1(x + self.o(attended))
        h = self.norm2(h + self.ff2(self.ff1(h)))
        return self.head(L.reduce_mean(h, dim=1))


def test_transformer_block_with_layer_norm_trains():
    rng = np.random.RandomState(0)
    x_np = rng.standard_normal((32, 5, 8)).astype("float32")
    # Target: a nonlinear function of the whole sequence.
    y_np = np.tanh(x_np[:, :, 0].sum(axis=1, keepdims=True) * 0.5).astype("float32")
    with fluid.dygraph.guard():
        fluid.default_main_program().random_seed = 1
        model = TransformerBlock()
        opt = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=model.parameters())
        x, y = to_var(x_np), to_var(y_np)
        losses = []
        for _ in range(40):
            loss = fluid.layers.reduce_mean(fluid.layers.square(model(x) - y))
            loss.backward()
            opt.minimize(loss)
            model.clear_gradients()
            losses.append(float(loss))
    assert losses[-1] < 0.3 * losses[0]
    assert not np.allclose(model.norm1.weight.numpy(), 1.0)


def test_conv_net_with_group_and_instance_norm_trains():
    rng = np.random.RandomState(1)
    images = rng.standard_normal((24, 1, 6, 6)).astype("float32")
    labels = rng.randint(0, 2, (24, 1)).astype("int64")
    images[labels[:, 0] == 1, :, :, :3] += 1.5          # class 1: a brighter left half

    class Net(fluid.dygraph.Layer):
        def __init__(self):
            super().__init__()
            self.conv1 = fluid.dygraph.Conv2D(1, 4, 3, padding=1)
            self.gn = GroupNorm(4, 2, act="relu")
            self.conv2 = fluid.dygraph.Conv2D(4, 4, 3, padding=1)
            self.inorm = InstanceNorm(4)
            self.fc = fluid.dygraph.Linear(4 * 6 * 6, 2)

        def forward(self, x):
            h = self.gn(self.conv1(x))
            h = fluid.layers.relu(self.inorm(self.conv2(h)))
            return self.fc(fluid.layers.reshape(h, [0, -1]))

    with fluid.dygraph.guard():
        fluid.default_main_program().random_seed = 2
        net = Net()
        opt = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=net.parameters())
        x, label = to_var(images), to_var(labels)
        losses = []
        for _ in range(25):
            loss = fluid.layers.mean(fluid.layers.softmax_with_cross_entropy(net(x), label))
            loss.backward()
            opt.minimize(loss)
            net.clear_gradients()
            losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


class Discriminator(fluid.dygraph.Layer):
    """A two-layer MLP critic whose weights go through SpectralNorm on every call (SN-GAN)."""

    def __init__(self):
        super().__init__()
        self.w1 = self.create_parameter([2, 16])
        self.b1 = self.create_parameter([16], is_bias=True)
        self.w2 = self.create_parameter([16, 1])
        self.b2 = self.create_parameter([1], is_bias=True)
        self.sn1 = SpectralNorm([2, 16], dim=0, power_iters=1)
        self.sn2 = SpectralNorm([16, 1], dim=0, power_iters=1)

    def forward(self, x):
        L = fluid.layers
        h = L.leaky_relu(L.matmul(x, self.sn1(self.w1)) + self.b1, alpha=0.2)
        return L.matmul(h, self.sn2(self.w2)) + self.b2


def test_spectral_norm_discriminator_trains_and_passes_gradients_to_the_generator():
    rng = np.random.RandomState(2)
    L = fluid.layers
    with fluid.dygraph.guard():
        fluid.default_main_program().random_seed = 3
        disc = Discriminator()
        gen = fluid.dygraph.Linear(4, 2)
        d_opt = fluid.optimizer.Adam(learning_rate=0.02, parameter_list=disc.parameters())
        ones, zeros = to_var(np.ones((32, 1), "float32")), to_var(np.zeros((32, 1), "float32"))
        u_start = disc.sn1.weight_u.numpy()
        losses = []
        for _ in range(60):
            real = to_var(rng.normal(2.0, 0.5, (32, 2)).astype("float32"))
            fake = gen(to_var(rng.standard_normal((32, 4)).astype("float32"))).detach()
            loss = (L.mean(L.sigmoid_cross_entropy_with_logits(disc(real), ones))
                    + L.mean(L.sigmoid_cross_entropy_with_logits(disc(fake), zeros)))
            loss.backward()
            d_opt.minimize(loss)
            disc.clear_gradients()
            losses.append(float(loss))
        # Spectral normalisation bounds the critic's slope, so its logits (and the loss) do not
        # go to the extremes; the loss still falls clearly.
        assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])
        # The power-iteration vectors are neither trained nor updated (Paddle 1.8).
        np.testing.assert_array_equal(disc.sn1.weight_u.numpy(), u_start)
        # A generator step: the critic's gradient reaches the generator through SpectralNorm.
        fake = gen(to_var(rng.standard_normal((32, 4)).astype("float32")))
        g_loss = L.mean(L.sigmoid_cross_entropy_with_logits(disc(fake), ones))
        g_loss.backward()
        assert np.abs(gen.weight.gradient()).sum() > 0
        assert disc.sn1.weight_u.gradient() is None


def test_no_warning_for_default_construction():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with fluid.dygraph.guard():
            LayerNorm(4), GroupNorm(4, 2), InstanceNorm(4), SpectralNorm([4, 4])
