"""Losses over many classes that look at a few: noise-contrastive estimation (nce), the
hierarchical sigmoid's tree walk (hsigmoid's kernel) and sampled softmax.

Each is split in two: a deterministic kernel that takes the sampled (or tree-path) class ids as
constants and is a composition of minigrad functions, so its gradients (first and second order)
come from those functions; and the sampling around it. Samples are drawn from minigrad's random
generators (`minigrad.random`): seed=0 draws from the global generator (reproducible after
`minigrad.seed(n)`), a non-zero seed gives the same samples on every call, as Paddle's per-op
seed does. The numbers drawn differ from Paddle's (its C++ mt19937); the distributions match.

    loss = fluid.layers.sampled_softmax_with_cross_entropy(logits, label, num_samples=25)
"""
import math
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_tensor, check_type, shape_of
from minigrad.ops.activation import Clip, log_softmax, sigmoid, softplus
from minigrad.ops.math import Sum, log
from minigrad.ops.shape import getitem, reshape
from minigrad.random import check_seed, generator_for

__all__ = ["SAMPLERS", "ClassSampler", "nce_with_samples", "nce_loss", "default_tree_paths",
           "hierarchical_sigmoid", "sampled_softmax_with_samples",
           "sampled_softmax_with_cross_entropy"]

SAMPLERS = ("uniform", "log_uniform", "custom_dist")


def _int_array(op, argument, value, shape=None):
    check_tensor(op, argument, value, dtypes="iu")
    array = np.asarray(data_of(value)).astype(np.int64)
    if shape is not None and list(array.shape) != list(shape):
        raise ValueError(f"{op}: {argument} has shape {list(array.shape)}; expected "
                         f"{list(shape)}")
    return array


def _check_range(op, argument, values, low, high):
    bad = (values < low) | (values >= high)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{op}: {argument}[{', '.join(map(str, where))}] = {values[where]} is "
                         f"not in [{low}, {high})")


# -- samplers -------------------------------------------------------------------------------------


class ClassSampler:
    """Class ids drawn from one of Paddle's samplers over `num_classes` classes [0, n).

    uniform:     P(v) = 1 / n.
    log_uniform: P(v) = log((v + 2) / (v + 1)) / log(n + 1) (Zipf-like: small ids are frequent;
                 ids should be sorted by decreasing frequency).
    custom_dist: P(v) = custom_dist[v], a probability vector of n entries.
    """

    def __init__(self, kind, num_classes, custom_dist=None, op="sampler"):
        if kind not in SAMPLERS:
            raise ValueError(f"{op}: sampler must be one of 'uniform', 'log_uniform', "
                             f"'custom_dist', got {kind!r}")
        self.kind = kind
        self.num_classes = int(num_classes)
        if kind == "custom_dist":
            if custom_dist is None:
                raise ValueError(f"{op}: sampler='custom_dist' needs custom_dist, a probability "
                                 f"for each of the {num_classes} classes")
            dist = np.asarray(data_of(custom_dist), dtype=np.float64).reshape(-1)
            if dist.size != self.num_classes:
                raise ValueError(f"{op}: custom_dist has {dist.size} entries; expected one per "
                                 f"class ({num_classes})")
            if (dist < 0).any() or not math.isclose(dist.sum(), 1.0, abs_tol=1e-4):
                raise ValueError(f"{op}: custom_dist must be non-negative and sum to 1, got sum "
                                 f"{dist.sum():.6g}")
            self.dist = dist

    def probability(self, ids):
        ids = np.asarray(ids)
        if self.kind == "uniform":
            return np.full(ids.shape, 1.0 / self.num_classes)
        if self.kind == "log_uniform":
            return np.log((ids + 2.0) / (ids + 1.0)) / math.log(self.num_classes + 1)
        return self.dist[ids]

    def sample(self, generator, size):
        if self.kind == "uniform":
            return generator.integers(0, self.num_classes, size=size)
        if self.kind == "log_uniform":
            # Inverse transform: floor(exp(u log(n + 1))) - 1 lies in [0, n - 1] for u in [0, 1).
            u = generator.random(size)
            ids = np.floor(np.exp(u * math.log(self.num_classes + 1))).astype(np.int64) - 1
            return np.clip(ids, 0, self.num_classes - 1)
        return generator.choice(self.num_classes, size=size, p=self.dist / self.dist.sum())


