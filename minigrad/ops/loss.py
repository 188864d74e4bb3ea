"""Losses under Paddle 1.x `fluid.layers` names: per-example values, never reduced (call `mean`).

The two fused losses (softmax + cross entropy, sigmoid + cross entropy) are primitives with a
stable forward and the textbook backward (probabilities minus targets), written with minigrad's
own `softmax` / `sigmoid` so second-order gradients work. The others are compositions.

Hard labels are integer arrays; an entry equal to `ignore_index` contributes a zero loss and no
gradient. Every other entry must be a valid class index, else a ValueError names the offender.
"""
import numbers

import numpy as np

from minigrad.core.checks import (data_of, check_axis, check_number, check_positive, check_tensor,
                                  check_type, shape_of)
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.activation import (Clip, PowScalar, log_softmax, relu, sigmoid, softmax,
                                     softplus, sqrt, square)
from minigrad.ops.math import Sum, log, matmul, mean
from minigrad.ops.shape import getitem, reshape

__all__ = ["cross_entropy", "softmax_with_cross_entropy", "square_error_cost", "mse_loss",
           "sigmoid_cross_entropy_with_logits", "log_loss", "label_smooth", "huber_loss",
           "smooth_l1", "kldiv_loss", "bpr_loss", "rank_loss", "margin_rank_loss", "npair_loss",
           "dice_loss", "sigmoid_focal_loss", "teacher_student_sigmoid_loss", "cos_sim",
           "center_loss_with_centers"]


def _hard_label(op, label, shape, axis, ignore_index):
    """The integer class indices of `label` shaped like `shape` with `axis` of size 1.

    `label` may have that shape, or lack the class axis altogether (Paddle 2.x style).
    """
    check_tensor(op, "label", label, dtypes="iu")
    check_type(op, "ignore_index", ignore_index, int, "an int")
    indices = np.asarray(data_of(label))
    expected = list(shape)
    expected[axis] = 1
    squeezed = expected[:axis] + expected[axis + 1:]
    if list(indices.shape) == squeezed:
        indices = np.expand_dims(indices, axis)
    elif list(indices.shape) != expected:
        raise ValueError(f"{op}: label has shape {list(indices.shape)}; expected {expected} (one "
                         f"class index per example, for an input of shape {list(shape)})")
    classes = shape[axis]
    bad = (indices != ignore_index) & ((indices < 0) | (indices >= classes))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{op}: label[{', '.join(map(str, where))}] = {indices[where]} is not a "
                         f"class index in [0, {classes}) nor ignore_index={ignore_index}")
    return indices


def _soft_label(op, label, input):
    check_tensor(op, "label", label, dtypes="f")
    if shape_of(label) != shape_of(input):
        raise ValueError(f"{op}: with soft_label=True, label must have the input's shape "
                         f"{list(shape_of(input))}, got {list(shape_of(label))}")


# -- cross entropy on probabilities -----------------------------------------------------------


class TolerableLog(Op):
    """log(x) with ±inf clamped to ±1e20, as Paddle's cross-entropy kernels do: a probability
    of 0 gives a loss of 1e20 rather than inf, and 0 * log(0) in a soft label stays 0."""

    def forward(self, x):
        with np.errstate(divide="ignore"):
            y = np.log(x)
        return np.clip(y, -1e20, 1e20, out=y)

    def backward(self, gy, x):
        return gy / x


