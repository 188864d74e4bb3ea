"""nn/functional/rnn.py: gru_unit, lstm_unit, RNNCell / GRUCell / LSTMCell, rnn and gather_tree.
Values against step-by-step references written with Python's math module on known weights,
Paddle's weight layouts and parameter names, parameters made once per cell (and fresh per call of
the functional units), check_grads on small sizes, dtypes, and bad input."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter
from op_helpers import check_grads, uniform, var

L = fluid.layers
Init = fluid.initializer.NumpyArrayInitializer


def _sigmoid(v):
    return 1 / (1 + math.exp(-v))


def _vec(function):
    return np.vectorize(function, otypes=[np.float64])


sig, tanh = _vec(_sigmoid), _vec(math.tanh)


def _matmul(a, b):
    """A plain triple loop, independent of numpy's matmul."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            out[i, j] = sum(a[i, k] * b[k, j] for k in range(a.shape[1]))
    return out


def _parameters_of(out):
    found, stack, seen = [], [out], set()
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            if isinstance(v, Parameter):
                found.append(v)
            if v.creator is not None:
                stack.extend(v.creator.input_variables())
    return sorted(found, key=lambda p: p.name)


# -- gru_unit ------------------------------------------------------------------------------------

def _gru_unit_reference(x, h, w, b, origin_mode, act=tanh, gate_act=sig):
    d = h.shape[1]
    flat = w.reshape(-1)
    w_gates = flat[:2 * d * d].reshape(d, 2 * d)       # Paddle's layout: one flat buffer
    w_cand = flat[2 * d * d:].reshape(d, d)
    g = x + b
    gates = gate_act(g[:, :2 * d] + _matmul(h, w_gates))
    u, r = gates[:, :d], gates[:, d:]
    rh = r * h
    c = act(g[:, 2 * d:] + _matmul(rh, w_cand))
    new = u * h + (1 - u) * c if origin_mode else u * c + (1 - u) * h
    return new, rh, np.concatenate([u, r, c], axis=1)


@pytest.mark.parametrize("origin_mode", [False, True])
def test_gru_unit_values_and_gradients(origin_mode):
    n, d = 2, 3
    x, h = uniform((n, 3 * d)), uniform((n, d), seed=1)
    w, b = uniform((d, 3 * d), seed=2), uniform((1, 3 * d), seed=3)
    expected = _gru_unit_reference(x, h, w, b, origin_mode)

    def unit(xv, hv):
        return L.gru_unit(xv, hv, 3 * d, param_attr=Init(w), bias_attr=Init(b),
                          origin_mode=origin_mode)
    with fluid.dygraph.guard():
        outs = unit(var(x), var(h))
        for out, ref in zip(outs, expected):
            np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
        assert [o.shape for o in outs] == [[n, d], [n, d], [n, 3 * d]]
    check_grads(lambda xv, hv: unit(xv, hv)[0], x, h)
    check_grads(lambda xv, hv: unit(xv, hv)[2], x, h)


def test_gru_unit_activations_fresh_parameters_and_dtype():
    n, d = 2, 2
    x, h = uniform((n, 3 * d)), uniform((n, d), seed=1)
    w = uniform((d, 3 * d), seed=2)
    relu = _vec(lambda v: max(v, 0.0))
    expected = _gru_unit_reference(x, h, w, np.zeros((1, 3 * d)), False, act=relu,
                                   gate_act=lambda v: v)
    with fluid.dygraph.guard():
        out = L.gru_unit(var(x), var(h), 3 * d, param_attr=Init(w), activation="relu",
                         gate_activation="identity")
        for o, ref in zip(out, expected):
            np.testing.assert_allclose(o.numpy(), ref, rtol=1e-12)
        assert [(p.name, p.shape) for p in _parameters_of(out[0])] == [
            ("gru_unit_0.b_0", [1, 6]), ("gru_unit_0.w_0", [2, 6])]
        second = L.gru_unit(var(x.astype(np.float32)), var(h.astype(np.float32)), 3 * d,
                            bias_attr=False)
        assert second[0].dtype == np.float32
        assert [p.name for p in _parameters_of(second[0])] == ["gru_unit_1.w_0"]


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"size": 7}, ValueError, "positive multiple of 3"),
    ({"size": 9}, ValueError, r"input must be \[N, 9\] and hidden \[N, 3\]"),
    ({"activation": "gelu"}, ValueError, "activation must be one of"),
    ({"gate_activation": "softmax"}, ValueError, "gate_activation must be one of"),
])
def test_gru_unit_bad_input(kwargs, error, pattern):
    kwargs = {"size": 6, **kwargs}
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            L.gru_unit(var(np.ones((2, 6))), var(np.ones((2, 2))), **kwargs)
        with pytest.raises(TypeError, match="floating point"):
            L.gru_unit(var(np.ones((2, 6), np.int64)), var(np.ones((2, 2))), 6)


