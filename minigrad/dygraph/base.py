"""Paddle's `fluid.dygraph.base`."""
from minigrad.core.tape import guard, enable_dygraph, disable_dygraph, in_dygraph_mode, no_grad  # noqa: F401,E501
from minigrad.core.variable import to_variable  # noqa: F401
