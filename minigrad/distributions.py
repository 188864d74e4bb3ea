"""Paddle 1.8's probability distributions: `Normal`, `Uniform`, `Categorical`,
`MultivariateNormalDiag` (`fluid.layers.Normal`, ...).

Each method is a composition of minigrad ops, so `log_prob`, `entropy`, `kl_divergence` and the
samples are differentiable in the parameters when those are Variables that need gradients (a
sample is `loc + scale * noise`: the reparameterisation trick). Samples draw from minigrad's global
generator (`minigrad.seed`); a non-zero `seed` gives the same sample on every call.

Parameters follow 1.8's rules: floats, lists and ndarrays become float32 constants broadcast
against each other; Variables are used as they are, and then every parameter must be a Variable.
The methods 1.8 defines, and only those:

    Normal(loc, scale)             sample(shape, seed=0), entropy(), log_prob(value), kl_divergence
    Uniform(low, high)             sample(shape, seed=0), entropy(), log_prob(value)
    Categorical(logits)            entropy(), kl_divergence(other)
    MultivariateNormalDiag(loc, scale)  entropy(), kl_divergence(other)   (scale: the diagonal
                                   covariance matrix [k, k], loc [k])

    dist = fluid.layers.Normal(loc=[0.0, 1.0], scale=[1.0, 2.0])
    x = dist.sample([3])                  # shape [3, 2]
    lp = dist.log_prob(x)
"""
import math
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, check_type, shape_of
from minigrad.core.variable import Variable
from minigrad.ops.activation import exp
from minigrad.ops.math import log, reduce_sum
from minigrad.ops.shape import broadcast_to, getitem, reshape
from minigrad.random import check_seed, generator_for

__all__ = ["Distribution", "Normal", "Uniform", "Categorical", "MultivariateNormalDiag"]

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


class Distribution:
    """The base class: every method not defined by a subclass raises NotImplementedError."""

    def sample(self, *args, **kwargs):
        raise self._missing("sample")

    def entropy(self):
        raise self._missing("entropy")

    def kl_divergence(self, other):
        raise self._missing("kl_divergence")

    def log_prob(self, value):
        raise self._missing("log_prob")

    def _missing(self, method):
        return NotImplementedError(f"{type(self).__name__}.{method} is not defined in Paddle 1.8 "
                                   f"(it has {', '.join(self._methods)})")

    _methods = ()


def _parameters(where, names, values, broadcast=True):
    """1.8's conversion: all Variables (kept as they are), or all numbers/lists/ndarrays (float32
    constants, broadcast against each other when `broadcast`). Returns (variables, all_floats)."""
    kinds = []
    for name, value in zip(names, values):
        if isinstance(value, Variable):
            kinds.append("variable")
        elif isinstance(value, (numbers.Real, list, tuple, np.ndarray)) \
                and not isinstance(value, bool):
            kinds.append("number" if isinstance(value, numbers.Real) else "array")
        else:
            raise TypeError(f"{where}: {name} must be a float, list, numpy.ndarray or Variable, "
                            f"got {type(value).__name__}")
    if "variable" in kinds:
        if len(set(kinds)) > 1:
            raise ValueError(f"{where}: if one argument is Variable, all arguments should be "
                             f"Variable (got {', '.join(kinds)} for {', '.join(names)})")
        for name, value in zip(names, values):
            check_tensor(where, name, value, dtypes="f")
        return list(values), False
    arrays = []
    for name, value in zip(names, values):
        array = np.array(value, dtype=np.float64)
        arrays.append(array.reshape(1) if array.ndim == 0 else array)
    if broadcast:
        try:
            arrays = np.broadcast_arrays(*arrays)
        except ValueError:
            raise ValueError(f"{where}: {' and '.join(names)} of shapes "
                             f"{[list(a.shape) for a in arrays]} cannot be broadcast together") \
                from None
    variables = [Variable(np.array(a, dtype=np.float32), stop_gradient=True) for a in arrays]
    return variables, all(kind == "number" for kind in kinds)


