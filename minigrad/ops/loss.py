"""Losses under Paddle 1.x `fluid.layers` names: per-example values, never reduced (call `mean`).

The two fused losses (softmax + cross entropy, sigmoid + cross entropy) are primitives with a
stable forward and the textbook backward (probabilities minus targets), written with minigrad's
own `softmax` / `sigmoid` so second-order gradients work. The others are compositions.

Hard labels are integer arrays; an entry equal to `ignore_index` contributes a zero loss and no
gradient. Every other entry must be a valid class index, else a ValueError names the offender.
"""
import numbers

import numpy as np

from minigrad.core.checks import check_axis, check_tensor, check_type, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.activation import log_softmax, sigmoid, softmax, square
from minigrad.ops.math import Sum, log, mean
from minigrad.ops.shape import getitem, reshape

__all__ = ["cross_entropy", "softmax_with_cross_entropy", "square_error_cost", "mse_loss",
           "sigmoid_cross_entropy_with_logits", "log_loss", "label_smooth"]


def _data(x):
    return x.data if isinstance(x, Variable) else x


def _hard_label(op, label, shape, axis, ignore_index):
    """The integer class indices of `label` shaped like `shape` with `axis` of size 1.

    `label` may have that shape, or lack the class axis altogether (Paddle 2.x style).
    """
    check_tensor(op, "label", label, dtypes="iu")
    check_type(op, "ignore_index", ignore_index, int, "an int")
    indices = np.asarray(_data(label))
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
        kept = keep.astype(_data(input).dtype)
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
        label = _data(label)
        keep = label != self.ignore_index
        target = np.zeros(shape_of(x), dtype=_data(gy).dtype)
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
        weighted = gy * self._weights(_data(label))
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
