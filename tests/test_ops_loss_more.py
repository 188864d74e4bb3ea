"""Paddle 1.8's further losses: values against direct loops written here (math module, one element
or one row at a time), first- and second-order gradients in float64, output shapes ([N, 1] or
[1]), dtype preservation, bad input; the parameter-owning ones (center_loss, hsigmoid, nce) with
parameters set through NumpyArrayInitializer; the sampling ones (nce, sampled softmax)
deterministic under a seed, their samplers' distributions, and their gradients with the samples
fixed."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.ops import loss as LO
from minigrad.ops import sampled_loss as S
from op_helpers import check_grads, grads_of, uniform, var

L = fluid.layers


def _softplus(v):
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def _init(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(np.asarray(array)))


# -- references, one element / row at a time ------------------------------------------------------

def ref_huber(x, y, delta):
    out = np.empty_like(x)
    for i in np.ndindex(*x.shape):
        r = y[i] - x[i]
        out[i] = 0.5 * r * r if abs(r) <= delta else delta * (abs(r) - 0.5 * delta)
    return out


def ref_smooth_l1(x, y, iw, ow, sigma):
    s = sigma * sigma
    out = np.zeros((x.shape[0], 1))
    for i in np.ndindex(*x.shape):
        d = (x[i] - y[i]) * iw[i]
        v = 0.5 * s * d * d if abs(d) < 1.0 / s else abs(d) - 0.5 / s
        out[i[0], 0] += v * ow[i]
    return out


def ref_kldiv(x, t, reduction):
    out = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        out[i] = t[i] * (math.log(t[i]) - x[i]) if t[i] > 0 else 0.0
    return {"none": out, "sum": out.sum(), "mean": out.mean(),
            "batchmean": out.sum() / x.shape[0]}[reduction]


def ref_bpr(x, label):
    n, d = x.shape
    out = np.zeros((n, 1))
    for i in range(n):
        pos = label[i, 0]
        total = sum(math.log(_sigmoid(x[i, pos] - x[i, j])) for j in range(d) if j != pos)
        out[i, 0] = -total / (d - 1)
    return out


def ref_focal(x, label, fg, gamma, alpha):
    out = np.zeros_like(x)
    for i, j in np.ndindex(*x.shape):
        p = _sigmoid(x[i, j])
        g = label[i, 0]
        if g == j + 1:
            out[i, j] = -alpha * (1 - p) ** gamma * math.log(p)
        elif g != -1:
            out[i, j] = -(1 - alpha) * p ** gamma * math.log(1 - p)
    return out / max(fg, 1)


def ref_teacher_student(x, label):
    out = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        v, z = x[i], label[i]
        click = _softplus(v) - v * (1.0 if (-1 <= z < 0 or z >= 1) else 0.0)
        teacher = 0.0 if z < 0 else _softplus(v) - v * (z if z < 1 else z - 1)
        out[i] = click + teacher
    return out


def ref_cos_sim(x, y):
    x = x.reshape(x.shape[0], -1)
    y = y.reshape(y.shape[0], -1)
    out = np.zeros((x.shape[0], 1))
    for i in range(x.shape[0]):
        b = y[i if y.shape[0] > 1 else 0]
        out[i, 0] = sum(x[i] * b) / (math.sqrt(sum(x[i] ** 2)) * math.sqrt(sum(b ** 2)))
    return out


def ref_npair(anchor, positive, labels, l2_reg):
    n = anchor.shape[0]
    l2 = 0.25 * l2_reg * (sum(sum(r ** 2) for r in anchor) / n + sum(sum(r ** 2) for r in
                                                                     positive) / n)
    total = 0.0
    for i in range(n):
        logits = [sum(anchor[i] * positive[j]) for j in range(n)]
        top = max(logits)
        log_z = top + math.log(sum(math.exp(v - top) for v in logits))
        same = [float(labels[i] == labels[j]) for j in range(n)]
        total += -sum(s / sum(same) * (logits[j] - log_z) for j, s in enumerate(same))
    return l2 + total / n


def ref_dice(p, label, eps):
    n, c = p.shape[0], p.shape[-1]
    scores = []
    for i in range(n):
        rows = p[i].reshape(-1, c)
        labels = label[i].reshape(-1)
        inter = sum(rows[k, labels[k]] for k in range(len(labels)))
        total = rows.sum() + len(labels)
        scores.append(1 - 2 * inter / (total + eps))
    return np.mean(scores)


# -- the simple losses: values, gradients, dtypes --------------------------------------------------

R = np.random.default_rng(11)
X5 = R.uniform(-2, 2, (5, 2))
Y5 = X5 + R.choice([-1.0, 1.0], (5, 2)) * R.uniform(0.2, 1.5, (5, 2))  # residuals clear of delta
A3 = R.uniform(-1, 1, (3, 2, 2))
B3 = A3 + R.choice([-1.0, 1.0], (3, 2, 2)) * R.uniform(0.1, 1.2, (3, 2, 2))
IW = R.uniform(0.5, 1.5, (3, 2, 2))
OW = R.uniform(0.5, 1.5, (3, 2, 2))
P34 = R.normal(size=(3, 4))
T34 = R.uniform(-0.3, 1.0, (3, 4))
BPR_LABEL = np.array([[0], [3], [2]], np.int64)
LEFT, RIGHT = R.normal(size=(4, 1)), R.normal(size=(4, 1))
RANK_LABEL = np.array([[1.0], [0.0], [0.5], [1.0]])
MARGIN_LABEL = np.array([[1.0], [-1.0], [1.0], [-1.0]])
FOCAL_X = R.normal(size=(5, 3))
FOCAL_LABEL = np.array([[0], [1], [3], [-1], [2]], np.int32)
TS_X = np.array([[0.5], [-1.2], [2.0], [-3.0], [4.0], [1.0]])
TS_LABEL = np.array([[-2.0], [-1.0], [0.3], [1.7], [0.5], [1.0]])
COS_X, COS_Y = R.normal(size=(4, 3)), R.normal(size=(4, 3))
COS_X3, COS_Y3 = R.normal(size=(4, 2, 3)), R.normal(size=(1, 2, 3))
ANCHOR, POSITIVE = R.normal(size=(5, 3)), R.normal(size=(5, 3))
NPAIR_LABELS = np.array([1.0, 2.0, 1.0, 3.0, 2.0])
DICE_P = R.uniform(0.1, 1.0, (2, 3, 4))
DICE_LABEL = R.integers(0, 4, (2, 3, 1))

# name, function of the float inputs, float inputs, reference, output shape
CASES = [
    ("huber_loss", lambda x, y: L.huber_loss(x, y, 0.6), (X5, Y5),
     lambda: ref_huber(X5, Y5, 0.6), [5, 2]),
    ("smooth_l1", lambda x, y: L.smooth_l1(x, y), (A3, B3),
     lambda: ref_smooth_l1(A3, B3, np.ones_like(A3), np.ones_like(A3), 1.0), [3, 1]),
    ("smooth_l1_weights", lambda x, y, i, o: L.smooth_l1(x, y, i, o, sigma=0.7), (A3, B3, IW, OW),
     lambda: ref_smooth_l1(A3, B3, IW, OW, 0.7), [3, 1]),
    ("kldiv_none", lambda x: L.kldiv_loss(x, var(T34), "none"), (P34,),
     lambda: ref_kldiv(P34, T34, "none"), [3, 4]),
    ("kldiv_mean", lambda x: L.kldiv_loss(x, var(T34)), (P34,),
     lambda: ref_kldiv(P34, T34, "mean"), [1]),
    ("kldiv_sum", lambda x: L.kldiv_loss(x, var(T34), "sum"), (P34,),
     lambda: ref_kldiv(P34, T34, "sum"), [1]),
    ("kldiv_batchmean", lambda x: L.kldiv_loss(x, var(T34), "batchmean"), (P34,),
     lambda: ref_kldiv(P34, T34, "batchmean"), [1]),
    ("bpr_loss", lambda x: L.bpr_loss(x, var(BPR_LABEL)), (P34,),
     lambda: ref_bpr(P34, BPR_LABEL), [3, 1]),
    ("rank_loss", lambda a, b: L.rank_loss(var(RANK_LABEL.astype(a.dtype)), a, b), (LEFT, RIGHT),
     lambda: np.vectorize(_softplus)(LEFT - RIGHT) - RANK_LABEL * (LEFT - RIGHT), [4, 1]),
    ("margin_rank_loss", lambda a, b: L.margin_rank_loss(
        var(MARGIN_LABEL.astype(a.dtype)), a, b, margin=0.3),
     (LEFT, RIGHT), lambda: np.maximum(0, -MARGIN_LABEL * (LEFT - RIGHT) + 0.3), [4, 1]),
    ("npair_loss", lambda a, p: L.npair_loss(a, p, var(NPAIR_LABELS), l2_reg=0.01),
     (ANCHOR, POSITIVE), lambda: [ref_npair(ANCHOR, POSITIVE, NPAIR_LABELS, 0.01)], [1]),
    ("dice_loss", lambda p: L.dice_loss(p, var(DICE_LABEL), epsilon=0.01), (DICE_P,),
     lambda: [ref_dice(DICE_P, DICE_LABEL, 0.01)], [1]),
    ("sigmoid_focal_loss", lambda x: L.sigmoid_focal_loss(
        x, var(FOCAL_LABEL), var(np.array([3], np.int32)), gamma=1.5, alpha=0.3), (FOCAL_X,),
     lambda: ref_focal(FOCAL_X, FOCAL_LABEL, 3, 1.5, 0.3), [5, 3]),
    ("sigmoid_focal_loss_defaults", lambda x: L.sigmoid_focal_loss(x, var(FOCAL_LABEL), 0),
     (FOCAL_X,), lambda: ref_focal(FOCAL_X, FOCAL_LABEL, 0, 2.0, 0.25), [5, 3]),
    ("teacher_student_sigmoid_loss", lambda x: L.teacher_student_sigmoid_loss(
        x, var(TS_LABEL.astype(x.dtype))),
     (TS_X,), lambda: ref_teacher_student(TS_X, TS_LABEL), [6, 1]),
    ("cos_sim", L.cos_sim, (COS_X, COS_Y), lambda: ref_cos_sim(COS_X, COS_Y), [4, 1]),
    ("cos_sim_broadcast", L.cos_sim, (COS_X3, COS_Y3), lambda: ref_cos_sim(COS_X3, COS_Y3),
     [4, 1]),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, function, inputs, reference, shape", CASES, ids=IDS)
def test_values_and_shapes(name, function, inputs, reference, shape):
    with fluid.dygraph.guard():
        out = function(*[var(a) for a in inputs])
    assert out.shape == shape
    np.testing.assert_allclose(out.numpy(), np.reshape(reference(), shape), rtol=1e-11,
                               atol=1e-13)


@pytest.mark.parametrize("name, function, inputs, reference, shape", CASES, ids=IDS)
def test_gradients(name, function, inputs, reference, shape):
    check_grads(function, *inputs)


@pytest.mark.parametrize("name, function, inputs, reference, shape", CASES, ids=IDS)
def test_float32_stays_float32(name, function, inputs, reference, shape):
    out, grads = grads_of(function, *[a.astype(np.float32) for a in inputs])
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)


def test_huber_and_smooth_l1_gradients_are_the_clipped_residual():
    x = np.array([[0.0], [0.0], [0.0]])
    y = np.array([[0.3], [2.0], [-5.0]])
    _, (gx, gy) = grads_of(lambda a, b: L.huber_loss(a, b, 1.0), x, y)
    np.testing.assert_array_equal(gx, [[-0.3], [-1.0], [1.0]])
    np.testing.assert_array_equal(gy, -gx)
    _, (gx, _) = grads_of(lambda a, b: L.smooth_l1(a, b, sigma=2.0), y, x)
    np.testing.assert_allclose(gx, [[1.0], [1.0], [-1.0]])    # |d| >= 1/sigma^2: slope sign(d)


def test_kldiv_target_gets_no_gradient_and_non_positive_targets_give_zero():
    with fluid.dygraph.guard():
        x = var(np.ones((1, 3)), stop_gradient=False)
        t = var(np.array([[0.0, -0.5, 0.5]]), stop_gradient=False)
        out = L.kldiv_loss(x, t, "none")
        L.reduce_sum(out).backward()
        np.testing.assert_allclose(out.numpy(), [[0.0, 0.0, 0.5 * (math.log(0.5) - 1)]])
        assert t.gradient() is None
        np.testing.assert_array_equal(x.gradient(), [[0.0, 0.0, -0.5]])


def test_teacher_student_gradient_is_zero_outside_the_bounds():
    x = np.array([[16.0], [-16.0], [15.0], [0.5]])
    label = np.array([[0.3], [-1.0], [1.5], [1.5]])
    _, (g,) = grads_of(lambda v: L.teacher_student_sigmoid_loss(v, var(label)), x)
    np.testing.assert_allclose(g, [[0.0], [0.0], [0.0], [2 * _sigmoid(0.5) - 1.5]], rtol=1e-14)
    _, (g,) = grads_of(lambda v: L.teacher_student_sigmoid_loss(
        v, var(label), soft_max_up_bound=20.0, soft_max_lower_bound=-20.0), x)
    np.testing.assert_allclose(g[0], [2 * _sigmoid(16.0) - 0.3], rtol=1e-14)


def test_margin_rank_loss_default_margin_and_dice_float_labels():
    with fluid.dygraph.guard():
        out = L.margin_rank_loss(var(np.array([[1.0]])), var(np.array([[0.5]])),
                                 var(np.array([[0.5]])))
        np.testing.assert_allclose(out.numpy(), [[0.1]])
        as_int = L.dice_loss(var(DICE_P), var(DICE_LABEL)).numpy()
        as_float = L.dice_loss(var(DICE_P), var(DICE_LABEL.astype(np.float32))).numpy()
    np.testing.assert_array_equal(as_int, as_float)


def test_cos_sim_of_a_zero_row_is_zero_with_finite_gradients():
    x = np.array([[0.0, 0.0], [1.0, 2.0]])
    y = np.array([[3.0, 4.0]])
    out, (gx, gy) = grads_of(L.cos_sim, x, y)
    np.testing.assert_allclose(out, [[0.0], [11 / (5 * math.sqrt(5))]])
    assert np.isfinite(gx).all() and np.isfinite(gy).all()


def test_losses_match_torch_where_it_has_them():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    with fluid.dygraph.guard():
        ours = L.huber_loss(var(X5), var(Y5), 0.6).numpy()
        np.testing.assert_allclose(ours, F.huber_loss(torch.tensor(X5), torch.tensor(Y5),
                                                      reduction="none", delta=0.6).numpy())
        t = np.abs(T34) + 0.1
        ours = L.kldiv_loss(var(P34), var(t), "batchmean").numpy()
        np.testing.assert_allclose(ours, [F.kl_div(torch.tensor(P34), torch.tensor(t),
                                                   reduction="batchmean").item()], rtol=1e-12)
        ours = L.cos_sim(var(COS_X), var(COS_Y)).numpy()[:, 0]
        np.testing.assert_allclose(ours, F.cosine_similarity(torch.tensor(COS_X),
                                                             torch.tensor(COS_Y)).numpy())


BAD_CASES = [
    (lambda: L.huber_loss(var(X5), var(Y5[:2]), 1.0), ValueError,
     r"huber_loss: label has shape \[2, 2\]; expected input's shape \[5, 2\]"),
    (lambda: L.huber_loss(var(X5), var(Y5), 0.0), ValueError, r"huber_loss: delta must be > 0"),
    (lambda: L.huber_loss(var(X5), var(Y5.astype(np.int64)), 1.0), TypeError,
     r"huber_loss: label must have a floating point dtype"),
    (lambda: L.smooth_l1(var(X5[:, 0]), var(Y5[:, 0])), ValueError,
     r"smooth_l1: x must have rank >= 2"),
    (lambda: L.smooth_l1(var(A3), var(B3), inside_weight=var(X5)), ValueError,
     r"smooth_l1: inside_weight has shape \[5, 2\]; expected x's shape"),
    (lambda: L.kldiv_loss(var(P34), var(T34), "avg"), ValueError,
     r"kldiv_loss: reduction must be one of 'none', 'batchmean', 'mean', 'sum', got 'avg'"),
    (lambda: L.bpr_loss(var(P34), var(np.array([[0], [4], [1]]))), ValueError,
     r"bpr_loss: label\[1\] = 4 is not in \[0, 4\)"),
    (lambda: L.bpr_loss(var(P34), var(np.zeros((3, 1)))), TypeError,
     r"bpr_loss: label must have a integer or unsigned dtype"),
    (lambda: L.bpr_loss(var(P34), var(np.zeros((2, 1), np.int64))), ValueError,
     r"bpr_loss: label has shape \[2, 1\]; expected \[3, 1\]"),
    (lambda: L.rank_loss(var(RANK_LABEL), var(LEFT), var(RIGHT[:2])), ValueError,
     r"rank_loss: right has shape \[2, 1\]; expected label's shape \[4, 1\]"),
    (lambda: L.margin_rank_loss(var(MARGIN_LABEL), var(LEFT), var(RIGHT), margin="0.1"),
     TypeError, r"margin_rank_loss: margin must be a number"),
    (lambda: L.npair_loss(var(ANCHOR), var(POSITIVE), var(NPAIR_LABELS[:3])), ValueError,
     r"npair_loss: labels has shape \[3\]; expected \[5\]"),
    (lambda: L.dice_loss(var(DICE_P), var(DICE_LABEL[..., 0])), ValueError,
     r"dice_loss: label has shape \[2, 3\]; expected \[2, 3, 1\]"),
    (lambda: L.dice_loss(var(DICE_P), var(DICE_LABEL + 0.5)), ValueError,
     r"dice_loss: a float label must hold whole class indices"),
    (lambda: L.sigmoid_focal_loss(var(FOCAL_X), var(FOCAL_LABEL + 1), 1), ValueError,
     r"sigmoid_focal_loss: label\[2\] = 4 is not in \[-1, 4\)"),
    (lambda: L.sigmoid_focal_loss(var(FOCAL_X), var(FOCAL_LABEL), 1.5), TypeError,
     r"sigmoid_focal_loss: fg_num must be an int or an int Variable"),
    (lambda: L.sigmoid_focal_loss(var(FOCAL_X), var(FOCAL_LABEL), var(np.array([1.0]))),
     TypeError, r"sigmoid_focal_loss: fg_num must have a integer"),
    (lambda: L.teacher_student_sigmoid_loss(var(TS_X), var(TS_LABEL), 1.0, 2.0), ValueError,
     r"teacher_student_sigmoid_loss: soft_max_lower_bound \(2.0\) must be below"),
    (lambda: L.cos_sim(var(COS_X), var(COS_Y[:2])), ValueError,
     r"cos_sim: Y of shape \[2, 3\] does not fit X of shape \[4, 3\]"),
    (lambda: L.cos_sim(var(COS_X), "y"), TypeError, r"cos_sim: Y must be a Variable, got str"),
    (lambda: L.rank_loss(var(RANK_LABEL.astype(np.float32)), var(LEFT), var(RIGHT)), TypeError,
     r"rank_loss: label has dtype float32; expected left's dtype float64"),
    (lambda: L.huber_loss(var(X5.astype(np.float32)), var(Y5), 1.0), TypeError,
     r"huber_loss: label has dtype float64; expected input's dtype float32"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_CASES, ids=[c[2] for c in BAD_CASES])
def test_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call()


# -- center_loss -----------------------------------------------------------------------------------

def test_center_loss_value_gradient_and_center_update():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(5, 3))
    label = np.array([[0], [2], [0], [1], [0]], np.int64)
    centers = rng.normal(size=(4, 3))
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = L.center_loss(v, var(label), 4, 0.1, _init(centers))
        L.reduce_sum(out).backward()
        expected = np.array([[0.5 * sum((x[i] - centers[label[i, 0]]) ** 2)] for i in range(5)])
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-14)
        np.testing.assert_allclose(v.gradient(), x - centers[label[:, 0]], rtol=1e-14)


def test_center_loss_kernel_moves_centers_towards_their_samples():
    x = np.array([[1.0, 1.0], [3.0, 1.0], [0.0, 4.0]])
    label = np.array([[0], [0], [2]])
    centers = np.zeros((3, 2))
    with fluid.dygraph.guard():
        c = var(centers.copy())
        LO.center_loss_with_centers(var(x), var(label), c, 0.5)
        # center k += alpha * sum of (x_i - c_k) over its samples / (1 + count_k)
        np.testing.assert_allclose(c.numpy(), [[0.5 * 4 / 3, 0.5 * 2 / 3], [0, 0],
                                               [0, 0.5 * 4 / 2]])
        c2 = var(centers.copy())
        LO.center_loss_with_centers(var(x), var(label), c2, 0.5, update_center=False)
        np.testing.assert_array_equal(c2.numpy(), centers)
    check_grads(lambda v: LO.center_loss_with_centers(v, label, centers, 0.1, False), x)


def test_center_loss_float32_and_bad_label():
    with fluid.dygraph.guard():
        out = L.center_loss(var(np.ones((2, 3), np.float32)), var(np.array([[0], [1]])), 2, 0.1,
                            None)
        assert out.dtype == np.float32 and out.shape == [2, 1]
        with pytest.raises(ValueError, match=r"center_loss: label\[1\] = 3 is not in \[0, 2\)"):
            L.center_loss(var(np.ones((2, 3))), var(np.array([[0], [3]])), 2, 0.1, None)


# -- hsigmoid --------------------------------------------------------------------------------------

def _heap_path(c, num_classes):
    """Leaf c of Paddle's default tree sits at heap position c + num_classes (root 1, children
    2k and 2k + 1); internal node k has weight row k - 1; the target is which child we came
    from."""
    node, path = c + num_classes, []
    while node > 1:
        path.append((node // 2 - 1, node % 2))
        node //= 2
    return path


def ref_hsigmoid(x, w, b, paths):
    out = np.zeros((x.shape[0], 1))
    for i, path in enumerate(paths):
        for node, bit in path:
            z = min(max(sum(x[i] * w[node]) + (b[node, 0] if b is not None else 0.0), -40), 40)
            out[i, 0] += _softplus(z) - bit * z
    return out


@pytest.mark.parametrize("bias", [True, False])
def test_hsigmoid_default_tree(bias):
    rng = np.random.default_rng(2)
    num_classes = 6
    x = rng.normal(size=(5, 3))
    label = np.array([[0], [1], [3], [5], [4]], np.int64)
    w = rng.normal(size=(num_classes - 1, 3))
    b = rng.normal(size=(num_classes - 1, 1)) if bias else None
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = L.hsigmoid(v, var(label), num_classes, param_attr=_init(w),
                         bias_attr=_init(b) if bias else False)
    assert out.shape == [5, 1]
    paths = [_heap_path(int(c), num_classes) for c in label[:, 0]]
    np.testing.assert_allclose(out.numpy(), ref_hsigmoid(x, w, b, paths), rtol=1e-13)


def test_default_tree_paths_match_the_heap_walk():
    for num_classes in (2, 5, 8, 13):
        labels = np.arange(num_classes)
        table, code = S.default_tree_paths(labels, num_classes)
        assert table.shape == (num_classes, (num_classes - 1).bit_length())
        for c in labels:
            path = _heap_path(int(c), num_classes)
            n = len(path)
            assert list(table[c, :n]) == [p[0] for p in path]
            assert list(code[c, :n]) == [p[1] for p in path]
            assert (table[c, n:] == -1).all()
        assert table.max() == num_classes - 2      # every internal node is used


def test_hsigmoid_custom_tree_and_its_gradients():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3))
    w = rng.normal(size=(4, 3))
    b = rng.normal(size=(4, 1))
    table = np.array([[0, 1, -1], [0, 2, 3], [1, -1, 2], [0, 2, -1]], np.int64)
    code = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1], [0, 0, 1]], np.int64)
    paths = [[(n, c) for n, c in zip(t, k)] for t, k in zip(table, code)]
    paths = [p[:next((j for j, (n, _) in enumerate(p) if n < 0), len(p))] for p in paths]
    with fluid.dygraph.guard():
        out = L.hsigmoid(var(x), var(np.zeros((4, 1), np.int64)), 4, param_attr=_init(w),
                         bias_attr=_init(b), path_table=var(table), path_code=var(code),
                         is_custom=True)
    np.testing.assert_allclose(out.numpy(), ref_hsigmoid(x, w, b, paths), rtol=1e-13)
    check_grads(lambda v, wv, bv: S.hierarchical_sigmoid(v, wv, bv, table, code), x, w, b)


def test_hsigmoid_float32_creates_fresh_parameters_and_rejects_bad_trees():
    x = np.ones((2, 3), np.float32)
    label = np.array([[0], [2]], np.int64)
    with fluid.dygraph.guard():
        out = L.hsigmoid(var(x), var(label), 3)
        assert out.dtype == np.float32 and out.shape == [2, 1]
        with pytest.raises(ValueError, match=r"hsigmoid: num_classes must be an int >= 2"):
            L.hsigmoid(var(x), var(label), 1)
        with pytest.raises(ValueError, match=r"hsigmoid: path_table / path_code need "
                                             r"is_custom=True"):
            L.hsigmoid(var(x), var(label), 3, path_table=var(np.zeros((2, 2), np.int64)),
                       path_code=var(np.zeros((2, 2), np.int64)))
        with pytest.raises(ValueError, match=r"hsigmoid: a custom tree \(is_custom=True\) needs"):
            L.hsigmoid(var(x), var(label), 3, is_custom=True)
        with pytest.raises(ValueError, match=r"hsigmoid: path_table\[0, 1\] = 5 is not in"):
            L.hsigmoid(var(x), var(label), 3, path_table=var(np.array([[0, 5], [1, -1]])),
                       path_code=var(np.zeros((2, 2), np.int64)), is_custom=True)
        with pytest.raises(ValueError, match=r"hsigmoid: label\[1\] = 3 is not in \[0, 3\)"):
            L.hsigmoid(var(x), var(np.array([[0], [3]])), 3)


# -- nce -------------------------------------------------------------------------------------------

def ref_nce_row(x, w, b, samples, num_true, probability, num_neg):
    cost = 0.0
    for j, c in enumerate(samples):
        o = _sigmoid(sum(x * w[c]) + (b[c, 0] if b is not None else 0.0))
        q = probability(c) * num_neg
        cost += -math.log(o / (o + q)) if j < num_true else -math.log(q / (o + q))
    return cost / (num_neg + 1)


def test_nce_with_fixed_samples_values_and_gradients():
    rng = np.random.default_rng(4)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(7, 4)), rng.normal(size=(7, 1))
    samples = np.array([[1, 3, 3, 0], [6, 2, 5, 1], [0, 0, 4, 6]])
    noise = np.full(samples.shape, 3 / 7)
    weights = np.array([[1.0], [0.5], [2.0]])
    with fluid.dygraph.guard():
        out = S.nce_with_samples(var(x), samples, 1, var(w), var(b), noise, var(weights)) / 4
    expected = [ref_nce_row(x[i], w, b, samples[i], 1, lambda c: 1 / 7, 3) * weights[i, 0]
                for i in range(3)]
    np.testing.assert_allclose(out.numpy()[:, 0], expected, rtol=1e-13)
    check_grads(lambda xv, wv, bv: S.nce_with_samples(xv, samples, 1, wv, bv, noise), x, w, b)
    check_grads(lambda xv, wv: S.nce_with_samples(xv, samples, 2, wv, None, noise), x, w)


@pytest.mark.parametrize("sampler", ["uniform", "log_uniform", "custom_dist"])
def test_nce_is_deterministic_under_a_seed_and_matches_its_samples(sampler, monkeypatch):
    rng = np.random.default_rng(6)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    label = np.array([[1], [0], [7], [3]], np.int64)
    dist = np.arange(1, 9) / 36.0
    kwargs = dict(num_neg_samples=5, sampler=sampler, param_attr=_init(w), bias_attr=_init(b),
                  custom_dist=dist if sampler == "custom_dist" else None)
    drawn = []
    original = S.nce_with_samples

    def spy(input, samples, *args):
        drawn.append(samples)
        return original(input, samples, *args)

    monkeypatch.setattr(S, "nce_with_samples", spy)
    with fluid.dygraph.guard():
        first = L.nce(var(x), var(label), 8, seed=7, **kwargs).numpy()
        second = L.nce(var(x), var(label), 8, seed=7, **kwargs).numpy()
        other = L.nce(var(x), var(label), 8, seed=8, **kwargs).numpy()
        fluid.seed(3)
        g1 = L.nce(var(x), var(label), 8, **kwargs).numpy()
        fluid.seed(3)
        g2 = L.nce(var(x), var(label), 8, **kwargs).numpy()
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(g1, g2)
    assert not np.array_equal(drawn[0], drawn[2])
    samples = drawn[0]
    assert samples.shape == (4, 6) and (samples[:, 0] == label[:, 0]).all()
    probability = {"uniform": lambda c: 1 / 8,
                   "log_uniform": lambda c: math.log((c + 2) / (c + 1)) / math.log(8),
                   "custom_dist": lambda c: dist[c]}[sampler]
    expected = [ref_nce_row(x[i], w, b, samples[i], 1, probability, 5) for i in range(4)]
    np.testing.assert_allclose(first[:, 0], expected, rtol=1e-12)
    assert first.shape == (4, 1) and other.shape == (4, 1)


@pytest.mark.parametrize("kind, n", [("uniform", 6), ("log_uniform", 6), ("custom_dist", 4)])
def test_samplers_draw_their_distribution(kind, n):
    dist = np.array([0.1, 0.2, 0.3, 0.4]) if kind == "custom_dist" else None
    sampler = S.ClassSampler(kind, n, dist)
    draws = sampler.sample(np.random.default_rng(0), 60000)
    assert draws.min() >= 0 and draws.max() < n
    frequency = np.bincount(draws, minlength=n) / draws.size
    expected = {"uniform": [1 / n] * n,
                "log_uniform": [math.log((v + 2) / (v + 1)) / math.log(n + 1) for v in range(n)],
                "custom_dist": [0.1, 0.2, 0.3, 0.4]}[kind]
    np.testing.assert_allclose(sampler.probability(np.arange(n)), expected, rtol=1e-12)
    np.testing.assert_allclose(frequency, expected, atol=0.01)
    assert math.isclose(sum(expected), 1.0)


def test_nce_float32_defaults_and_bad_input():
    x = np.ones((2, 3), np.float32)
    label = np.array([[0], [4]], np.int64)
    with fluid.dygraph.guard():
        v = var(x, stop_gradient=False)
        out = L.nce(v, var(label), 5, bias_attr=False, seed=1)
        L.reduce_sum(out).backward()
        assert out.dtype == np.float32 and v.gradient().dtype == np.float32
        assert out.shape == [2, 1]
        with pytest.raises(ValueError, match=r"nce: sampler must be one of 'uniform'"):
            L.nce(var(x), var(label), 5, sampler="zipf")
        with pytest.raises(ValueError, match=r"nce: sampler='custom_dist' needs custom_dist"):
            L.nce(var(x), var(label), 5, sampler="custom_dist")
        with pytest.raises(ValueError, match=r"nce: custom_dist must be non-negative and sum"):
            L.nce(var(x), var(label), 5, sampler="custom_dist", custom_dist=np.ones(5))
        with pytest.raises(ValueError, match=r"nce: custom_dist has 3 entries; expected one"):
            L.nce(var(x), var(label), 5, sampler="custom_dist", custom_dist=np.ones(3) / 3)
        with pytest.raises(ValueError, match=r"nce: label\[1, 0\] = 4 is not in \[0, 4\)"):
            L.nce(var(x), var(label), 4)
        with pytest.raises(TypeError, match=r"nce: label must have a integer"):
            L.nce(var(x), var(label.astype(np.float32)), 5)
        with pytest.raises(ValueError, match=r"nce: num_neg_samples must be >= 1"):
            L.nce(var(x), var(label), 5, num_neg_samples=0)
        with pytest.raises(ValueError, match=r"nce: seed must be None or a non-negative int"):
            L.nce(var(x), var(label), 5, seed=-1)


# -- sampled softmax -------------------------------------------------------------------------------

def ref_sampled_softmax(logits, samples, q, num_true, remove_hits):
    out = np.zeros((logits.shape[0], 1))
    for i in range(logits.shape[0]):
        z = []
        for j, c in enumerate(samples[i]):
            v = logits[i, c] - math.log(q[i, j])
            if remove_hits and j >= num_true and c in samples[i, :num_true]:
                v -= 1e20
            z.append(v)
        top = max(z)
        log_total = top + math.log(sum(math.exp(v - top) for v in z))
        out[i, 0] = -sum(z[j] - log_total for j in range(num_true)) / num_true
    return out


@pytest.mark.parametrize("remove_hits", [True, False])
def test_sampled_softmax_with_customized_samples(remove_hits):
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(3, 10))
    label = np.array([[1], [4], [7]], np.int64)
    samples = np.array([[1, 2, 4, 5, 8], [4, 2, 4, 5, 8], [7, 2, 4, 5, 8]], np.int64)
    q = rng.uniform(0.1, 0.5, (3, 5))
    with fluid.dygraph.guard():
        out = L.sampled_softmax_with_cross_entropy(
            var(logits), var(label), 4, remove_accidental_hits=remove_hits,
            use_customized_samples=True, customized_samples=var(samples),
            customized_probabilities=var(q))
    assert out.shape == [3, 1]
    np.testing.assert_allclose(out.numpy(), ref_sampled_softmax(logits, samples, q, 1,
                                                                remove_hits), rtol=1e-12)
    check_grads(lambda v: S.sampled_softmax_with_samples(v, samples, q, 1, remove_hits), logits)


def test_sampled_softmax_with_two_true_labels():
    rng = np.random.default_rng(9)
    logits = rng.normal(size=(2, 6))
    samples = np.array([[0, 3, 1, 3, 5], [2, 4, 0, 1, 4]], np.int64)
    q = rng.uniform(0.1, 0.5, (2, 5))
    with fluid.dygraph.guard():
        out = L.sampled_softmax_with_cross_entropy(
            var(logits), var(samples[:, :2]), 3, num_true=2, use_customized_samples=True,
            customized_samples=var(samples), customized_probabilities=var(q))
    np.testing.assert_allclose(out.numpy(), ref_sampled_softmax(logits, samples, q, 2, True),
                               rtol=1e-12)
    check_grads(lambda v: S.sampled_softmax_with_samples(v, samples, q, 2), logits)


def test_sampled_softmax_draws_distinct_log_uniform_samples_under_a_seed(monkeypatch):
    rng = np.random.default_rng(10)
    logits = rng.normal(size=(3, 20)).astype(np.float32)
    label = np.array([[1], [4], [7]], np.int64)
    seen = []
    original = S.sampled_softmax_with_samples

    def spy(logits, samples, probabilities, *args):
        seen.append((samples, probabilities))
        return original(logits, samples, probabilities, *args)

    monkeypatch.setattr(S, "sampled_softmax_with_samples", spy)
    with fluid.dygraph.guard():
        v = var(logits, stop_gradient=False)
        first = L.sampled_softmax_with_cross_entropy(v, var(label), 6, seed=3)
        second = L.sampled_softmax_with_cross_entropy(v, var(label), 6, seed=3)
        L.reduce_sum(first).backward()
        assert first.dtype == np.float32 and v.gradient().dtype == np.float32
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    samples, q = seen[0]
    assert samples.shape == (3, 7) and (samples[:, 0] == label[:, 0]).all()
    drawn = samples[0, 1:]
    assert len(set(drawn)) == 6 and (samples[:, 1:] == drawn).all()   # shared by the batch
    # Q = 1 - (1 - P)^tries for some tries >= 6 (P * 6 when no draw repeated).
    p = np.log((samples + 2.0) / (samples + 1.0)) / math.log(21)
    candidates = [p * 6] + [-np.expm1(t * np.log1p(-p)) for t in range(7, 400)]
    assert any(np.allclose(q, c, rtol=1e-12) for c in candidates)
    np.testing.assert_allclose(first.numpy(), ref_sampled_softmax(
        logits.astype(np.float64), samples, q, 1, True), rtol=1e-5)


def test_sampled_softmax_bad_input():
    logits = np.zeros((2, 5))
    label = np.array([[0], [1]])
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match=r"num_samples must lie in \[1, 5\]"):
            L.sampled_softmax_with_cross_entropy(var(logits), var(label), 6)
        with pytest.raises(ValueError, match=r"label has shape \[2, 1\]; expected \[2, 2\]"):
            L.sampled_softmax_with_cross_entropy(var(logits), var(label), 2, num_true=2)
        with pytest.raises(ValueError, match=r"label\[1, 0\] = 5 is not in \[0, 5\)"):
            L.sampled_softmax_with_cross_entropy(var(logits), var(np.array([[0], [5]])), 2)
        with pytest.raises(ValueError, match=r"needs customized_samples and"):
            L.sampled_softmax_with_cross_entropy(var(logits), var(label), 2,
                                                 use_customized_samples=True)
        with pytest.raises(ValueError, match=r"customized_samples has shape \[2, 2\]; expected "
                                             r"\[2, 3\]"):
            L.sampled_softmax_with_cross_entropy(
                var(logits), var(label), 2, use_customized_samples=True,
                customized_samples=var(np.zeros((2, 2), np.int64)),
                customized_probabilities=var(np.ones((2, 2))))
        with pytest.raises(TypeError, match=r"logits must have a floating point dtype"):
            L.sampled_softmax_with_cross_entropy(var(label), var(label), 1)