def cross_entropy(input, label, soft_label=False, ignore_index=-100):
    """-log(input[..., label]) for probabilities `input` of shape [N1, ..., Nk, D].

    label:    hard labels: int64 of shape [N1, ..., Nk, 1] (or [N1, ..., Nk]); the output has the
              label's shape. soft_label=True: a float distribution of the input's shape; the
              output is -sum(label * log(input), -1) of shape [N1, ..., Nk, 1].
    Raises ValueError for a label of the wrong shape or a class index outside [0, D).

        loss = fluid.layers.mean(fluid.layers.cross_entropy(probs, label))
    """
    check_tensor("cross_entropy", "input", input, dtypes="f")
    shape = shape_of(input)
    if len(shape) == 0:
        raise ValueError("cross_entropy: input must have a class dim, got a 0-D input")
    if soft_label:
        _soft_label("cross_entropy", label, input)
        return -Sum((len(shape) - 1,), True)(label * TolerableLog()(input))
    indices = _hard_label("cross_entropy", label, shape, len(shape) - 1, ignore_index)
    keep = indices[..., 0] != ignore_index
    rows = np.indices(shape[:-1], sparse=True)
    picked = getitem(input, tuple(rows) + (np.where(keep, indices[..., 0], 0),))
    if not keep.all():
        # An ignored row picks probability 1, so its loss is exactly 0 (and so is its gradient).
        kept = keep.astype(data_of(input).dtype)
        picked = picked * kept + (1 - kept)
    # 0 - log(p) rather than -log(p): an ignored row then shows 0, not -0.
    return reshape(0.0 - TolerableLog()(picked), list(shape_of(label)))


# -- softmax + cross entropy, fused ---------------------------------------------------------


class SoftmaxCrossEntropy(Op):
    """-log_softmax(x)[label] along `axis`; the class axis of the output has size 1."""

    def __init__(self, axis, ignore_index):
        self.axis = axis
        self.ignore_index = ignore_index

    def forward(self, x, label):
        shifted = x - x.max(axis=self.axis, keepdims=True)
        log_total = np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        keep = label != self.ignore_index
        picked = np.take_along_axis(shifted, np.where(keep, label, 0), self.axis)
        return (log_total - picked) * keep

    def backward(self, gy, x, label):
        label = data_of(label)
        keep = label != self.ignore_index
        target = np.zeros(shape_of(x), dtype=data_of(gy).dtype)
        np.put_along_axis(target, np.where(keep, label, 0), 1, self.axis)
        return (softmax(x, axis=self.axis) - target) * (gy * keep), None


def softmax_with_cross_entropy(logits, label, soft_label=False, ignore_index=-100,
                               numeric_stable_mode=True, return_softmax=False, axis=-1):
    """Cross entropy of softmax(logits) along `axis`, computed stably from the logits.

    logits:   float, any rank; `axis` holds the classes (default the last).
    label:    hard labels: int64 with logits' shape but size 1 along `axis` (the class axis may
              also be left out); soft_label=True: a float distribution of the logits' shape.
    returns:  the loss, of logits' shape with size 1 along `axis`; with return_softmax=True the
              pair (loss, softmax). numeric_stable_mode is accepted for compatibility; the
              computation is always the stable one.
    Raises ValueError for a label of the wrong shape or a class index out of range.

        loss = fluid.layers.mean(fluid.layers.softmax_with_cross_entropy(logits, label))
    """
    op = "softmax_with_cross_entropy"
    check_tensor(op, "logits", logits, dtypes="f")
    shape = shape_of(logits)
    axis = check_axis(op, "axis", axis, len(shape))
    if soft_label:
        _soft_label(op, label, logits)
        loss = -Sum((axis,), True)(label * log_softmax(logits, axis=axis))
    else:
        indices = _hard_label(op, label, shape, axis, ignore_index)
        loss = SoftmaxCrossEntropy(axis, ignore_index)(logits, indices)
    if return_softmax:
        return loss, softmax(logits, axis=axis)
    return loss


# -- sigmoid + cross entropy, fused ----------------------------------------------------------


class SigmoidCrossEntropy(Op):
    """max(x, 0) - x * z + log(1 + exp(-|x|)) per element, zero where z == ignore_index."""

    def __init__(self, ignore_index, normalize):
        self.ignore_index = ignore_index
        self.normalize = normalize

    def _weights(self, label):
        keep = (label != self.ignore_index).astype(label.dtype)
        if self.normalize:
            keep *= 1.0 / max(int(keep.sum()), 1)
        return keep

    def forward(self, x, label):
        loss = np.maximum(x, 0) - x * label + np.log1p(np.exp(-np.abs(x)))
        return loss * self._weights(label)

    def backward(self, gy, x, label):
        weighted = gy * self._weights(data_of(label))
        return (weighted * (sigmoid(x) - label) if self.needs_grad(0) else None,
                -(weighted * x) if self.needs_grad(1) else None)


