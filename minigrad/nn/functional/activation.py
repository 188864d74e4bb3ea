"""Paddle 1.8's `fluid.layers.prelu`: the activation that creates its own alpha parameter.

The kernel is `minigrad.ops.activation.parametric_relu`; this function makes alpha through a
LayerHelper, so in dygraph mode every call creates a fresh parameter (`prelu_0.w_0`, ...), as in
Paddle 1.8. Use a Layer holding the parameter to train alpha across steps.
"""
from minigrad.core.checks import check_tensor, dtype_of, shape_of
from minigrad.initializer import Constant
from minigrad.layer_helper import LayerHelper
from minigrad.ops.activation import PRELU_MODES, parametric_relu, prelu_alpha_shape

__all__ = ["prelu"]


def prelu(x, mode, param_attr=None, name=None):
    """max(0, x) + alpha * min(0, x) with a learnable alpha.

    x:          float Variable [N, C, ...] (any rank for mode='all').
    mode:       'all' (one alpha, shape [1]), 'channel' (one per channel, shape [1, C, 1, 1]
                whatever x's rank, as Paddle 1.8 stores it) or 'element' (one per element of a
                sample, shape [1] + x.shape[1:]).
    param_attr: ParamAttr of alpha; its default initializer is Constant(0.25).
    returns:    a Variable of x's shape and dtype. alpha has x's dtype (Paddle 1.8 always made a
                float32 alpha, so a float64 input failed there).
    Raises ValueError for an unknown mode or an input of rank < 2 with 'channel' / 'element'.

        y = fluid.layers.prelu(x, mode="channel", param_attr=fluid.ParamAttr(name="alpha"))
    """
    check_tensor("prelu", "x", x, dtypes="f")
    if mode not in PRELU_MODES:
        raise ValueError(f"prelu: mode must be one of 'all', 'channel', 'element', got {mode!r}")
    shape = prelu_alpha_shape(shape_of(x), mode)
    helper = LayerHelper("prelu", param_attr=param_attr, name=name)
    alpha = helper.create_parameter(attr=helper.param_attr, shape=shape, dtype=dtype_of(x),
                                    is_bias=False, default_initializer=Constant(0.25))
    return parametric_relu(x, alpha, mode)
