"""Paddle's `fluid.layer_helper.LayerHelper`, as far as dygraph programs use it.

Paddle's functional layers that own parameters (`fluid.layers.fc`, `prelu`, `layer_norm`...) and
hand-written layers in 1.x programs create their parameters through a LayerHelper:

    helper = LayerHelper("fc", param_attr=param_attr, bias_attr=bias_attr, act=act)
    w = helper.create_parameter(attr=helper.param_attr, shape=[4, 3], dtype="float32")
    out = helper.append_activation(fluid.layers.matmul(x, w))

In dygraph mode every call creates fresh parameters (named `fc_0.w_0`, `fc_1.w_0`, ...), as in
Paddle 1.8: a functional layer called twice has two sets of weights. Use the Layer classes to
train parameters across steps.
"""
from minigrad.core import naming
from minigrad.core.checks import shape_of
from minigrad.nn.layer import new_parameter
from minigrad.nn.weight_norm import WeightNorm
from minigrad.param_attr import ParamAttr

__all__ = ["LayerHelper"]


class LayerHelper:
    """Parameter creation, bias and activation for a functional layer named `layer_type`.

    kwargs are the layer's own arguments; `param_attr`, `bias_attr`, `act` and `name` are read.
    """

    def __init__(self, layer_type, **kwargs):
        self.layer_type = layer_type
        self.kwargs = kwargs
        if kwargs.get("name") is None:
            self.kwargs["name"] = naming.unique_name(layer_type)

    @property
    def name(self):
        return self.kwargs["name"]

    @property
    def param_attr(self):
        return ParamAttr._to_attr(self.kwargs.get("param_attr"))

    @property
    def bias_attr(self):
        return ParamAttr._to_attr(self.kwargs.get("bias_attr"))

    def input_dtype(self, input_param_name="input"):
        """The dtype of the layer's input argument (all inputs must agree)."""
        inputs = self.kwargs.get(input_param_name)
        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        dtypes = {getattr(v, "dtype", None) for v in inputs}
        if len(dtypes) != 1 or None in dtypes:
            raise ValueError(f"{self.layer_type}: inputs of '{input_param_name}' must share one "
                             f"dtype, got {sorted(str(d) for d in dtypes)}")
        return dtypes.pop()

    def create_parameter(self, attr, shape, dtype="float32", is_bias=False,
                         default_initializer=None, stop_gradient=False, type=None):
        """A new Parameter named `<name>.w_<k>` (`.b_<k>` for a bias); None when attr is False."""
        parameter = new_parameter(f"{self.layer_type}", self.name, shape, attr,
                                  "float32" if dtype is None else dtype, is_bias,
                                  default_initializer)
        if isinstance(parameter, WeightNorm):
            return parameter.weight()      # a functional layer uses it once: g * v / ||v||
        if parameter is not None and stop_gradient:
            parameter.stop_gradient = True
        return parameter

    def append_bias_op(self, input_var, dim_start=1, dim_end=None):
        """`input_var` plus a bias over its dims [dim_start, dim_end), from `bias_attr`."""
        shape = shape_of(input_var)[dim_start:dim_end]
        bias = self.create_parameter(self.bias_attr, list(shape), input_var.dtype, is_bias=True)
        if bias is None:
            return input_var
        from minigrad.ops.math import elementwise_add
        return elementwise_add(input_var, bias, axis=dim_start)

    def append_activation(self, input_var, act=None):
        """`input_var` through the layer's `act` (a name such as "relu"), or unchanged."""
        act = self.kwargs.get("act") if act is None else act
        if act is None:
            return input_var
        if isinstance(act, dict):     # Paddle also accepts {"type": "relu", ...attrs}
            act = act.get("type")
        from minigrad.ops.activation import apply_act
        return apply_act(input_var, act)