def sigmoid_cross_entropy_with_logits(x, label, ignore_index=-100, name=None, normalize=False):
    """Elementwise logistic loss of logits `x` against targets `label` in [0, 1], both [N, D].

    Elements whose label equals `ignore_index` give 0; normalize=True divides by the number of
    the others. Raises ValueError when label's shape differs from x's.
    """
    op = "sigmoid_cross_entropy_with_logits"
    check_tensor(op, "x", x, dtypes="f")
    check_tensor(op, "label", label, dtypes="f")
    check_type(op, "ignore_index", ignore_index, int, "an int")
    if shape_of(label) != shape_of(x):
        raise ValueError(f"{op}: label has shape {list(shape_of(label))}; expected x's shape "
                         f"{list(shape_of(x))}")
    return SigmoidCrossEntropy(ignore_index, bool(normalize))(x, label)


# -- regression -----------------------------------------------------------------------------


def square_error_cost(input, label):
    """(input - label) ** 2 elementwise, shape of `input`.

    label must have input's shape or broadcast to it: a [N] label against a [N, 1] input would
    silently give an [N, N] result in numpy, so it is a ValueError here.
    """
    op = "square_error_cost"
    check_tensor(op, "input", input, dtypes="f")
    check_tensor(op, "label", label, dtypes="f")
    in_shape, label_shape = shape_of(input), shape_of(label)
    try:
        broadcast = np.broadcast_shapes(in_shape, label_shape)
    except ValueError:
        broadcast = None
    if broadcast != in_shape:
        raise ValueError(f"{op}: label of shape {list(label_shape)} must match input's shape "
                         f"{list(in_shape)} (or broadcast to it without enlarging it)")
    return square(input - label)


def mse_loss(input, label):
    """mean((input - label) ** 2), shape [1]."""
    return mean(square_error_cost(input, label))


def log_loss(input, label, epsilon=1e-4, name=None):
    """-label * log(input + eps) - (1 - label) * log(1 - input + eps) for probabilities [N, 1]."""
    op = "log_loss"
    check_tensor(op, "input", input, dtypes="f")
    check_tensor(op, "label", label, dtypes="f")
    if shape_of(label) != shape_of(input):
        raise ValueError(f"{op}: label has shape {list(shape_of(label))}; expected input's shape "
                         f"{list(shape_of(input))}")
    check_type(op, "epsilon", epsilon, numbers.Real, "a number")
    epsilon = float(epsilon)
    return -(label * log(input + epsilon)) - (1.0 - label) * log(1.0 - input + epsilon)


def label_smooth(label, prior_dist=None, epsilon=0.1, dtype="float32", name=None):
    """(1 - epsilon) * label + epsilon * prior: one-hot rows [..., D] pulled towards `prior_dist`
    ([1, D] or [D]; default uniform 1 / D)."""
    op = "label_smooth"
    check_tensor(op, "label", label, dtypes="f")
    check_type(op, "epsilon", epsilon, numbers.Real, "a number")
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"{op}: epsilon must lie in [0, 1], got {epsilon}")
    classes = shape_of(label)[-1]
    smoothed = label * (1.0 - float(epsilon))
    if prior_dist is None:
        return smoothed + float(epsilon) / classes
    check_tensor(op, "prior_dist", prior_dist, dtypes="f")
    if int(np.prod(shape_of(prior_dist))) != classes:
        raise ValueError(f"{op}: prior_dist has shape {list(shape_of(prior_dist))}; expected "
                         f"{classes} entries, one per class")
    return smoothed + reshape(prior_dist, [classes]) * float(epsilon)


# -- Paddle 1.8's further losses ---------------------------------------------------------------
# Most are compositions of minigrad functions (no backward of their own); masks, one-hot rows and
# label-derived coefficients are constants computed from `.data` in the input's dtype.


