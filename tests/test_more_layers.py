"""The loss layers (MSELoss, L1Loss, BCELoss, NLLLoss), PRelu, BilinearTensorProduct, GRUUnit
and NCE of `fluid.dygraph.nn`: values against loops and closed forms written here, gradients
(first and second order, of the inputs and of every parameter), dtypes, parameter names, the
bad-input errors, PyTorch as an extra oracle, and two training programs whose loss falls."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from op_helpers import check_grads

nn = fluid.dygraph.nn


def v(array, stop_gradient=True):
    out = fluid.dygraph.to_variable(array)
    out.stop_gradient = stop_gradient
    return out


def with_parameters(layer, names, call):
    """fn(*inputs, *parameters) running `call(*inputs)` with layer's parameters `names` swapped
    for the given Variables, so gradcheck differentiates them too."""
    def fn(*args):
        inputs, params = args[:len(args) - len(names)], args[len(args) - len(names):]
        saved = {name: layer._parameters[name] for name in names}
        try:
            layer._parameters.update(zip(names, params))
            return call(*inputs)
        finally:
            layer._parameters.update(saved)
    return fn


def reduce(values, reduction):
    if reduction == "mean":
        return np.array([values.mean()])
    if reduction == "sum":
        return np.array([values.sum()])
    return values


# -- losses -------------------------------------------------------------------------------------

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1_values_shapes_gradients(reduction):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    with fluid.dygraph.guard():
        mse, l1 = nn.MSELoss(reduction=reduction), nn.L1Loss(reduction=reduction)
        np.testing.assert_allclose(mse(v(x), v(y)).numpy(), reduce((x - y) ** 2, reduction))
        np.testing.assert_allclose(l1(v(x), v(y)).numpy(), reduce(np.abs(x - y), reduction))
        assert mse(v(x), v(y)).shape == ([4, 3] if reduction == "none" else [1])
        out = l1(v(x.astype("float32")), v(y.astype("float32")))
        assert out.dtype == np.float32
        assert mse(v(x.astype("float32")), v(y.astype("float32"))).dtype == np.float32
        check_grads(lambda a, b: mse(a, b), x, y)
        check_grads(lambda a, b: l1(a, b), x, y)


def test_l1_integer_inputs_stay_integer():
    with fluid.dygraph.guard():
        a, b = v(np.array([1, 5], "int64")), v(np.array([3, 2], "int64"))
        out = nn.L1Loss()(a, b)
        assert out.dtype == np.int64 and out.numpy().tolist() == [(2 + 3) // 2]
        assert nn.L1Loss(reduction="sum")(a, b).numpy().tolist() == [5]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_values_weight_and_gradients(reduction):
    rng = np.random.default_rng(1)
    p, t = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    w = np.array([2.0, 0.5, 1.0])
    with fluid.dygraph.guard():
        direct = -(t * np.log(p) + (1 - t) * np.log(1 - p))
        np.testing.assert_allclose(nn.BCELoss(reduction=reduction)(v(p), v(t)).numpy(),
                                   reduce(direct, reduction), rtol=1e-12)
        weighted = nn.BCELoss(weight=v(w), reduction=reduction)
        np.testing.assert_allclose(weighted(v(p), v(t)).numpy(), reduce(w * direct, reduction),
                                   rtol=1e-12)
        check_grads(lambda a: weighted(a, v(t)), p)
        out = nn.BCELoss()(v(p.astype("float32")), v(t.astype("float32")))
        assert out.dtype == np.float32 and out.shape == [1]


def test_bce_clamps_its_logs_and_gradient_denominator():
    with fluid.dygraph.guard():
        p = v(np.array([0.0, 1.0, 0.25]), stop_gradient=False)
        t = v(np.array([1.0, 0.0, 1.0]))
        out = nn.BCELoss(reduction="none")(p, t)
        np.testing.assert_allclose(out.numpy(), [100.0, 100.0, -np.log(0.25)])
        fluid.layers.reduce_sum(out).backward()
        # (p - t) / max(p (1 - p), 1e-12)
        np.testing.assert_allclose(p.gradient(), [-1e12, 1e12, -0.75 / (0.25 * 0.75)])


def nll_reference(logp, labels, weight=None, ignore_index=-100, reduction="mean"):
    """Direct loops over the entries of an [N, C, ...] input."""
    n, c = logp.shape[:2]
    rest = logp.shape[2:]
    weight = np.ones(c) if weight is None else weight
    losses = np.zeros((n,) + rest)
    total = 0.0
    for index in np.ndindex(*((n,) + rest)):
        label = labels[index]
        if label == ignore_index:
            continue
        at = (index[0], label) + index[1:]
        losses[index] = -weight[label] * logp[at]
        total += weight[label]
    if reduction == "none":
        return losses
    if reduction == "sum":
        return np.array([losses.sum()])
    return np.array([losses.sum() / total if total else 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5), (2, 3, 2, 4)])
def test_nll_values_against_loops(reduction, shape):
    rng = np.random.default_rng(2)
    logp = np.log(rng.dirichlet(np.ones(shape[1]), (shape[0],) + shape[2:]))
    logp = np.ascontiguousarray(np.moveaxis(logp, -1, 1))
    labels = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    labels.flat[0] = 1
    weight = rng.uniform(0.5, 2, shape[1])
    with fluid.dygraph.guard():
        out = nn.NLLLoss(reduction=reduction)(v(logp), v(labels))
        np.testing.assert_allclose(out.numpy(), nll_reference(logp, labels, reduction=reduction))
        layer = nn.NLLLoss(weight=v(weight), ignore_index=1, reduction=reduction)
        out = layer(v(logp), v(labels))
        np.testing.assert_allclose(out.numpy(), nll_reference(logp, labels, weight, 1, reduction))
        assert out.shape == ([shape[0]] + list(shape[2:]) if reduction == "none" else [1])
        check_grads(lambda a: layer(a, v(labels)), logp)
        out = nn.NLLLoss(reduction=reduction)(v(logp.astype("float32")), v(labels))
        assert out.dtype == np.float32


def test_nll_label_column_and_all_ignored():
    logp = np.log(np.full((3, 4), 0.25))
    with fluid.dygraph.guard():
        column = nn.NLLLoss(reduction="none")(v(logp), v(np.array([[1], [2], [3]], "int64")))
        assert column.shape == [3]
        assert nn.NLLLoss(ignore_index=1)(v(logp), v(np.ones(3, "int64"))).numpy().tolist() == [0]


def test_loss_bad_input():
    with fluid.dygraph.guard():
        for layer in (nn.MSELoss, nn.L1Loss, nn.BCELoss, nn.NLLLoss):
            with pytest.raises(ValueError, match=r"reduction must be .* got 'avg'"):
                layer(reduction="avg")
        x, labels = v(np.zeros((3, 4))), v(np.array([0, 1, 2], "int64"))
        with pytest.raises(ValueError, match=r"label 7 is not in \[0, 4\)"):
            nn.NLLLoss()(x, v(np.array([0, 7, 2], "int64")))
        with pytest.raises(TypeError, match="label must be int64, got int32"):
            nn.NLLLoss()(x, v(np.array([0, 1, 2], "int32")))
        with pytest.raises(ValueError, match="2 or more dims"):
            nn.NLLLoss()(v(np.zeros(4)), labels[:1])
        with pytest.raises(ValueError, match=r"label of shape \[2\] does not fit"):
            nn.NLLLoss()(x, v(np.array([0, 1], "int64")))
        with pytest.raises(ValueError, match=r"weight must have shape \[4\]"):
            nn.NLLLoss(weight=v(np.ones(3)))(x, labels)
        with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
            nn.BCELoss()(v(np.array([1.5])), v(np.array([1.0])))
        with pytest.raises(ValueError, match="weight must be a Variable"):
            nn.BCELoss(weight=np.ones(3))(v(np.full(3, 0.5)), v(np.ones(3)))
        with pytest.raises(TypeError, match="floating point"):
            nn.MSELoss()(v(np.array([1, 2])), v(np.array([1, 2])))
        with pytest.raises(TypeError, match="label has dtype float32 but input has float64"):
            nn.MSELoss()(v(np.zeros(2)), v(np.zeros(2, "float32")))


def test_losses_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    p, t = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    logp = np.ascontiguousarray(np.log(rng.dirichlet(np.ones(5), (2, 3))).transpose(0, 2, 1))
    labels = rng.integers(0, 5, (2, 3))
    weight = rng.uniform(0.5, 2, 5)
    T = torch.from_numpy
    with fluid.dygraph.guard():
        for reduction in REDUCTIONS:
            F = torch.nn.functional
            np.testing.assert_allclose(nn.MSELoss(reduction)(v(x), v(y)).numpy().reshape(-1),
                                       F.mse_loss(T(x), T(y), reduction=reduction).reshape(-1))
            np.testing.assert_allclose(nn.L1Loss(reduction)(v(x), v(y)).numpy().reshape(-1),
                                       F.l1_loss(T(x), T(y), reduction=reduction).reshape(-1))
            np.testing.assert_allclose(
                nn.BCELoss(reduction=reduction)(v(p), v(t)).numpy().reshape(-1),
                F.binary_cross_entropy(T(p), T(t), reduction=reduction).reshape(-1))
            np.testing.assert_allclose(
                nn.NLLLoss(v(weight), reduction, ignore_index=2)(v(logp), v(labels)).numpy()
                .reshape(-1),
                F.nll_loss(T(logp), T(labels), T(weight), ignore_index=2,
                           reduction=reduction).reshape(-1))


# -- PRelu -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, options, alpha_shape", [
    ("all", {}, [1]),
    ("channel", {"channel": 3}, [1, 3, 1, 1]),
    ("element", {"input_shape": [2, 3, 2, 2]}, [1, 3, 2, 2]),
])
def test_prelu_values_parameters_gradients(mode, options, alpha_shape):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.2, 1, (2, 3, 2, 2)) * rng.choice([-1.0, 1.0], (2, 3, 2, 2))
    alpha = rng.uniform(0.1, 0.9, alpha_shape)
    with fluid.dygraph.guard():
        prelu = nn.PRelu(mode, dtype="float64", **options)
        assert prelu.weight.shape == alpha_shape and prelu.weight.name.startswith("prelu_")
        assert prelu.weight.name.endswith(".w_0")
        np.testing.assert_array_equal(prelu.weight.numpy(), np.ones(alpha_shape))
        prelu.weight.set_value(alpha)
        np.testing.assert_allclose(prelu(v(x)).numpy(), np.where(x > 0, x, alpha * x))
        check_grads(with_parameters(prelu, ["weight"], prelu), x, alpha)
        prelu32 = nn.PRelu(mode, **options)
        assert prelu32.weight.dtype == np.float32
        assert prelu32(v(x.astype("float32"))).dtype == np.float32


def test_prelu_bad_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="mode must be one of"):
            nn.PRelu("row")
        with pytest.raises(ValueError, match="needs channel"):
            nn.PRelu("channel")
        with pytest.raises(ValueError, match="needs input_shape"):
            nn.PRelu("element")
        with pytest.raises(ValueError, match=r"does not fit mode='channel' with channel=3"):
            nn.PRelu("channel", channel=3)(v(np.zeros((2, 4, 2, 2), "float32")))
        with pytest.raises(ValueError, match="does not fit mode='element'"):
            nn.PRelu("element", input_shape=[1, 3, 2])(v(np.zeros((2, 3, 3), "float32")))
        with pytest.raises(TypeError, match="input has dtype float64 but alpha is float32"):
            nn.PRelu("all")(v(np.zeros((2, 3))))


def test_prelu_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 4, 4))
    alpha = rng.uniform(0, 1, 3)
    with fluid.dygraph.guard():
        prelu = nn.PRelu("channel", channel=3, dtype="float64")
        prelu.weight.set_value(alpha.reshape(1, 3, 1, 1))
        expected = torch.nn.functional.prelu(torch.from_numpy(x), torch.from_numpy(alpha))
        np.testing.assert_allclose(prelu(v(x)).numpy(), expected.numpy())


# -- BilinearTensorProduct ----------------------------------------------------------------------

def test_bilinear_tensor_product_values_parameters_gradients():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    with fluid.dygraph.guard():
        btp = nn.BilinearTensorProduct(4, 2, 5, act="tanh", dtype="float64")
        assert btp.weight.shape == [5, 4, 2] and btp.bias.shape == [1, 5]
        assert btp.weight.name.endswith(".w_0") and btp.bias.name.endswith(".b_0")
        assert btp.weight.name.startswith("bilinear_tensor_product_")
        np.testing.assert_array_equal(btp.bias.numpy(), np.zeros((1, 5)))
        w, b = rng.standard_normal((5, 4, 2)), rng.standard_normal((1, 5))
        btp.weight.set_value(w)
        btp.bias.set_value(b)
        expected = np.zeros((3, 5))
        for n in range(3):
            for k in range(5):
                expected[n, k] = sum(x[n, i] * w[k, i, j] * y[n, j]
                                     for i in range(4) for j in range(2)) + b[0, k]
        np.testing.assert_allclose(btp(v(x), v(y)).numpy(), np.tanh(expected), rtol=1e-12)
        check_grads(with_parameters(btp, ["weight", "bias"], btp), x, y, w, b)
        no_bias = nn.BilinearTensorProduct(4, 2, 5, bias_attr=False)
        assert no_bias.bias is None and len(no_bias.parameters()) == 1
        out = no_bias(v(x.astype("float32")), v(y.astype("float32")))
        assert out.dtype == np.float32 and out.shape == [3, 5]


def test_bilinear_tensor_product_bad_input_and_torch():
    with fluid.dygraph.guard():
        btp = nn.BilinearTensorProduct(4, 2, 5)
        with pytest.raises(ValueError, match="output_dim must be a positive int"):
            nn.BilinearTensorProduct(4, 2, 0)
        with pytest.raises(ValueError, match="not a known activation"):
            nn.BilinearTensorProduct(4, 2, 5, act="rellu")
        with pytest.raises(ValueError, match=r"y of shape \[3, 3\] does not fit"):
            btp(v(np.zeros((3, 4), "float32")), v(np.zeros((3, 3), "float32")))
        with pytest.raises(ValueError, match="same batch size"):
            btp(v(np.zeros((3, 4), "float32")), v(np.zeros((2, 2), "float32")))
        with pytest.raises(TypeError, match="x has dtype float64"):
            btp(v(np.zeros((3, 4))), v(np.zeros((3, 2), "float32")))
        torch = pytest.importorskip("torch")
        rng = np.random.default_rng(7)
        x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
        btp = nn.BilinearTensorProduct(4, 2, 5, dtype="float64")
        btp.bias.set_value(rng.standard_normal((1, 5)))
        T = torch.from_numpy
        expected = torch.nn.functional.bilinear(T(x), T(y), T(btp.weight.numpy()),
                                                T(btp.bias.numpy()[0]))
        np.testing.assert_allclose(btp(v(x), v(y)).numpy(), expected.numpy(), rtol=1e-12)


# -- GRUUnit -----------------------------------------------------------------------------------

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gru_reference(x, h, w, b, origin_mode):
    """Paddle's gru_unit step written out: w [D, 3D] holds W_uh|W_rh, then W_ch, flat."""
    d = h.shape[1]
    flat = w.reshape(-1)
    w_gates, w_cand = flat[:2 * d * d].reshape(d, 2 * d), flat[2 * d * d:].reshape(d, d)
    x = x + b
    u = sigmoid(x[:, :d] + h @ w_gates[:, :d])
    r = sigmoid(x[:, d:2 * d] + h @ w_gates[:, d:])
    c = np.tanh(x[:, 2 * d:] + (r * h) @ w_cand)
    new = u * h + (1 - u) * c if origin_mode else u * c + (1 - u) * h
    return new, r * h, np.concatenate([u, r, c], axis=1)


