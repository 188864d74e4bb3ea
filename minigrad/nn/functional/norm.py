"""Paddle 1.8's normalisation functions that create their own parameters: `layer_norm`,
`group_norm`, `instance_norm`, `batch_norm`, `data_norm` and `spectral_norm` of `fluid.layers`.

Each creates its parameters with a `LayerHelper`, with Paddle's shapes, names and default
initialisers, then calls the kernel of the same name in `minigrad/ops/norm.py`. In dygraph mode,
as in Paddle 1.8, every call makes fresh parameters (gain 1, bias 0, running mean 0 and variance
1, random u and v): a function called twice has two sets of parameters, and training them across
steps needs the Layer classes (`fluid.dygraph.BatchNorm`, ...).

Paddle 1.8.5 refuses `layer_norm` in dygraph mode ("please use LayerNorm instead of layer_norm in
dygraph mode"); minigrad provides it.

    y = fluid.layers.layer_norm(x, begin_norm_axis=1)      # gain [prod(x.shape[1:])] = 1
"""
import numbers
import warnings

import numpy as np

from minigrad.core.checks import check_axis, check_tensor, check_type, shape_of
from minigrad.core.variable import Variable
from minigrad.initializer import Constant, Normal
from minigrad.layer_helper import LayerHelper
from minigrad.ops import norm as _norm
from minigrad.ops.activation import check_act
from minigrad.param_attr import ParamAttr

__all__ = ["layer_norm", "group_norm", "instance_norm", "batch_norm", "data_norm",
           "spectral_norm"]


def _input(op, value, argument="input", min_rank=2):
    check_tensor(op, argument, value, dtypes="f")
    shape = list(shape_of(value))
    if len(shape) < min_rank:
        raise ValueError(f"{op}: {argument} must have rank >= {min_rank}, got shape {shape}")
    return shape


def _helper(op, act=None, **kwargs):
    return LayerHelper(op, act=check_act(act, op), **kwargs)


def _refuse_false(op, argument, value, why):
    if value is False:
        raise ValueError(f"{op}: {argument}=False is not supported ({why}); pass None or a "
                         f"ParamAttr")


def layer_norm(input, scale=True, shift=True, begin_norm_axis=1, epsilon=1e-05,
               param_attr=None, bias_attr=None, act=None, name=None):
    """Layer normalisation over the dims [begin_norm_axis, rank) of input, then `act`.

    input:           floating point, rank >= 2.
    scale, shift:    create the gain (default 1) and the bias (default 0), each of shape
                     [prod(input.shape[begin_norm_axis:])].
    begin_norm_axis: an int in [1, rank).
    epsilon:         added to the biased variance inside the square root.
    param_attr, bias_attr: ParamAttr of the gain and the bias; False while scale / shift is True
                     is an error, as in Paddle (pass scale=False / shift=False instead).
    act:             an activation name or None.
    Returns a Variable of input's shape and dtype.

        y = fluid.layers.layer_norm(x, begin_norm_axis=2)      # x [N, T, D]: over D
    """
    op = "layer_norm"
    shape = _input(op, input)
    begin_norm_axis = _norm.check_begin_norm_axis(op, begin_norm_axis, shape)
    epsilon = _norm.check_epsilon(op, epsilon)
    helper = _helper(op, act, param_attr=param_attr, bias_attr=bias_attr, name=name)
    param_shape = [int(np.prod(shape[begin_norm_axis:]))]
    weight = bias = None
    if scale:
        _refuse_false(op, "param_attr", param_attr, "scale=True needs a gain; use scale=False")
        weight = helper.create_parameter(helper.param_attr, param_shape, input.dtype,
                                         default_initializer=Constant(1.0))
    elif param_attr:
        warnings.warn(f"{op}: param_attr is only used when scale=True")
    if shift:
        _refuse_false(op, "bias_attr", bias_attr, "shift=True needs a bias; use shift=False")
        bias = helper.create_parameter(helper.bias_attr, param_shape, input.dtype, is_bias=True)
    elif bias_attr:
        warnings.warn(f"{op}: bias_attr is only used when shift=True")
    out = _norm.layer_norm(input, weight, bias, begin_norm_axis, epsilon)
    return helper.append_activation(out)