def _sample_shape(where, shape, seed):
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0
            for s in shape):
        raise TypeError(f"{where}: shape must be a list of non-negative ints, got {shape!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise TypeError(f"{where}: seed must be an int, got {type(seed).__name__} ({seed!r})")
    return [int(s) for s in shape], generator_for(check_seed(where, seed))


def _check_value(where, value):
    check_tensor(where, "value", value, dtypes="f")


class Normal(Distribution):
    """The normal distribution N(loc, scale^2), batched over the broadcast shape of its parameters.

    loc:   the mean (float, list, ndarray or Variable).
    scale: the standard deviation, > 0 (same kinds; Variables only together with a Variable loc).
    Raises TypeError for other kinds, ValueError for a Variable mixed with numbers.

        dist = fluid.layers.Normal(0.0, 3.0)
        dist.log_prob(x)          # x a float Variable, broadcast against the parameters
    """
    _methods = ("sample", "entropy", "log_prob", "kl_divergence")

    def __init__(self, loc, scale):
        (self.loc, self.scale), self.all_arg_is_float = _parameters(
            "Normal", ("loc", "scale"), (loc, scale))

    def _batch_shape(self):
        return list(np.broadcast_shapes(tuple(self.loc.shape), tuple(self.scale.shape)))

    def sample(self, shape, seed=0):
        """`shape + batch_shape` draws (just `shape` when both parameters were floats).

        seed: 0 draws from the global generator; another int gives the same draws every call.
        """
        shape, rng = _sample_shape("Normal.sample", shape, seed)
        out_shape = shape + self._batch_shape()
        noise = rng.standard_normal(out_shape).astype(self.loc.dtype)
        out = noise * self.scale + self.loc
        if self.all_arg_is_float:
            return reshape(out, shape or [1])
        return out

    def entropy(self):
        """0.5 + 0.5 log(2 pi) + log(scale), in nats, of the batch shape."""
        return log(broadcast_to(self.scale, self._batch_shape())) + (0.5 + _HALF_LOG_TWO_PI)

    def log_prob(self, value):
        """log N(value; loc, scale^2), value broadcast against the parameters."""
        _check_value("Normal.log_prob", value)
        diff = value - self.loc
        return -(diff * diff) / (2.0 * self.scale * self.scale) - log(self.scale) \
            - _HALF_LOG_TWO_PI

    def kl_divergence(self, other):
        """KL(self || other) for another Normal, elementwise over the batch."""
        check_type("Normal.kl_divergence", "other", other, Normal, "a Normal")
        ratio = self.scale / other.scale
        ratio = ratio * ratio
        t = (self.loc - other.loc) / other.scale
        return 0.5 * (ratio + t * t - 1.0 - log(ratio))


class Uniform(Distribution):
    """The uniform distribution on [low, high), batched over the broadcast shape of its parameters.

    low, high: floats, lists, ndarrays or (together) Variables, low < high.

        dist = fluid.layers.Uniform(low=[1.0, 2.0], high=[3.0, 4.0])
        dist.sample([5])          # shape [5, 2]
    """
    _methods = ("sample", "entropy", "log_prob")

    def __init__(self, low, high):
        (self.low, self.high), self.all_arg_is_float = _parameters(
            "Uniform", ("low", "high"), (low, high))

    def _batch_shape(self):
        return list(np.broadcast_shapes(tuple(self.low.shape), tuple(self.high.shape)))

    def sample(self, shape, seed=0):
        """`shape + batch_shape` draws in [low, high) (just `shape` when both were floats)."""
        shape, rng = _sample_shape("Uniform.sample", shape, seed)
        out_shape = shape + self._batch_shape()
        unit = rng.random(out_shape).astype(self.low.dtype)
        out = unit * (self.high - self.low) + self.low
        if self.all_arg_is_float:
            return reshape(out, shape or [1])
        return out

    def entropy(self):
        """log(high - low), in nats."""
        return log(self.high - self.low)

    def log_prob(self, value):
        """-log(high - low) where low <= value < high, -inf elsewhere."""
        _check_value("Uniform.log_prob", value)
        v = value.data if isinstance(value, Variable) else value
        low = self.low.data if isinstance(self.low, Variable) else self.low
        high = self.high.data if isinstance(self.high, Variable) else self.high
        dtype = np.result_type(v, low)
        outside = np.where((low <= v) & (v < high), 0.0, -np.inf).astype(dtype)
        return outside - log(self.high - self.low)


def _shifted(logits):
    """logits minus their (constant) maximum over the last dim: exp cannot overflow, and the
    shift cancels in every quantity below, so it needs no gradient."""
    data = logits.data if isinstance(logits, Variable) else logits
    return logits - data.max(axis=-1, keepdims=True)


class Categorical(Distribution):
    """A categorical distribution over the last dim of `logits` (unnormalised log-probabilities).

    logits: a list, ndarray or Variable of shape [..., K].

        a = fluid.layers.Categorical(logits)
        a.entropy()               # shape [..., 1]
    """
    _methods = ("entropy", "kl_divergence")

    def __init__(self, logits):
        if isinstance(logits, numbers.Real):
            raise TypeError(f"Categorical: logits must be a list, numpy.ndarray or Variable, got "
                            f"{type(logits).__name__}")
        (self.logits,), _ = _parameters("Categorical", ("logits",), (logits,))
        if not self.logits.shape:
            raise ValueError("Categorical: logits must have at least 1 dim")

    def _log_normalised(self):
        logits = _shifted(self.logits)
        z = reduce_sum(exp(logits), dim=-1, keep_dim=True)
        return logits - log(z)

    def entropy(self):
        """-sum p log p over the last dim (kept, size 1), in nats."""
        log_p = self._log_normalised()
        return -reduce_sum(exp(log_p) * log_p, dim=-1, keep_dim=True)

    def kl_divergence(self, other):
        """KL(self || other) over the last dim (kept, size 1)."""
        check_type("Categorical.kl_divergence", "other", other, Categorical, "a Categorical")
        log_p = self._log_normalised()
        return reduce_sum(exp(log_p) * (log_p - other._log_normalised()), dim=-1, keep_dim=True)


class MultivariateNormalDiag(Distribution):
    """A k-dimensional normal distribution with a diagonal covariance matrix.

    loc:   the mean, shape [k] (list, ndarray or Variable).
    scale: the covariance matrix, shape [k, k], zero off the diagonal, positive on it.
    Raises ValueError for other shapes or a non-zero off-diagonal element.

        a = fluid.layers.MultivariateNormalDiag([0.3, 0.5], [[0.4, 0.0], [0.0, 0.5]])
        a.entropy()               # shape [1]
    """
    _methods = ("entropy", "kl_divergence")

    def __init__(self, loc, scale):
        for name, value in (("loc", loc), ("scale", scale)):
            if isinstance(value, numbers.Real):
                raise TypeError(f"MultivariateNormalDiag: {name} must be a list, numpy.ndarray "
                                f"or Variable, got {type(value).__name__}")
        # Not broadcast against each other: loc stays [k] (1.8.5 broadcast a list loc to
        # [k, k], which made kl_divergence [k, k] instead of the documented [1]).
        (self.loc, self.scale), _ = _parameters("MultivariateNormalDiag", ("loc", "scale"),
                                                (loc, scale), broadcast=False)
        k = shape_of(self.loc)[0] if len(shape_of(self.loc)) == 1 else None
        if k is None or tuple(shape_of(self.scale)) != (k, k):
            raise ValueError(f"MultivariateNormalDiag: loc must have shape [k] and scale [k, k], "
                             f"got {self.loc.shape} and {self.scale.shape}")
        matrix = self.scale.data
        if (matrix[~np.eye(k, dtype=bool)] != 0).any():
            raise ValueError("MultivariateNormalDiag: scale must be a diagonal matrix (zero off "
                             "the diagonal)")
        self._k = k

    def _diagonal(self):
        index = np.arange(self._k)
        return getitem(self.scale, (index, index))

    def entropy(self):
        """0.5 (k (1 + log 2 pi) + log det(scale)), shape [1]."""
        log_det = reduce_sum(log(self._diagonal()))
        return (log_det + self._k * (1.0 + math.log(2.0 * math.pi))) * 0.5

    def kl_divergence(self, other):
        """KL(self || other) = 0.5 (tr(S2^-1 S1) + d^T S2^-1 d - k + log det S2 - log det S1),
        d = loc2 - loc1; shape [1]."""
        check_type("MultivariateNormalDiag.kl_divergence", "other", other,
                   MultivariateNormalDiag, "a MultivariateNormalDiag")
        if other._k != self._k:
            raise ValueError(f"MultivariateNormalDiag.kl_divergence: dimensions differ ({self._k} "
                             f"and {other._k})")
        d1, d2 = self._diagonal(), other._diagonal()
        delta = other.loc - self.loc
        trace = reduce_sum(d1 / d2)
        quadratic = reduce_sum(delta * delta / d2)
        log_det_ratio = reduce_sum(log(d2)) - reduce_sum(log(d1))
        return (trace + quadratic - float(self._k) + log_det_ratio) * 0.5
