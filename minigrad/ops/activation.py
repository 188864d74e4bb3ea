"""Activations and other elementwise functions, plus `apply_act` for layers' `act=` argument.

Each backward is written with minigrad functions (and the forward output via `self.output()`), so
it runs on ndarrays in an ordinary backward and is recorded under `create_graph=True`: every
activation here has second-order gradients. Masks (relu's x > 0, clip's range) are constants with
respect to differentiation and are computed from `.data`.

Attributes (alpha, threshold, scale...) are stored as Python floats: numpy keeps `float32 * 0.5`
float32, while an `np.float64` scalar would silently upcast a float32 array.

Signatures follow Paddle 1.x `fluid.layers` (`leaky_relu(x, alpha=0.02)`, `relu6(x,
threshold=6.0)`, `softmax(input, use_cudnn=False, name=None, axis=-1)`, `scale(x, scale=1.0,
bias=0.0, bias_after_scale=True, act=None)`...). Every function takes a float Variable (or, inside
backward implementations, an ndarray) and raises TypeError for anything else.

    y = fluid.layers.leaky_relu(x, alpha=0.1)
    out = apply_act(conv_out, "relu")        # what a layer's act="relu" does
"""
import math
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_axis, check_tensor, check_type, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable
from minigrad.ops import math as _math
from minigrad.ops.erf import erf_array
from minigrad.ops.math import Sum, abs, log
from minigrad.ops.shape import _plain_reshape, broadcast_to, reshape, sum_to

__all__ = ["ACTIVATIONS", "apply_act", "check_act", "relu", "sigmoid", "tanh", "softmax",
           "log_softmax", "leaky_relu", "relu6", "elu", "gelu", "erf", "softplus", "softsign",
           "swish", "hard_sigmoid", "exp", "sqrt", "rsqrt", "square", "pow", "clip", "scale",
           "reciprocal", "sin", "cos", "floor", "ceil", "round", "sign", "log", "abs",
           "hard_swish", "hard_shrink", "softshrink", "tanh_shrink", "thresholded_relu", "brelu",
           "soft_relu", "stanh", "selu", "logsigmoid", "maxout", "parametric_relu",
           "prelu_alpha_shape", "PRELU_MODES"]


def _float_input(op, x, argument="x"):
    check_tensor(op, argument, x, dtypes="f")


def _number(op, argument, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{op}: {argument} must be a number, got {type(value).__name__} "
                        f"({value!r})")
    return float(value)


# -- piecewise linear ------------------------------------------------------------------------


class Relu(Op):
    def forward(self, x):
        # numpy's vectorised maximum takes two arrays; against the scalar 0 it is ~2x slower.
        y = np.zeros_like(x)
        return np.maximum(x, y, out=y)

    def backward(self, gy, x):
        # A float mask: multiplying by a bool array casts it chunk by chunk, which is slower.
        return gy * (data_of(x) > 0).astype(gy.dtype)


def relu(x, name=None):
    """max(x, 0) elementwise. The gradient at exactly 0 is taken as 0."""
    _float_input("relu", x)
    return Relu()(x)


class LeakyRelu(Op):
    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        return np.where(x > 0, x, x * self.alpha)

    def backward(self, gy, x):
        slope = np.where(data_of(x) > 0, 1.0, self.alpha).astype(data_of(x).dtype)
        return gy * slope


def leaky_relu(x, alpha=0.02, name=None):
    """x where x > 0, alpha * x elsewhere (Paddle 1.x default alpha=0.02)."""
    _float_input("leaky_relu", x)
    return LeakyRelu(_number("leaky_relu", "alpha", alpha))(x)


class Clip(Op):
    def __init__(self, min, max):
        self.min = min
        self.max = max

    def forward(self, x):
        return np.clip(x, self.min, self.max)

    def backward(self, gy, x):
        # Paddle passes the gradient strictly inside (min, max).
        x = data_of(x)
        return gy * ((x > self.min) & (x < self.max))


def clip(x, min, max, name=None):
    """Clamp every element into [min, max]; the gradient is 1 strictly inside, 0 outside."""
    _float_input("clip", x)
    low, high = _number("clip", "min", min), _number("clip", "max", max)
    if low > high:
        raise ValueError(f"clip: min ({min}) must not exceed max ({max})")
    return Clip(low, high)(x)