# -- lstm_unit -----------------------------------------------------------------------------------

def _lstm_unit_reference(x, h, c, w, b, forget_bias):
    d = h.shape[1]
    gates = _matmul(np.concatenate([x, h], axis=1), w) + b
    i, f, o, g = (gates[:, k * d:(k + 1) * d] for k in range(4))
    new_c = sig(f + forget_bias) * c + sig(i) * tanh(g)
    return sig(o) * tanh(new_c), new_c


def test_lstm_unit_values_parameters_and_gradients():
    n, m, d = 2, 3, 2
    x, h, c = uniform((n, m)), uniform((n, d), seed=1), uniform((n, d), seed=2)
    w, b = uniform((m + d, 4 * d), seed=3), uniform((4 * d,), seed=4)
    expected = _lstm_unit_reference(x, h, c, w, b, 0.5)

    def unit(xv, hv, cv):
        return L.lstm_unit(xv, hv, cv, forget_bias=0.5, param_attr=Init(w), bias_attr=Init(b))
    with fluid.dygraph.guard():
        new_h, new_c = unit(var(x), var(h), var(c))
        np.testing.assert_allclose(new_h.numpy(), expected[0], rtol=1e-12)
        np.testing.assert_allclose(new_c.numpy(), expected[1], rtol=1e-12)
        # The weights belong to the fc inside, named as Paddle names them.
        assert [(p.name, p.shape) for p in _parameters_of(new_h)] == [
            ("fc_0.b_0", [8]), ("fc_0.w_0", [5, 8])]
        h32, c32 = L.lstm_unit(*(var(a.astype(np.float32)) for a in (x, h, c)))
        assert h32.dtype == c32.dtype == np.float32 and h32.shape == [n, d]
    check_grads(lambda *v: unit(*v)[0], x, h, c)
    check_grads(lambda *v: unit(*v)[1], x, h, c)


@pytest.mark.parametrize("shapes, pattern", [
    (((2, 3, 1), (2, 2), (2, 2)), "x_t must be 2-D"),
    (((2, 3), (3, 2), (2, 2)), "same batch size"),
    (((2, 3), (2, 2), (2, 3)), "same size"),
])
def test_lstm_unit_bad_input(shapes, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match=pattern):
            L.lstm_unit(*(var(np.ones(s)) for s in shapes))


# -- cells ---------------------------------------------------------------------------------------

def _gru_cell_reference(x, h, wg, wc, bg, bc):
    """Paddle's BasicGRUUnit: reset gate first, h_t = u * h + (1 - u) * c."""
    d = h.shape[1]
    gates = sig(_matmul(np.concatenate([x, h], axis=1), wg) + bg)
    r, u = gates[:, :d], gates[:, d:]
    c = tanh(_matmul(np.concatenate([x, r * h], axis=1), wc) + bc)
    return u * h + (1 - u) * c


def _lstm_cell_reference(x, h, c, w, b, forget_bias, gate=sig, act=tanh):
    d = h.shape[1]
    gates = _matmul(np.concatenate([x, h], axis=1), w) + b
    i, j, f, o = (gates[:, k * d:(k + 1) * d] for k in range(4))
    new_c = c * gate(f + forget_bias) + gate(i) * act(j)
    return act(new_c) * gate(o), new_c


def _set(parameters, values):
    for p, v in zip(parameters, values):
        p.set_value(v.astype(p.dtype))


def _gru_weights(m, d, seed=10):
    return [uniform(s, seed=seed + k) for k, s in enumerate(
        [(m + d, 2 * d), (m + d, d), (2 * d,), (d,)])]


