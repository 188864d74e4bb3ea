"""minigrad: a small, fast, readable autograd on numpy with PaddlePaddle 1.x dygraph's API.

    import minigrad as fluid
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.ones((2, 3), "float32"))
"""
from minigrad import dygraph, layers  # noqa: F401
from minigrad.core.tape import enable_dygraph, disable_dygraph, in_dygraph_mode  # noqa: F401
from minigrad.core.variable import Variable  # noqa: F401
from minigrad.gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: F401
# -- training stack: Layer, ParamAttr, initializer, regularizer, optimizer, clip --
from minigrad import optimizer, clip, regularizer  # noqa: F401
from minigrad import initializer, param_attr, nn  # noqa: F401
from minigrad.param_attr import ParamAttr, WeightNormParamAttr  # noqa: F401
from minigrad.nn.layer import Layer  # noqa: F401
from minigrad.random import seed  # noqa: F401
from minigrad import io  # noqa: F401
from minigrad.io import save_dygraph, load_dygraph  # noqa: F401
from minigrad.framework import (  # noqa: F401
    CPUPlace, CUDAPlace, CUDAPinnedPlace, is_compiled_with_cuda, default_main_program,
    default_startup_program, cpu_places, cuda_places, cuda_pinned_places, device_guard,
    name_scope, require_version, set_flags, get_flags)
from minigrad import framework, layer_helper, unique_name, core, data_feeder  # noqa: F401
from minigrad.core.tape import enable_imperative, disable_imperative  # noqa: F401
# Paddle 1.8's fluid/__init__ re-exports the dygraph layers (`fluid.Linear`, `fluid.Conv2D`...).
from minigrad.dygraph.nn import (  # noqa: F401
    Linear, BatchNorm, Dropout, Embedding, Conv2D, Conv2DTranspose, Pool2D, LayerNorm, GroupNorm,
    InstanceNorm, SpectralNorm, PRelu, BilinearTensorProduct, GRUUnit, NCE, TreeConv, MSELoss,
    L1Loss, NLLLoss, BCELoss)
from minigrad.ops.indexing import one_hot_v2 as one_hot  # noqa: F401  (fluid.one_hot)
from minigrad.nn.functional.common import embedding_v2 as embedding  # noqa: F401  (fluid.embedding)

# -- the input pipeline: `paddle.batch` (minigrad/reader/) --
from minigrad.reader import batch  # noqa: F401

# -- end of the input pipeline --

__version__ = "0.1.0"

from minigrad import unsupported as _unsupported  # noqa: E402

# fluid.Executor, fluid.LoDTensor, fluid.LayerNorm...: a DygraphOnlyError saying why and what
# to use instead.
__getattr__ = _unsupported.module_getattr(("fluid", "fluid.dygraph"), "minigrad")
