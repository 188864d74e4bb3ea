"""The process-wide random generator behind unseeded initializers and dropout.

Paddle treats `seed=0` (or None) as "use the global seed"; here that means drawing from one
`numpy.random.Generator`, which `seed(value)` resets so a whole program becomes reproducible.
A non-zero `seed` given to an initializer or a Dropout layer uses its own generator instead.

    minigrad.seed(90)
"""
import numbers

import numpy as np

__all__ = ["seed", "global_generator", "generator_for"]

_generator = np.random.default_rng()


def seed(value):
    """Reset the global generator: everything unseeded drawn afterwards is reproducible."""
    global _generator
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"seed: value must be a non-negative int, got {value!r}")
    _generator = np.random.default_rng(int(value))


def global_generator():
    return _generator


def generator_for(seed_value):
    """A fresh generator for a non-zero seed (same seed, same numbers); the global one otherwise."""
    if seed_value:
        return np.random.default_rng(int(seed_value))
    return _generator


def check_seed(where, value):
    """`value` must be None or a non-negative int (0 and None mean the global generator)."""
    if value is None:
        return 0
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where}: seed must be None or a non-negative int, got {value!r}")
    return int(value)
