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
from minigrad.param_attr import ParamAttr  # noqa: F401
from minigrad.nn.layer import Layer  # noqa: F401
from minigrad.random import seed  # noqa: F401
from minigrad import io  # noqa: F401
from minigrad.io import save_dygraph, load_dygraph  # noqa: F401
from minigrad.framework import (  # noqa: F401
    CPUPlace, CUDAPlace, CUDAPinnedPlace, is_compiled_with_cuda, default_main_program,
    default_startup_program)

# -- the input pipeline: `paddle.batch` (minigrad/data/) --
from minigrad.data import batch  # noqa: F401

# -- end of the input pipeline --

__version__ = "0.1.0"