def relu6(x, threshold=6.0, name=None):
    """min(max(x, 0), threshold) (Paddle 1.x `relu6(x, threshold=6.0)`)."""
    _float_input("relu6", x)
    threshold = _number("relu6", "threshold", threshold)
    return Clip(0.0, threshold)(x)


class Scale(Op):
    def __init__(self, scale, bias, bias_after_scale):
        self.scale = scale
        self.bias = bias
        self.bias_after_scale = bias_after_scale

    def forward(self, x):
        if self.bias_after_scale:
            return x * self.scale + self.bias
        return (x + self.bias) * self.scale

    def backward(self, gy, x):
        return gy * self.scale


def scale(x, scale=1.0, bias=0.0, bias_after_scale=True, act=None, name=None):
    """scale * x + bias (or scale * (x + bias) when bias_after_scale=False), then `act`."""
    check_act(act, "scale")
    _float_input("scale", x)
    bias = _number("scale", "bias", bias)
    if isinstance(scale, Variable):
        # Paddle 1.x also accepts a one-element Variable as the scale: a differentiable product.
        out = x * scale + bias if bias_after_scale else (x + bias) * scale
    else:
        out = Scale(_number("scale", "scale", scale), bias, bool(bias_after_scale))(x)
    return apply_act(out, act)


# -- smooth elementwise ----------------------------------------------------------------------


class Sigmoid(Op):
    def forward(self, x):
        # 1 / (1 + exp(-x)) written with tanh: no overflow warning for large |x|.
        return np.tanh(x * 0.5) * 0.5 + 0.5

    def backward(self, gy, x):
        y = self.output()
        return gy * y * (1 - y)


def sigmoid(x, name=None):
    """1 / (1 + exp(-x)) elementwise."""
    _float_input("sigmoid", x)
    return Sigmoid()(x)


class Tanh(Op):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy, x):
        y = self.output()
        return gy * (1 - y * y)


def tanh(x, name=None):
    """tanh(x) elementwise."""
    _float_input("tanh", x)
    return Tanh()(x)


class Exp(Op):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy, x):
        return gy * self.output()


def exp(x, name=None):
    """e ** x elementwise."""
    _float_input("exp", x)
    return Exp()(x)


class Sqrt(Op):
    def forward(self, x):
        return np.sqrt(x)

    def backward(self, gy, x):
        return gy * 0.5 / self.output()


def sqrt(x, name=None):
    """Square root; negative inputs give nan, as in numpy."""
    _float_input("sqrt", x)
    return Sqrt()(x)


def rsqrt(x, name=None):
    """1 / sqrt(x)."""
    _float_input("rsqrt", x)
    return 1.0 / Sqrt()(x)


class Square(Op):
    def forward(self, x):
        return x * x

    def backward(self, gy, x):
        return gy * 2.0 * x


def square(x, name=None):
    """x * x elementwise."""
    _float_input("square", x)
    return Square()(x)


class PowScalar(Op):
    def __init__(self, factor):
        self.factor = factor

    def forward(self, x):
        return x ** self.factor

    def backward(self, gy, x):
        if self.factor == 1.0:
            return gy
        return gy * self.factor * PowScalar(self.factor - 1.0)(x)


def pow(x, factor=1.0, name=None):
    """x ** factor elementwise (Paddle 1.x `pow(x, factor=1.0)`); factor a number or a Variable."""
    _float_input("pow", x)
    if isinstance(factor, Variable):
        return _math.pow(x, factor)
    return PowScalar(_number("pow", "factor", factor))(x)


class Elu(Op):
    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        # expm1 of min(x, 0): no overflow for large positive x, exact near 0.
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)) * self.alpha)

    def backward(self, gy, x):
        # d/dx = 1 for x > 0, alpha * exp(x) = y + alpha elsewhere.
        positive = (data_of(x) > 0).astype(data_of(x).dtype)
        return gy * (positive + (1 - positive) * (self.output() + self.alpha))


def elu(x, alpha=1.0, name=None):
    """x for x > 0, alpha * (exp(x) - 1) elsewhere."""
    _float_input("elu", x)
    return Elu(_number("elu", "alpha", alpha))(x)