def _same_shape(op, argument, value, reference_name, reference):
    if shape_of(value) != shape_of(reference):
        raise ValueError(f"{op}: {argument} has shape {list(shape_of(value))}; expected "
                         f"{reference_name}'s shape {list(shape_of(reference))}")


def _same_dtype(op, argument, value, reference_name, reference):
    # A float64 label against a float32 input would silently make a float64 loss.
    if data_of(value).dtype != data_of(reference).dtype:
        raise TypeError(f"{op}: {argument} has dtype {data_of(value).dtype}; expected "
                        f"{reference_name}'s dtype {data_of(reference).dtype}")


def class_column(op, label, rows, low, high, argument="label", allow_float=False):
    """`label` of shape [rows, 1] (or [rows]) holding ints in [low, high) -> an int64 [rows]."""
    check_tensor(op, argument, label, dtypes="iuf" if allow_float else "iu")
    values = np.asarray(data_of(label))
    if values.shape not in ((rows, 1), (rows,)):
        raise ValueError(f"{op}: {argument} has shape {list(values.shape)}; expected [{rows}, 1]")
    values = values.reshape(rows)
    if values.dtype.kind == "f":
        if not np.all(values == np.round(values)):
            raise ValueError(f"{op}: a float {argument} must hold whole class indices")
    values = values.astype(np.int64)
    bad = (values < low) | (values >= high)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{op}: {argument}[{i}] = {values[i]} is not in [{low}, {high})")
    return values


class Huber(Op):
    """0.5 r^2 where |r| <= delta, delta * (|r| - delta / 2) elsewhere, for a residual r."""

    def __init__(self, delta):
        self.delta = delta

    def forward(self, r):
        small = np.abs(r) <= self.delta
        return np.where(small, 0.5 * r * r, self.delta * (np.abs(r) - 0.5 * self.delta))

    def backward(self, gy, r):
        # The derivative is the residual clipped to [-delta, delta] (Clip: slope 1 inside).
        return gy * Clip(-self.delta, self.delta)(r)


def huber_loss(input, label, delta):
    """Elementwise Huber loss of the residual r = label - input: 0.5 r^2 for |r| <= delta,
    delta * (|r| - 0.5 delta) beyond. input and label share a shape (usually [N, 1]); the output
    has it too. Raises ValueError for differing shapes or delta <= 0.

        loss = fluid.layers.mean(fluid.layers.huber_loss(pred, target, delta=1.0))
    """
    op = "huber_loss"
    check_tensor(op, "input", input, dtypes="f")
    check_tensor(op, "label", label, dtypes="f")
    _same_shape(op, "label", label, "input", input)
    _same_dtype(op, "label", label, "input", input)
    delta = check_positive(op, "delta", delta)
    return Huber(delta)(label - input)


def smooth_l1(x, y, inside_weight=None, outside_weight=None, sigma=None):
    """Per-example smooth L1 loss, shape [N, 1], of x and y of shape [N, ...] (rank >= 2).

    With d = (x - y) * inside_weight and s = sigma ** 2 (sigma default 1.0), each element gives
    0.5 * s * d^2 where |d| < 1 / s and |d| - 0.5 / s elsewhere, times outside_weight; the
    elements of each example are summed. The weights (optional) have x's shape.
    Raises ValueError for rank < 2 or mismatched shapes.

        loss = fluid.layers.mean(fluid.layers.smooth_l1(box_pred, box_target))   # [N, 4]
    """
    op = "smooth_l1"
    check_tensor(op, "x", x, dtypes="f")
    check_tensor(op, "y", y, dtypes="f")
    shape = shape_of(x)
    if len(shape) < 2:
        raise ValueError(f"{op}: x must have rank >= 2 ([N, ...]), got shape {list(shape)}")
    _same_shape(op, "y", y, "x", x)
    _same_dtype(op, "y", y, "x", x)
    sigma = 1.0 if sigma is None else check_positive(op, "sigma", sigma)
    s = sigma * sigma
    diff = x - y
    if inside_weight is not None:
        check_tensor(op, "inside_weight", inside_weight, dtypes="f")
        _same_shape(op, "inside_weight", inside_weight, "x", x)
        _same_dtype(op, "inside_weight", inside_weight, "x", x)
        diff = diff * inside_weight
    # The same piecewise function as huber_loss with delta = 1 / s, scaled by s.
    loss = Huber(1.0 / s)(diff) * s
    if outside_weight is not None:
        check_tensor(op, "outside_weight", outside_weight, dtypes="f")
        _same_shape(op, "outside_weight", outside_weight, "x", x)
        _same_dtype(op, "outside_weight", outside_weight, "x", x)
        loss = loss * outside_weight
    return reshape(Sum(tuple(range(1, len(shape))), False)(loss), [shape[0], 1])


