"""Paddle's `fluid.dygraph` names (re-exports only)."""
from minigrad.core.tape import (  # noqa: F401
    guard, enable_dygraph, disable_dygraph, in_dygraph_mode, no_grad, enable_grad, current_tape,
    enabled, enable_imperative, disable_imperative, BackwardStrategy)
from minigrad.core.variable import Variable, Parameter, to_variable  # noqa: F401
from minigrad.core.engine import grad  # noqa: F401
from minigrad.dygraph import base  # noqa: F401
# -- Layer, containers and layers (nn/) --
from minigrad.dygraph import nn  # noqa: F401
from minigrad.dygraph.nn import (  # noqa: F401
    Layer, Sequential, LayerList, ParameterList, Linear, BatchNorm, Dropout, Embedding)
# -- conv and pool layers (nn/conv.py, nn/pool.py) --
from minigrad.dygraph.nn import Conv2D, Conv2DTranspose, Pool2D  # noqa: F401
# -- normalisation layers (nn/norm.py) --
from minigrad.dygraph.nn import LayerNorm, GroupNorm, InstanceNorm, SpectralNorm  # noqa: F401
# -- PRelu, BilinearTensorProduct, GRUUnit, NCE, TreeConv, the loss layers (nn/...) --
from minigrad.dygraph.nn import (  # noqa: F401
    PRelu, BilinearTensorProduct, GRUUnit, NCE, TreeConv, MSELoss, L1Loss, NLLLoss, BCELoss)
# -- save / load (io.py) --
from minigrad.io import save_dygraph, load_dygraph  # noqa: F401
# -- learning-rate schedules (optimizer/lr.py) --
from minigrad.optimizer.lr import (  # noqa: F401
    LearningRateDecay, PiecewiseDecay, ExponentialDecay, NaturalExpDecay, InverseTimeDecay,
    PolynomialDecay, CosineDecay, NoamDecay, LinearLrWarmup)
from minigrad.optimizer.lr_epoch import (  # noqa: F401
    ReduceLROnPlateau, StepDecay, MultiStepDecay, LambdaDecay)
from minigrad.dygraph import learning_rate_scheduler  # noqa: F401
# -- Paddle's module paths: fluid.dygraph.layers, .container, .checkpoint, .backward_strategy --
from minigrad.dygraph import layers, container, checkpoint, backward_strategy, jit  # noqa: F401,E402,E501
from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid.dygraph", "minigrad.dygraph")
