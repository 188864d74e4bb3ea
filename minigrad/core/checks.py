"""Argument checks that turn bad input into errors naming the op, the argument and the value.

Each check runs before any numpy call, so a user sees "conv2d: stride must be ..." rather than a
broadcast traceback from deep inside.
"""
import math
import numbers

import numpy as np

from minigrad.core.variable import Variable


def data_of(x):
    """The ndarray of a Variable; anything else as it is."""
    return x.data if isinstance(x, Variable) else x


def shape_of(x):
    """Shape tuple of a Variable, ndarray or Python scalar."""
    if type(x) is np.ndarray:
        return x.shape
    if isinstance(x, Variable):
        return x.data.shape
    return np.shape(x)


def dtype_of(x):
    return x.data.dtype if isinstance(x, Variable) else np.asarray(x).dtype


def check_type(op, argument, value, types, expected):
    if not isinstance(value, types):
        raise TypeError(f"{op}: {argument} must be {expected}, got {type(value).__name__} "
                        f"({value!r})")


def check_tensor(op, argument, value, ndim=None, dtypes=None):
    """`value` must be a Variable or ndarray, optionally of a given ndim and dtype kinds."""
    if not isinstance(value, (Variable, np.ndarray)):
        raise TypeError(f"{op}: {argument} must be a Variable, got {type(value).__name__}")
    shape = shape_of(value)
    if ndim is not None and len(shape) not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise ValueError(f"{op}: {argument} must be {ndim}-D, got shape {list(shape)}")
    if dtypes is not None and dtype_of(value).kind not in dtypes:
        kinds = {"f": "floating point", "i": "integer", "u": "unsigned", "b": "bool"}
        wanted = " or ".join(kinds[k] for k in dtypes)
        raise TypeError(f"{op}: {argument} must have a {wanted} dtype, got {dtype_of(value)}")


def check_axis(op, argument, axis, ndim):
    """Normalise one axis into [0, ndim), raising a ValueError naming the valid range."""
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"{op}: {argument} must be an int, got {type(axis).__name__} ({axis!r})")
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{op}: {argument}={axis} is out of range for a {ndim}-D input; "
                         f"expected an int in [{-ndim}, {max(ndim, 1) - 1}]")
    return axis % max(ndim, 1)


def check_axes(op, argument, axes, ndim):
    """None, an int or a list of ints -> a sorted tuple of distinct non-negative axes, or None."""
    if axes is None:
        return None
    if isinstance(axes, (list, tuple)):
        normalised = tuple(check_axis(op, argument, a, ndim) for a in axes)
    else:
        normalised = (check_axis(op, argument, axes, ndim),)
    if len(set(normalised)) != len(normalised):
        raise ValueError(f"{op}: {argument}={axes} repeats an axis")
    return tuple(sorted(normalised))


def pair(op, argument, value, minimum=None):
    """An int or a pair of ints -> a tuple of two ints, each >= minimum when given."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value), int(value))
    elif (isinstance(value, (list, tuple)) and len(value) == 2
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)):
        values = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{op}: {argument} must be an int or a pair of ints, got {value!r}")
    if minimum is not None and min(values) < minimum:
        raise ValueError(f"{op}: {argument} must be >= {minimum}, got {value!r}")
    return values


def broadcast_error(op, x, y):
    return ValueError(f"{op}: x of shape {list(shape_of(x))} and y of shape {list(shape_of(y))} "
                      f"cannot be broadcast together (numpy broadcasting rules)")


def check_int(where, argument, value, minimum=None):
    """An int (not a bool) -> int, >= minimum when given."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{where}: {argument} must be an int, got {type(value).__name__} "
                        f"({value!r})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {argument} must be >= {minimum}, got {value!r}")
    return int(value)


def check_number(where, argument, value):
    """A finite real number (not a bool) -> float."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{where}: {argument} must be a number, got {type(value).__name__} "
                        f"({value!r})")
    if not math.isfinite(value):
        raise ValueError(f"{where}: {argument} must be finite, got {value!r}")
    return float(value)


def check_positive(where, argument, value):
    value = check_number(where, argument, value)
    if value <= 0:
        raise ValueError(f"{where}: {argument} must be > 0, got {value!r}")
    return value