KLDIV_REDUCTIONS = ("none", "batchmean", "mean", "sum")


def kldiv_loss(x, target, reduction="mean", name=None):
    """Kullback-Leibler divergence loss of log-probabilities `x` against probabilities `target`
    (same shape): target * (log(target) - x) elementwise, 0 where target <= 0.

    reduction: 'mean' (over all elements), 'sum', 'batchmean' (sum / N) -> shape [1];
               'none' -> x's shape. The target gets no gradient (as in Paddle).
    Raises ValueError for another reduction or differing shapes.

        loss = fluid.layers.kldiv_loss(fluid.layers.log_softmax(logits), teacher_probs,
                                       reduction="batchmean")
    """
    op = "kldiv_loss"
    check_tensor(op, "x", x, dtypes="f")
    check_tensor(op, "target", target, dtypes="f")
    check_type(op, "reduction", reduction, str, "a str")
    if reduction not in KLDIV_REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of 'none', 'batchmean', 'mean', 'sum', "
                         f"got {reduction!r}")
    _same_shape(op, "target", target, "x", x)
    t = np.asarray(data_of(target))
    dtype = data_of(x).dtype
    positive = t > 0
    weight = np.where(positive, t, 0).astype(dtype)
    constant = np.where(positive, t * np.log(np.where(positive, t, 1)), 0).astype(dtype)
    loss = constant - x * weight
    if reduction == "none":
        return loss
    if reduction == "mean":
        return mean(loss)
    total = Sum(None, False)(loss)
    return total * (1.0 / shape_of(x)[0]) if reduction == "batchmean" else total


def bpr_loss(input, label, name=None):
    """Bayesian personalised ranking loss of logits `input` [N, D] (D >= 2) with the positive
    class `label` (int [N, 1]): -1/(D-1) * sum over j != label of log(sigmoid(x_label - x_j)).
    Output [N, 1]. Raises ValueError for a label out of [0, D).

        cost = fluid.layers.bpr_loss(scores, positive_item)    # [N, D], int64 [N, 1]
    """
    op = "bpr_loss"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    rows, classes = shape_of(input)
    if classes < 2:
        raise ValueError(f"{op}: input needs at least 2 classes, got shape {[rows, classes]}")
    positive = class_column(op, label, rows, 0, classes)
    picked = getitem(input, (np.arange(rows)[:, None], positive[:, None]))   # [N, 1]
    others = (np.arange(classes)[None, :] != positive[:, None]).astype(data_of(input).dtype)
    # -log(sigmoid(x_l - x_j)) = softplus(x_j - x_l).
    return Sum((1,), True)(softplus(input - picked) * others) * (1.0 / (classes - 1))


def _check_ranking(op, label, left, right):
    """label, left and right: float tensors of one shape and dtype."""
    for argument, value in (("label", label), ("left", left), ("right", right)):
        check_tensor(op, argument, value, dtypes="f")
    _same_shape(op, "left", left, "label", label)
    _same_shape(op, "right", right, "label", label)
    _same_dtype(op, "label", label, "left", left)
    _same_dtype(op, "right", right, "left", left)


