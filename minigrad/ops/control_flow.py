"""Paddle 1.8's control flow as it runs in dygraph mode: plain Python, evaluated eagerly.

`cond`, `case`, `switch_case` and `while_loop` read their predicate's value and call the chosen
Python function; the tensor "arrays" are Python lists. This is what Paddle 1.8.5 itself does in
dygraph mode, so the gradient flows through whatever the chosen branch computed.

    out = fluid.layers.cond(x > 0, lambda: x * 2, lambda: -x)
    i, = fluid.layers.while_loop(lambda i: i < 10, lambda i: [i + 1], [i])
"""
import numbers

import numpy as np

from minigrad.core.checks import check_type
from minigrad.core.variable import Variable, to_variable

__all__ = ["cond", "case", "switch_case", "while_loop", "create_array", "array_write",
           "array_read", "array_length", "tensor_array_to_tensor", "autoincreased_step_counter"]


def _truth(op, argument, pred):
    if not isinstance(pred, Variable):
        raise TypeError(f"{op}: {argument} must be a Variable (a bool tensor of one element), "
                        f"got {type(pred).__name__}")
    if pred.data.size != 1:
        raise ValueError(f"{op}: {argument} must have one element, got shape {pred.shape}")
    return bool(pred.data.reshape(()))


def _check_callable(op, argument, fn):
    if fn is not None and not callable(fn):
        raise TypeError(f"{op}: {argument} must be callable, got {type(fn).__name__}")


def cond(pred, true_fn=None, false_fn=None, name=None):
    """`true_fn()` if the one-element `pred` is true, else `false_fn()` (None if that is None)."""
    _check_callable("cond", "true_fn", true_fn)
    _check_callable("cond", "false_fn", false_fn)
    chosen = true_fn if _truth("cond", "pred", pred) else false_fn
    return None if chosen is None else chosen()


def case(pred_fn_pairs, default=None, name=None):
    """The function of the first true predicate in `pred_fn_pairs`, else `default` (when None,
    the last pair's function, as in Paddle)."""
    check_type("case", "pred_fn_pairs", pred_fn_pairs, (list, tuple), "a list of (pred, fn)")
    pairs = list(pred_fn_pairs)
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"case: pred_fn_pairs[{i}] must be a (pred, fn) tuple, got {pair!r}")
        _check_callable("case", f"pred_fn_pairs[{i}]'s fn", pair[1])
    if not pairs:
        raise ValueError("case: pred_fn_pairs cannot be empty")
    _check_callable("case", "default", default)
    if default is None:
        pairs, default = pairs[:-1], pairs[-1][1]
    for i, (pred, fn) in enumerate(pairs):
        if _truth("case", f"pred_fn_pairs[{i}]'s pred", pred):
            return fn()
    return default()


def switch_case(branch_index, branch_fns, default=None, name=None):
    """`branch_fns[branch_index]()` — a dict {index: fn}, a list of (index, fn) or of fns; an
    index with no branch runs `default` (when None, the branch with the largest index)."""
    if not isinstance(branch_index, Variable) or branch_index.data.dtype.kind not in "iu":
        raise TypeError("switch_case: branch_index must be an integer Variable of one element, "
                        f"got {branch_index!r:.80}")
    index = int(_truth("switch_case", "branch_index", branch_index) and
                branch_index.data.reshape(()))
    check_type("switch_case", "branch_fns", branch_fns, (list, tuple, dict),
               "a dict or list of branches")
    items = list(branch_fns.items()) if isinstance(branch_fns, dict) else list(branch_fns)
    if all(callable(fn) for fn in items):
        items = list(enumerate(items))
    table = {}
    for pair in items:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"switch_case: each branch must be an (index, fn) tuple, got {pair!r}")
        key, fn = pair
        if not isinstance(key, numbers.Integral) or isinstance(key, bool):
            raise TypeError(f"switch_case: branch index {key!r} must be an int")
        if key in table:
            raise ValueError(f"switch_case: branch index {key} appears twice")
        _check_callable("switch_case", f"branch {key}", fn)
        table[int(key)] = fn
    if not table:
        raise ValueError("switch_case: branch_fns cannot be empty")
    _check_callable("switch_case", "default", default)
    if default is None:
        default = table[max(table)]
    return table.get(index, default)()


