"""Paddle 1.x's recurrent building blocks: `fluid.layers.gru_unit`, `lstm_unit`, the cells of
`fluid.layers.rnn` (`RNNCell`, `GRUCell`, `LSTMCell`), `rnn` itself and `gather_tree`.

Everything is a composition of minigrad ops (matmul, split, sigmoid...), so gradients, including
second order, need no code here. Two families, as in Paddle:

  - `gru_unit` / `lstm_unit` are functional layers: each call makes fresh parameters (like `fc`).
    gru_unit keeps Paddle's fused layout: the input is already projected to [N, 3D] and the weight
    [D, 3D] holds, as one flat buffer, W_uh|W_rh ([D, 2D]) followed by W_ch ([D, D]).
  - `GRUCell` / `LSTMCell` own their parameters through a Layer (`BasicGRUUnit`,
    `BasicLSTMUnit`, as in Paddle's contrib), created at the first call when the input size is
    known, and reused by every later call. Their parameters: `cell.gru_unit.parameters()` /
    `cell.lstm_unit.parameters()`.

    cell = fluid.layers.GRUCell(hidden_size=32)
    outputs, final_h = fluid.layers.rnn(cell, x)        # x [batch, time, features]
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, check_type, shape_of
from minigrad.core.variable import Variable
from minigrad.layer_helper import LayerHelper
from minigrad.nn.functional.common import fc
from minigrad.nn.layer import Layer
from minigrad.ops.activation import relu, sigmoid, tanh
from minigrad.ops.creation import _constant, fill_constant_batch_size_like
from minigrad.ops.math import elementwise_mul, matmul
from minigrad.ops.shape import concat, getitem, reshape, split, stack, transpose
from minigrad.param_attr import ParamAttr

__all__ = ["gru_unit", "gru_unit_step", "lstm_unit", "RNNCell", "GRUCell", "LSTMCell",
           "BasicGRUUnit", "BasicLSTMUnit", "rnn", "gather_tree"]


def _float_tensor(op, argument, value, ndim=None):
    check_tensor(op, argument, value, ndim=ndim, dtypes="f")
    return shape_of(value)


# -- gru_unit / lstm_unit: functional, fresh parameters per call ------------------------------

_GRU_ACTIVATIONS = {"identity": lambda x: x, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def _gru_activation(argument, name):
    if name not in _GRU_ACTIVATIONS:
        raise ValueError(f"gru_unit: {argument} must be one of "
                         f"{', '.join(sorted(_GRU_ACTIVATIONS))}, got {name!r}")
    return _GRU_ACTIVATIONS[name]


def gru_unit(input, hidden, size, param_attr=None, bias_attr=None, activation="tanh",
             gate_activation="sigmoid", origin_mode=False):
    """One GRU step on an input already projected to the three gates.

    input:  [N, 3D] (x_t times W_ux|W_rx|W_cx, e.g. from `fc(x, 3 * D)`); hidden: h_{t-1} [N, D];
    size:   3D. A fresh weight [D, 3D] and bias [1, 3D] (none with bias_attr=False) are made.
        u = act_g(input_u + h W_uh + b_u), r = act_g(input_r + h W_rh + b_r),
        c = act_c(input_c + (r * h) W_ch + b_c),
        h_t = u * c + (1 - u) * h   (origin_mode=True: u * h + (1 - u) * c).
    activation, gate_activation: "identity", "sigmoid", "tanh" or "relu".
    Returns (h_t [N, D], r * h [N, D], gate [N, 3D] = the activated u|r|c).
    (Paddle 1.8.5 runs sigmoid and tanh whatever activation and gate_activation say; minigrad
    applies the ones given, as its docs describe.)
    Raises ValueError for shapes that do not fit size, or an unknown activation.

        h, _, _ = fluid.layers.gru_unit(fluid.layers.fc(x, 3 * 16), h, size=3 * 16)
    """
    op = "gru_unit"
    in_shape = _float_tensor(op, "input", input, ndim=2)
    h_shape = _float_tensor(op, "hidden", hidden, ndim=2)
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size <= 0 or size % 3:
        raise ValueError(f"gru_unit: size must be a positive multiple of 3 (3 * hidden size), "
                         f"got {size!r}")
    d = int(size) // 3
    if in_shape[1] != 3 * d or h_shape != (in_shape[0], d):
        raise ValueError(f"gru_unit: for size={size}, input must be [N, {3 * d}] and hidden "
                         f"[N, {d}], got {list(in_shape)} and {list(h_shape)}")
    act_c = _gru_activation("activation", activation)
    act_g = _gru_activation("gate_activation", gate_activation)
    dtype = (input.data if isinstance(input, Variable) else input).dtype
    helper = LayerHelper(op, param_attr=param_attr, bias_attr=bias_attr)
    weight = helper.create_parameter(helper.param_attr, [d, 3 * d], dtype)
    bias = helper.create_parameter(helper.bias_attr, [1, 3 * d], dtype, is_bias=True)
    return gru_unit_step(input, hidden, weight, bias, act_c, act_g, origin_mode)


def gru_unit_step(input, hidden, weight, bias, act_c, act_g, origin_mode):
    """The gru_unit math on given parameters (shared with the `GRUUnit` layer): input [N, 3D],
    hidden [N, D], weight [D, 3D] (flat W_uh|W_rh then W_ch), bias [1, 3D] or None; act_c and
    act_g are functions. Returns (h_t, r * h_{t-1}, gate u|r|c)."""
    d = shape_of(hidden)[1]
    projected = input if bias is None else input + bias
    flat = reshape(weight, [3 * d * d])
    w_gates, w_candidate = reshape(flat[:2 * d * d], [d, 2 * d]), reshape(flat[2 * d * d:], [d, d])
    x_gates, x_candidate = projected[:, :2 * d], projected[:, 2 * d:]
    u, r = split(act_g(x_gates + matmul(hidden, w_gates)), 2, dim=1)
    reset_hidden = r * hidden
    c = act_c(x_candidate + matmul(reset_hidden, w_candidate))
    new_hidden = u * hidden + (1 - u) * c if origin_mode else u * c + (1 - u) * hidden
    return new_hidden, reset_hidden, concat([u, r, c], axis=1)


def lstm_unit(x_t, hidden_t_prev, cell_t_prev, forget_bias=0.0, param_attr=None, bias_attr=None,
              name=None):
    """One LSTM step with a fresh fc over [x_t, h_{t-1}] (weight [M + D, 4D], bias [4D]).

    x_t: [N, M]; hidden_t_prev, cell_t_prev: [N, D]. The fc's output splits into i, f, o, g:
        c_t = sigmoid(f + forget_bias) * c_{t-1} + sigmoid(i) * tanh(g),
        h_t = sigmoid(o) * tanh(c_t).
    Returns (h_t, c_t), both [N, D].
    Raises ValueError for inputs that are not 2-D or whose batch or hidden sizes disagree.

        h, c = fluid.layers.lstm_unit(x, h, c, forget_bias=1.0)
    """
    op = "lstm_unit"
    x_shape = _float_tensor(op, "x_t", x_t, ndim=2)
    h_shape = _float_tensor(op, "hidden_t_prev", hidden_t_prev, ndim=2)
    c_shape = _float_tensor(op, "cell_t_prev", cell_t_prev, ndim=2)
    if not x_shape[0] == h_shape[0] == c_shape[0]:
        raise ValueError(f"lstm_unit: x_t, hidden_t_prev and cell_t_prev must have the same "
                         f"batch size, got shapes {list(x_shape)}, {list(h_shape)} and "
                         f"{list(c_shape)}")
    if h_shape[1] != c_shape[1]:
        raise ValueError(f"lstm_unit: hidden_t_prev and cell_t_prev must have the same size, "
                         f"got shapes {list(h_shape)} and {list(c_shape)}")
    LayerHelper(op, name=name)      # takes Paddle's lstm_unit_<k> name; the fc owns the weights
    gates = fc(concat([x_t, hidden_t_prev], axis=1), 4 * c_shape[1], param_attr=param_attr,
               bias_attr=bias_attr)
    i, f, o, g = split(gates, 4, dim=1)
    new_cell = sigmoid(f + float(forget_bias)) * cell_t_prev + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(new_cell), new_cell


# -- nested structures of states (Paddle's map_structure / flatten) ---------------------------

def _is_shape(value):
    return isinstance(value, (list, tuple)) and all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in value)


def _map(function, *structures, leaf=lambda v: not isinstance(v, (list, tuple, dict))):
    first = structures[0]
    if leaf(first):
        return function(*structures)
    if isinstance(first, dict):
        return {key: _map(function, *(s[key] for s in structures), leaf=leaf) for key in first}
    mapped = [_map(function, *parts, leaf=leaf) for parts in zip(*structures)]
    if isinstance(first, tuple):
        return type(first)(*mapped) if hasattr(first, "_fields") else tuple(mapped)
    return mapped


def _flatten(structure):
    if isinstance(structure, dict):
        return [v for key in structure for v in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [v for item in structure for v in _flatten(item)]
    return [structure]


def _same_structure(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            _same_structure(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(
            _same_structure(x, y) for x, y in zip(a, b))
    return not isinstance(b, (list, tuple, dict))


# -- cells -------------------------------------------------------------------------------------

class RNNCell:
    """Base of the cells `rnn` unrolls: `call(inputs, states) -> (outputs, new_states)`.

    A subclass implements `call` (inputs and states may be nested lists/tuples/dicts of
    Variables; new_states must have the structure of states) and, to use
    `get_initial_states` without a shape, the `state_shape` property.

        class Doubler(fluid.layers.RNNCell):
            def call(self, inputs, states):
                return inputs + states, inputs + states
            state_shape = property(lambda self: [4])
    """

    def call(self, inputs, states, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement call(inputs, states)")

    def __call__(self, inputs, states, **kwargs):
        return self.call(inputs, states, **kwargs)

    def get_initial_states(self, batch_ref, shape=None, dtype="float32", init_value=0,
                           batch_dim_idx=0):
        """States filled with `init_value`, their batch dim taken from `batch_ref`.

        batch_ref: a Variable (or nested structure; its first Variable is used) whose dim
            `batch_dim_idx` is the batch size.
        shape: a shape (list of ints) or nested structure of shapes, without the batch dim (a
            leading -1 is allowed); None uses `state_shape`.
        dtype: one dtype for all states, or a structure like `shape`; None uses `state_dtype`
            (float32 when the cell has none).
        Returns Variables [batch, *shape] in the structure of `shape`.
        """
        ref = _flatten(batch_ref)[0]
        check_tensor(type(self).__name__, "batch_ref", ref)
        shapes = self.state_shape if shape is None else shape
        if isinstance(shapes, numbers.Integral) and not isinstance(shapes, bool):
            shapes = [shapes]
        if dtype is None:
            try:
                dtype = self.state_dtype
            except NotImplementedError:
                dtype = "float32"
        if len(_flatten(dtype)) == 1:
            single = _flatten(dtype)[0]
            dtype = _map(lambda s: single, shapes, leaf=_is_shape)
        # Each shape wrapped in a one-element list, so a shape is never mistaken for a list of
        # states when the structures are walked together below.
        wrapped_shapes = _map(lambda s: [s], shapes, leaf=_is_shape)

        def initial(wrapped, state_dtype):
            state_shape = list(wrapped[0])
            if not state_shape or state_shape[0] != -1:
                state_shape = [-1] + state_shape
            return fill_constant_batch_size_like(ref, state_shape, state_dtype, init_value,
                                                 input_dim_idx=batch_dim_idx)
        return _map(initial, wrapped_shapes, dtype,
                    leaf=lambda v: isinstance(v, list) and len(v) == 1 and _is_shape(v[0]))

    @property
    def state_shape(self):
        """The states' shapes without the batch dim (a nested structure of lists of ints)."""
        raise NotImplementedError(f"{type(self).__name__} has no state_shape: give "
                                  "get_initial_states a shape, or rnn initial_states")

    @property
    def state_dtype(self):
        raise NotImplementedError(f"{type(self).__name__} has no state_dtype")


