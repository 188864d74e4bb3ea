"""Ops that run Python code at forward (and backward) time: `Print` and `py_func`.

    h = fluid.layers.Print(h, message="hidden:")
"""
import weakref

import numpy as np

from minigrad.core.checks import check_int, check_tensor, check_type, data_of, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable

__all__ = ["Print", "py_func"]


# -- Print -----------------------------------------------------------------------------------


def _describe(values, name, message, summarize, show_name, show_type, show_shape):
    lines = [f"{message}\t" if message else ""]
    if show_name:
        lines[0] += f"Tensor[{name}]"
    if show_shape:
        lines.append(f"\tshape: [{','.join(str(n) for n in values.shape)},]")
    if show_type:
        lines.append(f"\tdtype: {values.dtype}")
    flat = values.ravel()
    if summarize >= 0:
        flat = flat[:summarize]
    lines.append("\tdata: " + "".join(f"{v}," for v in flat.tolist()))
    return "\n".join(line for line in lines if line)


class PrintOp(Op):
    """The identity, printing its input in forward and its gradient in backward."""

    def __init__(self, name, message, summarize, flags, phase):
        self.name = name
        self.message = message
        self.summarize = summarize
        self._flags = flags
        self.phase = phase

    def forward(self, x):
        if self.phase in ("FORWARD", "BOTH"):
            print(_describe(x, self.name, self.message, self.summarize, *self._flags))
        return x.copy()

    def backward(self, gy, x):
        if self.phase in ("BACKWARD", "BOTH"):
            print(_describe(data_of(gy), self.name + "@GRAD", self.message, self.summarize,
                            *self._flags))
        return gy


def Print(input, first_n=-1, message=None, summarize=20, print_tensor_name=True,
          print_tensor_type=True, print_tensor_shape=True, print_tensor_lod=True,
          print_phase='both'):
    """Print `input` (and, in backward, its gradient) and return a copy of it to use onwards.

    message: a prefix; summarize: how many elements to print (-1: all); print_tensor_name /
    _type / _shape: which lines to print; print_phase: 'forward', 'backward' or 'both' (the
    gradient is printed when a backward reaches the returned Variable). print_tensor_lod and
    first_n are accepted; in dygraph every call is a new op, so first_n never stops a print.
    (Paddle 1.8.5 refused Print in dygraph mode; its docs describe this behaviour.)

        h = fluid.layers.Print(h, message="hidden:", summarize=5)
    """
    check_tensor("Print", "input", input, dtypes="biuf")
    summarize = check_int("Print", "summarize", summarize, -1)
    check_type("Print", "print_phase", print_phase, str, "'forward', 'backward' or 'both'")
    phase = print_phase.upper()
    if phase not in ("FORWARD", "BACKWARD", "BOTH"):
        raise ValueError(f"Print: print_phase must be 'forward', 'backward' or 'both', got "
                         f"{print_phase!r}")
    name = input.name if isinstance(input, Variable) else "ndarray"
    flags = (bool(print_tensor_name), bool(print_tensor_type), bool(print_tensor_shape))
    return PrintOp(name, message or "", summarize, flags, phase)(input)


# -- py_func ---------------------------------------------------------------------------------