class Softplus(Op):
    def forward(self, x):
        return np.logaddexp(x, 0).astype(x.dtype, copy=False)

    def backward(self, gy, x):
        return gy * sigmoid(x)


def softplus(x, name=None):
    """log(1 + exp(x)), computed without overflow."""
    _float_input("softplus", x)
    return Softplus()(x)


def softsign(x, name=None):
    """x / (1 + |x|)."""
    _float_input("softsign", x)
    return x / (1.0 + abs(x))


def swish(x, beta=1.0, name=None):
    """x * sigmoid(beta * x)."""
    _float_input("swish", x)
    beta = _number("swish", "beta", beta)
    return x * sigmoid(x * beta if beta != 1.0 else x)


def hard_sigmoid(x, slope=0.2, offset=0.5, name=None):
    """clip(slope * x + offset, 0, 1) (Paddle 1.x defaults)."""
    _float_input("hard_sigmoid", x)
    return Clip(0.0, 1.0)(Scale(_number("hard_sigmoid", "slope", slope),
                                _number("hard_sigmoid", "offset", offset), True)(x))


def reciprocal(x, name=None):
    """1 / x elementwise."""
    _float_input("reciprocal", x)
    return 1.0 / x


class Sin(Op):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy, x):
        return gy * cos(x)


def sin(x, name=None):
    """sin(x) elementwise (radians)."""
    _float_input("sin", x)
    return Sin()(x)


class Cos(Op):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy, x):
        return -(gy * sin(x))


def cos(x, name=None):
    """cos(x) elementwise (radians)."""
    _float_input("cos", x)
    return Cos()(x)


# -- piecewise constant: values only, never a gradient ----------------------------------------


class _Rounding(Op):
    """floor, ceil, round, sign: the derivative is 0 almost everywhere. The output still takes
    part in the graph with a zero gradient (Paddle 1.8 and PyTorch do the same), so a loss
    built on it can be backwarded."""

    def __init__(self, ufunc):
        self._ufunc = ufunc

    def forward(self, x):
        return self._ufunc(x)

    def backward(self, gy, x):
        return gy * 0.0


def floor(x, name=None):
    """Largest integer <= x, as floats; the gradient is zero."""
    _float_input("floor", x)
    return _Rounding(np.floor)(x)


def ceil(x, name=None):
    """Smallest integer >= x, as floats; the gradient is zero."""
    _float_input("ceil", x)
    return _Rounding(np.ceil)(x)


def round(x, name=None):
    """Nearest integer (halves to even, as numpy does), as floats; the gradient is zero."""
    _float_input("round", x)
    return _Rounding(np.round)(x)


def sign(x, name=None):
    """-1, 0 or 1 by the sign of x, as floats; the gradient is zero."""
    _float_input("sign", x)
    return _Rounding(np.sign)(x)


# -- erf and gelu ----------------------------------------------------------------------------

class Erf(Op):
    def forward(self, x):
        return erf_array(x)

    def backward(self, gy, x):
        return gy * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


def erf(x, name=None):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise."""
    _float_input("erf", x)
    return Erf()(x)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


class Gelu(Op):
    """Exact GELU: x * Phi(x), Phi the standard normal CDF."""

    def forward(self, x):
        return x * (erf_array(x * _SQRT_HALF) * 0.5 + 0.5)

    def backward(self, gy, x):
        cdf = erf(x * _SQRT_HALF) * 0.5 + 0.5
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return gy * (cdf + x * pdf)


def gelu(x, approximate=False, name=None):
    """x * Phi(x). approximate=True uses the tanh form
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    _float_input("gelu", x)
    if approximate:
        inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
        return x * (tanh(inner) * 0.5 + 0.5)
    return Gelu()(x)


# -- softmax family --------------------------------------------------------------------------


class Softmax(Op):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        return e / e.sum(axis=self.axis, keepdims=True)

    def backward(self, gy, x):
        y = self.output()
        gyy = gy * y
        return gyy - y * Sum((self.axis,), True)(gyy)


def softmax(input, use_cudnn=False, name=None, axis=-1):
    """exp(x) / sum(exp(x)) along `axis` (default the last), computed after subtracting the max."""
    _float_input("softmax", input, "input")
    axis = check_axis("softmax", "axis", axis, len(shape_of(input)))
    return Softmax(axis)(input)


