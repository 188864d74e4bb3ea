"""Paddle's `fluid.dygraph.jit`: tracing and dygraph-to-static conversion, which minigrad (dygraph
only) does not do; each name raises DygraphOnlyError saying so."""
from minigrad import unsupported as _unsupported

__getattr__ = _unsupported.module_getattr("fluid.dygraph.jit", "minigrad.dygraph.jit")