class PyFunc(Op):
    """A Python function as an op: `func` on the inputs' arrays in forward, `backward_func` (if
    any) on the inputs, outputs and output gradients in backward. Its gradients are constants
    (a second derivative through a py_func is not available)."""
    multiple_outputs = True

    def __init__(self, func, backward_func, out_dtypes, skip):
        self._func = func
        self._backward_func = backward_func
        self._out_dtypes = out_dtypes
        self._skip = skip      # (input positions, output positions) left out of backward_func
        self.differentiable = backward_func is not None

    def forward(self, *xs):
        result = self._func(*xs)
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(results) != len(self._out_dtypes):
            raise ValueError(f"py_func: func returned {len(results)} value(s) for "
                             f"{len(self._out_dtypes)} out Variable(s)")
        return tuple(np.array(r, dtype=dtype) for r, dtype in zip(results, self._out_dtypes))

    def backward(self, gys, *xs):
        skip_in, skip_out = self._skip
        outs = [data_of(self.output(i)) for i in range(len(self._out_dtypes))]
        args = [data_of(x) for i, x in enumerate(xs) if i not in skip_in]
        args += [o for i, o in enumerate(outs) if i not in skip_out]
        args += [None if g is None else data_of(g) for g in gys]
        grads = self._backward_func(*args)
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        if len(grads) != len(xs):
            raise ValueError(f"py_func: backward_func returned {len(grads)} gradient(s) for "
                             f"{len(xs)} input(s); return None for an input without one")
        return tuple(None if g is None else np.array(g, dtype=data_of(x).dtype).reshape(
            shape_of(x)) for g, x in zip(grads, xs))


def _variables(argument, value):
    if value is None:
        return []
    values = [value] if isinstance(value, Variable) else value
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, Variable) for v in values):
        raise TypeError(f"py_func: {argument} must be a Variable, a list/tuple of Variables or "
                        f"None, got {type(value).__name__}")
    return list(values)


def py_func(func, x, out, backward_func=None, skip_vars_in_backward_input=None):
    """Run a Python function as an op.

    func:  called with the ndarrays of `x`; returns one array per `out` Variable (or None
           when out is None: a function run for its side effects, such as printing).
    x:     a Variable, a list/tuple of Variables, or None.
    out:   Variables created beforehand (e.g. with fluid.layers.zeros); after the call they hold
           func's results (cast to their dtypes) and are returned (as given: one or a list).
    backward_func: called with the arrays of x, then out, then out's gradients (None where an
           output got none), minus the Variables in skip_vars_in_backward_input; returns one
           gradient per x (None for no gradient). Without it, the outputs have no gradient.
    (Paddle 1.8.5 failed on py_func in dygraph mode; this follows its documentation.)

        y = fluid.layers.zeros([2, 3], "float32")
        y = fluid.layers.py_func(np.tanh, x, y, backward_func=lambda y, dy: dy * (1 - y * y),
                                 skip_vars_in_backward_input=x)
    """
    if not callable(func):
        raise TypeError(f"py_func: func must be callable, got {type(func).__name__}")
    if backward_func is not None and not callable(backward_func):
        raise TypeError(f"py_func: backward_func must be callable or None, got "
                        f"{type(backward_func).__name__}")
    inputs, outs = _variables("x", x), _variables("out", out)
    skip_in, skip_out = set(), set()
    if backward_func is not None and skip_vars_in_backward_input is not None:
        for v in _variables("skip_vars_in_backward_input", skip_vars_in_backward_input):
            found_in = [i for i, u in enumerate(inputs) if u is v]
            found_out = [i for i, u in enumerate(outs) if u is v]
            if not found_in and not found_out:
                raise ValueError(f"py_func: skip_vars_in_backward_input has '{v.name}', which is "
                                 "neither in x nor in out")
            skip_in.update(found_in)
            skip_out.update(found_out)
    if not outs:
        func(*[v.data for v in inputs])
        return out
    op = PyFunc(func, backward_func, [v.data.dtype for v in outs], (skip_in, skip_out))
    produced = op(*inputs) if inputs else None
    if produced is None:     # no input Variable: nothing to record
        produced = [Variable(a, stop_gradient=True) for a in op.forward()]
    # The results go into the caller's `out` Variables (Paddle's contract), which then stand for
    # the op's outputs on the tape.
    for target, result in zip(outs, produced):
        target.data = result.data
        target.stop_gradient = result.stop_gradient
        target.creator = result.creator
    if any(result.creator is not None for result in produced):
        op.outputs = tuple(weakref.ref(target) for target in outs)
    return out