@pytest.mark.parametrize("origin_mode", [False, True])
def test_gru_unit_values_parameters_gradients(origin_mode):
    rng = np.random.default_rng(8)
    d = 3
    x, h = rng.standard_normal((2, 3 * d)), rng.standard_normal((2, d))
    w, b = rng.standard_normal((d, 3 * d)), rng.standard_normal((1, 3 * d))
    with fluid.dygraph.guard():
        gru = nn.GRUUnit(3 * d, origin_mode=origin_mode, dtype="float64")
        assert gru.weight.shape == [d, 3 * d] and gru.bias.shape == [1, 3 * d]
        assert gru.weight.name.startswith("gru_unit_") and gru.bias.name.endswith(".b_0")
        gru.weight.set_value(w)
        gru.bias.set_value(b)
        outputs = gru(v(x), v(h))
        for got, expected in zip(outputs, gru_reference(x, h, w, b, origin_mode)):
            np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
        check_grads(with_parameters(gru, ["weight", "bias"], gru), x, h, w, b)


def test_gru_unit_activations_no_bias_and_dtype():
    rng = np.random.default_rng(9)
    x, h = rng.standard_normal((2, 6)), rng.standard_normal((2, 2))
    with fluid.dygraph.guard():
        gru = nn.GRUUnit(6, activation="relu", gate_activation="identity", bias_attr=False,
                         dtype="float64")
        assert gru.bias is None and len(gru.parameters()) == 1
        flat = gru.weight.numpy().reshape(-1)
        w_gates, w_cand = flat[:8].reshape(2, 4), flat[8:].reshape(2, 2)
        u = x[:, :2] + h @ w_gates[:, :2]
        r = x[:, 2:4] + h @ w_gates[:, 2:]
        c = np.maximum(x[:, 4:] + (r * h) @ w_cand, 0)
        np.testing.assert_allclose(gru(v(x), v(h))[0].numpy(), u * c + (1 - u) * h, rtol=1e-12)
        out = nn.GRUUnit(6)(v(x.astype("float32")), v(h.astype("float32")))
        assert all(o.dtype == np.float32 for o in out)