def rank_loss(label, left, right, name=None):
    """RankNet's pairwise loss: log(1 + exp(o)) - label * o with o = left - right; label, left
    and right share a shape (usually [N, 1]), the output has it. label: 1 (left ranks higher),
    0, or 0.5 (no preference).

        cost = fluid.layers.rank_loss(label, score_a, score_b)      # each [N, 1]
    """
    _check_ranking("rank_loss", label, left, right)
    o = left - right
    return softplus(o) - label * o


def margin_rank_loss(label, left, right, margin=0.1, name=None):
    """max(0, -label * (left - right) + margin), label +1 (left should rank higher) or -1; all
    three share a shape (usually [N, 1]), the output has it.

        cost = fluid.layers.margin_rank_loss(label, score_a, score_b, margin=0.2)
    """
    _check_ranking("margin_rank_loss", label, left, right)
    margin = check_number("margin_rank_loss", "margin", margin)
    return relu(margin - label * (left - right))


def npair_loss(anchor, positive, labels, l2_reg=0.002):
    """N-pair metric-learning loss, shape [1].

    anchor, positive: [N, D] embeddings; labels: N class ids ([N] or [N, 1], float or int).
    The loss is 0.25 * l2_reg * (mean_i |anchor_i|^2 + mean_i |positive_i|^2) plus the mean over
    rows of the soft-label cross entropy of softmax(anchor @ positive^T) against the rows of
    "same label" normalised to sum to 1.

        loss = fluid.layers.npair_loss(anchor_emb, positive_emb, labels, l2_reg=0.002)
    """
    op = "npair_loss"
    check_tensor(op, "anchor", anchor, ndim=2, dtypes="f")
    check_tensor(op, "positive", positive, ndim=2, dtypes="f")
    _same_shape(op, "positive", positive, "anchor", anchor)
    _same_dtype(op, "positive", positive, "anchor", anchor)
    check_tensor(op, "labels", labels, dtypes="iuf")
    rows = shape_of(anchor)[0]
    ids = np.asarray(data_of(labels))
    if ids.size != rows or ids.ndim not in (1, 2):
        raise ValueError(f"{op}: labels has shape {list(ids.shape)}; expected [{rows}] (one per "
                         f"row of anchor)")
    ids = ids.reshape(rows)
    same = (ids[:, None] == ids[None, :]).astype(data_of(anchor).dtype)
    same /= same.sum(axis=1, keepdims=True)
    l2 = (mean(Sum((1,), False)(square(anchor))) + mean(Sum((1,), False)(square(positive))))
    similarity = matmul(anchor, positive, transpose_y=True)
    cross_entropy = -Sum((1,), True)(log_softmax(similarity, axis=1) * same)
    return l2 * (0.25 * float(l2_reg)) + mean(cross_entropy)


def dice_loss(input, label, epsilon=0.00001, name=None):
    """Dice loss, shape [1], of per-pixel class probabilities `input` [N, ..., C] against class
    indices `label` [N, ..., 1] (int, or float holding whole numbers, which Paddle 1.8's docs allow
    but its one_hot refused): mean over N of 1 - 2 |input * onehot| / (|input| + |onehot| + eps),
    sums over all non-batch dims.

        loss = fluid.layers.dice_loss(fluid.layers.softmax(logits), label)   # [N, H, W, C]
    """
    op = "dice_loss"
    check_tensor(op, "input", input, dtypes="f")
    check_tensor(op, "label", label, dtypes="iuf")
    shape = shape_of(input)
    if len(shape) < 2:
        raise ValueError(f"{op}: input must have rank >= 2 ([N, ..., C]), got {list(shape)}")
    expected = list(shape[:-1]) + [1]
    values = np.asarray(data_of(label))
    if list(values.shape) != expected:
        raise ValueError(f"{op}: label has shape {list(values.shape)}; expected {expected}")
    classes = shape[-1]
    flat = class_column(op, values.reshape(-1), values.size, 0, classes, allow_float=True)
    onehot = np.eye(classes, dtype=data_of(input).dtype)[flat].reshape(shape)
    axes = tuple(range(1, len(shape)))
    intersection = Sum(axes, False)(input * onehot)
    denominator = Sum(axes, False)(input) + onehot.sum(axis=axes)
    return mean(1.0 - intersection * 2.0 / (denominator + float(epsilon)))