def _cell_attrs(attr, suffixes):
    """A ParamAttr per weight of a cell: a named attr gets `_gate`/`_candidate` suffixes (as in
    Paddle's BasicGRUUnit) so two parameters never share a name."""
    attr = ParamAttr._to_attr(attr)
    if attr is False or attr.name is None:
        return [attr] * len(suffixes)
    copies = []
    for suffix in suffixes:
        copy = attr._copy()
        copy.name = attr.name + suffix
        copies.append(copy)
    return copies


class BasicGRUUnit(Layer):
    """The GRU step behind `GRUCell` (Paddle's fluid.contrib.layers.BasicGRUUnit).

    Parameters, made at the first call (input size M): gate weight [M + D, 2D] (reset then
    update gate), gate bias [2D], candidate weight [M + D, D], candidate bias [D].
        r, u = split(act_g([x, h] W_g + b_g)), c = act_c([x, r * h] W_c + b_c),
        h_t = u * h + (1 - u) * c.
    """

    def __init__(self, name_scope, hidden_size, param_attr=None, bias_attr=None,
                 gate_activation=None, activation=None, dtype="float32"):
        super().__init__(name_scope + "/BasicGRUUnit", dtype)
        self._hidden_size = hidden_size
        self._param_attr, self._bias_attr = param_attr, bias_attr
        self._gate_activation = gate_activation or sigmoid
        self._activation = activation or tanh
        self._gate_weight = self._candidate_weight = None
        self._gate_bias = self._candidate_bias = None

    def _build(self, input_size):
        d = self._hidden_size
        gate_w, candidate_w = _cell_attrs(self._param_attr, ("_gate", "_candidate"))
        gate_b, candidate_b = _cell_attrs(self._bias_attr, ("_gate", "_candidate"))
        self._gate_weight = self.create_parameter([input_size + d, 2 * d], gate_w, self._dtype)
        self._candidate_weight = self.create_parameter([input_size + d, d], candidate_w,
                                                       self._dtype)
        self._gate_bias = self.create_parameter([2 * d], gate_b, self._dtype, is_bias=True)
        self._candidate_bias = self.create_parameter([d], candidate_b, self._dtype,
                                                     is_bias=True)

    def forward(self, input, pre_hidden):
        if self._gate_weight is None:
            self._build(shape_of(input)[-1])
        gates = matmul(concat([input, pre_hidden], axis=1), self._gate_weight)
        if self._gate_bias is not None:
            gates = gates + self._gate_bias
        r, u = split(self._gate_activation(gates), 2, dim=1)
        candidate = matmul(concat([input, r * pre_hidden], axis=1), self._candidate_weight)
        if self._candidate_bias is not None:
            candidate = candidate + self._candidate_bias
        c = self._activation(candidate)
        return u * pre_hidden + (1 - u) * c


