"""Normalisation kernels: batch norm, layer / instance / group norm, l2_normalize, lrn,
affine_channel, data_norm and spectral_norm. None of them creates parameters: weights and biases
are arguments (Variables, ndarrays or None); the Paddle functions that create them are in
`minigrad/nn/functional/norm.py`, the Layers in `minigrad/nn/norm.py`.

Batch normalisation (the training-mode op, forward and backward together, and `batch_norm`).
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

Layer, instance and group norm share one primitive, `standardize(x, axes, epsilon)`: the same
x_hat = (x - mean) * s over `axes` with the biased variance, without the affine part, whose
backward is
    d_x = s * (g - mean(g) - x_hat * mean(g * x_hat))
(means over `axes`). Each norm is then a reshape (group norm), `standardize`, and an ordinary
multiply-add with the weight and bias, so the weight and bias gradients need no code here. The
statistics are computed in the input's dtype (float32 stays float32) in two passes (mean, then
the mean of squared deviations), which does not lose the variance to cancellation when
|mean| >> std the way E[x^2] - mean^2 does.
"""
import numbers

import numpy as np

from minigrad.core.checks import (check_axis, check_int, check_number, check_positive,
                                  check_tensor, check_type, data_of, dtype_of, shape_of)
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops.activation import apply_act, check_act, square
from minigrad.ops.activation import pow as _pow_scalar
from minigrad.ops.activation import sqrt as _sqrt
from minigrad.ops.math import matmul_nd, reduce_mean, reduce_sum
from minigrad.ops.shape import concat, reshape, split, transpose

__all__ = ["BatchNorm", "batch_norm", "Standardize", "standardize", "layer_norm",
           "instance_norm", "group_norm", "l2_normalize", "lrn", "affine_channel", "data_norm",
           "spectral_norm", "power_iteration"]


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
                  With one value per channel (e.g. x [1, C]) training returns x unchanged and
                  leaves the running statistics alone, as Paddle 1.8 does.
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
        inv_std = 1.0 / np.sqrt(data_of(running_var) + epsilon)
        scale = weight * inv_std
        shift = bias - data_of(running_mean) * scale
        return x * reshape(scale, stat_shape) + reshape(shift, stat_shape)
    count = int(np.prod(shape)) // channels if channels else 0
    if count == 0:
        raise ValueError(f"batch_norm: training needs at least one value per channel, got an "
                         f"input of shape {list(shape)}")
    if count == 1:
        # One value per channel has no spread to normalise: Paddle's kernel then passes x
        # through (y = x, dx = dy, zero gradients for weight and bias, running statistics
        # untouched), so a last batch of one sample trains on instead of failing.
        return x + reshape(weight * 0.0 + bias * 0.0, stat_shape)
    op = BatchNorm(axes, float(epsilon))
    y = op(x, weight, bias)
    for running, batch in zip((running_mean, running_var), op.batch_statistics()):
        array = data_of(running)
        array *= momentum
        array += (1.0 - momentum) * batch.astype(array.dtype, copy=False)
    return y


# -- shared checks -------------------------------------------------------------------------------


def check_epsilon(op, value, argument="epsilon"):
    """A finite number >= 0, as a float. (Paddle 1.8's kernels also cap it: 1e-3 for layer,
    instance and batch norm, 1 for group norm; minigrad does not.)"""
    value = check_number(op, argument, value)
    if value < 0:
        raise ValueError(f"{op}: {argument} must be >= 0, got {value!r}")
    return value


def check_layout(op, value, argument="data_layout"):
    if value not in ("NCHW", "NHWC"):
        raise ValueError(f"{op}: {argument} must be 'NCHW' or 'NHWC', got {value!r}")
    return value


def _check_param(op, argument, value, shape, x):
    """None, or a Variable/ndarray holding prod(shape) values (as [prod(shape)] or `shape`) of
    x's dtype."""
    if value is None:
        return None
    check_tensor(op, argument, value, dtypes="f")
    got = list(shape_of(value))
    if got != list(shape) and got != [int(np.prod(shape))]:
        wanted = f"[{int(np.prod(shape))}]" + (f" or {list(shape)}" if len(shape) > 1 else "")
        raise ValueError(f"{op}: {argument} has shape {got}; expected {wanted} for an input of "
                         f"shape {list(shape_of(x))}")
    if dtype_of(value) != dtype_of(x):
        raise TypeError(f"{op}: {argument} has dtype {dtype_of(value)} but the input is "
                        f"{dtype_of(x)}; they must match")
    return value