def while_loop(cond, body, loop_vars, is_test=False, name=None):
    """Run `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true; return loop_vars.

    As in Paddle 1.8.5's dygraph, the Variables passed in `loop_vars` keep their values (only
    the static graph assigned the final values to them); use the returned list. A body that
    changes a Variable in place (`increment(i, in_place=True)`) changes it for the caller too.
    """
    _check_callable("while_loop", "cond", cond)
    _check_callable("while_loop", "body", body)
    check_type("while_loop", "loop_vars", loop_vars, (list, tuple), "a list of Variables")
    if not loop_vars:
        raise ValueError("while_loop: loop_vars cannot be empty")
    current = list(loop_vars)
    while _truth("while_loop", "cond(*loop_vars)", cond(*current)):
        outputs = body(*current)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        if len(outputs) != len(current):
            raise ValueError(f"while_loop: body returned {len(outputs)} values for "
                             f"{len(current)} loop_vars; expected the same number")
        current = outputs
    return current


# -- tensor arrays: Python lists in dygraph mode ---------------------------------------------


def create_array(dtype):
    """An empty tensor array: a Python list in dygraph mode."""
    return []


def _index(op, i):
    if not isinstance(i, Variable) or i.shape != [1] or i.data.dtype.kind not in "iu":
        raise TypeError(f"{op}: i must be an integer Variable of shape [1], got {i!r:.80}")
    return int(i.data[0])


def array_write(x, i, array=None):
    """Put `x` at position `i` of `array` (a list; a new one when None), appending at the end."""
    if not isinstance(x, Variable):
        raise TypeError(f"array_write: x must be a Variable, got {type(x).__name__}")
    position = _index("array_write", i)
    array = [] if array is None else array
    check_type("array_write", "array", array, list, "a list (a tensor array in dygraph)")
    if not 0 <= position <= len(array):
        raise ValueError(f"array_write: i={position} is outside [0, {len(array)}] for an array "
                         f"of length {len(array)}")
    if position < len(array):
        array[position] = x
    else:
        array.append(x)
    return array


def array_read(array, i):
    """`array[i]`."""
    check_type("array_read", "array", array, list, "a list (a tensor array in dygraph)")
    position = _index("array_read", i)
    if not 0 <= position < len(array):
        raise ValueError(f"array_read: i={position} is outside [0, {len(array)})")
    return array[position]


def array_length(array):
    """The number of entries (a Python int in dygraph, as in Paddle 1.8)."""
    check_type("array_length", "array", array, list, "a list (a tensor array in dygraph)")
    return len(array)


def tensor_array_to_tensor(input, axis=1, name=None, use_stack=False):
    """(concat or stack of the list along `axis`, int64 sizes of each entry along `axis`)."""
    from minigrad.ops.shape import concat, stack
    check_type("tensor_array_to_tensor", "input", input, list, "a list of Variables")
    if not input:
        raise ValueError("tensor_array_to_tensor: input cannot be empty")
    joined = (stack if use_stack else concat)(input, axis=axis)
    sizes = to_variable(np.array([1 if use_stack else v.shape[axis] for v in input], np.int64))
    return joined, sizes


_step_counters = {}


def autoincreased_step_counter(counter_name=None, begin=1, step=1):
    """A global int64 counter of shape [1]: `begin` at the first call, then `step` more at each."""
    name = "@STEP_COUNTER@" if counter_name is None else counter_name
    value = _step_counters[name] + step if name in _step_counters else begin
    _step_counters[name] = value
    return to_variable(np.array([value], np.int64))
