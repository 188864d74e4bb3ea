"""Finite-difference checks of first- and second-order gradients, shaped like PyTorch's.

`gradcheck` compares the vector-Jacobian product that backward computes for a random cotangent v
with central differences of <v, fn(x)>, for every floating-point input. Use float64 inputs: with
float32 the differences are too noisy for the default tolerances.
"""
import contextlib

import numpy as np

from minigrad.core import engine
from minigrad.core.tape import guard, in_dygraph_mode
from minigrad.core.variable import Variable

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` / `gradgradcheck` when analytic and numeric gradients disagree."""


def _dygraph():
    return contextlib.nullcontext() if in_dygraph_mode() else guard()


def _as_outputs(result):
    if isinstance(result, Variable):
        return [result]
    if isinstance(result, (list, tuple)) and all(isinstance(r, Variable) for r in result):
        return list(result)
    raise TypeError(f"gradcheck: fn must return a Variable or a tuple of Variables, got "
                    f"{type(result).__name__}")


def _copies(inputs):
    """Fresh float arrays for each input (the caller's arrays are never touched)."""
    arrays = []
    for i, value in enumerate(inputs):
        array = value.data if isinstance(value, Variable) else value
        if not isinstance(array, np.ndarray):
            array = np.asarray(array)
        arrays.append(np.array(array, copy=True))
    return arrays


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0,
              grad_outputs=None):
    """Check `fn`'s backward against central finite differences.

    fn:       called as `fn(*variables)`; returns a Variable or a tuple of Variables.
    inputs:   ndarrays or Variables; the floating-point ones are differentiated.
    returns:  True when every input passes; otherwise raises `GradcheckError` naming the input,
              the worst index and the analytic and numeric values (or returns False when
              `raise_exception=False`).

        minigrad.gradcheck(lambda x: fluid.layers.tanh(x), [np.random.rand(3, 4)])
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    arrays = _copies(inputs)
    differentiable = [a.dtype.kind == "f" for a in arrays]
    if not any(differentiable):
        raise ValueError("gradcheck: no floating-point input to differentiate")
    rng = np.random.default_rng(seed)
    with _dygraph():
        variables = [Variable(a, stop_gradient=not d) for a, d in zip(arrays, differentiable)]
        outputs = _as_outputs(fn(*variables))
        if grad_outputs is None:
            grad_outputs = [rng.standard_normal(o.data.shape).astype(o.data.dtype)
                            for o in outputs]
        wanted = [v for v, d in zip(variables, differentiable) if d]
        live = [(o, g) for o, g in zip(outputs, grad_outputs) if not o.stop_gradient]
        analytic = [None] * len(wanted)
        if live:
            analytic = engine.grad([o for o, _ in live], wanted, [g for _, g in live],
                                   allow_unused=True)
        analytic = [np.zeros_like(v.data) if g is None else g.data
                    for v, g in zip(wanted, analytic)]

        def objective():
            # Not under no_grad: fn may itself take gradients (gradgradcheck's first_order).
            outs = _as_outputs(fn(*variables))
            return sum(float(np.sum(o.data.astype(np.float64) * g))
                       for o, g in zip(outs, grad_outputs))

        position = 0
        for index, (variable, is_float) in enumerate(zip(variables, differentiable)):
            if not is_float:
                continue
            numeric = np.zeros(variable.data.shape, dtype=np.float64)
            flat = variable.data.reshape(-1)
            numeric_flat = numeric.reshape(-1)
            for k in range(flat.size):
                original = flat[k]
                flat[k] = original + eps
                plus = objective()
                flat[k] = original - eps
                minus = objective()
                flat[k] = original
                numeric_flat[k] = (plus - minus) / (2 * eps)
            got = analytic[position].astype(np.float64)
            position += 1
            error = np.abs(got - numeric)
            allowed = atol + rtol * np.abs(numeric)
            if np.any(error > allowed) or not np.all(np.isfinite(got)):
                worst = np.unravel_index(np.argmax(error - allowed), error.shape) if error.size \
                    else ()
                message = (f"gradcheck: input {index} (shape {list(numeric.shape)}, dtype "
                           f"{variable.data.dtype}): analytic and numeric gradients differ; worst "
                           f"at index {tuple(int(i) for i in worst)}: analytic {got[worst]!r}, "
                           f"numeric {numeric[worst]!r}, error {error[worst]:.3g} > allowed "
                           f"{allowed[worst]:.3g} (max abs error {error.max():.3g})")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0):
    """Check second-order gradients: `gradcheck` of x, v -> grad(fn(x), x, v, create_graph=True).

    The cotangent v is itself an input, so the mixed derivatives are checked too.

        minigrad.gradgradcheck(lambda x: x * x * x, [np.random.rand(3)])
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    arrays = _copies(inputs)
    differentiable = [a.dtype.kind == "f" for a in arrays]
    rng = np.random.default_rng(seed + 1)
    with _dygraph():
        probe = _as_outputs(fn(*[Variable(a, stop_gradient=not d)
                                 for a, d in zip(arrays, differentiable)]))
        if grad_outputs is None:
            grad_outputs = [rng.standard_normal(o.data.shape).astype(o.data.dtype)
                            for o in probe]
        count = len(arrays)

        def first_order(*args):
            xs, vs = args[:count], args[count:]
            outputs = _as_outputs(fn(*xs))
            wanted = [x for x, d in zip(xs, differentiable) if d]
            grads = engine.grad(outputs, wanted, list(vs), create_graph=True, allow_unused=True)
            return tuple(g for g in grads if g is not None and not g.stop_gradient)

        return gradcheck(first_order, list(arrays) + list(grad_outputs), eps=eps, atol=atol,
                         rtol=rtol, raise_exception=raise_exception, seed=seed + 2)