def test_gru_cell_parameters_are_made_once_and_named_like_paddle():
    x, h = uniform((2, 3)).astype(np.float32), uniform((2, 4), seed=1).astype(np.float32)
    with fluid.dygraph.guard():
        cell = L.GRUCell(4)
        assert cell.gru_unit.parameters() == []          # built at the first call
        out, new_h = cell(var(x), var(h))
        assert out is new_h and out.shape == [2, 4] and out.dtype == np.float32
        params = cell.gru_unit.parameters()
        assert [(p.name, p.shape) for p in params] == [
            ("GRUCell/BasicGRUUnit_0.w_0", [7, 8]), ("GRUCell/BasicGRUUnit_0.w_1", [7, 4]),
            ("GRUCell/BasicGRUUnit_0.b_0", [8]), ("GRUCell/BasicGRUUnit_0.b_1", [4])]
        cell(var(x), var(h))
        assert cell.gru_unit.parameters() == params
        named = L.GRUCell(4, param_attr=fluid.ParamAttr(name="w"), bias_attr="b", name="enc")
        named(var(x), var(h))
        assert [p.name for p in named.gru_unit.parameters()] == [
            "w_gate", "w_candidate", "b_gate", "b_candidate"]
        assert cell.state_shape == [4]


def test_gru_cell_values_and_gradients():
    m, d = 3, 2
    x, h = uniform((2, m)), uniform((2, d), seed=1)
    weights = _gru_weights(m, d)
    with fluid.dygraph.guard():
        cell = L.GRUCell(d, dtype="float64")
        cell(var(x), var(h))
        _set(cell.gru_unit.parameters(), weights)
        out, _ = cell(var(x), var(h))
        assert out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), _gru_cell_reference(x, h, *weights), rtol=1e-12)
        check_grads(lambda xv, hv: cell(xv, hv)[0], x, h)


def test_lstm_cell_values_activations_and_gradients():
    m, d = 3, 2
    x, h, c = uniform((2, m)), uniform((2, d), seed=1), uniform((2, d), seed=2)
    w, b = uniform((m + d, 4 * d), seed=3), uniform((4 * d,), seed=4)
    with fluid.dygraph.guard():
        cell = L.LSTMCell(d, forget_bias=0.7, dtype="float64")
        out, states = cell(var(x), [var(h), var(c)])
        params = cell.lstm_unit.parameters()
        assert [(p.name, p.shape) for p in params] == [
            ("LSTMCell/BasicLSTMUnit_0.w_0", [5, 8]), ("LSTMCell/BasicLSTMUnit_0.b_0", [8])]
        _set(params, [w, b])
        out, (new_h, new_c) = cell(var(x), [var(h), var(c)])
        ref_h, ref_c = _lstm_cell_reference(x, h, c, w, b, 0.7)
        np.testing.assert_allclose(out.numpy(), ref_h, rtol=1e-12)
        np.testing.assert_allclose(new_c.numpy(), ref_c, rtol=1e-12)
        assert out is new_h and cell.state_shape == [[2], [2]]
        check_grads(lambda xv, hv, cv: cell(xv, [hv, cv])[1][1], x, h, c)
        # The activations given are the ones used (Paddle 1.8.5's docs; its code ignores them).
        soft = L.LSTMCell(d, gate_activation=L.hard_sigmoid, activation=L.softsign,
                          dtype="float64")
        soft(var(x), [var(h), var(c)])
        _set(soft.lstm_unit.parameters(), [w, b])
        hard = _vec(lambda v: min(max(0.2 * v + 0.5, 0.0), 1.0))
        softsign = _vec(lambda v: v / (1 + abs(v)))
        ref = _lstm_cell_reference(x, h, c, w, b, 1.0, gate=hard, act=softsign)
        np.testing.assert_allclose(soft(var(x), [var(h), var(c)])[0].numpy(), ref[0],
                                   rtol=1e-12)