def sigmoid_focal_loss(x, label, fg_num, gamma=2.0, alpha=0.25):
    """Focal loss of logits `x` [N, C] (C classes without background), shape [N, C].

    label:  int [N, 1]: 1..C the class of a foreground sample, 0 background, -1 ignored.
    fg_num: the number of foreground samples (int Variable/ndarray of shape [1], or an int);
            values below 1 count as 1.
    With p = sigmoid(x), element (i, j) is -alpha (1 - p)^gamma log(p) / fg_num where
    label_i = j + 1, -(1 - alpha) p^gamma log(1 - p) / fg_num where label_i is another class or
    background, and 0 where label_i = -1.

        loss = fluid.layers.sigmoid_focal_loss(logits, label, fg_num, gamma=2.0, alpha=0.25)
    """
    op = "sigmoid_focal_loss"
    check_tensor(op, "x", x, ndim=2, dtypes="f")
    rows, classes = shape_of(x)
    target = class_column(op, label, rows, -1, classes + 1)
    if isinstance(fg_num, (Variable, np.ndarray)):
        check_tensor(op, "fg_num", fg_num, dtypes="iu")
        if np.asarray(data_of(fg_num)).size != 1:
            raise ValueError(f"{op}: fg_num must hold one number, got shape "
                             f"{list(shape_of(fg_num))}")
        count = int(np.asarray(data_of(fg_num)).reshape(-1)[0])
    else:
        check_type(op, "fg_num", fg_num, numbers.Integral, "an int or an int Variable")
        count = int(fg_num)
    gamma = check_number(op, "gamma", gamma)
    alpha = check_number(op, "alpha", alpha)
    dtype = data_of(x).dtype
    column = np.arange(classes)[None, :] + 1
    is_class = (column == target[:, None]).astype(dtype)
    is_other = ((column != target[:, None]) & (target[:, None] != -1)).astype(dtype)
    # log(p) = -softplus(-x) and log(1 - p) = -softplus(x), stable for large |x|.
    positive = PowScalar(gamma)(sigmoid(-x)) * softplus(-x) * (is_class * alpha)
    negative = PowScalar(gamma)(sigmoid(x)) * softplus(x) * (is_other * (1.0 - alpha))
    return (positive + negative) * (1.0 / max(count, 1))


class TeacherStudentSigmoid(Op):
    """Paddle's teacher-student loss c * softplus(x) - t * x, (c, t) read off the label:
    label < -1: (1, 0); -1 <= label < 0: (1, 1); label >= 0: (2, label). The gradient is zero
    where x lies outside (lower, upper), as in Paddle's kernel."""

    def __init__(self, upper, lower):
        self.upper = upper
        self.lower = lower

    @staticmethod
    def _coefficients(label):
        c = np.where(label < 0, 1.0, 2.0).astype(label.dtype)
        t = np.where(label < -1, 0.0, np.where(label < 0, 1.0, label)).astype(label.dtype)
        return c, t

    def forward(self, x, label):
        c, t = self._coefficients(label)
        return c * np.logaddexp(x, 0).astype(x.dtype, copy=False) - t * x

    def backward(self, gy, x, label):
        c, t = self._coefficients(data_of(label))
        data = data_of(x)
        inside = ((data > self.lower) & (data < self.upper)).astype(data.dtype)
        return gy * (sigmoid(x) * c - t) * inside, None