def test_gru_unit_bad_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="positive multiple of 3"):
            nn.GRUUnit(7)
        with pytest.raises(ValueError, match="activation must be one of"):
            nn.GRUUnit(6, activation="gelu")
        gru = nn.GRUUnit(6)
        with pytest.raises(ValueError, match=r"input of shape \[2, 4\] does not fit"):
            gru(v(np.zeros((2, 4), "float32")), v(np.zeros((2, 2), "float32")))
        with pytest.raises(ValueError, match=r"hidden of shape \[2, 3\] does not fit"):
            gru(v(np.zeros((2, 6), "float32")), v(np.zeros((2, 3), "float32")))
        with pytest.raises(ValueError, match="same batch size"):
            gru(v(np.zeros((2, 6), "float32")), v(np.zeros((3, 2), "float32")))
        with pytest.raises(TypeError, match="input has dtype float64"):
            gru(v(np.zeros((2, 6))), v(np.zeros((2, 2), "float32")))


def test_gru_language_model_training_loss_falls():
    """A Paddle-style GRU language model: Embedding -> Linear to the gates -> GRUUnit over the
    time steps -> Linear to the vocabulary, trained with Adam on a cyclic token sequence."""
    vocab, emb_dim, hidden, steps, batch = 7, 8, 16, 6, 4
    rng = np.random.RandomState(11)
    starts = rng.randint(0, vocab, (batch, 1))
    tokens = (starts + np.arange(steps + 1)) % vocab           # next token = token + 1

    class GRULanguageModel(fluid.dygraph.Layer):
        def __init__(self):
            super().__init__()
            self.embedding = fluid.dygraph.Embedding(size=[vocab, emb_dim])
            self.to_gates = fluid.dygraph.Linear(emb_dim, 3 * hidden)
            self.gru = nn.GRUUnit(3 * hidden)
            self.out = fluid.dygraph.Linear(hidden, vocab)

        def forward(self, ids):
            h = fluid.layers.zeros([ids.shape[0], hidden], "float32")
            logits = []
            for t in range(ids.shape[1]):
                emb = self.embedding(fluid.layers.slice(ids, [1], [t], [t + 1]))
                h, _, _ = self.gru(self.to_gates(fluid.layers.reshape(emb, [-1, emb_dim])), h)
                logits.append(self.out(h))
            return fluid.layers.stack(logits, axis=1)

    minigrad.seed(0)
    with fluid.dygraph.guard():
        model = GRULanguageModel()
        adam = fluid.optimizer.Adam(learning_rate=0.05, parameter_list=model.parameters())
        inputs = fluid.dygraph.to_variable(tokens[:, :-1].astype("int64"))
        targets = fluid.dygraph.to_variable(tokens[:, 1:].reshape(batch, steps, 1)
                                            .astype("int64"))
        losses = []
        for _ in range(30):
            logits = model(inputs)
            loss = fluid.layers.mean(fluid.layers.softmax_with_cross_entropy(logits, targets))
            loss.backward()
            adam.minimize(loss)
            model.clear_gradients()
            losses.append(float(loss.numpy()[0]))
    assert losses[-1] < 0.25 * losses[0], losses


