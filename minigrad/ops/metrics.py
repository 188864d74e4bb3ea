"""Evaluation metrics under Paddle 1.8 names: `mean_iou` and `auc` (`accuracy` lives in
ops/creation.py). They count, so nothing here has a gradient; results are constant Variables.

    miou, wrong, correct = fluid.layers.mean_iou(predict, label, num_classes=5)
    auc, batch_auc, states = fluid.layers.auc(probabilities, label)
"""
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_tensor, check_type, shape_of
from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Variable

__all__ = ["mean_iou", "auc"]


def _constant(array):
    require_dygraph("a metric")
    return Variable(array, stop_gradient=True)


def _positive_int(op, argument, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{op}: {argument} must be a positive int, got {value!r}")
    return int(value)


def mean_iou(input, label, num_classes):
    """Mean intersection-over-union of predicted and true class labels.

    input, label: int32/int64 tensors of one shape, values in [0, num_classes).
    Returns (mean_iou float32 [1], out_wrong int32 [num_classes], out_correct int32
    [num_classes]): correct[c] counts positions where both are c; wrong[c] counts positions
    where exactly one of them is c. The mean is over the classes that occur at all (correct +
    wrong > 0), so it is nan for empty inputs.
    Raises ValueError for mismatched shapes or labels outside [0, num_classes).

        miou, wrong, correct = fluid.layers.mean_iou(predict, label, num_classes=3)
    """
    check_tensor("mean_iou", "input", input, dtypes="iu")
    check_tensor("mean_iou", "label", label, dtypes="iu")
    num_classes = _positive_int("mean_iou", "num_classes", num_classes)
    if shape_of(input) != shape_of(label):
        raise ValueError(f"mean_iou: input of shape {list(shape_of(input))} and label of shape "
                         f"{list(shape_of(label))} must have the same shape")
    predicted = np.asarray(data_of(input)).ravel().astype(np.int64)
    truth = np.asarray(data_of(label)).ravel().astype(np.int64)
    for argument, values in (("input", predicted), ("label", truth)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"mean_iou: {argument} values must lie in [0, {num_classes}), got "
                             f"range [{values.min()}, {values.max()}]")
    hit = predicted == truth
    correct = np.bincount(predicted[hit], minlength=num_classes)
    wrong = (np.bincount(predicted[~hit], minlength=num_classes)
             + np.bincount(truth[~hit], minlength=num_classes))
    seen = (correct + wrong) > 0
    with np.errstate(invalid="ignore"):
        mean = np.mean(correct[seen] / (correct[seen] + wrong[seen])) if seen.any() else np.nan
    return (_constant(np.array([mean], dtype=np.float32)),
            _constant(wrong.astype(np.int32)), _constant(correct.astype(np.int32)))


def _auc_of(positives, negatives):
    """Area under the ROC curve from per-bucket counts: trapezoids walking down the
    thresholds, normalised by (#positives * #negatives); 0 when a class is absent."""
    area = 0.0
    total_pos = total_neg = 0.0
    for pos, neg in zip(positives[::-1].tolist(), negatives[::-1].tolist()):
        previous_pos, previous_neg = total_pos, total_neg
        total_pos += pos
        total_neg += neg
        area += (total_neg - previous_neg) * (total_pos + previous_pos) / 2.0
    if total_pos > 0 and total_neg > 0:
        area /= total_pos * total_neg
    return area


def auc(input, label, curve='ROC', num_thresholds=2 ** 12 - 1, topk=1, slide_steps=1):
    """Area under the ROC curve of one batch of binary predictions.

    input: float [N, 2] (or [N, 1]) probabilities in [0, 1]; the last column is the positive
           class's. label: int [N, 1] (or [N]): > 0 is positive, 0 negative, and rows with a
           negative label are left out (as Paddle 1.8.5 does).
    Each probability p falls into bucket int(p * num_thresholds) (computed in input's dtype).
    Returns (auc_out, batch_auc_out, [batch_stat_pos, batch_stat_neg, stat_pos, stat_neg]): the
    AUCs are float64 [1]; the int64 bucket counts have Paddle's layouts, [1, num_thresholds + 1]
    for stat_pos/stat_neg and, for the sliding-window batch statistics,
    [(1 + slide_steps) * (num_thresholds + 1) + 1] (each step's buckets, their sum, a step
    counter), or [1, num_thresholds + 1] when slide_steps=0.
    In dygraph each call starts from zero counts (as in Paddle 1.8.5), so both AUCs are this
    batch's. `curve` and `topk` are accepted and, as in 1.8.5, do not change the result (the ROC
    area is computed).
    Raises ValueError for probabilities outside [0, 1] or mismatched shapes.

        auc_out, batch_auc, _ = fluid.layers.auc(fluid.layers.softmax(logits), label)
    """
    check_tensor("auc", "input", input, ndim=2, dtypes="f")
    check_tensor("auc", "label", label, dtypes="iu")
    check_type("auc", "curve", curve, str, "'ROC' or 'PR'")
    num_thresholds = _positive_int("auc", "num_thresholds", num_thresholds)
    if not isinstance(slide_steps, numbers.Integral) or isinstance(slide_steps, bool) \
            or slide_steps < 0:
        raise ValueError(f"auc: slide_steps must be a non-negative int, got {slide_steps!r}")
    n, width = shape_of(input)
    if width not in (1, 2):
        raise ValueError(f"auc: input must have 1 or 2 columns (binary classification), got "
                         f"shape {[n, width]}")
    labels = np.asarray(data_of(label))
    if labels.shape not in ((n, 1), (n,)):
        raise ValueError(f"auc: label must have shape [{n}, 1] for input of shape {[n, width]}, "
                         f"got {list(labels.shape)}")
    scores = np.asarray(data_of(input))[:, -1]
    if scores.size and not ((scores >= 0) & (scores <= 1)).all():
        raise ValueError(f"auc: input probabilities must lie in [0, 1], got range "
                         f"[{scores.min()}, {scores.max()}]")
    buckets = (scores * scores.dtype.type(num_thresholds)).astype(np.int64)
    labels = labels.reshape(n)
    positive, negative = labels > 0, labels == 0
    stat_pos = np.bincount(buckets[positive], minlength=num_thresholds + 1).astype(np.int64)
    stat_neg = np.bincount(buckets[negative], minlength=num_thresholds + 1).astype(np.int64)
    value = _auc_of(stat_pos, stat_neg)
    if slide_steps:
        size = num_thresholds + 1

        def window(counts):
            # Step 0's buckets, zeros for the other steps, the sum of all steps, the counter.
            out = np.zeros((1 + slide_steps) * size + 1, dtype=np.int64)
            out[:size] = counts
            out[slide_steps * size:(slide_steps + 1) * size] = counts
            out[-1] = 1
            return out
        batch_pos, batch_neg = window(stat_pos), window(stat_neg)
    else:
        batch_pos, batch_neg = stat_pos.reshape(1, -1), stat_neg.reshape(1, -1)
    result = np.array([value], dtype=np.float64)
    return (_constant(result), _constant(result.copy()),
            [_constant(batch_pos.copy()), _constant(batch_neg.copy()),
             _constant(stat_pos.reshape(1, -1)), _constant(stat_neg.reshape(1, -1))])
