"""Paddle's `fluid.dygraph.layers` module path (`from paddle.fluid.dygraph.layers import Layer`)."""
from minigrad.nn.layer import Layer  # noqa: F401
