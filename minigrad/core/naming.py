"""Paddle-style unique names (`linear_0.w_0`), one namespace per `guard()`."""
import collections
import contextlib


class Namespace(collections.Counter):
    """Counts names by prefix; `prefix` is put before every name (Paddle's UniqueNameGenerator)."""

    def __init__(self, prefix=None):
        super().__init__()
        self.prefix = prefix or ""


_namespaces = [Namespace()]


def unique_name(prefix):
    """`prefix_0`, `prefix_1`, ... counted within the current namespace."""
    counter = _namespaces[-1]
    index = counter[prefix]
    counter[prefix] += 1
    return f"{counter.prefix}{prefix}_{index}"


@contextlib.contextmanager
def fresh_namespace(prefix=None):
    _namespaces.append(Namespace(prefix))
    try:
        yield
    finally:
        _namespaces.pop()


def switch_namespace(namespace=None):
    """Replace the current namespace (a fresh one when None) and return the one replaced."""
    old = _namespaces[-1]
    _namespaces[-1] = namespace if namespace is not None else Namespace()
    return old