def test_get_initial_states():
    with fluid.dygraph.guard():
        x = var(np.zeros((3, 5), np.float32))
        h = L.GRUCell(4).get_initial_states(x)
        assert h.shape == [3, 4] and h.dtype == np.float32 and (h.numpy() == 0).all()
        lstm = L.LSTMCell(4)
        states = lstm.get_initial_states(x, shape=[[-1, 2], [6]], dtype="float64", init_value=2)
        assert [(s.shape, s.dtype) for s in states] == [([3, 2], np.float64),
                                                       ([3, 6], np.float64)]
        assert all((s.numpy() == 2).all() for s in states)
        time_major = var(np.zeros((7, 3, 5), np.float32))
        states = lstm.get_initial_states(time_major, batch_dim_idx=1)
        assert [s.shape for s in states] == [[3, 4], [3, 4]]
        nested = L.RNNCell().get_initial_states(
            [x], shape={"a": [2], "b": ([1], [2, 2])}, dtype={"a": "float32",
                                                               "b": ("float64", "float32")})
        assert nested["a"].shape == [3, 2] and nested["a"].dtype == np.float32
        assert [s.shape for s in nested["b"]] == [[3, 1], [3, 2, 2]]
        assert nested["b"][0].dtype == np.float64
        with pytest.raises(NotImplementedError, match="has no state_shape"):
            L.RNNCell().get_initial_states(x)
        with pytest.raises(NotImplementedError, match="must implement call"):
            L.RNNCell()(x, x)


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: L.GRUCell(0), ValueError, "GRUCell: hidden_size must be a positive int"),
    (lambda: L.LSTMCell(4, dtype="int32"), TypeError, "LSTMCell: dtype must be float32"),
    (lambda: L.GRUCell(4)(var(np.ones((2, 3))), var(np.ones((2, 5)))), ValueError,
     r"states must be \[batch, hidden_size\] = \[2, 4\]"),
    (lambda: L.LSTMCell(4)(var(np.ones((2, 3))), var(np.ones((2, 4)))), TypeError,
     r"states must be a list \[hidden, cell\]"),
    (lambda: L.LSTMCell(4)(var(np.ones((2, 3))), [var(np.ones((2, 4)))]), ValueError,
     "got 1 states"),
])
def test_cell_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call()


# -- rnn -----------------------------------------------------------------------------------------

def _rnn_reference(step, xs, h0, lengths=None, reverse=False):
    """Unroll `step(x_t, h) -> h` over xs [B, T, M] by hand; returns outputs [B, T, D], final h."""
    batch, steps = xs.shape[:2]
    h = h0.copy()
    outputs = np.zeros((batch, steps, h0.shape[1]))
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        new = step(xs[:, t], h)
        outputs[:, t] = new
        for b in range(batch):
            # Steps at or past an instance's length keep its state: running forward, the last
            # valid state is carried to the end; running backward, the padding is skipped
            # before the first valid step.
            if lengths is None or t < lengths[b]:
                h[b] = new[b]
    return outputs, h


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("with_lengths", [False, True])
def test_rnn_with_gru_cell(time_major, reverse, with_lengths):
    m, d, batch, steps = 2, 3, 3, 4
    xs, h0 = uniform((batch, steps, m)), uniform((batch, d), seed=1)
    lengths = np.array([4, 1, 2]) if with_lengths else None
    weights = _gru_weights(m, d)
    expected_out, expected_h = _rnn_reference(lambda x, h: _gru_cell_reference(x, h, *weights),
                                              xs, h0, lengths, reverse)
    with fluid.dygraph.guard():
        cell = L.GRUCell(d, dtype="float64")
        cell(var(xs[:, 0]), var(h0))
        _set(cell.gru_unit.parameters(), weights)
        inputs = xs.transpose(1, 0, 2) if time_major else xs
        out, h = L.rnn(cell, var(inputs), var(h0), time_major=time_major, is_reverse=reverse,
                       sequence_length=None if lengths is None else var(lengths))
        out = out.numpy().transpose(1, 0, 2) if time_major else out.numpy()
        np.testing.assert_allclose(out, expected_out, rtol=1e-12)
        np.testing.assert_allclose(h.numpy(), expected_h, rtol=1e-12)


def test_rnn_gradients_and_default_initial_states():
    m, d = 2, 2
    xs, h0 = uniform((2, 3, m)), uniform((2, d), seed=1)
    with fluid.dygraph.guard():
        cell = L.LSTMCell(d, dtype="float64")
        cell(var(xs[:, 0]), [var(h0), var(h0)])
        lengths = var(np.array([3, 2]))
        check_grads(lambda x, h, c: L.rnn(cell, x, [h, c], sequence_length=lengths)[0], xs, h0,
                    h0 * 0.5)
        check_grads(lambda x, h: L.rnn(cell, x, [h, h], is_reverse=True)[1][1], xs, h0)
        zeros = np.zeros((2, d))
        out_default, (h_default, _) = L.rnn(cell, var(xs))
        out_zero, (h_zero, _) = L.rnn(cell, var(xs), [var(zeros), var(zeros)])
        np.testing.assert_array_equal(out_default.numpy(), out_zero.numpy())
        np.testing.assert_array_equal(h_default.numpy(), h_zero.numpy())
        assert out_default.shape == [2, 3, d]