class LogSoftmax(Op):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        shifted = x - x.max(axis=self.axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))

    def backward(self, gy, x):
        return gy - exp(self.output()) * Sum((self.axis,), True)(gy)


def log_softmax(input, axis=-1, name=None):
    """log(softmax(input, axis)), computed stably as x - max - log(sum(exp(x - max)))."""
    _float_input("log_softmax", input, "input")
    axis = check_axis("log_softmax", "axis", axis, len(shape_of(input)))
    return LogSoftmax(axis)(input)


# -- more of Paddle 1.8's activations -----------------------------------------------------------
# Where Paddle's formula is a composition of the functions above (selu is a scaled elu, soft_relu
# a softplus of a clip, logsigmoid a negated softplus) it is written as one: no backward of its own.


class HardShrink(Op):
    def __init__(self, threshold):
        self.threshold = threshold

    def _keep(self, x):
        return ((x > self.threshold) | (x < -self.threshold)).astype(x.dtype)

    def forward(self, x):
        return x * self._keep(x)

    def backward(self, gy, x):
        return gy * self._keep(data_of(x))


def hard_shrink(x, threshold=None):
    """x where |x| > threshold, 0 elsewhere (Paddle 1.x default threshold 0.5). The gradient is 1
    strictly outside [-threshold, threshold], 0 inside."""
    _float_input("hard_shrink", x)
    return HardShrink(0.5 if threshold is None else _number("hard_shrink", "threshold",
                                                            threshold))(x)


class SoftShrink(Op):
    def __init__(self, alpha):
        self.alpha = alpha

    def _outside(self, x):
        return ((x > self.alpha) | (x < -self.alpha)).astype(x.dtype)

    def forward(self, x):
        return (x - np.clip(x, -self.alpha, self.alpha)) * self._outside(x)

    def backward(self, gy, x):
        return gy * self._outside(data_of(x))


def softshrink(x, alpha=None):
    """x - alpha for x > alpha, x + alpha for x < -alpha, 0 in between (Paddle 1.x default
    alpha 0.5, its `lambda`). The gradient is 1 strictly outside [-alpha, alpha]."""
    _float_input("softshrink", x)
    alpha = 0.5 if alpha is None else _number("softshrink", "alpha", alpha)
    if alpha < 0:
        raise ValueError(f"softshrink: alpha must be >= 0, got {alpha}")
    return SoftShrink(alpha)(x)


def tanh_shrink(x, name=None):
    """x - tanh(x)."""
    _float_input("tanh_shrink", x)
    return x - tanh(x)


class ThresholdedRelu(Op):
    def __init__(self, threshold):
        self.threshold = threshold

    def _keep(self, x):
        return (x > self.threshold).astype(x.dtype)

    def forward(self, x):
        return x * self._keep(x)

    def backward(self, gy, x):
        return gy * self._keep(data_of(x))


def thresholded_relu(x, threshold=None):
    """x where x > threshold, 0 elsewhere (Paddle 1.x default threshold 1.0)."""
    _float_input("thresholded_relu", x)
    return ThresholdedRelu(1.0 if threshold is None else _number(
        "thresholded_relu", "threshold", threshold))(x)


def brelu(x, t_min=0.0, t_max=24.0, name=None):
    """Bounded relu: clip(x, t_min, t_max); the gradient is 1 strictly inside (t_min, t_max)."""
    _float_input("brelu", x)
    low, high = _number("brelu", "t_min", t_min), _number("brelu", "t_max", t_max)
    if low > high:
        raise ValueError(f"brelu: t_min ({t_min}) must not exceed t_max ({t_max})")
    return Clip(low, high)(x)


def soft_relu(x, threshold=40.0, name=None):
    """log(1 + exp(clip(x, -threshold, threshold))); no gradient outside (-threshold, threshold).
    (Paddle 1.8.5 masked its gradient by the output, so below -threshold it passed
    sigmoid(-threshold) instead of 0; minigrad follows the formula.)"""
    _float_input("soft_relu", x)
    threshold = _number("soft_relu", "threshold", threshold)
    if threshold < 0:
        raise ValueError(f"soft_relu: threshold must be >= 0, got {threshold}")
    return Softplus()(Clip(-threshold, threshold)(x))


