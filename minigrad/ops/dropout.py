"""Dropout with Paddle 1.x's two conventions. A composition: `x * mask`, the mask a constant.

    dropout_implementation   training                       inference (is_test=True)
    "downgrade_in_infer"     x * keep                       x * (1 - p)
    "upscale_in_train"       x * keep / (1 - p)             x

`keep` is 1 where a uniform draw is >= p, else 0. Since the mask is a constant, the gradient is
`g * mask` and every order of derivative follows from `mul`'s.
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, shape_of
from minigrad.core.variable import Variable
from minigrad.random import check_seed, generator_for

__all__ = ["dropout", "dropout_mask", "IMPLEMENTATIONS"]

IMPLEMENTATIONS = ("downgrade_in_infer", "upscale_in_train")


def check_dropout_args(where, dropout_prob, dropout_implementation, seed):
    if not isinstance(dropout_prob, numbers.Real) or isinstance(dropout_prob, bool):
        raise TypeError(f"{where}: dropout probability must be a number, got "
                        f"{type(dropout_prob).__name__} ({dropout_prob!r})")
    if not 0.0 <= dropout_prob <= 1.0:
        raise ValueError(f"{where}: dropout probability must lie in [0, 1], got {dropout_prob}")
    if dropout_implementation not in IMPLEMENTATIONS:
        raise ValueError(f"{where}: dropout_implementation must be one of {list(IMPLEMENTATIONS)}, "
                         f"got {dropout_implementation!r}")
    return float(dropout_prob), check_seed(where, seed)


def dropout_mask(shape, dtype, dropout_prob, dropout_implementation, seed=0):
    """The training-time multiplier: keep/(1-p) or keep, as an array of `dtype`.

    seed: 0 draws from the global generator; any other value gives the same mask every call
    (Paddle's documented behaviour: a fixed seed drops the same units each step).
    """
    rng = generator_for(seed)
    draws = rng.random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)
    keep = (draws >= dropout_prob).astype(dtype)
    if dropout_implementation == "upscale_in_train":
        if dropout_prob == 1.0:
            return np.zeros(shape, dtype=dtype)   # everything dropped; avoid dividing by zero
        keep *= 1.0 / (1.0 - dropout_prob)
    return keep


def dropout(x, dropout_prob, is_test=False, seed=None, name=None,
            dropout_implementation="downgrade_in_infer"):
    """Paddle's `fluid.layers.dropout`: zero each element with probability `dropout_prob`.

    x:       floating-point Variable or ndarray.
    is_test: True applies the inference rule (see the module table) instead of a random mask.
    seed:    None/0 -> the global generator (`minigrad.seed`); an int -> that seed every call.
    Raises ValueError for a probability outside [0, 1] or an unknown implementation.

        y = fluid.layers.dropout(x, 0.5, dropout_implementation="upscale_in_train")
    """
    check_tensor("dropout", "x", x, dtypes="f")
    dropout_prob, seed = check_dropout_args("dropout", dropout_prob, dropout_implementation, seed)
    if is_test:
        if dropout_implementation == "upscale_in_train" or dropout_prob == 0.0:
            return x
        return x * (1.0 - dropout_prob)
    if dropout_prob == 0.0:
        return x
    dtype = x.data.dtype if isinstance(x, Variable) else x.dtype
    return x * dropout_mask(shape_of(x), dtype, dropout_prob, dropout_implementation, seed)