class BasicLSTMUnit(Layer):
    """The LSTM step behind `LSTMCell` (Paddle's fluid.contrib.layers.BasicLSTMUnit).

    Parameters, made at the first call (input size M): weight [M + D, 4D], bias [4D]; gates
    split as i, j, f, o:
        c_t = c * act_g(f + forget_bias) + act_g(i) * act_c(j),  h_t = act_c(c_t) * act_g(o).
    (Paddle 1.8.5 computes with sigmoid and tanh whatever gate_activation and activation say;
    minigrad applies the ones given, as the docs describe. The defaults agree.)
    """

    def __init__(self, name_scope, hidden_size, param_attr=None, bias_attr=None,
                 gate_activation=None, activation=None, forget_bias=1.0, dtype="float32"):
        super().__init__(name_scope + "/BasicLSTMUnit", dtype)
        self._hidden_size = hidden_size
        self._param_attr, self._bias_attr = param_attr, bias_attr
        self._gate_activation = gate_activation or sigmoid
        self._activation = activation or tanh
        self._forget_bias = float(forget_bias)
        self._weight = self._bias = None

    def forward(self, input, pre_hidden, pre_cell):
        d = self._hidden_size
        if self._weight is None:
            self._weight = self.create_parameter([shape_of(input)[-1] + d, 4 * d],
                                                 self._param_attr, self._dtype)
            self._bias = self.create_parameter([4 * d], self._bias_attr, self._dtype,
                                               is_bias=True)
        gates = matmul(concat([input, pre_hidden], axis=1), self._weight)
        if self._bias is not None:
            gates = gates + self._bias
        i, j, f, o = split(gates, 4, dim=1)
        act_g, act_c = self._gate_activation, self._activation
        new_cell = pre_cell * act_g(f + self._forget_bias) + act_g(i) * act_c(j)
        return act_c(new_cell) * act_g(o), new_cell