def check_begin_norm_axis(op, value, shape):
    """layer_norm's begin_norm_axis: an int in [1, rank) for an input of `shape`."""
    check_type(op, "begin_norm_axis", value, numbers.Integral, "an int")
    if isinstance(value, bool) or not 1 <= value < len(shape):
        expected = (f"an int in [1, {len(shape) - 1}]" if len(shape) > 1
                    else "an input of rank >= 2")
        raise ValueError(f"{op}: begin_norm_axis={value!r} does not fit an input of shape "
                         f"{list(shape)}; expected {expected}")
    return int(value)


def check_groups(op, value, channels, shape, data_layout):
    """group_norm's groups: an int in [1, channels]."""
    value = check_int(op, "groups", value, 1)
    if value > channels:
        raise ValueError(f"{op}: groups={value} is more than the {channels} channels of an "
                         f"input of shape {list(shape)} ({data_layout})")
    return value


def _affine(y, weight, bias, shape):
    """y * weight + bias with weight and bias viewed as `shape` (broadcast against y)."""
    if weight is not None:
        y = y * reshape(weight, shape)
    if bias is not None:
        y = y + reshape(bias, shape)
    return y


# -- standardize: the primitive of layer, instance and group norm --------------------------------


class Standardize(Op):
    """x_hat = (x - mean) / sqrt(var + epsilon) over `axes`, var biased; no affine part."""

    def __init__(self, axes, epsilon):
        self.axes = axes
        self.epsilon = epsilon

    def forward(self, x):
        centered = x - x.mean(axis=self.axes, keepdims=True)
        variance = np.mean(centered * centered, axis=self.axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(variance + self.epsilon)
        self._inv_std = inv_std
        centered *= inv_std
        return centered

    def backward(self, gy, x):
        axes = list(self.axes)
        y = self.output()
        if isinstance(x, Variable):
            # Recomputed on the tape so that the gradient depends on x (second order).
            centered = x - reduce_mean(x, dim=axes, keep_dim=True)
            inv_std = (reduce_mean(centered * centered, dim=axes, keep_dim=True)
                       + self.epsilon) ** -0.5
        else:
            inv_std = self._inv_std
        mean_g = reduce_mean(gy, dim=axes, keep_dim=True)
        mean_gy = reduce_mean(gy * y, dim=axes, keep_dim=True)
        return (gy - mean_g - y * mean_gy) * inv_std


def standardize(x, axes, epsilon=1e-5):
    """(x - mean) / sqrt(var + epsilon) with mean and biased variance over `axes` (an int or a
    list of ints), same shape and dtype as x.

        y = standardize(x, [1, 2, 3])      # each sample of an NCHW batch to mean 0, variance 1
    """
    check_tensor("standardize", "x", x, dtypes="f")
    ndim = len(shape_of(x))
    axes = axes if isinstance(axes, (list, tuple)) else [axes]
    if not axes:
        raise ValueError("standardize: axes must name at least one axis, got []")
    axes = tuple(sorted({check_axis("standardize", "axes", a, ndim) for a in axes}))
    return Standardize(axes, check_epsilon("standardize", epsilon))(x)


def layer_norm(x, weight=None, bias=None, begin_norm_axis=1, epsilon=1e-5):
    """Layer normalisation of x over its dims [begin_norm_axis, rank), then `* weight + bias`.

    x:               floating point, rank >= 2.
    weight, bias:    None or prod(x.shape[begin_norm_axis:]) values, as Paddle's flat
                     [prod(...)] parameters or shaped x.shape[begin_norm_axis:]; x's dtype.
    begin_norm_axis: an int in [1, rank) (Paddle 1.8 rejects 0 and negative values).
    epsilon:         added to the (biased) variance inside the square root.
    Raises TypeError / ValueError naming the argument for anything else.

        y = layer_norm(x, weight, bias, begin_norm_axis=2)    # x [N, T, D], weight [D]
    """
    op = "layer_norm"
    check_tensor(op, "x", x, dtypes="f")
    shape = shape_of(x)
    ndim = len(shape)
    begin_norm_axis = check_begin_norm_axis(op, begin_norm_axis, shape)
    epsilon = check_epsilon(op, epsilon)
    normalized = list(shape[begin_norm_axis:])
    weight = _check_param(op, "weight", weight, normalized, x)
    bias = _check_param(op, "bias", bias, normalized, x)
    y = Standardize(tuple(range(begin_norm_axis, ndim)), epsilon)(x)
    return _affine(y, weight, bias, normalized)


def instance_norm(x, weight=None, bias=None, epsilon=1e-5):
    """Instance normalisation: each (sample, channel) of x [N, C, ...] over its spatial dims.

    weight, bias: None or [C], x's dtype. A 2-D input [N, C] has one value per instance, so
    it normalises to 0 (then + bias), as in Paddle.

        y = instance_norm(x, weight, bias)      # x [N, C, H, W], weight [C]
    """
    op = "instance_norm"
    check_tensor(op, "x", x, dtypes="f")
    shape = list(shape_of(x))
    if len(shape) < 2:
        raise ValueError(f"{op}: x must be [N, C, ...] (rank >= 2), got shape {shape}")
    epsilon = check_epsilon(op, epsilon)
    channels = shape[1]
    weight = _check_param(op, "weight", weight, [channels], x)
    bias = _check_param(op, "bias", bias, [channels], x)
    flat = reshape(x, shape[:2] + [-1]) if len(shape) != 3 else x
    y = reshape(Standardize((2,), epsilon)(flat), shape)
    return _affine(y, weight, bias, [channels] + [1] * (len(shape) - 2))


def group_norm(x, groups, weight=None, bias=None, epsilon=1e-5, data_layout="NCHW"):
    """Group normalisation: the channels of each sample cut into `groups` groups, each group
    (with its spatial dims) normalised on its own, then `* weight + bias` per channel.

    x:           [N, C, ...] (NCHW) or [N, ..., C] (NHWC), floating point.
    groups:      an int in [1, C]. As in Paddle 1.8, each group holds ceil(C / groups) channels
                 and the last one the rest when C is not a multiple of groups.
    weight, bias: None or [C], x's dtype.

        y = group_norm(x, 4, weight, bias)       # x [N, 16, H, W]: 4 groups of 4 channels
    """
    op = "group_norm"
    check_tensor(op, "x", x, dtypes="f")
    check_layout(op, data_layout)
    shape = list(shape_of(x))
    ndim = len(shape)
    if ndim < 2:
        raise ValueError(f"{op}: x must be [N, C, ...] (rank >= 2), got shape {shape}")
    channel_last = data_layout == "NHWC" and ndim > 2
    channels = shape[-1] if channel_last else shape[1]
    groups = check_groups(op, groups, channels, shape, data_layout)
    epsilon = check_epsilon(op, epsilon)
    weight = _check_param(op, "weight", weight, [channels], x)
    bias = _check_param(op, "bias", bias, [channels], x)
    if channel_last:
        x = transpose(x, [0, ndim - 1] + list(range(1, ndim - 1)))
    first = list(shape_of(x))
    flat = reshape(x, [first[0], channels, -1])
    size = -(-channels // groups)
    if channels % groups == 0:
        grouped = reshape(flat, [first[0], groups, -1])
        y = reshape(Standardize((2,), epsilon)(grouped), first)
    else:
        sections = [size] * (channels // size) + ([channels % size] if channels % size else [])
        parts = [Standardize((1, 2), epsilon)(part) for part in split(flat, sections, dim=1)]
        y = reshape(concat(parts, axis=1), first)
    y = _affine(y, weight, bias, [channels] + [1] * (ndim - 2))
    if channel_last:
        y = transpose(y, [0] + list(range(2, ndim)) + [1])
    return y


# -- l2_normalize, lrn, affine_channel: compositions ---------------------------------------------


def l2_normalize(x, axis, epsilon=1e-12, name=None):
    """x / sqrt(sum(x^2, axis) + epsilon): each 1-D slice along `axis` to unit L2 norm.

    axis: an int (negative counts from the end; None means 1, as in Paddle); a 1-D x always
    uses axis 0. epsilon sits inside the square root (checked against Paddle 1.8).

        y = fluid.layers.l2_normalize(x, axis=-1)
    """
    op = "l2_normalize"
    check_tensor(op, "x", x, dtypes="f")
    ndim = len(shape_of(x))
    if ndim == 1:
        axis = 0
    axis = check_axis(op, "axis", 1 if axis is None else axis, ndim)
    epsilon = check_epsilon(op, epsilon)
    return x / _sqrt(reduce_sum(square(x), dim=[axis], keep_dim=True) + epsilon)


def lrn(input, n=5, k=1.0, alpha=1e-4, beta=0.75, name=None, data_format="NCHW"):
    """Local response normalisation across channels:

        out[c] = input[c] / (k + alpha * sum(input[j]^2 for |j - c| <= n // 2, 0 <= j < C))^beta

    input: [N, C, H, W] (NCHW) or [N, H, W, C] (NHWC), floating point (Paddle 1.8 takes float32
           only; float64 works here too).
    n:     the window size, a positive odd int. alpha is not divided by n (unlike Caffe).
    k, alpha, beta: positive numbers.

        y = fluid.layers.lrn(x, n=5)
    """
    op = "lrn"
    check_tensor(op, "input", input, ndim=4, dtypes="f")
    n = check_int(op, "n", n, 1)
    if n % 2 == 0:
        raise ValueError(f"{op}: n must be odd, got {n}")
    k, alpha, beta = (check_positive(op, argument, value)
                      for argument, value in (("k", k), ("alpha", alpha), ("beta", beta)))
    check_layout(op, data_format, "data_format")
    channels = shape_of(input)[1 if data_format == "NCHW" else 3]
    # window[..., c] = sum_j squares[..., j] * band[j, c]: a constant banded matrix.
    index = np.arange(channels)
    band = (np.abs(index[:, None] - index[None, :]) <= n // 2).astype(dtype_of(input))
    squares = square(input)
    if data_format == "NCHW":
        window = transpose(matmul_nd(transpose(squares, [0, 2, 3, 1]), band), [0, 3, 1, 2])
    else:
        window = matmul_nd(squares, band)
    return input * _pow_scalar(window * alpha + k, -beta)


def affine_channel(x, scale=None, bias=None, data_layout="NCHW", name=None, act=None):
    """x * scale + bias per channel (a batch norm frozen into an affine map), then `act`.

    x:           [N, C, ...] (NCHW) or [N, ..., C] (NHWC); a 2-D x uses axis 1.
    scale, bias: [C] Variables of x's dtype; None means 1 / 0 (Paddle 1.8 fails at run time
                 without them, although its signature defaults them to None).
    act:         an activation name or None.

        y = fluid.layers.affine_channel(x, scale=s, bias=b)
    """
    op = "affine_channel"
    check_tensor(op, "x", x, dtypes="f")
    check_layout(op, data_layout)
    act = check_act(act, op)
    shape = list(shape_of(x))
    if len(shape) < 2:
        raise ValueError(f"{op}: x must be [N, C, ...] (rank >= 2), got shape {shape}")
    axis = 1 if data_layout == "NCHW" or len(shape) == 2 else len(shape) - 1
    scale = _check_param(op, "scale", scale, [shape[axis]], x)
    bias = _check_param(op, "bias", bias, [shape[axis]], x)
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return apply_act(_affine(x, scale, bias, view), act)


# -- data_norm ----------------------------------------------------------------------------------


def data_norm(x, batch_size, batch_sum, batch_square_sum, scale_w=None, bias=None,
              slot_dim=-1):
    """Paddle's data_norm: x [N, C] normalised with accumulated summaries, not batch statistics.

        means  = batch_sum / batch_size          scales = sqrt(batch_size / batch_square_sum)
        y      = (x - means) * scales  (* scale_w + bias)

    batch_size, batch_sum, batch_square_sum: [C] summaries (Variables or ndarrays). They are
        constants here: the gradient reaches x (dx = dy * scales) and scale_w / bias only.
        (Paddle 1.8 writes the batch's count, sum and squared deviations into their gradient
        slots, for the summary update of its parameter-server training; these are not
        derivatives.)
    scale_w, bias: None or [C] (Paddle's `enable_scale_and_shift`).
    slot_dim: an int; > 0 cuts the C columns into slots of slot_dim columns; a slot whose first
        value (the "show" count) is within 1e-7 of 0 gives zeros in that row, as in Paddle 1.8.

        y = data_norm(x, size, total, square_total)
    """
    op = "data_norm"
    check_tensor(op, "x", x, ndim=2, dtypes="f")
    channels = shape_of(x)[1]
    summaries = []
    for argument, value in (("batch_size", batch_size), ("batch_sum", batch_sum),
                            ("batch_square_sum", batch_square_sum)):
        if value is None:
            raise TypeError(f"{op}: {argument} must be a Variable or ndarray of shape "
                            f"[{channels}], got None")
        summaries.append(data_of(_check_param(op, argument, value, [channels], x)))
    scale_w = _check_param(op, "scale_w", scale_w, [channels], x)
    bias = _check_param(op, "bias", bias, [channels], x)
    slot_dim = check_int(op, "slot_dim", slot_dim)
    size, total, square_total = summaries
    with np.errstate(divide="ignore", invalid="ignore"):
        means = total / size
        scales = np.sqrt(size / square_total)
    y = _affine((x - means) * scales, scale_w, bias, [channels])
    if slot_dim > 0:
        shows = np.abs(data_of(x)[:, ::slot_dim]) >= 1e-7
        mask = np.repeat(shows, slot_dim, axis=1)[:, :channels].astype(dtype_of(x))
        y = y * mask
    return y


# -- spectral_norm -------------------------------------------------------------------------------


def power_iteration(matrix, u, v, power_iters, eps):
    """`power_iters` rounds of v = normalise(matrix^T u), u = normalise(matrix v) on ndarrays,
    each normalisation dividing by (L2 norm + eps) as Paddle 1.8 does; returns new (u, v)."""
    for _ in range(power_iters):
        v = matrix.T @ u
        v = v / (np.sqrt(np.sum(v * v)) + eps)
        u = matrix @ v
        u = u / (np.sqrt(np.sum(u * u)) + eps)
    return u, v


def spectral_norm(weight, u, v, dim=0, power_iters=1, eps=1e-12):
    """weight / sigma, sigma = u^T W v the largest singular value of W estimated by power
    iteration, W = weight with axis `dim` moved first and reshaped to [h, w].

    weight: floating point, rank >= 2 (a Linear weight: dim=0; a Conv2D weight: dim=1).
    u, v:   [h] and [w] starting vectors (Variables or ndarrays). They are read, never updated:
            Paddle 1.8 restarts the iteration from the same u and v on every call.
    power_iters: an int >= 0; eps: added to each vector's norm before dividing.
    The gradient treats the iterated u and v as constants (d sigma / d W = u v^T), the
    derivative of W / (u^T W v) at fixed u and v, as PyTorch's spectral_norm does. (Paddle 1.8's
    backward returns g * (1 - u v^T * sum(W / sigma)) / sigma, which is not that derivative.)

        w_sn = spectral_norm(w, u, v, dim=0, power_iters=1)
    """
    op = "spectral_norm"
    check_tensor(op, "weight", weight, dtypes="f")
    shape = list(shape_of(weight))
    if len(shape) < 2:
        raise ValueError(f"{op}: weight must have rank >= 2, got shape {shape}")
    dim = check_axis(op, "dim", dim, len(shape))
    power_iters = check_int(op, "power_iters", power_iters, 0)
    eps = check_epsilon(op, eps, "eps")
    h = shape[dim]
    w = int(np.prod(shape)) // h
    for argument, value, size in (("u", u, h), ("v", v, w)):
        check_tensor(op, argument, value, dtypes="f")
        if list(shape_of(value)) != [size]:
            raise ValueError(f"{op}: {argument} has shape {list(shape_of(value))}; expected "
                             f"[{size}] for a weight of shape {shape} with dim={dim}")
    perm = [dim] + [i for i in range(len(shape)) if i != dim]
    array = data_of(weight)
    matrix = np.transpose(array, perm).reshape(h, w)
    u, v = power_iteration(matrix, data_of(u).astype(array.dtype), data_of(v).astype(array.dtype),
                           power_iters, eps)
    # sigma = u^T W v = sum(weight * (u v^T laid out like weight)): linear in weight.
    outer = np.outer(u, v).reshape([shape[i] for i in perm]).transpose(np.argsort(perm))
    return weight / reduce_sum(weight * outer)