def group_norm(input, groups, epsilon=1e-05, param_attr=None, bias_attr=None, act=None,
               data_layout="NCHW", name=None):
    """Group normalisation: the channels cut into `groups` groups, each normalised with its
    spatial dims, then a per-channel gain and bias and `act`.

    input:       [N, C, ...] (NCHW) or [N, ..., C] (NHWC), floating point.
    groups:      an int in [1, C]; each group has ceil(C / groups) channels (the last the rest).
    param_attr, bias_attr: ParamAttr of the gain [C] (default 1) and the bias [C] (default 0);
                 False means none.
    Raises ValueError for a bad data_layout or groups outside [1, C].

        y = fluid.layers.group_norm(x, groups=4)        # x [N, 16, H, W]
    """
    op = "group_norm"
    shape = _input(op, input)
    data_layout = _norm.check_layout(op, data_layout)
    channels = shape[1] if data_layout == "NCHW" else shape[-1]
    groups = _norm.check_groups(op, groups, channels, shape, data_layout)
    epsilon = _norm.check_epsilon(op, epsilon)
    helper = _helper(op, act, param_attr=param_attr, bias_attr=bias_attr, name=name)
    # Paddle 1.8 creates the gain and bias only `if param_attr:` / `if bias_attr:`, so the
    # default None gives none, contrary to its docs; minigrad follows the docs. (The values are
    # the same: a missing gain is 1, a missing bias 0.)
    weight = helper.create_parameter(helper.param_attr, [channels], input.dtype,
                                     default_initializer=Constant(1.0))
    bias = helper.create_parameter(helper.bias_attr, [channels], input.dtype, is_bias=True)
    out = _norm.group_norm(input, groups, weight, bias, epsilon, data_layout)
    return helper.append_activation(out)


def instance_norm(input, epsilon=1e-05, param_attr=None, bias_attr=None, name=None):
    """Instance normalisation of input [N, C, ...]: each (sample, channel) over its spatial
    dims, then a gain [C] (default 1) and a bias [C] (default 0).

    param_attr, bias_attr: ParamAttr of the gain and the bias; False is an error, as in Paddle.

        y = fluid.layers.instance_norm(x)       # x [N, C, H, W]
    """
    op = "instance_norm"
    shape = _input(op, input)
    epsilon = _norm.check_epsilon(op, epsilon)
    _refuse_false(op, "param_attr", param_attr, "instance_norm always has a gain")
    _refuse_false(op, "bias_attr", bias_attr, "instance_norm always has a bias")
    helper = _helper(op, param_attr=param_attr, bias_attr=bias_attr, name=name)
    weight = helper.create_parameter(helper.param_attr, [shape[1]], input.dtype,
                                     default_initializer=Constant(1.0))
    bias = helper.create_parameter(helper.bias_attr, [shape[1]], input.dtype, is_bias=True)
    return _norm.instance_norm(input, weight, bias, epsilon)


def batch_norm(input, act=None, is_test=False, momentum=0.9, epsilon=1e-05, param_attr=None,
               bias_attr=None, data_layout="NCHW", in_place=False, name=None,
               moving_mean_name=None, moving_variance_name=None,
               do_model_average_for_mean_and_var=True, use_global_stats=False):
    """Batch normalisation with fresh parameters: gain [C] (1), bias [C] (0), and running mean
    [C] (0) and variance [C] (1), named `batch_norm_<k>.w_0, .b_0, .w_1, .w_2` as in Paddle.

    input:      [N, C, ...] (NCHW) or [N, ..., C] (NHWC), floating point.
    is_test, use_global_stats: True normalises with the running statistics (so, for fresh ones,
                y = x / sqrt(1 + epsilon) * gain + bias); otherwise with the batch's mean and
                biased variance, and the running statistics are updated as
                running = momentum * running + (1 - momentum) * batch.
    momentum:   a number in [0, 1] or a Variable holding one.
    in_place:   accepted; the output is always a new Variable.
    param_attr, bias_attr: False is an error, as in Paddle.

        y = fluid.layers.batch_norm(x, act="relu")
    """
    op = "batch_norm"
    shape = _input(op, input)
    data_layout = _norm.check_layout(op, data_layout)
    epsilon = _norm.check_epsilon(op, epsilon)
    if isinstance(momentum, Variable):
        momentum = float(momentum.data.reshape(-1)[0])
    if (not isinstance(momentum, numbers.Real) or isinstance(momentum, bool)
            or not 0.0 <= momentum <= 1.0):
        raise ValueError(f"{op}: momentum must be a number in [0, 1], got {momentum!r}")
    _refuse_false(op, "param_attr", param_attr, "batch_norm always has a gain")
    _refuse_false(op, "bias_attr", bias_attr, "batch_norm always has a bias")
    channels = shape[1] if data_layout == "NCHW" else shape[-1]
    helper = _helper(op, act, param_attr=param_attr, bias_attr=bias_attr, name=name)
    dtype = input.dtype
    weight = helper.create_parameter(helper.param_attr, [channels], dtype,
                                     default_initializer=Constant(1.0))
    bias = helper.create_parameter(helper.bias_attr, [channels], dtype, is_bias=True)
    running = []
    for running_name, value in ((moving_mean_name, 0.0), (moving_variance_name, 1.0)):
        attr = ParamAttr(name=running_name, initializer=Constant(value), trainable=False,
                         do_model_average=do_model_average_for_mean_and_var)
        statistic = helper.create_parameter(attr, [channels], dtype)
        statistic.stop_gradient = True
        running.append(statistic)
    out = _norm.batch_norm(input, weight, bias, running[0], running[1],
                           training=not (is_test or use_global_stats), momentum=float(momentum),
                           epsilon=epsilon, data_layout=data_layout)
    return helper.append_activation(out)