def _check_hidden_size(where, hidden_size, dtype):
    if (not isinstance(hidden_size, numbers.Integral) or isinstance(hidden_size, bool)
            or hidden_size <= 0):
        raise ValueError(f"{where}: hidden_size must be a positive int, got {hidden_size!r}")
    if np.dtype(dtype).name not in ("float32", "float64"):
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dtype!r}")


def _check_step(where, inputs, states, hidden_size):
    in_shape = _float_tensor(where, "inputs", inputs, ndim=2)
    for i, state in enumerate(states):
        argument = "states" if len(states) == 1 else f"states[{i}]"
        shape = _float_tensor(where, argument, state, ndim=2)
        if shape != (in_shape[0], hidden_size):
            raise ValueError(f"{where}: {argument} must be [batch, hidden_size] = "
                             f"[{in_shape[0]}, {hidden_size}], got {list(shape)}")


class GRUCell(RNNCell):
    """A GRU cell for `rnn`: `call(inputs [N, M], states h [N, D]) -> (h_t, h_t)`.

    hidden_size: D. param_attr, bias_attr: for the weights and biases (a named attr gets
    `_gate` / `_candidate` suffixes). gate_activation, activation: functions (default
    fluid.layers.sigmoid and fluid.layers.tanh). Parameters are made at the first call and
    kept: `cell.gru_unit.parameters()`. Formula: see `BasicGRUUnit`.

        cell = fluid.layers.GRUCell(hidden_size=16)
        h = cell.get_initial_states(x)          # zeros [N, 16]
        out, h = cell(x, h)
    """

    def __init__(self, hidden_size, param_attr=None, bias_attr=None, gate_activation=None,
                 activation=None, dtype="float32", name="GRUCell"):
        _check_hidden_size("GRUCell", hidden_size, dtype)
        self.hidden_size = int(hidden_size)
        self.gru_unit = BasicGRUUnit(name, self.hidden_size, param_attr, bias_attr,
                                     gate_activation, activation, dtype)

    def call(self, inputs, states):
        _check_step("GRUCell", inputs, [states], self.hidden_size)
        new_hidden = self.gru_unit(inputs, states)
        return new_hidden, new_hidden

    @property
    def state_shape(self):
        return [self.hidden_size]


