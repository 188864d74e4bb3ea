"""`GRUUnit`: one GRU step of Paddle 1.8's `fluid.dygraph`, with Paddle's fused gate layout.

The layer owns the weight [D, 3D] and bias [1, 3D] and runs the math of `fluid.layers.gru_unit`
(`minigrad.nn.functional.rnn.gru_unit_step`), a composition of minigrad ops.
"""
import numbers

from minigrad.nn.functional.rnn import _gru_activation, gru_unit_step
from minigrad.nn.common import check_row_inputs
from minigrad.nn.layer import Layer

__all__ = ["GRUUnit"]


class GRUUnit(Layer):
    """One GRU step on an input already projected to the three gates.

    size:        3D, three times the hidden size D (1.8 takes size // 3 as D).
    param_attr:  ParamAttr of the weight [D, 3D] (default Xavier-uniform): as one flat buffer,
                 W_uh|W_rh ([D, 2D]) followed by W_ch ([D, D]).
    bias_attr:   ParamAttr of the bias [1, 3D] (default zeros; False: no bias).
    activation, gate_activation: "identity", "sigmoid", "tanh" or "relu" (defaults tanh, sigmoid).
    origin_mode: False: h_t = u * c + (1 - u) * h_{t-1}; True (the GRU paper's form):
                 h_t = u * h_{t-1} + (1 - u) * c. (1.8.5's dygraph ignores origin_mode and
                 always uses False's formula; minigrad follows the docs.)
    Called as `gru(input, hidden)` with input [N, 3D] (x_t times W_ux|W_rx|W_cx) and hidden
    h_{t-1} [N, D], where
        u = act_g(input_u + h W_uh + b_u), r = act_g(input_r + h W_rh + b_r),
        c = act_c(input_c + (r * h) W_ch + b_c).
    Returns (hidden h_t [N, D], reset_hidden_pre r * h_{t-1} [N, D], gate [N, 3D] = u|r|c).
    Raises ValueError for a size that is not a positive multiple of 3 or an unknown activation;
    at call time for shapes that do not fit, TypeError for inputs of another dtype.

        gru = fluid.dygraph.GRUUnit(size=3 * 16)
        h, _, _ = gru(fluid.dygraph.Linear(8, 3 * 16)(x), h)
    """

    def __init__(self, size, param_attr=None, bias_attr=None, activation="tanh",
                 gate_activation="sigmoid", origin_mode=False, dtype="float32"):
        super().__init__(dtype=dtype)
        if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size <= 0 \
                or size % 3:
            raise ValueError(f"GRUUnit: size must be a positive multiple of 3 (3 * hidden size), "
                             f"got {size!r}")
        self._activation = _gru_activation("activation", activation)
        self._gate_activation = _gru_activation("gate_activation", gate_activation)
        self._names = (activation, gate_activation)
        self._origin_mode = bool(origin_mode)
        self._size = int(size) // 3
        d = self._size
        self.weight = self.create_parameter([d, 3 * d], attr=param_attr, dtype=self._dtype)
        self.bias = self.create_parameter([1, 3 * d], attr=bias_attr, dtype=self._dtype,
                                          is_bias=True)

    def forward(self, input, hidden):
        d = self._size
        check_row_inputs("GRUUnit", self._dtype, (("input", input, 3 * d), ("hidden", hidden, d)))
        return gru_unit_step(input, hidden, self.weight, self.bias, self._activation,
                             self._gate_activation, self._origin_mode)

    def extra_repr(self):
        return (f"size={3 * self._size}, activation={self._names[0]}, "
                f"gate_activation={self._names[1]}, origin_mode={self._origin_mode}, "
                f"dtype={self._dtype}")
