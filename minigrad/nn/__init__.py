"""Layers: the Layer base, containers and the layers built on minigrad's ops.

Paddle users reach these as `fluid.dygraph.*` / `fluid.dygraph.nn.*`; this package is where they
live. One module per family, each importing only `minigrad.nn.layer` and the ops it wraps.
"""
# -- Layer base, containers, Linear, BatchNorm, Dropout, Embedding (layers helper) --
from minigrad.nn.layer import Layer, HookRemoveHelper, StateDictError  # noqa: F401
from minigrad.nn.container import Sequential, LayerList, ParameterList  # noqa: F401
from minigrad.nn.linear import Linear  # noqa: F401
from minigrad.nn.norm import BatchNorm  # noqa: F401
from minigrad.nn.common import Dropout, Embedding  # noqa: F401
# -- conv and pool layers (nn/conv.py, nn/pool.py) --
from minigrad.nn.conv import Conv2D, Conv2DTranspose  # noqa: F401
from minigrad.nn.pool import Pool2D  # noqa: F401
