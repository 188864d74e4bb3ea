"""Paddle's `fluid.dygraph.checkpoint` module path."""
from minigrad.io import save_dygraph, load_dygraph  # noqa: F401
