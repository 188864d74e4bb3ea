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

__version__ = "0.1.0"