# -- nce ------------------------------------------------------------------------------------------


def nce_with_samples(input, samples, num_true, weight, bias, noise, sample_weight=None):
    """The nce cost of each row for given sampled classes, shape [N, 1] (before Paddle's division
    by num_neg_samples + 1).

    input:   [N, D] float; weight [K, D]; bias [K, 1] or None.
    samples: int [N, T + S]: each row's T true classes, then its S noise classes.
    noise:   [N, T + S] constants b = P(class) * S under the noise distribution.
    With o = sigmoid(input_i . weight[c] + bias[c]), a true class adds -log(o / (o + b)) and a
    noise class -log(b / (o + b)); sample_weight [N, 1] scales each row.
    """
    rows, dim = shape_of(input)
    samples = np.asarray(samples)
    logits = Sum((2,), False)(getitem(weight, samples) * reshape(input, [rows, 1, dim]))
    if bias is not None:
        logits = logits + getitem(bias, (samples, np.zeros_like(samples)))
    dtype = data_of(input).dtype
    noise = np.asarray(noise, dtype=dtype)
    is_true = np.zeros(samples.shape, dtype=dtype)
    is_true[:, :num_true] = 1
    # -log(o) = softplus(-logit), stable; b's own log is a constant.
    log_b = np.where(is_true == 0, np.log(np.where(noise > 0, noise, 1)), 0).astype(dtype)
    cost = (Sum((1,), True)(log(sigmoid(logits) + noise))
            + Sum((1,), True)(softplus(-logits) * is_true)
            - log_b.sum(axis=1, keepdims=True))
    if sample_weight is not None:
        cost = cost * sample_weight
    return cost


def nce_loss(input, label, weight, bias=None, num_neg_samples=10, sampler="uniform",
             custom_dist=None, seed=0, sample_weight=None):
    """Noise-contrastive estimation with given parameters: the kernel of `fluid.layers.nce`.

    input [N, D] float; label int64 [N, T] (T true classes per row, values in [0, K));
    weight [K, D]; bias [K, 1] or None; sample_weight [N, 1] or None.
    Each row gets its own num_neg_samples noise classes from `sampler`: 'uniform' (P = 1/K),
    'log_uniform' or 'custom_dist' (`custom_dist`, K probabilities). Paddle 1.8 builds its
    log-uniform sampler for nce over the first K - 1 classes, P(v) = log((v+2)/(v+1)) / log(K):
    class K - 1 is never drawn as noise. minigrad does the same.
    Returns the cost divided by num_neg_samples + 1, shape [N, 1].
    """
    op = "nce"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    rows = shape_of(input)[0]
    check_tensor(op, "weight", weight, ndim=2, dtypes="f")
    classes = shape_of(weight)[0]
    labels = _int_array(op, "label", label)
    if labels.ndim == 1:
        labels = labels[:, None]
    if labels.ndim != 2 or labels.shape[0] != rows:
        raise ValueError(f"{op}: label has shape {list(shape_of(label))}; expected [{rows}, "
                         f"num_true_class]")
    _check_range(op, "label", labels, 0, classes)
    check_type(op, "num_neg_samples", num_neg_samples, numbers.Integral, "a positive int")
    if num_neg_samples < 1:
        raise ValueError(f"{op}: num_neg_samples must be >= 1, got {num_neg_samples}")
    if sampler == "custom_dist":
        noise_sampler = ClassSampler(sampler, classes, custom_dist, op)
    else:
        # Paddle builds these samplers over num_total_classes - 1 (its `range`).
        noise_sampler = ClassSampler(sampler, classes if sampler == "uniform" else classes - 1,
                                     op=op)
    if sample_weight is not None:
        check_tensor(op, "sample_weight", sample_weight, dtypes="f")
        if shape_of(sample_weight) not in ((rows, 1), (rows,)):
            raise ValueError(f"{op}: sample_weight has shape {list(shape_of(sample_weight))}; "
                             f"expected [{rows}, 1]")
        sample_weight = reshape(sample_weight, [rows, 1])
    generator = generator_for(check_seed(op, seed))
    negatives = noise_sampler.sample(generator, (rows, int(num_neg_samples)))
    samples = np.concatenate([labels, negatives], axis=1)
    noise = noise_sampler.probability(samples) * num_neg_samples
    cost = nce_with_samples(input, samples, labels.shape[1], weight, bias, noise, sample_weight)
    return cost * (1.0 / (num_neg_samples + 1))