# -- NCE -----------------------------------------------------------------------------------------

def test_nce_values_parameters_gradients():
    """All noise on one class (custom_dist), so the samples are known: closed form of the cost."""
    rng = np.random.default_rng(12)
    classes, dim, negatives, noise_class = 6, 4, 3, 2
    x = rng.standard_normal((3, dim))
    words = np.array([[0], [5], [2]], "int64")
    dist = [0.0] * classes
    dist[noise_class] = 1.0
    with fluid.dygraph.guard():
        nce = nn.NCE(classes, dim, num_neg_samples=negatives, sampler="custom_dist",
                     custom_dist=dist, dtype="float64")
        assert nce.weight.shape == [classes, dim] and nce.bias.shape == [classes, 1]
        assert nce.weight.name.startswith("nce_") and nce.bias.name.endswith(".b_0")
        w, b = rng.standard_normal((classes, dim)), rng.standard_normal((classes, 1))
        nce.weight.set_value(w)
        nce.bias.set_value(b)
        row_weight = np.array([[1.0], [0.5], [2.0]])
        expected = np.zeros((3, 1))
        for n in range(3):
            o = sigmoid(x[n] @ w[words[n, 0]] + b[words[n, 0], 0])
            # b = P_noise(class) * num_neg_samples: 0 for these true classes.
            b_true = dist[words[n, 0]] * negatives
            cost = -np.log(o / (o + b_true))
            o_noise = sigmoid(x[n] @ w[noise_class] + b[noise_class, 0])
            cost += -negatives * np.log(negatives / (o_noise + negatives))
            expected[n] = row_weight[n] * cost / (negatives + 1)
        out = nce(v(x), v(words), sample_weight=v(row_weight))
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
        check_grads(with_parameters(nce, ["weight", "bias"],
                                    lambda e: nce(e, v(words), sample_weight=v(row_weight))),
                    x, w, b)
        out = nn.NCE(classes, dim, num_neg_samples=2)(v(x.astype("float32")), v(words))
        assert out.dtype == np.float32 and out.shape == [3, 1]