def teacher_student_sigmoid_loss(input, label, soft_max_up_bound=15.0,
                                 soft_max_lower_bound=-15.0):
    """Paddle's teacher-student sigmoid loss of logits `input` [N, 1] against `label` [N, 1]
    (float): -2 no teacher, click 0; -1 no teacher, click 1; z' in [0, 1) teacher z', click 0;
    1 + z' teacher z', click 1. The value is the sum of the click's and the teacher's logistic
    losses; the gradient is zero where input lies outside (lower bound, upper bound).

        cost = fluid.layers.teacher_student_sigmoid_loss(logit, label)    # each [N, 1]
    """
    op = "teacher_student_sigmoid_loss"
    check_tensor(op, "input", input, dtypes="f")
    check_tensor(op, "label", label, dtypes="f")
    _same_shape(op, "label", label, "input", input)
    _same_dtype(op, "label", label, "input", input)
    upper = check_number(op, "soft_max_up_bound", soft_max_up_bound)
    lower = check_number(op, "soft_max_lower_bound", soft_max_lower_bound)
    if lower >= upper:
        raise ValueError(f"{op}: soft_max_lower_bound ({lower}) must be below soft_max_up_bound "
                         f"({upper})")
    return TeacherStudentSigmoid(upper, lower)(input, label)


def cos_sim(X, Y):
    """Cosine similarity of the rows of X [N, ...] and Y ([N, ...] or [1, ...], broadcast over
    the rows), shape [N, 1]. Any float dtype (Paddle 1.8.5 had a float32 kernel only). A zero
    row gives 0 (its norm counts as 1) with finite gradients, where Paddle's were meaningless.

        similarity = fluid.layers.cos_sim(query, keys)      # [N, D], [N, D] -> [N, 1]
    """
    op = "cos_sim"
    check_tensor(op, "X", X, dtypes="f")
    check_tensor(op, "Y", Y, dtypes="f")
    x_shape, y_shape = shape_of(X), shape_of(Y)
    if len(x_shape) < 1 or x_shape[1:] != y_shape[1:] or (
            len(y_shape) < 1 or y_shape[0] not in (1, x_shape[0])):
        raise ValueError(f"{op}: Y of shape {list(y_shape)} does not fit X of shape "
                         f"{list(x_shape)}; expected [{x_shape[0] if x_shape else 'N'}, ...] or "
                         f"[1, ...] with X's trailing dims")
    _same_dtype(op, "Y", Y, "X", X)
    x = reshape(X, [x_shape[0], -1])
    y = reshape(Y, [y_shape[0], -1])
    x_norm = _safe_norm(x)
    y_norm = _safe_norm(y)
    return Sum((1,), True)(x * y) / (x_norm * y_norm)


def _safe_norm(rows):
    """The Euclidean norm of each row, [N, 1]; 1 for an all-zero row."""
    squares = Sum((1,), True)(square(rows))
    zero = (data_of(squares) == 0).astype(data_of(squares).dtype)
    return sqrt(squares + zero)


def center_loss_with_centers(input, label, centers, alpha, update_center=True):
    """The center-loss kernel: 0.5 * |input_i - centers[label_i]|^2 per row, shape [N, 1].

    input [N, D] float; label int [N, 1] in [0, K); centers [K, D] (a constant: no gradient).
    With update_center, every center with samples moves towards them after the loss is taken:
    centers[k] += alpha * sum_{label_i = k} (input_i - centers[k]) / (1 + count_k).
    """
    op = "center_loss"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    check_tensor(op, "centers", centers, ndim=2, dtypes="f")
    rows, dim = shape_of(input)
    classes = shape_of(centers)[0]
    if shape_of(centers)[1] != dim:
        raise ValueError(f"{op}: centers of shape {list(shape_of(centers))} do not fit input of "
                         f"shape {[rows, dim]}; expected [num_classes, {dim}]")
    _same_dtype(op, "centers", centers, "input", input)
    index = class_column(op, label, rows, 0, classes)
    table = data_of(centers)
    diff = input - table[index]
    loss = 0.5 * Sum((1,), True)(square(diff))
    if update_center:
        rate = float(np.asarray(data_of(alpha)).reshape(-1)[0]) if isinstance(
            alpha, (Variable, np.ndarray)) else check_number(op, "alpha", alpha)
        step = np.zeros_like(table)
        np.add.at(step, index, data_of(diff))
        counts = np.bincount(index, minlength=classes) + 1
        updated = table + (step * (rate / counts)[:, None]).astype(table.dtype)
        if isinstance(centers, Variable):
            centers.set_value(updated)
        else:
            table[...] = updated
    return loss
