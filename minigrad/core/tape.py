"""Dygraph mode, grad mode and the tape that records ops.

`guard()` turns dygraph on for a block and installs a fresh `Tape`; every op whose output needs a
gradient is appended to the innermost tape with a rising sequence number. The tape holds its records
*weakly*: a forward pass that is never backwarded is freed as soon as its outputs are, so a long
loop inside one guard keeps memory flat. The graph itself is owned by the Variables (output ->
creator op -> inputs), exactly like the values it computes.
"""
import contextlib
import functools
import itertools
import weakref

from minigrad.core.allocator import keep_freed_memory

__all__ = ["Tape", "guard", "enable_dygraph", "disable_dygraph", "in_dygraph_mode", "no_grad",
           "enable_grad", "is_grad_enabled", "current_tape", "require_dygraph"]


class Tape:
    """The records (ops) made under one `guard()`, oldest first.

    Iterate it, index it or call `records()` to inspect the live, not yet released records; each has
    `.type`, `.seq`, `.inputs`, `.outputs()` and `.attrs()`.
    """

    def __init__(self):
        self._refs = []
        self._live_after_prune = 0

    def add(self, op):
        refs = self._refs
        refs.append(weakref.ref(op))
        # Amortised pruning keeps the list proportional to the live records, not to history.
        if len(refs) > 2 * self._live_after_prune + 64:
            self._refs = [r for r in refs if r() is not None]
            self._live_after_prune = len(self._refs)

    def records(self):
        """Live records that still hold their inputs (not yet released by a backward)."""
        ops = (r() for r in self._refs)
        return [op for op in ops if op is not None and not op.released]

    def __iter__(self):
        return iter(self.records())

    def __len__(self):
        return len(self.records())

    def __getitem__(self, index):
        return self.records()[index]

    def __repr__(self):
        records = self.records()
        lines = [f"Tape({len(records)} records)"]
        for op in records:
            lines.append("  " + op.describe())
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))

    def _repr_html_(self):
        from minigrad.viz import tape_html
        return tape_html(self)


class _State:
    """Process-wide mode flags; one object so every read is a single attribute lookup."""
    tapes = []            # innermost last; non-empty means dygraph mode is on
    grad_enabled = True
    differentiable_backward = False   # True while grad(create_graph=True) runs backwards


_state = _State()
_sequence = itertools.count()


def next_sequence():
    return next(_sequence)


def in_dygraph_mode():
    """True inside `guard()` or after `enable_dygraph()`."""
    return bool(_state.tapes)


def current_tape():
    """The innermost tape, or None outside dygraph mode."""
    return _state.tapes[-1] if _state.tapes else None


def require_dygraph(what):
    if not _state.tapes:
        raise RuntimeError(
            f"{what} needs dygraph mode: wrap the code in `with fluid.dygraph.guard():` "
            "(or call fluid.enable_dygraph() first)")


@contextlib.contextmanager
def guard(place=None):
    """Turn dygraph mode on for the block, with a fresh tape and parameter-name namespace.

    Nests. The previous mode is restored even when the block raises.

        with fluid.dygraph.guard() as tape:
            y = fluid.layers.relu(x)
    """
    from minigrad.core import naming
    keep_freed_memory()
    tape = Tape()
    _state.tapes.append(tape)
    with naming.fresh_namespace():
        try:
            yield tape
        finally:
            _state.tapes.remove(tape)


_global_tapes = []


def enable_dygraph(place=None):
    """Turn dygraph mode on until `disable_dygraph()`, like entering a guard that stays open."""
    keep_freed_memory()
    tape = Tape()
    _global_tapes.append(tape)
    _state.tapes.append(tape)


def disable_dygraph():
    """Undo the most recent `enable_dygraph()`; a no-op when none is active."""
    if _global_tapes:
        tape = _global_tapes.pop()
        if tape in _state.tapes:
            _state.tapes.remove(tape)


# Paddle 1.8's other spellings of the same switches.
enable_imperative = enable_dygraph
disable_imperative = disable_dygraph


def enabled():
    """True inside dygraph mode (`fluid.dygraph.enabled()`, the same as `in_dygraph_mode()`)."""
    return in_dygraph_mode()


class BackwardStrategy:
    """Paddle 1.8's `fluid.dygraph.BackwardStrategy`, passed as `loss.backward(strategy)`.

    `sort_sum_gradient=True` asked 1.8 to add a variable's gradients in a fixed order; minigrad
    always does (records are visited newest first from a heap), so the flag changes nothing.
    """

    def __init__(self):
        self.sort_sum_gradient = False

    def __repr__(self):
        return f"BackwardStrategy(sort_sum_gradient={self.sort_sum_gradient})"


class _GradMode:
    """Context manager *and* decorator that sets grad mode and restores it, even on error."""

    def __init__(self, enabled, func=None):
        self._enabled = enabled
        self._saved = []
        if func is not None:
            functools.update_wrapper(self, func)
        self._func = func

    def __enter__(self):
        self._saved.append(_state.grad_enabled)
        _state.grad_enabled = self._enabled
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self._saved.pop()
        return False

    def __call__(self, *args, **kwargs):
        if self._func is None:
            # Used as `@no_grad()`: decorate the given function.
            (func,) = args
            return _GradMode(self._enabled, func)
        with _GradMode(self._enabled):
            return self._func(*args, **kwargs)

    def __get__(self, instance, owner):
        # Decorated methods need binding like ordinary functions.
        if instance is None:
            return self
        return functools.partial(self.__call__, instance)


def no_grad(func=None):
    """Record nothing: outputs get `stop_gradient=True`.

    Use as `with fluid.dygraph.no_grad():`, as a bare decorator `@fluid.dygraph.no_grad`, or as
    `@fluid.dygraph.no_grad()`.
    """
    if callable(func):
        return _GradMode(False, func)
    return _GradMode(False)


def enable_grad(func=None):
    """The opposite of `no_grad`: record ops inside the block even within a `no_grad` block."""
    if callable(func):
        return _GradMode(True, func)
    return _GradMode(True)


def is_grad_enabled():
    return _state.grad_enabled