def test_nce_seeded_sampling_repeats_and_bias_attr_false():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((5, 3)).astype("float32")
    words = rng.integers(0, 20, (5, 1))
    with fluid.dygraph.guard():
        for sampler in ("uniform", "log_uniform"):
            nce = nn.NCE(20, 3, num_neg_samples=4, sampler=sampler, seed=7, bias_attr=False)
            assert nce.bias is None and len(nce.parameters()) == 1
            first, second = nce(v(x), v(words)), nce(v(x), v(words))
            np.testing.assert_array_equal(first.numpy(), second.numpy())
            assert np.isfinite(first.numpy()).all() and (first.numpy() > 0).all()


def test_nce_bad_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="sampler must be one of"):
            nn.NCE(10, 3, sampler="zipf")
        with pytest.raises(ValueError, match="needs custom_dist"):
            nn.NCE(10, 3, sampler="custom_dist")
        with pytest.raises(ValueError, match="sum to 1"):
            nn.NCE(3, 3, sampler="custom_dist", custom_dist=[0.5, 0.5, 0.5])
        with pytest.raises(ValueError, match="num_total_classes must be an int >= 2"):
            nn.NCE(1, 3)
        nce = nn.NCE(10, 3)
        with pytest.raises(ValueError, match=r"expected \[N, dim=3\]"):
            nce(v(np.zeros((2, 4), "float32")), v(np.zeros((2, 1), "int64")))
        with pytest.raises(ValueError, match=r"label\[1, 0\] = 10 is not in \[0, 10\)"):
            nce(v(np.zeros((2, 3), "float32")), v(np.array([[1], [10]], "int64")))
        with pytest.raises(TypeError, match="input has dtype float64"):
            nce(v(np.zeros((2, 3))), v(np.zeros((2, 1), "int64")))


