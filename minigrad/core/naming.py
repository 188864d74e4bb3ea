"""Paddle-style unique names (`linear_0.w_0`), one namespace per `guard()`."""
import collections
import contextlib

_namespaces = [collections.Counter()]


def unique_name(prefix):
    """`prefix_0`, `prefix_1`, ... counted within the current namespace."""
    counter = _namespaces[-1]
    index = counter[prefix]
    counter[prefix] += 1
    return f"{prefix}_{index}"


@contextlib.contextmanager
def fresh_namespace():
    _namespaces.append(collections.Counter())
    try:
        yield
    finally:
        _namespaces.pop()
