"""Paddle's `fluid.data_feeder` module path: `convert_dtype` (DataFeeder itself is static-graph
machinery; `fluid.DataFeeder` says so)."""
from minigrad.core.dtypes import convert_dtype  # noqa: F401
from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid", "minigrad.data_feeder")