def test_nce_word2vec_training_loss_falls():
    """Skip-gram style: each word predicts its successor through NCE; SGD drives the loss down."""
    vocab, dim = 12, 8
    rng = np.random.RandomState(14)
    centers = rng.randint(0, vocab, (32,))
    contexts = ((centers + 1) % vocab).reshape(-1, 1).astype("int64")
    minigrad.seed(1)
    with fluid.dygraph.guard():
        embedding = fluid.dygraph.Embedding(size=[vocab, dim])
        nce = nn.NCE(vocab, dim, num_neg_samples=4)
        params = embedding.parameters() + nce.parameters()
        sgd = fluid.optimizer.Adam(learning_rate=0.1, parameter_list=params)
        ids = fluid.dygraph.to_variable(centers.reshape(-1, 1).astype("int64"))
        losses = []
        for _ in range(40):
            emb = fluid.layers.reshape(embedding(ids), [-1, dim])
            loss = fluid.layers.mean(nce(emb, fluid.dygraph.to_variable(contexts)))
            loss.backward()
            sgd.minimize(loss)
            embedding.clear_gradients()
            nce.clear_gradients()
            losses.append(float(loss.numpy()[0]))
    assert losses[-1] < 0.5 * losses[0], losses


# -- TreeConv ------------------------------------------------------------------------------------

