"""`PRelu`: the parametric ReLU layer of Paddle 1.8's `fluid.dygraph` (x > 0 ? x : alpha * x).

The layer owns alpha and calls the `parametric_relu` kernel of `minigrad.ops.activation`.
"""
import numbers

from minigrad.core.checks import check_tensor, dtype_of, shape_of
from minigrad.initializer import Constant
from minigrad.nn.layer import Layer
from minigrad.ops.activation import PRELU_MODES, parametric_relu

__all__ = ["PRelu"]


class PRelu(Layer):
    """Parametric ReLU with a learnt alpha: out = x where x > 0, alpha * x elsewhere.

    mode:        'all' (one alpha, shape [1]), 'channel' (one per channel, [1, channel, 1, 1];
                 needs `channel`) or 'element' (one per element, [1] + input_shape[1:]; needs
                 `input_shape`).
    channel:     the number of channels C of an [N, C, ...] input, for mode='channel'.
    input_shape: the input's shape (its first entry, the batch, is not used), for 'element'.
    param_attr:  ParamAttr of alpha, named `prelu_<k>.w_0`; default initialiser Constant(1.0).
    dtype:       of alpha and of the inputs it accepts (1.8.5 makes alpha float32 whatever dtype
                 says; minigrad honours dtype).
    Raises ValueError for an unknown mode, a missing/invalid channel or input_shape; at call time
    for an input whose shape does not fit alpha, TypeError for an input of another dtype.

        prelu = fluid.dygraph.PRelu(mode="channel", channel=3)
        y = prelu(x)        # x [N, 3, H, W]
    """

    def __init__(self, mode, channel=None, input_shape=None, param_attr=None, dtype="float32"):
        super().__init__(name_scope="prelu", dtype=dtype)
        if mode not in PRELU_MODES:
            raise ValueError(f"PRelu: mode must be one of 'all', 'channel', 'element', "
                             f"got {mode!r}")
        if mode == "all":
            shape = [1]
        elif mode == "channel":
            if not isinstance(channel, numbers.Integral) or isinstance(channel, bool) \
                    or channel <= 0:
                raise ValueError(f"PRelu: mode='channel' needs channel, a positive int, got "
                                 f"{channel!r}")
            shape = [1, int(channel), 1, 1]
        else:
            if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2 or not all(
                    isinstance(n, numbers.Integral) and n > 0 for n in input_shape[1:]):
                raise ValueError(f"PRelu: mode='element' needs input_shape, a list of at least "
                                 f"2 sizes ([N, C, ...]), got {input_shape!r}")
            shape = [1] + [int(n) for n in input_shape[1:]]
        self._mode = mode
        self._alpha_shape = shape
        self.weight = self.create_parameter(shape, attr=param_attr, dtype=self._dtype,
                                            is_bias=False, default_initializer=Constant(1.0))

    def forward(self, input):
        check_tensor("PRelu", "input", input, dtypes="f")
        if dtype_of(input) != self._dtype:
            raise TypeError(f"PRelu: input has dtype {dtype_of(input)} but alpha is "
                            f"{self._dtype}; cast the input (or build the layer with "
                            f"dtype='{dtype_of(input)}')")
        shape = list(shape_of(input))
        if self._mode == "channel" and (len(shape) < 2 or shape[1] != self._alpha_shape[1]):
            raise ValueError(f"PRelu: input of shape {shape} does not fit mode='channel' with "
                             f"channel={self._alpha_shape[1]}; expected [N, "
                             f"{self._alpha_shape[1]}, ...]")
        if self._mode == "element" and shape[1:] != self._alpha_shape[1:]:
            raise ValueError(f"PRelu: input of shape {shape} does not fit mode='element' with "
                             f"input_shape [N] + {self._alpha_shape[1:]}")
        return parametric_relu(input, self.weight, self._mode)

    def extra_repr(self):
        return f"mode={self._mode}, alpha_shape={self._alpha_shape}, dtype={self._dtype}"
