"""Paddle's `fluid.unique_name`: `generate(key)` and `guard()` over minigrad's name counters.

    with fluid.unique_name.guard():      # names restart: a second model gets linear_0.w_0 again
        model = MyModel()
"""
import contextlib

from minigrad.core import naming

__all__ = ["generate", "guard", "switch"]


def generate(key):
    """`key_0`, `key_1`, ... within the current namespace (the innermost guard)."""
    if not isinstance(key, str):
        raise TypeError(f"unique_name.generate: key must be a str, got {type(key).__name__}")
    return naming.unique_name(key)


@contextlib.contextmanager
def guard(new_generator=None):
    """A fresh namespace for the block (Paddle's `new_generator` prefix is accepted: a str is
    put before every name generated inside, as 1.8 does)."""
    if new_generator is not None and not isinstance(new_generator, (str, bytes)):
        raise TypeError("unique_name.guard: new_generator must be None or a str prefix, got "
                        f"{type(new_generator).__name__}")
    with naming.fresh_namespace(prefix=new_generator.decode() if isinstance(new_generator, bytes)
                                else new_generator):
        yield


def switch(new_generator=None):
    """Make `new_generator` (one `switch` returned, or None for a fresh one) the current
    namespace and return the previous one, so `switch(old)` restores it."""
    if new_generator is not None and not isinstance(new_generator, naming.Namespace):
        raise TypeError("unique_name.switch: new_generator must be None or what switch returned, "
                        f"got {type(new_generator).__name__}")
    return naming.switch_namespace(new_generator)
