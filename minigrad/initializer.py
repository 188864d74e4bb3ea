"""Parameter initializers with Paddle 1.x's names, fan rules and seeds (`fluid.initializer`).

An initializer is callable two ways:
  - `init(shape, dtype="float32") -> ndarray`, the plain form layers use;
  - `init(variable)`, Paddle's form: fills the Variable or Parameter in place and returns it.

Fans follow Paddle's `_compute_fans`: a 0-D shape has fan_in = fan_out = 1; 1-D, both shape[0];
2-D (a Linear weight [in, out]) fan_in = shape[0], fan_out = shape[1]; N-D (conv weights)
fan_in = shape[1] * prod(shape[2:]), fan_out = shape[0] * prod(shape[2:]).

Seeds follow Paddle too: `seed=0` draws from the global generator (`minigrad.seed(n)` makes that
reproducible); any other seed gives the same numbers every time.

    w = fluid.initializer.Xavier(uniform=False, seed=7)([64, 32])
"""
import contextlib
import math
import numbers

import numpy as np

from minigrad.core.variable import Variable
from minigrad.random import check_seed, generator_for

__all__ = ["Initializer", "Constant", "Uniform", "Normal", "TruncatedNormal", "Xavier", "MSRA",
           "Bilinear", "NumpyArrayInitializer", "ConstantInitializer", "UniformInitializer",
           "NormalInitializer", "TruncatedNormalInitializer", "XavierInitializer",
           "MSRAInitializer", "BilinearInitializer", "compute_fans", "force_init_on_cpu",
           "init_on_cpu"]


