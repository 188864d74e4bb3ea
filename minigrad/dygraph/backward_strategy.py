"""Paddle's `fluid.dygraph.backward_strategy` module path."""
from minigrad.core.tape import BackwardStrategy  # noqa: F401