def data_norm(input, act=None, epsilon=1e-05, param_attr=None, data_layout="NCHW",
              in_place=False, name=None, moving_mean_name=None, moving_variance_name=None,
              do_model_average_for_mean_and_var=True, slot_dim=-1, sync_stats=False,
              summary_decay_rate=0.9999999, enable_scale_and_shift=False):
    """Paddle's data_norm on input [N, C]: y = (x - batch_sum / batch_size) *
    sqrt(batch_size / batch_square_sum), with summary parameters [C] named
    `<name>.batch_size`, `.batch_sum`, `.batch_square_sum` (name defaults to "dn").

    param_attr: a dict may give their initial values, {"batch_size": 1e4, "batch_sum": 0.0,
                "batch_square": 1e4} by default (so y = x), and with enable_scale_and_shift
                {"scale_w": 1.0, "bias": 0.0} for the extra `<name>.scale_w` and `<name>.bias`.
    slot_dim:   > 0 zeroes, per row, each slot of slot_dim columns whose first value is 0.
    act:        an activation name or None.
    epsilon, sync_stats, summary_decay_rate, moving_*_name, do_model_average_for_mean_and_var,
    in_place:   accepted; they only shape Paddle's parameter-server summary update, which the
                summaries here (constants, no gradient) do not have.

        y = fluid.layers.data_norm(x)           # x [N, C]
    """
    op = "data_norm"
    check_tensor(op, "input", input, ndim=2, dtypes="f")
    data_layout = _norm.check_layout(op, data_layout)
    _norm.check_epsilon(op, epsilon)
    channels = shape_of(input)[1]
    given = param_attr if isinstance(param_attr, dict) else {}
    defaults = {"batch_size": given.get("batch_size", 1e4),
                "batch_sum": given.get("batch_sum", 0.0),
                "batch_square_sum": given.get("batch_square", 1e4)}
    if enable_scale_and_shift:
        defaults = {"scale_w": given.get("scale_w", 1.0), "bias": given.get("bias", 0.0),
                    **defaults}
    name = "dn" if name is None else name
    helper = _helper(op, act)
    made = {}
    for key, value in defaults.items():
        attr = ParamAttr(name=f"{name}.{key}", initializer=Constant(float(value)))
        made[key] = helper.create_parameter(attr, [channels], input.dtype)
    out = _norm.data_norm(input, made["batch_size"], made["batch_sum"],
                          made["batch_square_sum"], made.get("scale_w"), made.get("bias"),
                          slot_dim)
    return helper.append_activation(out)


def spectral_norm(weight, dim=0, power_iters=1, eps=1e-12, name=None):
    """weight divided by its largest singular value, estimated by `power_iters` rounds of power
    iteration from fresh u [h] and v [w] (Normal(0, 1), no gradient), where h = weight.shape[dim]
    and w the product of the other dims.

    weight:      floating point, rank >= 2 (Paddle 1.8 takes rank 2 to 5 and dim 0 or 1).
    dim:         the axis moved first before reshaping weight to [h, w].
    power_iters: an int >= 0.  eps: added to each vector's norm.

        w_sn = fluid.layers.spectral_norm(w, dim=1, power_iters=2)     # a Conv2D weight
    """
    op = "spectral_norm"
    shape = _input(op, weight, "weight")
    check_type(op, "dim", dim, numbers.Integral, "an int")
    axis = check_axis(op, "dim", dim, len(shape))
    h = shape[axis]
    w = int(np.prod(shape)) // h
    helper = LayerHelper(op, name=name)
    vectors = []
    for size in (h, w):
        vector = helper.create_parameter(ParamAttr(), [size], weight.dtype,
                                         default_initializer=Normal(0.0, 1.0))
        vector.stop_gradient = True
        vectors.append(vector)
    return _norm.spectral_norm(weight, vectors[0], vectors[1], dim, power_iters, eps)
