"""Paddle 1.8's losses that create their own parameters: center_loss, hsigmoid, nce.

Each makes its parameters through a LayerHelper and calls a kernel of `minigrad/ops/` (loss.py,
sampled_loss.py). In dygraph mode every call creates fresh parameters (`nce_0.w_0`, ...), as in
Paddle 1.8; a model that trains them across steps keeps them in a Layer and calls the kernels.

    cost = fluid.layers.nce(input=emb, label=word, num_total_classes=10000, num_neg_samples=5)
"""
import numbers

from minigrad.core.checks import check_tensor, check_type, dtype_of, shape_of
from minigrad.layer_helper import LayerHelper
from minigrad.ops.loss import center_loss_with_centers, class_column
from minigrad.ops.sampled_loss import (SAMPLERS, default_tree_paths, hierarchical_sigmoid,
                                       nce_loss)

__all__ = ["center_loss", "hsigmoid", "nce"]


def _num_classes(op, argument, value, minimum):
    check_type(op, argument, value, numbers.Integral, "an int")
    if isinstance(value, bool) or value < minimum:
        raise ValueError(f"{op}: {argument} must be an int >= {minimum}, got {value!r}")
    return int(value)


def center_loss(input, label, num_classes, alpha, param_attr, update_center=True):
    """Center loss: 0.5 * |input_i - center[label_i]|^2 for each row, shape [N, 1].

    input:         [N, D] float features; label int [N, 1] classes in [0, num_classes).
    alpha:         the centers' update rate (float or a one-element Variable).
    param_attr:    ParamAttr (or initializer) of the centers [num_classes, D], default Xavier.
                   The centers never get a gradient; with update_center=True each call moves the
                   centers of the batch's classes towards their samples after computing the
                   loss (see `minigrad.ops.loss.center_loss_with_centers`).
    Paddle 1.8.5's dygraph failed in this op ("Tensor holds no memory"); minigrad provides it.

        loss = fluid.layers.center_loss(feat, label, num_classes=10, alpha=0.1,
                                        param_attr=fluid.initializer.Xavier(uniform=False))
    """
    op = "center_loss"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    num_classes = _num_classes(op, "num_classes", num_classes, 1)
    class_column(op, label, shape_of(input)[0], 0, num_classes)
    helper = LayerHelper(op, param_attr=param_attr)
    centers = helper.create_parameter(attr=helper.param_attr,
                                      shape=[num_classes, shape_of(input)[1]],
                                      dtype=dtype_of(input), stop_gradient=True)
    return center_loss_with_centers(input, label, centers, alpha, bool(update_center))


