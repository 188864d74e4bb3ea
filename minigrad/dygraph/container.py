"""Paddle's `fluid.dygraph.container` module path."""
from minigrad.nn.container import Sequential, LayerList, ParameterList  # noqa: F401
