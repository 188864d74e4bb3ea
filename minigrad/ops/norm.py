"""Batch normalisation: the training-mode op (forward and backward together) and `batch_norm`.

Notation: x has a channel axis (1 for NCHW / [N, C], last for NHWC); the statistics are taken over
every other axis ("the reduced axes"), m = number of elements per channel, and every sum below
is per channel over the reduced axes.

    mean  = sum(x) / m                 var = sum((x - mean)^2) / m      (biased, as in Paddle)
    c     = x - mean                   s   = 1 / sqrt(var + eps)
    y     = weight * s * c + bias

Backward (g = dL/dy), with a = weight * s:
    d_bias   = sum(g)                  d_weight = s * sum(g * c)
    d_x      = a * g - a * s^2 * sum(g * c) / m * c - a * sum(g) / m

(the usual a * (g - mean(g) - x_hat * mean(g * x_hat)) with x_hat = s * c, regrouped so that
each term is one pass over x). The backward uses minigrad functions only. In an ordinary
backward it reuses c and s saved by forward (ndarrays, fast); under
`grad(..., create_graph=True)` it recomputes them from the input Variable, so the whole gradient
is differentiable again (a WGAN-GP gradient penalty through BatchNorm needs this). Evaluation
mode is an affine map built from ordinary ops.
"""
import numpy as np

from minigrad.core.checks import check_tensor, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.math import reduce_mean, reduce_sum
from minigrad.ops.shape import reshape

__all__ = ["BatchNorm", "batch_norm"]


def _data(x):
    return x.data if isinstance(x, Variable) else x


class BatchNorm(Op):
    """Training-mode batch norm of x over `axes`; weight and bias have the channel shape [C].

    After forward, `batch_statistics()` gives the batch mean and (biased) variance, ndarrays of
    shape [C], for the caller's running averages.
    """

    def __init__(self, axes, epsilon):
        self.axes = axes
        self.epsilon = epsilon

    def forward(self, x, weight, bias):
        axes = self.axes
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        variance = np.mean(np.square(centered), axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(variance + self.epsilon)
        self._centered, self._inv_std = centered, inv_std
        self._batch_statistics = (mean.reshape(-1), variance.reshape(-1))
        stat_shape = mean.shape
        y = centered * (weight.reshape(stat_shape) * inv_std)
        y += bias.reshape(stat_shape)
        return y

    def backward(self, gy, x, weight, bias):
        axes = list(self.axes)
        channels = shape_of(weight)
        x_shape = shape_of(x)
        stat_shape = [1 if i in self.axes else n for i, n in enumerate(x_shape)]
        count = int(np.prod([x_shape[i] for i in self.axes]))
        centered, inv_std = self._statistics(x, axes)
        gx = gw = gb = None
        sum_g = reduce_sum(gy, dim=axes)                          # [C]
        sum_gc = reduce_sum(gy * centered, dim=axes)              # [C]
        if self.needs_grad(1):
            gw = sum_gc * reshape(inv_std, channels)
        if self.needs_grad(2):
            gb = sum_g
        if self.needs_grad(0):
            a = reshape(weight, stat_shape) * inv_std
            gx = (gy * a
                  + centered * (a * inv_std * inv_std * reshape(sum_gc, stat_shape)
                                * (-1.0 / count))
                  + a * reshape(sum_g, stat_shape) * (-1.0 / count))
        return gx, gw, gb

    def batch_statistics(self):
        return self._batch_statistics

    def _statistics(self, x, axes):
        """(x - mean, 1 / sqrt(var + eps)): saved ndarrays, or recomputed on the tape when x is
        a Variable so that they depend on x."""
        if not isinstance(x, Variable):
            return self._centered, self._inv_std
        centered = x - reduce_mean(x, dim=axes, keep_dim=True)
        variance = reduce_mean(centered * centered, dim=axes, keep_dim=True)
        return centered, (variance + self.epsilon) ** -0.5


def batch_norm(x, weight, bias, running_mean, running_var, training=True, momentum=0.9,
               epsilon=1e-5, data_layout="NCHW"):
    """Batch normalisation with explicit parameters (the functional form of `BatchNorm`).

    x:            [N, C] or [N, C, ...] (NCHW) or [N, ..., C] (NHWC), floating point.
    weight, bias: [C] (Parameters, Variables or ndarrays).
    running_mean, running_var: [C] Variables or ndarrays; with `training=True` they are updated
                  in place: running = momentum * running + (1 - momentum) * batch (biased var).
    training:     True normalises with the batch statistics, False with the running ones.
    Raises ValueError for a bad layout, an input with fewer than 2 dims, or [C] shapes that do
    not match the channel count.

        y = batch_norm(x, weight, bias, mean, var, training=True)
    """
    check_tensor("batch_norm", "x", x, dtypes="f")
    shape = shape_of(x)
    if data_layout not in ("NCHW", "NHWC"):
        raise ValueError(f"batch_norm: data_layout must be 'NCHW' or 'NHWC', got {data_layout!r}")
    if len(shape) < 2:
        raise ValueError(f"batch_norm: x must have at least 2 dims ([N, C, ...]), got shape "
                         f"{list(shape)}")
    channel_axis = 1 if data_layout == "NCHW" or len(shape) == 2 else len(shape) - 1
    channels = shape[channel_axis]
    for argument, value in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                            ("running_var", running_var)):
        if tuple(shape_of(value)) != (channels,):
            raise ValueError(f"batch_norm: {argument} has shape {list(shape_of(value))}; "
                             f"expected [{channels}] for an input of shape {list(shape)} "
                             f"({data_layout})")
    axes = tuple(i for i in range(len(shape)) if i != channel_axis)
    stat_shape = [1 if i in axes else n for i, n in enumerate(shape)]
    if not training:
        # y = x * scale + shift with scale = weight / sqrt(var + eps), shift = bias - mean * scale.
        inv_std = 1.0 / np.sqrt(_data(running_var) + epsilon)
        scale = weight * inv_std
        shift = bias - _data(running_mean) * scale
        return x * reshape(scale, stat_shape) + reshape(shift, stat_shape)
    if int(np.prod(shape)) // channels < 2:
        raise ValueError(f"batch_norm: training needs more than one value per channel, got an "
                         f"input of shape {list(shape)}")
    op = BatchNorm(axes, float(epsilon))
    y = op(x, weight, bias)
    for running, batch in zip((running_mean, running_var), op.batch_statistics()):
        array = _data(running)
        array *= momentum
        array += (1.0 - momentum) * batch.astype(array.dtype, copy=False)
    return y