class _Accumulate(L.RNNCell):
    """A user cell with nested inputs and states and a keyword argument."""

    def call(self, inputs, states, scale=1.0):
        total = states["total"] + inputs[0] * scale
        count = states["count"] + inputs[1]
        return (total, count), {"total": total, "count": count}

    @property
    def state_shape(self):
        return {"total": [2], "count": [1]}


def test_rnn_with_nested_user_cell():
    a, b = uniform((3, 4, 2)), uniform((3, 4, 1), seed=1)
    with fluid.dygraph.guard():
        (totals, counts), states = L.rnn(_Accumulate(), [var(a), var(b)], scale=2.0,
                                         initial_states=_Accumulate().get_initial_states(
                                             var(a), dtype="float64"))
        expected = np.zeros((3, 4, 2))
        running = np.zeros((3, 2))
        for t in range(4):
            running = running + 2.0 * a[:, t]
            expected[:, t] = running
        np.testing.assert_allclose(totals.numpy(), expected, rtol=1e-12)
        np.testing.assert_allclose(states["count"].numpy(), b.sum(axis=1), rtol=1e-12)
        assert counts.shape == [3, 4, 1]


@pytest.mark.parametrize("call, error, pattern", [
    (lambda c, x: L.rnn(object(), x), TypeError, "rnn: cell must be an RNNCell"),
    (lambda c, x: L.rnn(c, var(np.ones(3))), ValueError, "at least 2-D"),
    (lambda c, x: L.rnn(c, x, sequence_length=var(np.array([1, 2, 3]))), ValueError,
     r"sequence_length must have shape \[2\]"),
    (lambda c, x: L.rnn(c, x, sequence_length=var(np.array([1.0, 2.0]))), TypeError,
     "integer"),
    (lambda c, x: L.rnn(_Swap(), x, [var(np.ones((2, 2)))] * 2), ValueError,
     "structure differs"),
])
def test_rnn_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call(L.GRUCell(2), var(np.ones((2, 3, 2))))


class _Swap(L.RNNCell):
    def call(self, inputs, states):
        return inputs, states[0]


# -- gather_tree ---------------------------------------------------------------------------------

def _gather_tree_reference(ids, parents):
    """Follow every final beam back to step 0, one step at a time."""
    steps, batch, beam = ids.shape
    out = np.zeros_like(ids)
    for b in range(batch):
        for k in range(beam):
            node = k
            for t in range(steps - 1, -1, -1):
                out[t, b, k] = ids[t, b, node]
                node = parents[t, b, node]
    return out


def test_gather_tree():
    # Paddle's documented example.
    ids = np.array([[[2, 2], [6, 1]], [[3, 9], [6, 1]], [[0, 1], [9, 0]]], np.int64)
    parents = np.array([[[0, 0], [1, 1]], [[1, 0], [1, 0]], [[0, 0], [0, 1]]], np.int64)
    rng = np.random.default_rng(0)
    ids2 = rng.integers(0, 50, (5, 3, 4)).astype(np.int32)
    parents2 = rng.integers(0, 4, (5, 3, 4)).astype(np.int32)
    with fluid.dygraph.guard():
        out = L.gather_tree(var(ids), var(parents))
        assert out.numpy().tolist() == [[[2, 2], [1, 6]], [[3, 3], [6, 1]], [[0, 1], [9, 0]]]
        assert out.dtype == np.int64 and out.stop_gradient
        out2 = L.gather_tree(var(ids2), var(parents2))
        assert out2.dtype == np.int32
        np.testing.assert_array_equal(out2.numpy(), _gather_tree_reference(ids2, parents2))
        with pytest.raises(ValueError, match="same shape"):
            L.gather_tree(var(ids), var(parents[:2]))
        with pytest.raises(ValueError, match=r"parents must lie in \[0, 2\)"):
            L.gather_tree(var(ids), var(parents + 1))
        with pytest.raises(ValueError, match="ids must be 3-D"):
            L.gather_tree(var(ids[0]), var(parents[0]))


# -- BeamSearchDecoder / dynamic_decode ------------------------------------------------------

KINF = 1e9


def _log_softmax(row):
    top = max(row)
    total = sum(math.exp(v - top) for v in row)
    return [v - top - math.log(total) for v in row]


