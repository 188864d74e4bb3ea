"""ops/metrics.py: mean_iou and auc. Values against loops written here (a confusion count for
mean IoU; the pairwise Mann-Whitney form of the ROC area over bucketed scores for auc), Paddle
1.8's output shapes, dtypes and state layouts, and bad input."""
import numpy as np
import pytest

import minigrad as fluid
from op_helpers import var

L = fluid.layers


def _mean_iou_loop(predicted, truth, num_classes):
    correct, wrong = [0] * num_classes, [0] * num_classes
    for p, t in zip(predicted.ravel().tolist(), truth.ravel().tolist()):
        if p == t:
            correct[p] += 1
        else:
            wrong[p] += 1
            wrong[t] += 1
    ious = [c / (c + w) for c, w in zip(correct, wrong) if c + w]
    return sum(ious) / len(ious), wrong, correct


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_mean_iou_against_a_confusion_count(dtype):
    rng = np.random.default_rng(0)
    predicted = rng.integers(0, 4, (3, 5, 5)).astype(dtype)
    truth = rng.integers(0, 4, (3, 5, 5)).astype(dtype)
    with fluid.dygraph.guard():
        miou, wrong, correct = L.mean_iou(var(predicted), var(truth), 5)
    expected_mean, expected_wrong, expected_correct = _mean_iou_loop(predicted, truth, 5)
    assert miou.shape == [1] and miou.dtype == np.float32
    assert wrong.shape == [5] and wrong.dtype == np.int32 and correct.dtype == np.int32
    np.testing.assert_allclose(miou.numpy(), [expected_mean], rtol=1e-6)
    assert wrong.numpy().tolist() == expected_wrong
    assert correct.numpy().tolist() == expected_correct


def test_mean_iou_small_case_and_errors():
    with fluid.dygraph.guard():
        p = var(np.array([[0, 1, 2], [2, 2, 1]]))
        t = var(np.array([[0, 1, 1], [2, 0, 1]]))
        miou, wrong, correct = L.mean_iou(p, t, 4)
        # Class 3 never occurs and is left out of the mean: (1/2 + 2/3 + 1/3) / 3.
        np.testing.assert_allclose(miou.numpy(), [0.5], rtol=1e-6)
        assert wrong.numpy().tolist() == [1, 1, 2, 0]
        assert correct.numpy().tolist() == [1, 2, 1, 0]
        with pytest.raises(ValueError, match=r"mean_iou: input values must lie in \[0, 2\)"):
            L.mean_iou(p, t, 2)
        with pytest.raises(ValueError, match="must have the same shape"):
            L.mean_iou(p, var(np.zeros(6, np.int64)), 4)
        with pytest.raises(TypeError, match="mean_iou: input must have a integer"):
            L.mean_iou(var(np.zeros(3, np.float32)), var(np.zeros(3, np.int64)), 2)


def _auc_pairwise(scores, labels, num_thresholds):
    buckets = (scores.astype(np.float32) * np.float32(num_thresholds)).astype(np.int64)
    positives = [b for b, y in zip(buckets, labels) if y > 0]
    negatives = [b for b, y in zip(buckets, labels) if y == 0]
    if not positives or not negatives:
        return 0.0
    score = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return score / (len(positives) * len(negatives))


@pytest.mark.parametrize("num_thresholds", [3, 10, 4095])
def test_auc_against_the_pairwise_form(num_thresholds):
    rng = np.random.default_rng(num_thresholds)
    p = rng.random(40).astype(np.float32)
    labels = (rng.random(40) < 0.3 + 0.5 * p).astype(np.int64)
    probabilities = np.stack([1 - p, p], axis=1)
    with fluid.dygraph.guard():
        auc_out, batch_auc, states = L.auc(var(probabilities), var(labels.reshape(-1, 1)),
                                           num_thresholds=num_thresholds)
    expected = _auc_pairwise(p, labels, num_thresholds)
    for value in (auc_out, batch_auc):
        assert value.shape == [1] and value.dtype == np.float64
        np.testing.assert_allclose(value.numpy(), [expected], rtol=1e-12)
    size = num_thresholds + 1
    assert [s.shape for s in states] == [[2 * size + 1], [2 * size + 1], [1, size], [1, size]]
    assert all(s.dtype == np.int64 for s in states)
    assert states[2].numpy().sum() == labels.sum()
    assert states[3].numpy().sum() == (labels == 0).sum()


def test_auc_state_layouts_and_label_rules():
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.9, 0.1]], np.float32)
    with fluid.dygraph.guard():
        _, _, states = L.auc(var(probabilities), var(np.array([[1], [0], [1], [1]])),
                             num_thresholds=3, slide_steps=2)
        pos = states[0].numpy().tolist()
        # Step 0's buckets, step 1's (empty), their sum, the step counter.
        assert pos == [1, 0, 2, 0] + [0, 0, 0, 0] + [1, 0, 2, 0] + [1]
        _, _, states = L.auc(var(probabilities), var(np.array([1, 0, 1, 1])), num_thresholds=3,
                             slide_steps=0)
        assert states[0].shape == [1, 4]
        # Any positive label is positive; a negative label leaves the row out.
        two = L.auc(var(probabilities), var(np.array([[2], [0], [1], [1]])))[0].numpy()
        one = L.auc(var(probabilities), var(np.array([[1], [0], [1], [1]])))[0].numpy()
        skipped = L.auc(var(probabilities), var(np.array([[-1], [0], [1], [1]])))[0].numpy()
        np.testing.assert_array_equal(two, one)
        np.testing.assert_allclose(skipped, [_auc_pairwise(probabilities[1:, 1],
                                                           [0, 1, 1], 4095)])
        only_positives = L.auc(var(probabilities), var(np.ones((4, 1), np.int64)))[0]
        assert only_positives.numpy().tolist() == [0.0]
        single_column = L.auc(var(probabilities[:, 1:]), var(np.array([[1], [0], [1], [1]])))
        np.testing.assert_array_equal(single_column[0].numpy(), one)


def test_auc_errors():
    with fluid.dygraph.guard():
        label = var(np.array([[1], [0]]))
        with pytest.raises(ValueError, match=r"auc: input probabilities must lie in \[0, 1\]"):
            L.auc(var(np.array([[0.5, 1.5], [0.5, 0.5]], np.float32)), label)
        with pytest.raises(ValueError, match="1 or 2 columns"):
            L.auc(var(np.full((2, 3), 0.3, np.float32)), label)
        with pytest.raises(ValueError, match=r"label must have shape \[2, 1\]"):
            L.auc(var(np.full((2, 2), 0.5, np.float32)), var(np.ones((2, 2), np.int64)))
