"""Reverse-mode replay of the tape: `backward` and `grad`.

The records reachable from the roots are visited newest first, from a heap keyed on the sequence
number each record got when it was made. A record's number is larger than that of every record
that made its inputs, so by the time a record is popped all of its outputs' cotangents are
complete. No recursion: a graph 10,000 ops deep is a loop of 10,000 iterations.
"""
import heapq

import numpy as np

from minigrad.core.tape import _state, require_dygraph
from minigrad.core.variable import Variable
from minigrad.ops.math import cast

__all__ = ["backward", "grad"]


def backward(loss, retain_graph=False):
    """Accumulate gradients of `loss` (seeded with ones) into every Variable it reaches."""
    require_dygraph("backward()")
    if loss.stop_gradient:
        return
    seed = np.ones_like(loss.data)
    _run([loss], [seed], retain_graph=retain_graph, create_graph=False, wanted=None, stop=None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=False, no_grad_vars=None):
    """Gradients of `outputs` with respect to `inputs`, returned as a list (nothing accumulated).

    `grad_outputs` defaults to ones. With `create_graph=True` the gradients are Variables on the
    tape and can be differentiated again (gradient penalties); the graph is then retained unless
    `retain_graph=False`. An input that the outputs do not reach is an error unless
    `allow_unused=True`, which returns None for it. `no_grad_vars` are treated as constants.

        (dx,) = fluid.dygraph.grad(y, [x], create_graph=True)
    """
    require_dygraph("fluid.dygraph.grad()")
    outputs = _as_list(outputs, "outputs")
    inputs = _as_list(inputs, "inputs")
    for argument, values in (("outputs", outputs), ("inputs", inputs)):
        if not values:
            raise ValueError(f"grad: {argument} cannot be empty; expected a Variable or a list "
                             "of Variables")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        if not isinstance(grad_outputs, (list, tuple)):
            grad_outputs = [grad_outputs]
        grad_outputs = list(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise ValueError(f"grad: grad_outputs has {len(grad_outputs)} entries but outputs "
                             f"has {len(outputs)}; expected one per output")
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            g = np.ones_like(out.data)
        else:
            if not isinstance(g, Variable):
                g = np.asarray(g, dtype=out.data.dtype)
            elif not create_graph:
                g = g.data
            if tuple(g.shape) != out.data.shape:
                raise ValueError(f"grad: grad_outputs entry has shape {list(g.shape)}; expected "
                                 f"the output's shape {out.shape}")
        seeds.append(g)
    if retain_graph is None:
        retain_graph = create_graph
    stop = None
    if no_grad_vars is not None:
        stop = {id(v) for v in _as_list(no_grad_vars, "no_grad_vars")}
    wanted = {id(v): None for v in inputs}
    _run(outputs, seeds, retain_graph=retain_graph, create_graph=create_graph, wanted=wanted,
         stop=stop)
    results = []
    for v in inputs:
        g = wanted[id(v)]
        if g is None and not allow_unused:
            why = (" (it has stop_gradient=True, so no gradient flows to it)"
                   if v.stop_gradient else "")
            raise ValueError(f"grad: input '{v.name}' is not reached from the outputs{why}; "
                             "pass allow_unused=True to get None for it")
        if g is not None and not isinstance(g, Variable):
            g = Variable(g, stop_gradient=True)
        results.append(g)
    return results


def _as_list(value, argument):
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if not isinstance(v, Variable):
            raise TypeError(f"grad: {argument} must be Variables, got {type(v).__name__}")
    return values


def _records_leading_to(roots, wanted, stop):
    """Sequence numbers of the records on some path from `roots` back to a wanted input.

    `grad()` visits only these, so asking for d(critic)/d(x_hat) does not also push gradients into
    whatever produced x_hat (a generator, say). Released records are kept in the set so that
    reaching one still raises the retain_graph error instead of silently returning nothing.
    """
    reachable = {}
    stack = [root.creator for root in roots if root.creator is not None]
    while stack:
        op = stack.pop()
        if op.seq in reachable:
            continue
        reachable[op.seq] = op
        for arg in op.inputs:
            if isinstance(arg, Variable) and arg.creator is not None \
                    and arg.creator.seq not in reachable:
                stack.append(arg.creator)
    useful = set()
    for seq in sorted(reachable):
        op = reachable[seq]
        if op.released:
            useful.add(seq)
            continue
        for arg in op.inputs:
            if not isinstance(arg, Variable) or arg.stop_gradient:
                continue
            if stop is not None and id(arg) in stop:
                continue
            if id(arg) in wanted or (arg.creator is not None and arg.creator.seq in useful):
                useful.add(seq)
                break
    return useful


def _run(roots, seeds, retain_graph, create_graph, wanted, stop):
    """Propagate `seeds` from `roots` back through the reachable records.

    `wanted` is None for `backward()` (accumulate into every reached Variable's `.grad`) or a
    dict {id(input): None} that `grad()` fills instead, leaving `.grad` untouched.
    """
    # Per pending record: its outputs (held strongly until the record is processed, since
    # releasing a later record may drop the last other reference) and their running cotangents.
    pending = {}
    heap = []
    useful = None if wanted is None else _records_leading_to(roots, wanted, stop)

    def accumulate(var, g):
        key = id(var)
        if stop is not None and key in stop:
            return
        if wanted is not None and key in wanted:
            wanted[key] = g if wanted[key] is None else wanted[key] + g
        op = var.creator
        if op is None:
            if wanted is None:
                var.grad = g if var.grad is None else var.grad + g
            return
        if useful is not None and op.seq not in useful:
            return
        entry = pending.get(op.seq)
        if entry is None:
            if op.released:
                raise RuntimeError(
                    f"backward reached '{op.type}' (record #{op.seq}) whose saved values were "
                    "already freed by an earlier backward; call the first backward with "
                    "retain_graph=True to backward through the same graph twice")
            entry = pending[op.seq] = ([None] * len(op.outputs), [None] * len(op.outputs))
            heapq.heappush(heap, (-op.seq, op))
        index = 0
        if len(op.outputs) > 1:
            index = next(i for i, ref in enumerate(op.outputs) if ref() is var)
        variables, grads = entry
        variables[index] = var
        grads[index] = g if grads[index] is None else grads[index] + g

    saved_mode = (_state.grad_enabled, _state.differentiable_backward)
    _state.grad_enabled = create_graph
    _state.differentiable_backward = create_graph
    try:
        for root, seed in zip(roots, seeds):
            if root.stop_gradient and wanted is None:
                continue
            if create_graph and not isinstance(seed, Variable):
                seed = Variable(seed, stop_gradient=True)
            accumulate(root, seed)
        while heap:
            _, op = heapq.heappop(heap)
            variables, gys = pending.pop(op.seq)
            if wanted is None:
                for var, g in zip(variables, gys):
                    if g is not None:
                        var.grad = g if var.grad is None else var.grad + g
            gys = tuple(gys) if op.multiple_outputs else gys[0]
            xs = op.inputs if create_graph else op.xs
            gxs = op.backward(gys, *xs)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for arg, g in zip(op.inputs, gxs):
                if g is None or not isinstance(arg, Variable) or arg.stop_gradient:
                    continue
                data = arg.data
                g_array = g.data if isinstance(g, Variable) else g
                if g_array.shape != data.shape:
                    raise AssertionError(f"{op.type}.backward gave a gradient of shape "
                                         f"{list(g_array.shape)} for an input of shape {arg.shape}")
                if g_array.dtype != data.dtype:
                    # Mixed-precision inputs: the gradient takes the input's dtype, as in PyTorch.
                    g = cast(g, data.dtype)
                accumulate(arg, g)
            if not retain_graph:
                op.release()
    finally:
        _state.grad_enabled, _state.differentiable_backward = saved_mode