def _beam_search_reference(step_fn, h0, start, end, beam, vocab, max_step_num, impute=False):
    """Paddle's beam search written out per batch entry and candidate, with Python lists.

    step_fn(token, h) -> (logits, new_h) for one sequence. Returns the traced ids [T, B, beam],
    the final scores [B, beam] and dynamic_decode's per-position lengths [B, beam]."""
    batch = len(h0)
    hs = [[h0[b].copy() for _ in range(beam)] for b in range(batch)]
    logp = [[0.0] + [-KINF] * (beam - 1) for _ in range(batch)]
    done = [[False] * beam for _ in range(batch)]
    lengths = [[0] * beam for _ in range(batch)]
    tokens = [[start] * beam for _ in range(batch)]
    position_done = [[False] * beam for _ in range(batch)]    # dynamic_decode's own flags
    decoded_lengths = [[0] * beam for _ in range(batch)]
    ids, parents, step = [], [], 0
    while not all(all(row) for row in position_done):
        step_ids, step_parents = [], []
        for b in range(batch):
            candidates = []
            for k in range(beam):
                logits, new_h = step_fn(tokens[b][k], hs[b][k])
                scores = _log_softmax(logits)
                if done[b][k]:
                    scores = [0.0 if v == end else -KINF for v in range(vocab)]
                for v in range(vocab):
                    candidates.append((-(logp[b][k] + scores[v]), k * vocab + v, k, v, new_h))
            best = sorted(candidates)[:beam]          # ties: the lower flat index first
            new = [(-c[0], c[2], c[3], c[4]) for c in best]
            new_state = [(h, score, done[b][k] or v == end, lengths[b][k] + (not done[b][k]))
                         for score, k, v, h in new]
            for j in range(beam):
                decoded_lengths[b][j] += not position_done[b][j]
                if impute and position_done[b][j]:
                    new_state[j] = (hs[b][j], logp[b][j], done[b][j], lengths[b][j])
            for j, (h, score, finished, length) in enumerate(new_state):
                hs[b][j], logp[b][j], done[b][j], lengths[b][j] = h, score, finished, length
            tokens[b] = [v for _, _, v, _ in new]
            position_done[b] = [p or d for p, d in zip(position_done[b], done[b])]
            step_ids.append(tokens[b])
            step_parents.append([k for _, k, _, _ in new])
        ids.append(step_ids)
        parents.append(step_parents)
        step += 1
        if max_step_num is not None and step > max_step_num:
            break
    ids, parents = np.array(ids), np.array(parents)
    return _gather_tree_reference(ids, parents), np.array(logp), np.array(decoded_lengths)


def _decoder_setup(vocab=6, emb_dim=3, hidden=4, seed=20):
    emb = uniform((vocab, emb_dim), -2, 2, seed=seed)
    wo = uniform((hidden, vocab), -3, 3, seed=seed + 1)
    weights = _gru_weights(emb_dim, hidden, seed=seed + 2)

    def step_fn(token, h):
        new_h = _gru_cell_reference(emb[token][None], h[None], *weights)[0]
        return list(_matmul(new_h[None], wo)[0]), new_h

    def build():
        cell = L.GRUCell(hidden, dtype="float64")
        cell(var(np.zeros((1, emb_dim))), var(np.zeros((1, hidden))))
        _set(cell.gru_unit.parameters(), weights)
        embedding = fluid.dygraph.Embedding([vocab, emb_dim], dtype="float64",
                                            param_attr=Init(emb))
        project = fluid.dygraph.Linear(hidden, vocab, param_attr=Init(wo), bias_attr=False,
                                       dtype="float64")
        return cell, embedding, project
    return step_fn, build


@pytest.mark.parametrize("end, max_step_num, impute", [(1, 5, False), (2, 12, False),
                                                       (3, 6, True), (1, 0, False)])