TREES = np.array([[[1, 2], [1, 3], [1, 4], [2, 5], [2, 6], [4, 7]],
                  [[1, 2], [2, 3], [3, 4], [0, 0], [0, 0], [0, 0]]], "int32")


def tree_conv_reference(x, edges, w, max_depth):
    """Direct loops: for each root, recurse over its descendants above max_depth, weight each
    node's features by (eta_l, eta_r, eta_t) as the tree_conv op defines them, then apply w."""
    batch, n, features = x.shape
    out = np.zeros((batch, n) + w.shape[2:])
    for b in range(batch):
        kids = {}
        rows = 0
        for parent, child in edges[b]:
            if parent == 0 or child == 0:
                break
            kids.setdefault(parent, []).append(child)
            rows += 1

        def visit(node, place, siblings, depth, patch):
            eta_t = (max_depth - depth) / max_depth
            eta_l = (1 - eta_t) * (0.5 if siblings == 1 else (place - 1) / (siblings - 1))
            eta_r = (1 - eta_t) * (1 - eta_l)
            patch += np.stack([eta_l * x[b, node - 1], eta_r * x[b, node - 1],
                               eta_t * x[b, node - 1]], axis=1)      # [F, 3]
            if depth + 1 < max_depth:
                children = kids.get(node, [])
                for i, child in enumerate(children):
                    visit(child, i + 1, len(children), depth + 1, patch)

        for root in range(1, rows + 2):
            patch = np.zeros((features, 3))
            visit(root, 1, 1, 0, patch)
            for f in range(features):
                for k in range(3):
                    out[b, root - 1] += patch[f, k] * w[f, k]
    return out


