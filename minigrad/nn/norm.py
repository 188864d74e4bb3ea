"""The normalisation Layers: `BatchNorm` (running statistics kept as persistable buffers),
`LayerNorm`, `GroupNorm`, `InstanceNorm` and `SpectralNorm`. Each one's arithmetic, forward and
backward, is a kernel of `minigrad/ops/norm.py`; the Layers own the parameters and check input
against their construction arguments."""
import numbers
import warnings

import numpy as np

from minigrad.core import naming
from minigrad.core.checks import check_axis, check_int, check_tensor
from minigrad.core.variable import Variable
from minigrad.initializer import Constant, Normal
from minigrad.nn.layer import Layer
from minigrad.nn.linear import check_positive_int
from minigrad.ops.activation import apply_act, check_act
from minigrad.ops.norm import (batch_norm, check_epsilon, group_norm, instance_norm, layer_norm,
                               spectral_norm)

__all__ = ["BatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm", "SpectralNorm"]


class BatchNorm(Layer):
    """Normalise each channel with batch statistics in training, running statistics in eval.

    num_channels: C, the size of the channel axis (axis 1 for NCHW and 2-D input, last for NHWC).
    act:          activation applied to the output, or None.
    is_test:      True always uses the running statistics (as `eval()` does).
    momentum:     running = momentum * running + (1 - momentum) * batch, with the batch variance
                  biased (divided by the count), as in Paddle.
    epsilon:      added to the variance before the square root.
    param_attr, bias_attr: scale [C] (default ones) and shift [C] (default zeros); False for
                  either means a fixed 1 / 0.
    data_layout:  "NCHW" (also [N, C] and [N, C, L]) or "NHWC".
    moving_mean_name, moving_variance_name: names of the running-statistics Variables.
    use_global_stats: normalise with the running statistics even in training.
    trainable_statistics: in eval mode, normalise with the batch statistics.
    The running statistics are buffers `_mean` and `_variance`: in `state_dict()` (as
    `bn._mean`, `bn._variance`), not in `parameters()`.

        bn = fluid.dygraph.BatchNorm(16, act="relu")
        y = bn(x)        # x: [N, 16, H, W]
    """

    def __init__(self, num_channels, act=None, is_test=False, momentum=0.9, epsilon=1e-5,
                 param_attr=None, bias_attr=None, dtype="float32", data_layout="NCHW",
                 in_place=False, moving_mean_name=None, moving_variance_name=None,
                 do_model_average_for_mean_and_var=True, use_global_stats=False,
                 trainable_statistics=False):
        super().__init__(dtype=dtype)
        self._num_channels = check_positive_int("BatchNorm", "num_channels", num_channels)
        self._act = check_act(act, "BatchNorm")
        if not isinstance(momentum, numbers.Real) or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm: momentum must be a number in [0, 1], got {momentum!r}")
        if not isinstance(epsilon, numbers.Real) or not epsilon >= 0.0:
            raise ValueError(f"BatchNorm: epsilon must be a number >= 0, got {epsilon!r}")
        if data_layout not in ("NCHW", "NHWC"):
            raise ValueError(f"BatchNorm: data_layout must be 'NCHW' or 'NHWC', got "
                             f"{data_layout!r}")
        self._is_test = bool(is_test)
        self._momentum = float(momentum)
        self._epsilon = float(epsilon)
        self._data_layout = data_layout
        self._use_global_stats = bool(use_global_stats)
        self._trainable_statistics = bool(trainable_statistics)
        shape = [self._num_channels]
        self.weight = self.create_parameter(shape, attr=param_attr, dtype=self._dtype,
                                            default_initializer=Constant(1.0))
        self.bias = self.create_parameter(shape, attr=bias_attr, dtype=self._dtype,
                                          is_bias=True)
        self.register_buffer("_mean", self._statistic(moving_mean_name, 0.0))
        self.register_buffer("_variance", self._statistic(moving_variance_name, 1.0))

    def _statistic(self, name, value):
        # Named like Paddle 1.x's running-statistics parameters: batch_norm_0.w_1, .w_2.
        name = name or naming.unique_name(f"{self._full_name}.w")
        data = np.full([self._num_channels], value, dtype=self._dtype)
        return Variable(data, stop_gradient=True, name=name, persistable=True)

    def forward(self, input):
        check_tensor("BatchNorm", "input", input, dtypes="f")
        shape = input.shape
        if len(shape) < 2:
            raise ValueError(f"BatchNorm: input must be [N, C] or [N, C, H, W], got shape "
                             f"{list(shape)}")
        channel_axis = 1 if self._data_layout == "NCHW" or len(shape) == 2 else len(shape) - 1
        if shape[channel_axis] != self._num_channels:
            raise ValueError(f"BatchNorm: input of shape {list(shape)} has {shape[channel_axis]} "
                             f"channels on axis {channel_axis} ({self._data_layout}), but "
                             f"num_channels={self._num_channels}")
        if input.dtype != self._dtype:
            raise TypeError(f"BatchNorm: input has dtype {input.dtype} but the layer's parameters "
                            f"are {self._dtype}")
        evaluating = self._is_test or not self.training
        use_batch = not self._use_global_stats and (not evaluating or self._trainable_statistics)
        weight = self.weight if self.weight is not None else np.ones(
            self._num_channels, self._dtype)
        bias = self.bias if self.bias is not None else np.zeros(self._num_channels, self._dtype)
        if use_batch and evaluating:
            # trainable_statistics in eval: batch statistics, running ones left untouched.
            running_mean, running_var = self._mean.data.copy(), self._variance.data.copy()
        else:
            running_mean, running_var = self._mean, self._variance
        out = batch_norm(input, weight, bias, running_mean, running_var, training=use_batch,
                         momentum=self._momentum, epsilon=self._epsilon,
                         data_layout=self._data_layout)
        return apply_act(out, self._act)

    def extra_repr(self):
        act = f", act={self._act}" if self._act else ""
        return (f"num_channels={self._num_channels}, momentum={self._momentum}, "
                f"epsilon={self._epsilon}{act}, data_layout={self._data_layout}")