def compute_fans(shape):
    """(fan_in, fan_out) of a parameter shape by Paddle's rule (see the module docstring)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[2:]))
    return shape[1] * receptive_field, shape[0] * receptive_field


def _check_shape(where, shape):
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = [shape]
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise TypeError(f"{where}: shape must be a list of non-negative ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def _check_number(where, argument, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{where}: {argument} must be a number, got {type(value).__name__} "
                        f"({value!r})")
    return float(value)


def _check_fan(where, argument, value):
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where}: {argument} must be None or a positive int, got {value!r}")
    return int(value)


class Initializer:
    """Base class: subclasses implement `generate(shape, dtype) -> ndarray` of exactly `dtype`."""

    def __call__(self, shape_or_variable, dtype="float32"):
        if isinstance(shape_or_variable, Variable):
            # Paddle's form init(param, block=None): fill in place, keep shape and dtype.
            variable = shape_or_variable
            variable.data[...] = self.generate(variable.data.shape, variable.data.dtype)
            return variable
        shape = _check_shape(type(self).__name__, shape_or_variable)
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{type(self).__name__}: dtype {dtype!r} is not a numpy dtype "
                            "name") from None
        return self.generate(shape, dtype)

    def generate(self, shape, dtype):
        raise NotImplementedError

    def _random_dtype(self, dtype):
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}: random initialisation needs a floating "
                            f"dtype, got {dtype}")

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


class Constant(Initializer):
    """Every element equals `value`.

        fluid.initializer.Constant(0.5)([3])   # array([0.5, 0.5, 0.5], dtype=float32)
    """

    def __init__(self, value=0.0, force_cpu=False):
        if not isinstance(value, (numbers.Number, np.generic)) or isinstance(value, bool):
            raise TypeError(f"Constant: value must be a number, got {type(value).__name__} "
                            f"({value!r})")
        self.value = value

    def generate(self, shape, dtype):
        return np.full(shape, self.value, dtype=dtype)


class Uniform(Initializer):
    """Uniform on [low, high).

        fluid.initializer.Uniform(-0.1, 0.1, seed=3)([4, 5])
    """

    def __init__(self, low=-1.0, high=1.0, seed=0):
        self.low = _check_number("Uniform", "low", low)
        self.high = _check_number("Uniform", "high", high)
        if self.low > self.high:
            raise ValueError(f"Uniform: low ({low}) must not exceed high ({high})")
        self.seed = check_seed("Uniform", seed)

    def generate(self, shape, dtype):
        self._random_dtype(dtype)
        return generator_for(self.seed).uniform(self.low, self.high, shape).astype(dtype)


class Normal(Initializer):
    """Gaussian with mean `loc` and standard deviation `scale`.

        fluid.initializer.Normal(0.0, 0.02, seed=1)([16, 8])
    """

    def __init__(self, loc=0.0, scale=1.0, seed=0):
        self.loc = _check_number("Normal", "loc", loc)
        self.scale = _check_number("Normal", "scale", scale)
        if self.scale < 0:
            raise ValueError(f"Normal: scale must be >= 0, got {scale}")
        self.seed = check_seed("Normal", seed)

    def generate(self, shape, dtype):
        self._random_dtype(dtype)
        return generator_for(self.seed).normal(self.loc, self.scale, shape).astype(dtype)


class TruncatedNormal(Initializer):
    """Gaussian(loc, scale) with draws beyond two standard deviations redrawn (as in Paddle).

        fluid.initializer.TruncatedNormal(0.0, 0.1, seed=2)([8, 8])
    """

    def __init__(self, loc=0.0, scale=1.0, seed=0):
        self.loc = _check_number("TruncatedNormal", "loc", loc)
        self.scale = _check_number("TruncatedNormal", "scale", scale)
        if self.scale < 0:
            raise ValueError(f"TruncatedNormal: scale must be >= 0, got {scale}")
        self.seed = check_seed("TruncatedNormal", seed)

    def generate(self, shape, dtype):
        self._random_dtype(dtype)
        rng = generator_for(self.seed)
        z = rng.standard_normal(shape)
        outside = np.abs(z) > 2.0
        # About 4.6% land outside per round, so a handful of rounds suffice.
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(z) > 2.0
        return (self.loc + self.scale * z).astype(dtype)


class Xavier(Initializer):
    """Glorot/Xavier: uniform on ±sqrt(6 / (fan_in + fan_out)), or normal with
    std sqrt(2 / (fan_in + fan_out)). `fan_in` / `fan_out` override the shape's fans.

        fluid.initializer.Xavier(uniform=True, seed=5)([784, 10])
    """

    def __init__(self, uniform=True, fan_in=None, fan_out=None, seed=0):
        if not isinstance(uniform, bool):
            raise TypeError(f"Xavier: uniform must be a bool, got {uniform!r}")
        self.uniform = uniform
        self.fan_in = _check_fan("Xavier", "fan_in", fan_in)
        self.fan_out = _check_fan("Xavier", "fan_out", fan_out)
        self.seed = check_seed("Xavier", seed)

    def generate(self, shape, dtype):
        self._random_dtype(dtype)
        fan_in, fan_out = compute_fans(shape)
        fan_in = self.fan_in if self.fan_in is not None else fan_in
        fan_out = self.fan_out if self.fan_out is not None else fan_out
        if fan_in + fan_out == 0:
            return np.zeros(shape, dtype=dtype)   # an empty parameter: nothing to draw
        rng = generator_for(self.seed)
        if self.uniform:
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, shape).astype(dtype)
        return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), shape).astype(dtype)


class MSRA(Initializer):
    """He/Kaiming for ReLU nets: uniform on ±sqrt(6 / fan_in), or normal with std sqrt(2 / fan_in).

        fluid.initializer.MSRA(uniform=False, seed=4)([32, 16, 3, 3])
    """

    def __init__(self, uniform=True, fan_in=None, seed=0):
        if not isinstance(uniform, bool):
            raise TypeError(f"MSRA: uniform must be a bool, got {uniform!r}")
        self.uniform = uniform
        self.fan_in = _check_fan("MSRA", "fan_in", fan_in)
        self.seed = check_seed("MSRA", seed)

    def generate(self, shape, dtype):
        self._random_dtype(dtype)
        fan_in = self.fan_in if self.fan_in is not None else compute_fans(shape)[0]
        if fan_in == 0:
            return np.zeros(shape, dtype=dtype)
        rng = generator_for(self.seed)
        if self.uniform:
            limit = math.sqrt(6.0 / fan_in)
            return rng.uniform(-limit, limit, shape).astype(dtype)
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), shape).astype(dtype)


class Bilinear(Initializer):
    """Bilinear-upsampling kernels for Conv2DTranspose weights of shape [C, M, K, K].

    Every [K, K] slice is outer(t, t) with t[k] = 1 - |k / f - c|, f = ceil(K / 2),
    c = (2f - 1 - f % 2) / (2f) (Caffe's and Paddle's formula).

        fluid.initializer.Bilinear()([3, 1, 4, 4])
    """

    def generate(self, shape, dtype):
        if len(shape) != 4:
            raise ValueError(f"Bilinear: the parameter must be 4-D [C, M, K, K], got shape "
                             f"{list(shape)}")
        if shape[2] != shape[3]:
            raise ValueError(f"Bilinear: the kernel must be square (shape[2] == shape[3]), got "
                             f"shape {list(shape)}")
        size = shape[3]
        f = math.ceil(size / 2.0)
        c = (2 * f - 1 - f % 2) / (2.0 * f)
        tent = 1 - np.abs(np.arange(size) / f - c)
        kernel = np.outer(tent, tent)
        return np.broadcast_to(kernel, shape).astype(dtype)


class NumpyArrayInitializer(Initializer):
    """A copy of a given array (its shape must match the parameter's).

        fluid.initializer.NumpyArrayInitializer(np.eye(3, dtype="float32"))
    """

    def __init__(self, value):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"NumpyArrayInitializer: value must be a numpy.ndarray, got "
                            f"{type(value).__name__}")
        self.value = value

    def generate(self, shape, dtype):
        if tuple(shape) != self.value.shape:
            raise ValueError(f"NumpyArrayInitializer: the array has shape "
                             f"{list(self.value.shape)} but the parameter has shape "
                             f"{list(shape)}")
        return self.value.astype(dtype, copy=True)

    def __repr__(self):
        return f"NumpyArrayInitializer(shape={list(self.value.shape)}, dtype={self.value.dtype})"


# Paddle 1.x's long names.
ConstantInitializer = Constant
UniformInitializer = Uniform
NormalInitializer = Normal
TruncatedNormalInitializer = TruncatedNormal
XavierInitializer = Xavier
MSRAInitializer = MSRA
BilinearInitializer = Bilinear


def force_init_on_cpu():
    """Paddle compatibility: minigrad always initialises on the CPU."""
    return True


@contextlib.contextmanager
def init_on_cpu():
    """Paddle compatibility: a no-op block (everything is on the CPU already)."""
    yield