def stanh(x, scale_a=0.67, scale_b=1.7159, name=None):
    """Scaled tanh: scale_b * tanh(scale_a * x) (Paddle 1.x defaults 0.67 and 1.7159)."""
    _float_input("stanh", x)
    scale_a, scale_b = _number("stanh", "scale_a", scale_a), _number("stanh", "scale_b", scale_b)
    return tanh(x * scale_a) * scale_b


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def selu(x, scale=None, alpha=None, name=None):
    """scale * (x for x > 0, alpha * (exp(x) - 1) elsewhere), with the self-normalising constants
    scale = 1.0507..., alpha = 1.6732... by default (None)."""
    _float_input("selu", x)
    scale = _SELU_SCALE if scale is None else _number("selu", "scale", scale)
    alpha = _SELU_ALPHA if alpha is None else _number("selu", "alpha", alpha)
    return Elu(alpha)(x) * scale


def logsigmoid(x, name=None):
    """log(sigmoid(x)) = -log(1 + exp(-x)), computed without overflow."""
    _float_input("logsigmoid", x)
    return -Softplus()(-x)


def hard_swish(x, threshold=6.0, scale=6.0, offset=3.0, name=None):
    """x * clip(x + offset, 0, threshold) / scale (MobileNetV3; Paddle 1.x defaults 6, 6, 3)."""
    _float_input("hard_swish", x)
    threshold = _number("hard_swish", "threshold", threshold)
    scale = _number("hard_swish", "scale", scale)
    offset = _number("hard_swish", "offset", offset)
    if threshold <= 0 or scale <= 0:
        raise ValueError(f"hard_swish: threshold and scale must be > 0, got threshold={threshold}, "
                         f"scale={scale}")
    return x * Clip(0.0, threshold)(x + offset) * (1.0 / scale)


# -- maxout and prelu (prelu's alpha parameter is made by nn/functional/activation.py) ---------