def _check_input(where, input, dtype, min_ndim=2):
    """A floating-point Variable of rank >= min_ndim and of the layer's dtype."""
    check_tensor(where, "input", input, dtypes="f")
    shape = list(input.shape)
    if len(shape) < min_ndim:
        raise ValueError(f"{where}: input must have rank >= {min_ndim} ([N, C, ...]), got shape "
                         f"{shape}")
    if input.dtype != dtype:
        raise TypeError(f"{where}: input has dtype {input.dtype} but the layer's parameters are "
                        f"{dtype}; build the layer with dtype={str(input.dtype)!r} or cast the "
                        f"input")
    return shape


def _check_channels(where, shape, channels, argument):
    if shape[1] != channels:
        raise ValueError(f"{where}: input of shape {shape} has {shape[1]} channels on axis 1, "
                         f"but {argument}={channels}")


class LayerNorm(Layer):
    """Layer normalisation over the trailing dims `normalized_shape` of the input, then `act`.

    normalized_shape: an int or a list/tuple of positive ints: the last dims of the input,
                  which must read [*, normalized_shape...] with at least one dim in front (so
                  the statistics are per sample; as in Paddle 1.8, whose `begin_norm_axis` is
                  rank - len(normalized_shape) and must be >= 1).
    scale, shift: create the gain `weight` (default ones) and the bias `bias` (default zeros),
                  each of shape [prod(normalized_shape)], as Paddle 1.8's flat parameters.
                  With scale=False (shift=False) the attribute is None.
    epsilon:      added to the biased variance inside the square root.
    param_attr:   ParamAttr of the gain; False means no gain (as in 1.8.5).
    bias_attr:    ParamAttr of the bias; False while shift=True is a ValueError (1.8.5
                  asserts), pass shift=False instead.
    act:          an activation name or None. dtype: "float32" or "float64", the parameters'
                  dtype, which the input must have.
    Raises ValueError when the input's last dims are not normalized_shape.

        ln = fluid.dygraph.nn.LayerNorm([32, 32])
        y = ln(x)        # x: [N, 32, 32]; each sample to mean 0, variance 1, then * w + b
    """

    def __init__(self, normalized_shape, scale=True, shift=True, epsilon=1e-05,
                 param_attr=None, bias_attr=None, act=None, dtype="float32"):
        super().__init__(dtype=dtype)
        where = "LayerNorm"
        if isinstance(normalized_shape, numbers.Integral) and not isinstance(
                normalized_shape, bool):
            normalized_shape = [normalized_shape]
        if not isinstance(normalized_shape, (list, tuple)) or not normalized_shape:
            raise TypeError(f"{where}: normalized_shape must be an int or a non-empty list of "
                            f"ints, got {normalized_shape!r}")
        self._normalized_shape = [check_positive_int(where, "normalized_shape", n)
                                  for n in normalized_shape]
        self._epsilon = check_epsilon(where, epsilon)
        self._act = check_act(act, where)
        self._scale, self._shift = bool(scale), bool(shift)
        param_shape = [int(np.prod(self._normalized_shape))]
        if self._scale:
            self.weight = self.create_parameter(param_shape, attr=param_attr, dtype=self._dtype,
                                                default_initializer=Constant(1.0))
        else:
            if param_attr:
                warnings.warn(f"{where}: param_attr is only used when scale=True")
            self.weight = None
        if self._shift:
            if bias_attr is False:
                raise ValueError(f"{where}: bias_attr=False with shift=True; pass shift=False "
                                 f"for no bias")
            self.bias = self.create_parameter(param_shape, attr=bias_attr, dtype=self._dtype,
                                              is_bias=True)
        else:
            if bias_attr:
                warnings.warn(f"{where}: bias_attr is only used when shift=True")
            self.bias = None

    def forward(self, input):
        where = "LayerNorm"
        shape = _check_input(where, input, self._dtype, min_ndim=1)
        count = len(self._normalized_shape)
        if len(shape) <= count or shape[len(shape) - count:] != self._normalized_shape:
            raise ValueError(f"{where}: normalized_shape is {self._normalized_shape}, so the "
                             f"input must be [N, ..., {str(self._normalized_shape)[1:-1]}] "
                             f"(at least one dim in front), got shape {shape}")
        out = layer_norm(input, self.weight, self.bias, begin_norm_axis=len(shape) - count,
                         epsilon=self._epsilon)
        return apply_act(out, self._act)

    def extra_repr(self):
        act = f", act={self._act}" if self._act else ""
        return f"normalized_shape={self._normalized_shape}, epsilon={self._epsilon}{act}"


