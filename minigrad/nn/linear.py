"""`Linear`: a fully connected layer, `act(x @ W + b)` with W of shape [input_dim, output_dim];
`BilinearTensorProduct`: `act(x W_i yᵀ + b_i)` for each output i, W of shape
[output_dim, input1_dim, input2_dim]."""
import numbers

from minigrad.core.checks import check_tensor, shape_of
from minigrad.nn.common import check_row_inputs
from minigrad.nn.layer import Layer
from minigrad.ops.activation import apply_act, check_act
from minigrad.ops.math import linear, matmul, reduce_sum
from minigrad.ops.shape import reshape, transpose, unsqueeze

__all__ = ["Linear", "BilinearTensorProduct"]


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


class BilinearTensorProduct(Layer):
    """Bilinear form of two inputs: out[b, i] = act(x[b] · W[i] · y[b]ᵀ + bias[i]).

    input1_dim, input2_dim: sizes M and N of x [batch, M] and y [batch, N].
    output_dim:             the number of outputs (W's first dim).
    name:                   accepted as in 1.8 (it only names the output variable there).
    param_attr, bias_attr:  ParamAttr of the weight [output_dim, M, N] (default Xavier-uniform)
                            and bias [1, output_dim] (default zeros; False: no bias).
    act:                    activation name applied to the output, or None.
    Returns [batch, output_dim]. Raises ValueError for a non-positive size or an unknown act;
    at call time for inputs that are not 2-D, whose widths are not M and N or whose batch sizes
    differ, TypeError for inputs of another dtype than the layer's.

        btp = fluid.dygraph.BilinearTensorProduct(5, 4, 1000)
        out = btp(x, y)     # x [B, 5], y [B, 4] -> [B, 1000]
    """

    def __init__(self, input1_dim, input2_dim, output_dim, name=None, act=None, param_attr=None,
                 bias_attr=None, dtype="float32"):
        super().__init__(dtype=dtype)
        where = "BilinearTensorProduct"
        self._input1_dim = check_positive_int(where, "input1_dim", input1_dim)
        self._input2_dim = check_positive_int(where, "input2_dim", input2_dim)
        self._output_dim = check_positive_int(where, "output_dim", output_dim)
        self._act = check_act(act, where)
        self._name = name
        self.weight = self.create_parameter(
            [self._output_dim, self._input1_dim, self._input2_dim], attr=param_attr,
            dtype=self._dtype, is_bias=False)
        self.bias = self.create_parameter([1, self._output_dim], attr=bias_attr,
                                          dtype=self._dtype, is_bias=True)

    def forward(self, x, y):
        where = "BilinearTensorProduct"
        check_row_inputs(where, self._dtype, (("x", x, self._input1_dim),
                                              ("y", y, self._input2_dim)))
        batch, m, n, size = shape_of(x)[0], self._input1_dim, self._input2_dim, self._output_dim
        # x [B, M] @ W as [M, size * N] -> [B, size, N]; then contract N with y.
        w = reshape(transpose(self.weight, [1, 0, 2]), [m, size * n])
        out = reduce_sum(reshape(matmul(x, w), [batch, size, n]) * unsqueeze(y, [1]), dim=2)
        if self.bias is not None:
            out = out + self.bias
        return apply_act(out, self._act)

    def extra_repr(self):
        act = f", act={self._act}" if self._act else ""
        return (f"input1_dim={self._input1_dim}, input2_dim={self._input2_dim}, "
                f"output_dim={self._output_dim}{act}, dtype={self._dtype}")
