"""`report(name, value)`: how a differential program tells the harness what it computed.

A program under tests/differential/programs/ runs unchanged under real Paddle 1.8.5 and under
minigrad (through the `paddle` shim). It records results with

    from diffreport import report, catch
    report("out", out)                 # a Variable: dtype, shape, values, stop_gradient
    report("grad", w.gradient())       # an ndarray or None
    report_op("softmax", fluid.layers.softmax, x_np)   # output and input gradients
    with catch("wrong_dim"):           # the exception's type and message, or "no error"
        linear(bad_input)

Values are made plain JSON here, the same way under both frameworks, so the harness compares
data rather than objects:
    Variable  -> {"kind": "variable", "dtype", "shape", "values", "stop_gradient"}
    ndarray   -> {"kind": "ndarray", "dtype", "shape", "values"}
    numpy scalar -> {"kind": "scalar", "dtype", "value"}
    exception -> {"kind": "error", "type", "message"}; `catch` without one -> {"kind": "no_error"}
    bool / int / float / str / None -> {"kind": "bool" | "int" | "float" | "str" | "none", "value"}
    list / tuple / dict -> {"kind": "list" | "tuple" | "dict", "items"}   (dict items: [key, value])
    a class   -> {"kind": "class", "name"}
A Variable is recognised by its methods (`numpy`, `gradient`) so the module imports neither
framework. The runner (runner.py) collects one program's reports at a time; a program run on its
own writes them as JSON to the file named by MINIGRAD_DIFF_REPORT (or prints them) at exit.
"""
import atexit
import json
import os
import sys

import numpy as np

__all__ = ["report", "catch", "report_op", "encode", "start", "finish"]

_current = None        # {"reports": {name: encoded}} of the program being run


def start():
    """Begin collecting a new program's reports (the runner calls this before each program)."""
    global _current
    _current = {}
    return _current


def finish():
    """Stop collecting and return {name: encoded value} in the order reported."""
    global _current
    reports, _current = _current, None
    return reports


def _dtype_name(dtype):
    return np.dtype(dtype).name


def _array(array, kind):
    array = np.asarray(array)
    return {"kind": kind, "dtype": _dtype_name(array.dtype), "shape": list(array.shape),
            "values": array.tolist()}


def _is_variable(value):
    return (not isinstance(value, np.ndarray) and callable(getattr(value, "numpy", None))
            and callable(getattr(value, "gradient", None)))


def _message(error):
    # Paddle's C++ errors open with call stacks; what the user reads comes after this marker.
    text = str(error)
    marker = "Error Message Summary:"
    if marker in text:
        text = text.split(marker, 1)[1].strip("-\n ")
    return text[:2000]


def encode(value):
    """`value` as plain JSON data (see the module docstring)."""
    if _is_variable(value):
        encoded = _array(value.numpy(), "variable")
        encoded["stop_gradient"] = bool(value.stop_gradient)
        return encoded
    if isinstance(value, np.ndarray):
        return _array(value, "ndarray")
    if isinstance(value, np.generic):
        return {"kind": "scalar", "dtype": _dtype_name(value.dtype), "value": value.item()}
    if isinstance(value, BaseException):
        return {"kind": "error", "type": type(value).__name__, "message": _message(value)}
    if value is None:
        return {"kind": "none", "value": None}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, int):
        return {"kind": "int", "value": value}
    if isinstance(value, float):
        return {"kind": "float", "value": value}
    if isinstance(value, str):
        return {"kind": "str", "value": value}
    if isinstance(value, (list, tuple)):
        return {"kind": type(value).__name__ if type(value) in (list, tuple) else "list",
                "items": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"kind": "dict", "items": [[str(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, type):
        return {"kind": "class", "name": value.__name__}
    raise TypeError(f"report: cannot encode a {type(value).__name__} ({value!r}); report a "
                    "Variable, ndarray, number, str, None, exception, list, tuple or dict")


def _record(name, encoded):
    global _current
    if _current is None:            # run on its own, not by the runner
        _current = {}
        atexit.register(_write_standalone)
    if name in _current:
        raise KeyError(f"report: {name!r} was already reported by this program")
    _current[name] = encoded


def report(name, value):
    """Record `value` under `name` (unique within the program); returns `value`."""
    _record(name, encode(value))
    return value


class catch:
    """`with catch(name): ...` reports the exception the block raises, or that it raised none.

    The exception is swallowed so the program goes on to its next check.
    """

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None:
            _record(self.name, {"kind": "no_error"})
            return False
        if not issubclass(kind, Exception):
            return False
        report(self.name, error)
        return True


def report_op(name, function, *arrays, **options):
    """Report `function(*inputs)` and the gradients of its inputs as `name`, `name.grad0`, ...

    Each ndarray in `arrays` becomes a Variable with stop_gradient=False (other values are passed
    as they are); the output (or each floating-point output of a list) is weighted by a fixed
    pseudo-random cotangent, summed and differentiated. `options` go to `function` as keywords;
    `grad=False` reports the output only. An exception is reported under `name` instead of
    stopping the program, so one missing function costs one key.
    """
    import paddle.fluid as fluid           # Paddle 1.8.5, or minigrad through the shim
    want_grad = options.pop("grad", True)
    try:
        inputs = []
        for array in arrays:
            if isinstance(array, np.ndarray):
                variable = fluid.dygraph.to_variable(array)
                variable.stop_gradient = not (want_grad and array.dtype.kind == "f")
                inputs.append(variable)
            else:
                inputs.append(array)
        out = function(*inputs, **options)
        report(name, out)
        if not want_grad:
            return out
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        rng = np.random.RandomState(len(name))
        terms = []
        for item in outs:
            if item.stop_gradient or item.numpy().dtype.kind != "f":
                continue        # integer and boolean outputs carry no gradient
            cotangent = rng.uniform(0.5, 1.5, item.shape).astype(item.numpy().dtype)
            terms.append(fluid.layers.reduce_sum(item * fluid.dygraph.to_variable(cotangent)))
        if terms:
            loss = terms[0]
            for term in terms[1:]:
                loss = loss + term
            loss.backward()
        for index, variable in enumerate(inputs):
            if _is_variable(variable) and not variable.stop_gradient:
                report(f"{name}.grad{index}", variable.gradient())
        return out
    except Exception as error:          # noqa: BLE001 - reported; the program goes on
        if _current is not None and name not in _current:
            report(name, error)
        else:
            report(name + ".error", error)
        return None


def _write_standalone():
    reports = finish() or {}
    path = os.environ.get("MINIGRAD_DIFF_REPORT")
    if path:
        with open(path, "w") as stream:
            json.dump(reports, stream, indent=1)
    else:
        json.dump(reports, sys.stdout, indent=1)
        sys.stdout.write("\n")