class GroupNorm(Layer):
    """Group normalisation: the C channels of each sample cut into `groups` groups, each group
    with its spatial dims normalised on its own, then a per-channel gain and bias and `act`.

    channels:    C, axis 1 of the input [N, C, ...].
    groups:      an int in [1, C]; as in Paddle 1.8 each group holds ceil(C / groups) channels
                 and the last one the rest when C is not a multiple of groups.
    epsilon:     added to the biased variance inside the square root.
    param_attr, bias_attr: ParamAttr of the gain `weight` [C] (default ones) and the bias
                 `bias` [C] (default zeros); False means none. (1.8.5 creates them only when
                 an attribute is given, contrary to its docs; minigrad follows the docs.)
    act:         an activation name or None.
    data_layout: "NCHW" only, as in Paddle 1.8 (`fluid.layers.group_norm` also takes "NHWC").

        gn = fluid.dygraph.nn.GroupNorm(channels=32, groups=4)
        y = gn(x)        # x: [N, 32, H, W], 4 groups of 8 channels
    """

    def __init__(self, channels, groups, epsilon=1e-05, param_attr=None, bias_attr=None,
                 act=None, data_layout="NCHW", dtype="float32"):
        super().__init__(dtype=dtype)
        where = "GroupNorm"
        self._channels = check_positive_int(where, "channels", channels)
        self._groups = check_int(where, "groups", groups, 1)
        if self._groups > self._channels:
            raise ValueError(f"{where}: groups={groups} is more than channels={channels}")
        if data_layout != "NCHW":
            raise ValueError(f"{where}: data_layout must be 'NCHW' (the only layout of Paddle "
                             f"1.8's GroupNorm), got {data_layout!r}; "
                             f"fluid.layers.group_norm takes 'NHWC'")
        self._epsilon = check_epsilon(where, epsilon)
        self._act = check_act(act, where)
        self.weight = self.create_parameter([self._channels], attr=param_attr,
                                            dtype=self._dtype,
                                            default_initializer=Constant(1.0))
        self.bias = self.create_parameter([self._channels], attr=bias_attr, dtype=self._dtype,
                                          is_bias=True)

    def forward(self, input):
        where = "GroupNorm"
        shape = _check_input(where, input, self._dtype)
        _check_channels(where, shape, self._channels, "channels")
        out = group_norm(input, self._groups, self.weight, self.bias, epsilon=self._epsilon)
        return apply_act(out, self._act)

    def extra_repr(self):
        act = f", act={self._act}" if self._act else ""
        return (f"channels={self._channels}, groups={self._groups}, "
                f"epsilon={self._epsilon}{act}")