class LSTMCell(RNNCell):
    """An LSTM cell for `rnn`: `call(inputs [N, M], [h, c]) -> (h_t, [h_t, c_t])`.

    hidden_size: D. forget_bias (default 1.0) is added to the forget gate. Other arguments as in
    `GRUCell`; parameters: `cell.lstm_unit.parameters()`. Formula: see `BasicLSTMUnit`.

        cell = fluid.layers.LSTMCell(hidden_size=16)
        out, (h, c) = cell(x, cell.get_initial_states(x))
    """

    def __init__(self, hidden_size, param_attr=None, bias_attr=None, gate_activation=None,
                 activation=None, forget_bias=1.0, dtype="float32", name="LSTMCell"):
        _check_hidden_size("LSTMCell", hidden_size, dtype)
        self.hidden_size = int(hidden_size)
        self.lstm_unit = BasicLSTMUnit(name, self.hidden_size, param_attr, bias_attr,
                                       gate_activation, activation, forget_bias, dtype)

    def call(self, inputs, states):
        check_type("LSTMCell", "states", states, (list, tuple), "a list [hidden, cell]")
        if len(states) != 2:
            raise ValueError(f"LSTMCell: states must be [hidden, cell], got {len(states)} "
                             "states")
        _check_step("LSTMCell", inputs, list(states), self.hidden_size)
        new_hidden, new_cell = self.lstm_unit(inputs, states[0], states[1])
        return new_hidden, [new_hidden, new_cell]

    @property
    def state_shape(self):
        return [[self.hidden_size], [self.hidden_size]]


# -- rnn -----------------------------------------------------------------------------------------

def _swap_batch_time(x):
    return transpose(x, [1, 0] + list(range(2, len(shape_of(x)))))


def _reverse_time(x):
    return getitem(x, slice(None, None, -1))


