"""The loss layers of Paddle 1.8's `fluid.dygraph`: `MSELoss`, `L1Loss`, `BCELoss`, `NLLLoss`.

Each is a parameterless Layer called as `loss(input, label)`. `reduction` is 'mean' (default),
'sum' (both give shape [1]: Paddle 1.8 has no 0-d tensors) or 'none' (the elementwise loss).
MSELoss, L1Loss and NLLLoss are compositions of minigrad ops; BCELoss is one primitive because
Paddle's bce_loss clamps its logarithms at -100 and guards its gradient's denominator, which a
composition would not reproduce at 0 and 1.

    loss = fluid.dygraph.NLLLoss()(fluid.layers.log_softmax(logits), labels)
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, data_of, dtype_of, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.nn.layer import Layer
from minigrad.ops.math import abs as _abs
from minigrad.ops.math import (elementwise_max, elementwise_mul, elementwise_sub, reduce_mean,
                               reduce_sum)
from minigrad.ops.shape import reshape

__all__ = ["MSELoss", "L1Loss", "BCELoss", "NLLLoss", "bce_loss"]

REDUCTIONS = ("sum", "mean", "none")


def _check_reduction(layer, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{layer}: reduction must be 'sum', 'mean' or 'none', got {reduction!r}")
    return reduction


def _reduce(out, reduction):
    if reduction == "sum":
        return reduce_sum(out)
    if reduction == "mean":
        return reduce_mean(out)
    return out


def _same_dtype(layer, input, label):
    if dtype_of(input) != dtype_of(label):
        raise TypeError(f"{layer}: label has dtype {dtype_of(label)} but input has "
                        f"{dtype_of(input)}; they must agree")


class MSELoss(Layer):
    """Mean squared error: (input - label)^2, reduced by `reduction`.

    input, label: float tensors; label broadcasts onto input by Paddle's elementwise rule
                  (usually both [N, *]).
    reduction:    'mean' (default) or 'sum' -> shape [1]; 'none' -> input's shape.
    Raises ValueError for another reduction; TypeError for a non-float or mismatched dtype.

        loss = fluid.dygraph.MSELoss()(pred, target)
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = _check_reduction("MSELoss", reduction)

    def forward(self, input, label):
        check_tensor("MSELoss", "input", input, dtypes="f")
        check_tensor("MSELoss", "label", label, dtypes="f")
        _same_dtype("MSELoss", input, label)
        diff = elementwise_sub(input, label)
        return _reduce(diff * diff, self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction}"


