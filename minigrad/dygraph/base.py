"""Paddle's `fluid.dygraph.base`."""
from minigrad.core.tape import (  # noqa: F401
    guard, enable_dygraph, disable_dygraph, in_dygraph_mode, no_grad, enabled, enable_imperative,
    disable_imperative)
from minigrad.core.variable import to_variable  # noqa: F401