class InstanceNorm(Layer):
    """Instance normalisation: each (sample, channel) of the input [N, C, ...] over its spatial
    dims, then a per-channel gain `scale` [C] (default ones) and bias `bias` [C] (zeros).

    num_channels: C, axis 1 of the input. A 2-D input [N, C] has one value per instance, so
                  it normalises to 0 (then + bias), as in Paddle 1.8.
    epsilon:      added to the biased variance inside the square root.
    param_attr, bias_attr: ParamAttr of the gain and the bias; False is a ValueError (1.8.5
                  asserts on bias_attr=False and crashes on param_attr=False).

        inorm = fluid.dygraph.nn.InstanceNorm(3)
        y = inorm(x)     # x: [N, 3, H, W]
    """

    def __init__(self, num_channels, epsilon=1e-05, param_attr=None, bias_attr=None,
                 dtype="float32"):
        super().__init__(dtype=dtype)
        where = "InstanceNorm"
        self._num_channels = check_positive_int(where, "num_channels", num_channels)
        self._epsilon = check_epsilon(where, epsilon)
        for argument, value in (("param_attr", param_attr), ("bias_attr", bias_attr)):
            if value is False:
                raise ValueError(f"{where}: {argument}=False is not supported (InstanceNorm "
                                 f"always has a gain and a bias); pass None or a ParamAttr")
        # Named `scale` (not `weight`) as in Paddle 1.8: state_dict keys "scale", "bias".
        self.scale = self.create_parameter([self._num_channels], attr=param_attr,
                                           dtype=self._dtype, default_initializer=Constant(1.0))
        self.bias = self.create_parameter([self._num_channels], attr=bias_attr,
                                          dtype=self._dtype, is_bias=True)

    def forward(self, input):
        where = "InstanceNorm"
        shape = _check_input(where, input, self._dtype)
        _check_channels(where, shape, self._num_channels, "num_channels")
        return instance_norm(input, self.scale, self.bias, epsilon=self._epsilon)

    def extra_repr(self):
        return f"num_channels={self._num_channels}, epsilon={self._epsilon}"


class SpectralNorm(Layer):
    """A weight divided by its largest singular value sigma, estimated by power iteration:
    W = weight with axis `dim` moved first, reshaped to [h, w]; `power_iters` rounds of
    v = W^T u / (|W^T u| + eps), u = W v / (|W v| + eps); sigma = u^T W v.

    weight_shape: the shape of the weights this layer normalises (rank >= 2); h =
                  weight_shape[dim], w = the product of the others.
    dim:          0 for a Linear/fc weight, 1 for a conv weight (Paddle's advice); any axis
                  works here (1.8.5's kernel takes 0 and 1 only).
    power_iters:  an int >= 0.  eps: added to each vector's norm.
    The starting vectors are parameters `weight_u` [h] and `weight_v` [w], Normal(0, 1),
    stop_gradient=True. As in Paddle 1.8.5 they are never updated: every call iterates from
    the same u and v (PyTorch's spectral_norm keeps the iterated ones instead). The gradient
    holds the iterated u and v fixed (d sigma / dW = u v^T), as PyTorch's does; 1.8.5's
    backward is not the derivative (docs/paddle18.md).

        sn = fluid.dygraph.nn.SpectralNorm([16, 8], dim=0, power_iters=2)
        w_sn = sn(w)     # w: [16, 8], a Variable (typically another layer's Parameter)
    """

    def __init__(self, weight_shape, dim=0, power_iters=1, eps=1e-12, dtype="float32"):
        super().__init__(dtype=dtype)
        where = "SpectralNorm"
        if not isinstance(weight_shape, (list, tuple)) or len(weight_shape) < 2:
            raise ValueError(f"{where}: weight_shape must be a list of at least 2 ints, got "
                             f"{weight_shape!r}")
        self._weight_shape = [check_positive_int(where, "weight_shape", n) for n in weight_shape]
        self._dim = check_axis(where, "dim", dim, len(self._weight_shape))
        self._power_iters = check_int(where, "power_iters", power_iters, 0)
        self._eps = check_epsilon(where, eps, "eps")
        h = self._weight_shape[self._dim]
        w = int(np.prod(self._weight_shape)) // h
        self.weight_u = self.create_parameter([h], dtype=self._dtype,
                                              default_initializer=Normal(0.0, 1.0))
        self.weight_u.stop_gradient = True
        self.weight_v = self.create_parameter([w], dtype=self._dtype,
                                              default_initializer=Normal(0.0, 1.0))
        self.weight_v.stop_gradient = True

    def forward(self, weight):
        where = "SpectralNorm"
        check_tensor(where, "weight", weight, dtypes="f")
        shape = list(weight.shape)
        h, w = self.weight_u.shape[0], self.weight_v.shape[0]
        if (len(shape) <= self._dim or shape[self._dim] != h
                or int(np.prod(shape)) != h * w):
            raise ValueError(f"{where}: weight of shape {shape} does not fit the layer's "
                             f"weight_shape={self._weight_shape} (dim={self._dim}: [{h}, {w}])")
        if weight.dtype != self._dtype:
            raise TypeError(f"{where}: weight has dtype {weight.dtype} but the layer's u and v "
                            f"are {self._dtype}")
        return spectral_norm(weight, self.weight_u, self.weight_v, dim=self._dim,
                             power_iters=self._power_iters, eps=self._eps)

    def extra_repr(self):
        return (f"weight_shape={self._weight_shape}, dim={self._dim}, "
                f"power_iters={self._power_iters}, eps={self._eps}")
