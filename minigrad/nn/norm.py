"""`BatchNorm`: batch normalisation with running statistics kept as persistable buffers."""
import numbers

import numpy as np

from minigrad.core import naming
from minigrad.core.checks import check_tensor
from minigrad.core.variable import Variable
from minigrad.initializer import Constant
from minigrad.nn.layer import Layer
from minigrad.nn.linear import check_positive_int
from minigrad.ops.activation import apply_act, check_act
from minigrad.ops.norm import batch_norm

__all__ = ["BatchNorm"]


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