# -- hierarchical sigmoid ------------------------------------------------------------------------


def default_tree_paths(label, num_classes):
    """Paddle's default tree over `num_classes` leaves, as (path_table, path_code) int64 [N, L].

    Class c has the code c + num_classes; its path visits the internal nodes (code >> (k+1)) - 1
    for k = 0 .. bit_length(code) - 2, with the binary targets (code >> k) & 1. Rows are padded
    with -1 to L = bit_length(num_classes - 1), the longest path.
    """
    codes = np.asarray(label, dtype=np.int64).reshape(-1, 1) + num_classes
    steps = np.arange(int(num_classes - 1).bit_length())
    # The heap position (root 1) of the node k + 1 levels above the leaf; 0 once past the root.
    above = codes >> (steps + 1)
    on_path = above >= 1
    table = np.where(on_path, above - 1, -1)
    bits = np.where(on_path, (codes >> steps) & 1, -1)
    return table, bits


def hierarchical_sigmoid(input, weight, bias, path_table, path_code):
    """The hsigmoid cost of each row along its tree path, shape [N, 1].

    input [N, D] float; weight [M, D] (one row per internal node); bias [M, 1] or None;
    path_table int [N, L]: the nodes on each row's path, padded with -1 (a row's path ends at its
    first negative entry); path_code int [N, L]: the binary target at each node (nonzero = 1).
    With z = clip(input_i . weight[node] + bias[node], -40, 40) (Paddle's clip; no gradient
    beyond it), each node on the path adds log(1 + exp(z)) - code * z.
    """
    op = "hsigmoid"
    rows, dim = shape_of(input)
    nodes = shape_of(weight)[0]
    table = _int_array(op, "path_table", path_table)
    code = _int_array(op, "path_code", path_code, table.shape)
    if table.ndim != 2 or table.shape[0] != rows:
        raise ValueError(f"{op}: path_table has shape {list(table.shape)}; expected [{rows}, "
                         f"path length]")
    on_path = np.cumprod(table >= 0, axis=1).astype(bool)
    _check_range(op, "path_table", np.where(on_path, table, 0), 0, nodes)
    dtype = data_of(input).dtype
    index = np.where(on_path, table, 0)
    z = Sum((2,), False)(getitem(weight, index) * reshape(input, [rows, 1, dim]))
    if bias is not None:
        z = z + getitem(bias, (index, np.zeros_like(index)))
    z = Clip(-40.0, 40.0)(z)
    target = ((code != 0) & on_path).astype(dtype)
    return Sum((1,), True)(softplus(z) * on_path.astype(dtype) - z * target)


# -- sampled softmax ----------------------------------------------------------------------------


def sampled_softmax_with_samples(logits, samples, probabilities, num_true=1,
                                 remove_accidental_hits=True):
    """Sampled-softmax cross entropy for given samples, shape [N, 1].

    logits [N, K]; samples int [N, T + S] (first the T true classes); probabilities [N, T + S]
    the sampling probability Q of each (constants). The sampled logits are logits[samples] -
    log(Q); with remove_accidental_hits, a noise sample equal to one of its row's true classes
    gets -1e20 (a softmax weight of 0). The loss is -(1/T) sum over the true columns of
    log_softmax(sampled logits).
    """
    rows = shape_of(logits)[0]
    samples = np.asarray(samples)
    dtype = data_of(logits).dtype
    with np.errstate(divide="ignore"):
        log_q = np.log(np.asarray(data_of(probabilities), dtype=np.float64))
    # Paddle replaces an infinite log(Q) (Q = 0 or inf) by +-1e20.
    offset = np.clip(log_q, -1e20, 1e20)
    if remove_accidental_hits:
        true = samples[:, :num_true]
        hits = (samples[:, num_true:, None] == true[:, None, :]).any(axis=2)
        offset[:, num_true:] += np.where(hits, 1e20, 0.0)
    picked = getitem(logits, (np.arange(rows)[:, None], samples)) - offset.astype(dtype)
    is_true = np.zeros(samples.shape, dtype=dtype)
    is_true[:, :num_true] = 1.0 / num_true
    return -Sum((1,), True)(log_softmax(picked, axis=1) * is_true)


