"""`Linear`: a fully connected layer, `act(x @ W + b)` with W of shape [input_dim, output_dim]."""
import numbers

from minigrad.core.checks import check_tensor
from minigrad.nn.layer import Layer
from minigrad.ops.activation import apply_act, check_act
from minigrad.ops.math import linear

__all__ = ["Linear"]


def check_positive_int(where, argument, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where}: {argument} must be a positive int, got {value!r}")
    return int(value)


class Linear(Layer):
    """Fully connected layer over the last dim: [..., input_dim] -> [..., output_dim].

    input_dim, output_dim: sizes of the last dim of input and output.
    param_attr, bias_attr:  ParamAttr (or shorthand) of weight [input_dim, output_dim] (default
                            Xavier-uniform) and bias [output_dim] (default zeros);
                            `bias_attr=False` means no bias.
    act:                    activation name applied to the output, or None.
    Raises ValueError for a non-positive size or an unknown act; at call time for an input whose
    last dim is not input_dim.

        fc = fluid.dygraph.Linear(784, 10, act="softmax")
        probs = fc(fluid.dygraph.to_variable(images.reshape(-1, 784)))
    """

    def __init__(self, input_dim, output_dim, param_attr=None, bias_attr=None, act=None,
                 dtype="float32"):
        super().__init__(dtype=dtype)
        self._input_dim = check_positive_int("Linear", "input_dim", input_dim)
        self._output_dim = check_positive_int("Linear", "output_dim", output_dim)
        self._act = check_act(act, "Linear")
        self.weight = self.create_parameter([self._input_dim, self._output_dim], attr=param_attr,
                                            dtype=self._dtype, is_bias=False)
        self.bias = self.create_parameter([self._output_dim], attr=bias_attr, dtype=self._dtype,
                                          is_bias=True)

    def forward(self, input):
        check_tensor("Linear", "input", input, dtypes="f")
        shape = input.shape
        if len(shape) == 0 or shape[-1] != self._input_dim:
            raise ValueError(f"Linear: input of shape {list(shape)} does not fit the layer; "
                             f"expected a last dim of input_dim={self._input_dim}")
        if input.dtype != self._dtype:
            raise TypeError(f"Linear: input has dtype {input.dtype} but the layer's parameters are "
                            f"{self._dtype}; cast the input (or build the layer with "
                            f"dtype='{input.dtype}')")
        return apply_act(linear(input, self.weight, self.bias), self._act)

    def extra_repr(self):
        act = f", act={self._act}" if self._act else ""
        return (f"input_dim={self._input_dim}, output_dim={self._output_dim}{act}, "
                f"dtype={self._dtype}")
