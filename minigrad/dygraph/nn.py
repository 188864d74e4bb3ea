"""Paddle's `fluid.dygraph.nn`: the layer classes (re-exports only)."""
# -- Layer base, containers, Linear, BatchNorm, Dropout, Embedding (nn/layer.py, container.py,
#    linear.py, norm.py, common.py) --
from minigrad.nn.layer import Layer  # noqa: F401
from minigrad.nn.container import Sequential, LayerList, ParameterList  # noqa: F401
from minigrad.nn.linear import Linear  # noqa: F401
from minigrad.nn.norm import BatchNorm  # noqa: F401
from minigrad.nn.common import Dropout, Embedding  # noqa: F401
# -- conv and pool layers (nn/conv.py, nn/pool.py) --
from minigrad.nn.conv import Conv2D, Conv2DTranspose  # noqa: F401
from minigrad.nn.pool import Pool2D  # noqa: F401
# -- normalisation layers: LayerNorm, GroupNorm, InstanceNorm, SpectralNorm --
from minigrad.nn.norm import LayerNorm, GroupNorm, InstanceNorm, SpectralNorm  # noqa: F401

# -- PRelu, BilinearTensorProduct, GRUUnit, NCE, TreeConv and the loss layers --
from minigrad.nn.activation import PRelu  # noqa: F401
from minigrad.nn.linear import BilinearTensorProduct  # noqa: F401
from minigrad.nn.rnn import GRUUnit  # noqa: F401
from minigrad.nn.sampled import NCE  # noqa: F401
from minigrad.nn.loss import MSELoss, L1Loss, BCELoss, NLLLoss  # noqa: F401
from minigrad.nn.tree_conv import TreeConv  # noqa: F401

# -- end of the layer sections --

from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid.dygraph", "minigrad.dygraph.nn")