def hsigmoid(input, label, num_classes, param_attr=None, bias_attr=None, name=None,
             path_table=None, path_code=None, is_custom=False, is_sparse=False):
    """Hierarchical sigmoid: the cost of classifying each row along its path in a binary tree of
    classes, shape [N, 1].

    input:       [N, D] float; label int64 [N, 1].
    num_classes: default tree: the number of classes (>= 2), with weights [num_classes - 1, D]
                 and bias [num_classes - 1, 1], one per internal node of Paddle's complete tree
                 (see `minigrad.ops.sampled_loss.default_tree_paths`). Custom tree
                 (is_custom=True): the number of internal nodes, weights [num_classes, D].
    path_table, path_code: custom tree only, int64 [N, L]: each row's nodes from leaf to root,
                 padded with -1, and the binary target at each.
    bias_attr=False: no bias. is_sparse is accepted; gradients are always dense.
    The cost sums over the nodes of each path only. Paddle 1.8.5 also added log(2) for every
    padding position of a shorter path (a known TODO in its kernel; the gradient is unaffected);
    minigrad follows the documented formula.
    Raises ValueError for a default tree with num_classes < 2, paths given without
    is_custom=True, or a custom tree without path_table / path_code.

        cost = fluid.layers.hsigmoid(input=feature, label=word, num_classes=10000)
    """
    op = "hsigmoid"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    rows, dim = shape_of(input)
    if not is_custom:
        if num_classes is None:
            raise ValueError(f"{op}: num_classes must not be None with the default tree")
        num_classes = _num_classes(op, "num_classes", num_classes, 2)
        if path_table is not None or path_code is not None:
            raise ValueError(f"{op}: path_table / path_code need is_custom=True (only "
                             f"num_classes is passed with the default tree)")
        classes = class_column(op, label, rows, 0, num_classes)
        path_table, path_code = default_tree_paths(classes, num_classes)
        nodes = num_classes - 1
    else:
        check_tensor(op, "label", label, dtypes="iu")
        if path_table is None or path_code is None:
            raise ValueError(f"{op}: a custom tree (is_custom=True) needs path_table and "
                             f"path_code")
        if num_classes is None:
            raise ValueError(f"{op}: num_classes (the number of internal nodes) must not be "
                             f"None with a custom tree")
        nodes = _num_classes(op, "num_classes", num_classes, 1)
    helper = LayerHelper("hierarchical_sigmoid", param_attr=param_attr, bias_attr=bias_attr,
                         name=name)
    dtype = dtype_of(input)
    weight = helper.create_parameter(attr=helper.param_attr, shape=[nodes, dim], dtype=dtype)
    bias = None
    if helper.bias_attr is not False:
        bias = helper.create_parameter(attr=helper.bias_attr, shape=[nodes, 1], dtype=dtype,
                                       is_bias=True)
    return hierarchical_sigmoid(input, weight, bias, path_table, path_code)


def nce(input, label, num_total_classes, sample_weight=None, param_attr=None, bias_attr=None,
        num_neg_samples=None, name=None, sampler="uniform", custom_dist=None, seed=0,
        is_sparse=False):
    """Noise-contrastive estimation loss, shape [N, 1].

    input:             [N, D] float; label int64 [N, T] true classes in [0, num_total_classes).
    num_total_classes: K; the weights are [K, D] (default Xavier), the bias [K, 1] (zeros;
                       bias_attr=False for none).
    num_neg_samples:   noise classes per row (default 10), drawn by `sampler` ('uniform',
                       'log_uniform', 'custom_dist' with `custom_dist`, K probabilities).
    seed:              0 draws from minigrad's global generator (`minigrad.seed`); another value
                       gives the same noise classes on every call.
    sample_weight:     [N, 1] weights of the rows, default 1. is_sparse is accepted; gradients
                       are always dense.
    The loss is Paddle's: the sum of -log(o / (o + b)) over true classes and -log(b / (o + b))
    over noise classes, o = sigmoid(logit), b = P_noise(class) * num_neg_samples, divided by
    num_neg_samples + 1 (see `minigrad.ops.sampled_loss.nce_loss`).
    Raises ValueError for an unknown sampler, a missing or wrong custom_dist, labels out of
    range or num_neg_samples < 1.

        cost = fluid.layers.nce(input=emb, label=word, num_total_classes=10000,
                                num_neg_samples=5, sampler="log_uniform", seed=1)
    """
    op = "nce"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    classes = _num_classes(op, "num_total_classes", num_total_classes, 2)
    if sampler not in SAMPLERS:
        raise ValueError(f"{op}: sampler must be one of 'uniform', 'log_uniform', 'custom_dist', "
                         f"got {sampler!r}")
    num_neg_samples = 10 if num_neg_samples is None else num_neg_samples
    helper = LayerHelper(op, param_attr=param_attr, bias_attr=bias_attr, name=name)
    dtype = dtype_of(input)
    weight = helper.create_parameter(attr=helper.param_attr, shape=[classes, shape_of(input)[1]],
                                     dtype=dtype)
    bias = None
    if helper.bias_attr is not False:
        bias = helper.create_parameter(attr=helper.bias_attr, shape=[classes, 1], dtype=dtype,
                                       is_bias=True)
    return nce_loss(input, label, weight, bias, num_neg_samples, sampler, custom_dist, seed,
                    sample_weight)