class Maxout(Op):
    """The max over consecutive groups of `groups` channels along `axis`; a tie sends the
    gradient to the first maximum, as Paddle does."""

    def __init__(self, groups, axis):
        self.groups = groups
        self.axis = axis

    def _split(self, shape):
        a = self.axis
        return list(shape[:a]) + [shape[a] // self.groups, self.groups] + list(shape[a + 1:])

    def _winner(self, grouped):
        return np.expand_dims(grouped.argmax(axis=self.axis + 1), self.axis + 1)

    def forward(self, x):
        grouped = x.reshape(self._split(x.shape))
        return np.take_along_axis(grouped, self._winner(grouped), self.axis + 1).squeeze(
            self.axis + 1)

    def backward(self, gy, x):
        shape = shape_of(x)
        grouped = data_of(x).reshape(self._split(shape))
        # A constant one-hot of each group's first maximum.
        winners = np.zeros(grouped.shape, dtype=data_of(gy).dtype)
        np.put_along_axis(winners, self._winner(grouped), 1, self.axis + 1)
        kept = list(grouped.shape)
        kept[self.axis + 1] = 1
        spread = broadcast_to(_plain_reshape(gy, kept), grouped.shape) * winners
        return _plain_reshape(spread, shape)


def maxout(x, groups, name=None, axis=1):
    """Channel maxout of a 4-D input: channels split into C / groups consecutive groups of
    `groups`, each replaced by its max. axis=1 for NCHW, 3 or -1 for NHWC.

    Raises ValueError when the input is not 4-D, axis is not 1, 3 or -1, or groups does not
    divide the channels.

        out = fluid.layers.maxout(x, groups=2)     # [N, 6, H, W] -> [N, 3, H, W]
    """
    check_tensor("maxout", "x", x, ndim=4, dtypes="f")
    if axis not in (1, 3, -1) or isinstance(axis, bool):
        raise ValueError(f"maxout: axis must be 1 (NCHW), 3 or -1 (NHWC), got {axis!r}")
    axis = 3 if axis == -1 else axis
    check_type("maxout", "groups", groups, numbers.Integral, "a positive int")
    channels = shape_of(x)[axis]
    if groups < 1 or channels % groups:
        raise ValueError(f"maxout: groups={groups} must be a positive divisor of the {channels} "
                         f"channels (axis {axis}) of the input of shape {list(shape_of(x))}")
    return Maxout(int(groups), axis)(x)


class Prelu(Op):
    """max(0, x) + alpha * min(0, x), alpha broadcast to x's shape. At x = 0 the slope is alpha."""

    def forward(self, x, alpha):
        return np.where(x > 0, x, x * alpha)

    def backward(self, gy, x, alpha):
        positive = (data_of(x) > 0).astype(data_of(gy).dtype)
        negative = 1 - positive
        gx = gy * (positive + negative * alpha) if self.needs_grad(0) else None
        galpha = (sum_to(gy * x * negative, shape_of(alpha)) if self.needs_grad(1) else None)
        return gx, galpha


PRELU_MODES = ("all", "channel", "element")


def prelu_alpha_shape(x_shape, mode):
    """The shape of prelu's alpha parameter for an input of `x_shape` (Paddle 1.8's rules):
    'all' [1]; 'channel' [1, C, 1, 1] whatever the rank; 'element' [1] + x_shape[1:]."""
    if mode not in PRELU_MODES:
        raise ValueError(f"prelu: mode must be one of 'all', 'channel', 'element', got {mode!r}")
    if mode == "all":
        return [1]
    if len(x_shape) < 2:
        raise ValueError(f"prelu: mode={mode!r} needs an input of rank >= 2 ([N, C, ...]), got "
                         f"shape {list(x_shape)}")
    if mode == "channel":
        return [1, int(x_shape[1]), 1, 1]
    return [1] + [int(n) for n in x_shape[1:]]


def parametric_relu(x, alpha, mode="all"):
    """The prelu kernel with a given `alpha` (a Variable or ndarray of `prelu_alpha_shape(x.shape,
    mode)`, or any shape of as many elements): x for x > 0, alpha * x elsewhere.

        y = parametric_relu(x, alpha, "channel")    # x [N, C, H, W], alpha [1, C, 1, 1]
    """
    _float_input("prelu", x)
    check_tensor("prelu", "alpha", alpha, dtypes="f")
    shape = shape_of(x)
    expected = prelu_alpha_shape(shape, mode)
    if int(np.prod(shape_of(alpha))) != int(np.prod(expected)):
        raise ValueError(f"prelu: alpha of shape {list(shape_of(alpha))} does not fit "
                         f"mode={mode!r} for an input of shape {list(shape)}; expected {expected}")
    if mode == "channel":
        alpha = reshape(alpha, [1, shape[1]] + [1] * (len(shape) - 2))
    elif mode == "element":
        alpha = reshape(alpha, [1] + list(shape[1:]))
    else:
        alpha = reshape(alpha, [1] * len(shape)) if shape else alpha
    return Prelu()(x, alpha)


# -- act= names for layers --------------------------------------------------------------------

ACTIVATIONS = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "leaky_relu": leaky_relu,
    "relu6": relu6,
    "elu": elu,
    "gelu": gelu,
    "softplus": softplus,
    "softsign": softsign,
    "swish": swish,
    "hard_sigmoid": hard_sigmoid,
    "exp": exp,
    "sqrt": sqrt,
    "rsqrt": rsqrt,
    "abs": abs,
    "square": square,
    "log": log,
    "hard_swish": hard_swish,
    "hard_shrink": hard_shrink,
    "softshrink": softshrink,
    "tanh_shrink": tanh_shrink,
    "thresholded_relu": thresholded_relu,
    "brelu": brelu,
    "soft_relu": soft_relu,
    "stanh": stanh,
    "selu": selu,
    "logsigmoid": logsigmoid,
}


def check_act(act, where):
    """Validate an `act=` argument (None or a name in ACTIVATIONS) and return it.

    where: the layer or op name used in the error, e.g. "Conv2D".
    Raises TypeError for a non-str, ValueError (listing the known names) for an unknown name.
    """
    if act is None:
        return None
    check_type(where, "act", act, str, "None or an activation name (str)")
    if act not in ACTIVATIONS:
        raise ValueError(f"{where}: act={act!r} is not a known activation; expected one of "
                         f"{', '.join(sorted(ACTIVATIONS))} (or None)")
    return act


def apply_act(x, act):
    """`x` passed through the activation named `act` (None returns x unchanged)."""
    if act is None:
        return x
    return ACTIVATIONS[check_act(act, "apply_act")](x)