def rnn(cell, inputs, initial_states=None, sequence_length=None, time_major=False,
        is_reverse=False, **kwargs):
    """Unroll `cell` over the time dim of `inputs`: `(final_outputs, final_states)`.

    cell: an RNNCell. inputs: a Variable (or nested structure) [batch, time, ...] (time_major:
        [time, batch, ...]). initial_states: the cell's states; None -> get_initial_states.
    sequence_length: int Variable [batch]; past its length an instance keeps its last state
        (its outputs there are still computed from the padding).
    is_reverse: run from the last step to the first (outputs keep the input's time order).
    kwargs go to `cell.call`.
    Returns outputs stacked over time in the input's layout, and the last states.
    (Paddle 1.8.5 builds this on StaticRNN and fails in dygraph; minigrad runs it, as Paddle
    2.0 does.)

        outputs, h = fluid.layers.rnn(fluid.layers.GRUCell(32), x, sequence_length=lengths)
    """
    if not isinstance(cell, RNNCell):
        raise TypeError(f"rnn: cell must be an RNNCell, got {type(cell).__name__}")
    flat_inputs = _flatten(inputs)
    for i, x in enumerate(flat_inputs):
        _float_tensor("rnn", "inputs" if len(flat_inputs) == 1 else f"inputs[{i}]", x)
        if len(shape_of(x)) < 2:
            raise ValueError(f"rnn: inputs must be at least 2-D ([batch, time, ...]), got shape "
                             f"{list(shape_of(x))}")
    if initial_states is None:
        initial_states = cell.get_initial_states(batch_ref=inputs,
                                                 batch_dim_idx=1 if time_major else 0)
    if not time_major:
        inputs = _map(_swap_batch_time, inputs)
    steps, batch = shape_of(_flatten(inputs)[0])[:2]
    mask = None
    if sequence_length is not None:
        check_tensor("rnn", "sequence_length", sequence_length, ndim=1, dtypes="iu")
        lengths = sequence_length.data if isinstance(sequence_length, Variable) \
            else sequence_length
        if lengths.shape != (batch,):
            raise ValueError(f"rnn: sequence_length must have shape [{batch}] (the batch), got "
                             f"{list(lengths.shape)}")
        state_dtype = _flatten(initial_states)[0].data.dtype
        mask = (np.arange(steps)[:, None] < lengths[None, :]).astype(state_dtype)   # [T, B]
    if is_reverse:
        inputs = _map(_reverse_time, inputs)
        mask = None if mask is None else mask[::-1]
    states, outputs = initial_states, []
    for t in range(steps):
        step_outputs, new_states = cell(_map(lambda x: x[t], inputs), states, **kwargs)
        if not _same_structure(states, new_states):
            raise ValueError(f"rnn: {type(cell).__name__}.call returned new_states whose "
                             "structure differs from the states it was given")
        if mask is not None:
            keep = mask[t]
            new_states = _map(lambda old, new: elementwise_mul(new, keep, axis=0)
                              + elementwise_mul(old, 1 - keep, axis=0), states, new_states)
        states = new_states
        outputs.append(step_outputs)
    final_outputs = _map(lambda *per_step: stack(list(per_step), axis=0), *outputs)
    if is_reverse:
        final_outputs = _map(_reverse_time, final_outputs)
    if not time_major:
        final_outputs = _map(_swap_batch_time, final_outputs)
    return final_outputs, states


# -- gather_tree ---------------------------------------------------------------------------------

def gather_tree(ids, parents):
    """Full beam-search paths from each step's ids and parent beams, back from the last step.

    ids, parents: int [max_time, batch, beam]; parents[t, b, k] is the beam at step t - 1 that
    beam k of step t extends. out[T-1] = ids[T-1]; going back, out[t, b, k] = ids[t, b, p] with
    p the ancestor at step t of the final beam k. Returns ids' shape and dtype (no gradient).
    Raises ValueError unless ids and parents are 3-D of one shape, parents within [0, beam).

        paths = fluid.layers.gather_tree(step_ids, step_parents)
    """
    check_tensor("gather_tree", "ids", ids, ndim=3, dtypes="iu")
    check_tensor("gather_tree", "parents", parents, ndim=3, dtypes="iu")
    if shape_of(ids) != shape_of(parents):
        raise ValueError(f"gather_tree: ids and parents must have the same shape, got "
                         f"{list(shape_of(ids))} and {list(shape_of(parents))}")
    step_ids = ids.data if isinstance(ids, Variable) else ids
    step_parents = parents.data if isinstance(parents, Variable) else parents
    steps, batch, beam = step_ids.shape
    if step_parents.size and (step_parents.min() < 0 or step_parents.max() >= beam):
        raise ValueError(f"gather_tree: parents must lie in [0, {beam}) (the beam size), got "
                         f"values in [{step_parents.min()}, {step_parents.max()}]")
    out = np.empty_like(step_ids)
    rows = np.arange(batch)[:, None]
    ancestor = np.broadcast_to(np.arange(beam), (batch, beam))
    for t in range(steps - 1, -1, -1):
        out[t] = step_ids[t][rows, ancestor]
        ancestor = step_parents[t][rows, ancestor]
    return _constant(out)