def _unique_log_uniform(num_classes, num_samples, generator):
    """num_samples distinct classes from the log-uniform sampler over num_classes, and the number
    of draws it took (Paddle's unique sampling)."""
    sampler = ClassSampler("log_uniform", num_classes)
    chosen, seen, tries = [], set(), 0
    while len(chosen) < num_samples:
        for v in sampler.sample(generator, max(2 * (num_samples - len(chosen)), 8)):
            tries += 1
            if int(v) not in seen:
                seen.add(int(v))
                chosen.append(int(v))
                if len(chosen) == num_samples:
                    break
    return np.array(chosen, dtype=np.int64), tries, sampler


def sampled_softmax_with_cross_entropy(logits, label, num_samples, num_true=1,
                                       remove_accidental_hits=True, use_customized_samples=False,
                                       customized_samples=None, customized_probabilities=None,
                                       seed=0):
    """Softmax cross entropy over each row's true classes and num_samples sampled classes,
    shape [N, 1] (Paddle 1.8 `fluid.layers.sampled_softmax_with_cross_entropy`).

    logits [N, K] unscaled; label int64 [N, num_true]. num_samples distinct classes are drawn
    once for the whole batch from the log-uniform distribution P(v) = log((v+2)/(v+1)) /
    log(K + 1) (so class ids should be sorted by decreasing frequency); the probability Q of every
    sampled and true class is adjusted for the unique draw: 1 - (1 - P)^tries (P * num_samples
    when no draw repeated). With use_customized_samples, `customized_samples` int64 [N, num_true +
    num_samples] (true classes first) and `customized_probabilities` (same shape) are used as
    they are. See `sampled_softmax_with_samples` for the loss itself. With num_true > 1 each true
    class has weight 1/num_true (Paddle 1.8.5 documented this but failed in its one_hot).
    Raises ValueError for labels out of range or num_samples not in [1, K].

        loss = fluid.layers.mean(fluid.layers.sampled_softmax_with_cross_entropy(
            logits, label, num_samples=25))
    """
    op = "sampled_softmax_with_cross_entropy"
    check_tensor(op, "logits", logits, ndim=2, dtypes="f")
    rows, classes = shape_of(logits)
    check_type(op, "num_true", num_true, numbers.Integral, "a positive int")
    check_type(op, "num_samples", num_samples, numbers.Integral, "a positive int")
    if num_true < 1:
        raise ValueError(f"{op}: num_true must be >= 1, got {num_true}")
    labels = _int_array(op, "label", label, [rows, num_true])
    _check_range(op, "label", labels, 0, classes)
    if use_customized_samples:
        width = num_true + num_samples
        if customized_samples is None or customized_probabilities is None:
            raise ValueError(f"{op}: use_customized_samples=True needs customized_samples and "
                             f"customized_probabilities")
        samples = _int_array(op, "customized_samples", customized_samples, [rows, width])
        _check_range(op, "customized_samples", samples, 0, classes)
        check_tensor(op, "customized_probabilities", customized_probabilities, dtypes="f")
        probabilities = np.asarray(data_of(customized_probabilities), dtype=np.float64)
        if list(probabilities.shape) != [rows, width]:
            raise ValueError(f"{op}: customized_probabilities has shape "
                             f"{list(probabilities.shape)}; expected {[rows, width]}")
    else:
        if not 1 <= num_samples <= classes:
            raise ValueError(f"{op}: num_samples must lie in [1, {classes}] (distinct classes "
                             f"out of {classes}), got {num_samples}")
        generator = generator_for(check_seed(op, seed))
        drawn, tries, sampler = _unique_log_uniform(classes, int(num_samples), generator)
        samples = np.concatenate([labels, np.broadcast_to(drawn, (rows, drawn.size))], axis=1)
        p = sampler.probability(samples)
        probabilities = p * num_samples if tries == num_samples else -np.expm1(
            tries * np.log1p(-p))
    return sampled_softmax_with_samples(logits, samples, probabilities, int(num_true),
                                        bool(remove_accidental_hits))
