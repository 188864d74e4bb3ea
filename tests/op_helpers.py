"""Shared helpers of the op test files (tests/test_ops_*.py)."""
import numpy as np

import minigrad
import minigrad as fluid


def check_grads(fn, *inputs, atol=1e-5, rtol=1e-3):
    """First- and second-order finite-difference checks of `fn` in float64."""
    for value in inputs:
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert value.dtype == np.float64, "gradchecks run in float64"
    assert minigrad.gradcheck(fn, list(inputs), atol=atol, rtol=rtol)
    assert minigrad.gradgradcheck(fn, list(inputs), atol=atol, rtol=rtol)


def uniform(shape, low=-1.0, high=1.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def away_from_zero(shape, low=0.2, high=1.0, seed=0):
    """Random values with |v| in [low, high] and random signs (no kinks at 0)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(shape, seed=0):
    """A random permutation of well-separated values: no ties for max/min/argmax."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - n * 0.15).reshape(shape).astype(np.float64)


def var(value, stop_gradient=True):
    v = fluid.dygraph.to_variable(value)
    v.stop_gradient = stop_gradient
    return v


def grads_of(fn, *arrays):
    """Run fn on Variables (all needing grads) and backward the sum; return (out, grads)."""
    with fluid.dygraph.guard():
        variables = [var(a, stop_gradient=False) for a in arrays]
        out = fn(*variables)
        fluid.layers.reduce_sum(out).backward()
        return out.numpy(), [v.gradient() for v in variables]