class L1Loss(Layer):
    """Absolute error: |input - label|, reduced by `reduction`.

    input, label: [N, *] tensors of one dtype (float32, float64, int32 or int64, as 1.8 allows;
                  an integer loss has no gradient).
    reduction:    'mean' (default) or 'sum' -> shape [1]; 'none' -> input's shape.
    Raises ValueError for another reduction; TypeError for other dtypes or mismatched ones.

        loss = fluid.dygraph.L1Loss(reduction="sum")(pred, target)
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = _check_reduction("L1Loss", reduction)

    def forward(self, input, label):
        for name, value in (("input", input), ("label", label)):
            check_tensor("L1Loss", name, value)
            if str(dtype_of(value)) not in ("float32", "float64", "int32", "int64"):
                raise TypeError(f"L1Loss: {name} must be float32, float64, int32 or int64, got "
                                f"{dtype_of(value)}")
        _same_dtype("L1Loss", input, label)
        out = _abs(elementwise_sub(input, label))
        if self.reduction == "mean" and dtype_of(out).kind == "i":
            # 1.8's reduce_mean of integers stays integer (the sum divided by the count,
            # truncated); integer losses carry no gradient, so plain numpy does.
            values = np.asarray(data_of(out))
            return Variable(np.array([values.sum() // max(values.size, 1)], values.dtype))
        return _reduce(out, self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction}"


# Paddle's bce_loss kernel: each log is clamped at -100, the gradient's denominator at 1e-12.
_LOG_FLOOR = -100.0
_DENOMINATOR_FLOOR = 1e-12


class BinaryCrossEntropy(Op):
    """-(label * log(x) + (1 - label) * log(1 - x)) with both logs clamped at -100.

    The gradient with respect to x is (x - label) / max(x (1 - x), 1e-12), as in Paddle's
    bce_loss_grad; label is treated as a constant (Paddle computes no label gradient either).
    """

    def forward(self, x, label):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), _LOG_FLOOR)
            log_not_x = np.maximum(np.log(1 - x), _LOG_FLOOR)
        return -(label * log_x + (1 - label) * log_not_x)

    def backward(self, gy, x, label):
        floor = np.asarray(_DENOMINATOR_FLOOR, dtype=dtype_of(x))
        return gy * (x - label) / elementwise_max(x * (1 - x), floor), None


def bce_loss(input, label):
    """Elementwise binary cross entropy of probabilities `input` (in [0, 1]) against `label`
    (same shape and dtype, values in [0, 1]). Raises ValueError for an input outside [0, 1]."""
    op = "bce_loss"
    check_tensor(op, "input", input, dtypes="f")
    check_tensor(op, "label", label, dtypes="f")
    _same_dtype(op, input, label)
    if tuple(shape_of(input)) != tuple(shape_of(label)):
        raise ValueError(f"{op}: label of shape {list(shape_of(label))} must have input's shape "
                         f"{list(shape_of(input))}")
    values = np.asarray(data_of(input))
    if values.size and not ((values >= 0) & (values <= 1)).all():
        raise ValueError(f"{op}: input must hold probabilities in [0, 1] (the output of a "
                         f"sigmoid), got values from {values.min()} to {values.max()}")
    return BinaryCrossEntropy()(input, label)


class BCELoss(Layer):
    """Binary cross entropy of probabilities: -w (label log(input) + (1 - label) log(1 - input)).

    weight:    None, or a Variable multiplied into the elementwise loss (Paddle's elementwise
               rule, trailing axes: e.g. shape [1], or the input's trailing dims).
    reduction: 'mean' (default) or 'sum' -> shape [1]; 'none' -> input's shape.
    input and label: float32/float64 tensors of one shape; input in [0, 1] (a sigmoid's output).
    Each log is clamped at -100 as in Paddle. Raises ValueError for another reduction, a weight
    that is not a Variable (at call time, as 1.8), an input outside [0, 1] or mismatched shapes.

        loss = fluid.dygraph.BCELoss()(fluid.layers.sigmoid(logits), labels)
    """

    def __init__(self, weight=None, reduction="mean"):
        super().__init__()
        self.reduction = _check_reduction("BCELoss", reduction)
        self.weight = weight

    def forward(self, input, label):
        out = bce_loss(input, label)
        if self.weight is not None:
            if not isinstance(self.weight, Variable):
                raise ValueError(f"BCELoss: weight must be a Variable, got "
                                 f"{type(self.weight).__name__}; convert it with to_variable")
            out = elementwise_mul(out, self.weight, axis=-1)
        return _reduce(out, self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction}"


class NLLLoss(Layer):
    """Negative log likelihood of log-probabilities: l_n = -w[y_n] * input[n, y_n].

    weight:       None (all ones), or a Variable of C per-class weights.
    reduction:    'mean' (default): sum(l) / sum(w[y_n]) over the entries not ignored (0 when
                  all are); 'sum'; both give shape [1]. 'none': shape [N] or [N, d1, ..., dK].
    ignore_index: a label value that contributes neither loss nor weight (default -100).
    input: [N, C] or [N, C, d1, ..., dK] float32/float64 log-probabilities; label: int64 of
    shape [N] or [N, d1, ..., dK] ([N, 1] is accepted for a 2-D input).
    Raises ValueError for another reduction, an input of fewer than 2 dims, labels whose shape
    does not fit or that are outside [0, C) (other than ignore_index), a weight of another
    length; TypeError for a non-int64 label or a weight that is not a Variable.

        loss = fluid.dygraph.NLLLoss(ignore_index=0)(fluid.layers.log_softmax(x), y)
    """

    def __init__(self, weight=None, reduction="mean", ignore_index=-100):
        super().__init__()
        self.reduction = _check_reduction("NLLLoss", reduction)
        if not isinstance(ignore_index, numbers.Integral) or isinstance(ignore_index, bool):
            raise TypeError(f"NLLLoss: ignore_index must be an int, got "
                            f"{type(ignore_index).__name__} ({ignore_index!r})")
        self.weight = weight
        self.ignore_index = int(ignore_index)

    def forward(self, input, label):
        op = "NLLLoss"
        check_tensor(op, "input", input, dtypes="f")
        check_tensor(op, "label", label)
        if dtype_of(label) != np.int64:
            raise TypeError(f"NLLLoss: label must be int64, got {dtype_of(label)}")
        shape = list(shape_of(input))
        if len(shape) < 2:
            raise ValueError(f"NLLLoss: input must have 2 or more dims ([N, C, ...]), got shape "
                             f"{shape}")
        n, c, rest = shape[0], shape[1], shape[2:]
        labels = np.asarray(data_of(label))
        if len(shape) == 2 and labels.shape == (n, 1):
            labels = labels.reshape(n)
        if list(labels.shape) != [n] + rest:
            raise ValueError(f"NLLLoss: label of shape {list(shape_of(label))} does not fit an "
                             f"input of shape {shape}; expected {[n] + rest}")
        kept = labels != self.ignore_index
        bad = kept & ((labels < 0) | (labels >= c))
        if bad.any():
            raise ValueError(f"NLLLoss: label {int(labels[bad][0])} is not in [0, {c}) nor "
                             f"ignore_index={self.ignore_index}")
        dtype = dtype_of(input)
        # pick[n, c, ...] = 1 where c is the (kept) label of entry n: a constant mask.
        classes = np.arange(c).reshape([1, c] + [1] * len(rest))
        pick = ((np.expand_dims(labels, 1) == classes) & np.expand_dims(kept, 1)).astype(dtype)
        if self.weight is None:
            weighted = pick
        else:
            if not isinstance(self.weight, Variable):
                raise TypeError(f"NLLLoss: weight must be a Variable, got "
                                f"{type(self.weight).__name__}")
            if list(shape_of(self.weight)) != [c]:
                raise ValueError(f"NLLLoss: weight must have shape [{c}] (one per class), got "
                                 f"{list(shape_of(self.weight))}")
            weighted = pick * reshape(self.weight, [1, c] + [1] * len(rest))
        losses = -reduce_sum(input * weighted, dim=1)
        if self.reduction == "none":
            return losses
        total = reduce_sum(losses)
        if self.reduction == "sum":
            return total
        weights = reduce_sum(weighted)
        # Nothing kept: the mean is 0 (as in 1.8.5), not 0 / 0.
        if float(np.asarray(data_of(weights)).reshape(-1)[0]) == 0:
            return total * 0
        return total / weights

    def extra_repr(self):
        return f"reduction={self.reduction}, ignore_index={self.ignore_index}"