def test_beam_search_decoder_matches_loop_reference(end, max_step_num, impute):
    vocab, beam = 6, 3
    h0 = uniform((2, 4), seed=5)
    step_fn, build = _decoder_setup(vocab)
    expected_ids, expected_scores, expected_lengths = _beam_search_reference(
        step_fn, h0, 0, end, beam, vocab, max_step_num, impute)
    with fluid.dygraph.guard():
        cell, embedding, project = build()
        decoder = L.BeamSearchDecoder(cell, start_token=0, end_token=end, beam_size=beam,
                                      embedding_fn=embedding, output_fn=project)
        ids, states, lengths = L.dynamic_decode(decoder, inits=var(h0),
                                                max_step_num=max_step_num,
                                                impute_finished=impute, return_length=True)
        assert ids.dtype == np.int64 and lengths.dtype == np.int64
        np.testing.assert_array_equal(ids.numpy(), expected_ids.transpose(1, 0, 2))
        np.testing.assert_allclose(states.log_probs.numpy(), expected_scores, rtol=1e-10)
        np.testing.assert_array_equal(lengths.numpy(), expected_lengths)
        assert isinstance(states, L.BeamSearchDecoder.StateWrapper)
        assert states.cell_states.shape == [2, beam, 4]
        time_major, _ = L.dynamic_decode(decoder, inits=var(h0), max_step_num=max_step_num,
                                         impute_finished=impute, output_time_major=True)
        np.testing.assert_array_equal(time_major.numpy(), expected_ids)


def test_beam_search_scores_are_differentiable():
    step_fn, build = _decoder_setup()
    h0 = uniform((2, 4), seed=5)
    with fluid.dygraph.guard():
        cell, embedding, project = build()
        decoder = L.BeamSearchDecoder(cell, 0, 1, 2, embedding_fn=embedding, output_fn=project)
        check_grads(lambda h: L.dynamic_decode(decoder, inits=h, max_step_num=2)[1].log_probs,
                    h0)


def test_tile_beam_merge_with_batch():
    x = uniform((2, 3, 2))
    with fluid.dygraph.guard():
        out = L.BeamSearchDecoder.tile_beam_merge_with_batch(var(x), 3).numpy()
    assert out.shape == (6, 3, 2)
    for b in range(2):
        for k in range(3):
            np.testing.assert_array_equal(out[b * 3 + k], x[b])


class _Countdown(L.Decoder):
    """A user decoder without finalize: each sequence counts down from its start to 0."""

    def initialize(self, inits):
        return inits, inits, L.equal(inits, L.zeros_like(inits))

    def step(self, time, inputs, states, **kwargs):
        nxt = inputs - kwargs.get("by", 1)
        finished = L.less_equal(nxt, L.zeros_like(nxt))
        return {"value": nxt, "time": L.cast(time, "int64")}, nxt, nxt, finished


def test_dynamic_decode_with_a_user_decoder():
    starts = np.array([3, 1, 5], np.int64)
    with fluid.dygraph.guard():
        outputs, final, lengths = L.dynamic_decode(_Countdown(), inits=var(starts),
                                                   return_length=True)
        # Steps run until every sequence is finished: max(starts) steps, outputs batch-major.
        expected = np.array([[s - t for t in range(1, 6)] for s in starts])
        np.testing.assert_array_equal(outputs["value"].numpy(), expected)
        # `time` is the step index as an int64 [1] Variable (stacked: [5, 1], then [1, 5]).
        np.testing.assert_array_equal(outputs["time"].numpy(), [[0, 1, 2, 3, 4]])
        np.testing.assert_array_equal(lengths.numpy(), starts)
        np.testing.assert_array_equal(final.numpy(), starts - 5)
        limited, _ = L.dynamic_decode(_Countdown(), inits=var(starts), max_step_num=1, by=2)
        np.testing.assert_array_equal(limited["value"].numpy(), [[1, -1], [-1, -3], [3, 1]])
        with pytest.raises(NotImplementedError, match="must implement initialize"):
            L.dynamic_decode(L.Decoder())


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: L.dynamic_decode(object()), TypeError, "decoder must be a fluid.layers.Decoder"),
    (lambda: L.dynamic_decode(_Countdown(), var(np.array([2])), max_step_num=-1), ValueError,
     "max_step_num must be None or an int >= 0"),
    (lambda: L.dynamic_decode(_Countdown(), var(np.array([0]))), ValueError,
     "nothing to decode"),
    (lambda: L.BeamSearchDecoder(L.GRUCell(2), 0, 1, beam_size=0), ValueError,
     "beam_size must be an int >= 1"),
    (lambda: L.dynamic_decode(L.BeamSearchDecoder(
        L.GRUCell(2), 0, 5, 2, embedding_fn=lambda ids: L.cast(L.unsqueeze(ids, [2]), "float32")),
        inits=var(np.zeros((1, 2), np.float32))), ValueError,
     "end_token=5 is not an id of the vocabulary"),
])
def test_decode_bad_input(call, error, pattern):
    with fluid.dygraph.guard():
        with pytest.raises(error, match=pattern):
            call()