@pytest.mark.parametrize("max_depth", [2, 3, 4])
def test_tree_conv_values_parameters_gradients(max_depth):
    rng = np.random.default_rng(15)
    x = rng.standard_normal((2, 7, 3))
    with fluid.dygraph.guard():
        conv = nn.TreeConv(3, 2, num_filters=2, max_depth=max_depth, dtype="float64")
        assert conv.weight.shape == [3, 3, 2, 2] and conv.bias.shape == [2]
        assert conv.weight.name.startswith("tree_conv_") and conv.bias.name.endswith(".b_0")
        w, bias = rng.standard_normal((3, 3, 2, 2)), rng.standard_normal(2)
        conv.weight.set_value(w)
        conv.bias.set_value(bias)
        out = conv(v(x), v(TREES))
        expected = tree_conv_reference(x, TREES, w, max_depth)
        # rows past the second tree's 4 nodes are 0 before the bias
        assert not expected[1, 4:].any()
        np.testing.assert_allclose(out.numpy(), np.tanh(expected + bias), rtol=1e-12)
        check_grads(with_parameters(conv, ["weight", "bias"], lambda n: conv(n, v(TREES))),
                    x, w, bias)


def test_tree_conv_options_dtype_and_bad_input():
    rng = np.random.default_rng(16)
    x = rng.standard_normal((2, 7, 3)).astype("float32")
    with fluid.dygraph.guard():
        conv = nn.TreeConv(3, 4, act=None, bias_attr=False)
        assert conv.bias is None and len(conv.parameters()) == 1
        out = conv(v(x), v(TREES.astype("int64")))
        assert out.dtype == np.float32 and out.shape == [2, 7, 4, 1]
        np.testing.assert_allclose(out.numpy(), tree_conv_reference(
            x.astype("float64"), TREES, conv.weight.numpy().astype("float64"), 2), rtol=1e-5,
            atol=1e-6)
        with pytest.raises(ValueError, match="max_depth must be >= 2"):
            nn.TreeConv(3, 2, max_depth=1)
        with pytest.raises(ValueError, match="not a known activation"):
            nn.TreeConv(3, 2, act="tanhh")
        with pytest.raises(ValueError, match=r"expected \[B, n, feature_size=3\]"):
            conv(v(np.zeros((2, 7, 4), "float32")), v(TREES))
        with pytest.raises(ValueError, match="must be 3-D"):
            conv(v(np.zeros((7, 3), "float32")), v(TREES))
        with pytest.raises(ValueError, match=r"edge_set must have shape \[batch=1"):
            conv(v(np.zeros((1, 7, 3), "float32")), v(TREES))
        with pytest.raises(ValueError, match="describes 7 nodes but nodes_vector has 5"):
            conv(v(np.zeros((2, 5, 3), "float32")), v(TREES))
        with pytest.raises(TypeError, match="integer"):
            conv(v(x), v(TREES.astype("float32")))
        with pytest.raises(TypeError, match="nodes_vector has dtype float64"):
            conv(v(x.astype("float64")), v(TREES))


def test_tree_conv_classifier_training_loss_falls():
    """A TBCNN-style classifier: TreeConv, max-pool over the nodes, Linear; tells chains from
    bushes (the tree shapes) with Adam."""
    rng = np.random.RandomState(17)
    chain = np.array([[i, i + 1] for i in range(1, 6)], "int32")
    bush = np.array([[1, i] for i in range(2, 7)], "int32")
    edges = np.stack([chain, bush] * 4)
    labels = np.array([[0], [1]] * 4, "int64")
    nodes = rng.uniform(0.5, 1, (8, 6, 4)).astype("float32")
    minigrad.seed(2)
    with fluid.dygraph.guard():
        conv = nn.TreeConv(4, 8, num_filters=1, max_depth=3)
        fc = fluid.dygraph.Linear(8, 2)
        adam = fluid.optimizer.Adam(learning_rate=0.05,
                                    parameter_list=conv.parameters() + fc.parameters())
        losses = []
        for _ in range(30):
            features = fluid.layers.reshape(conv(v(nodes), v(edges)), [8, 6, 8])
            pooled = fluid.layers.reduce_max(features, dim=1)
            loss = fluid.layers.mean(fluid.layers.softmax_with_cross_entropy(fc(pooled),
                                                                             v(labels)))
            loss.backward()
            adam.minimize(loss)
            conv.clear_gradients()
            fc.clear_gradients()
            losses.append(float(loss.numpy()[0]))
    assert losses[-1] < 0.25 * losses[0], losses
