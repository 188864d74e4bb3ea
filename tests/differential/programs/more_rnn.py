# fluid.layers RNN building blocks: gru_unit, lstm_unit, GRUCell / LSTMCell steps, gather_tree.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op, catch

rng = np.random.RandomState(44)
L = fluid.layers
N, M, D = 3, 4, 5


def u(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape).astype("float32")


def flat(step):
    """(out, [h, c]) -> [out, h, c]."""
    out, states = step
    return [out] + list(states)


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


with fluid.dygraph.guard():
    # -- gru_unit: input [N, 3D] (already projected), hidden [N, D]; weight [D, 3D] --
    gru_w, gru_b = u(D, 3 * D), u(1, 3 * D)
    x3d, h0 = u(N, 3 * D), u(N, D)
    # Gradients through hidden: compared. (1.8.5's backward drops the gradients that reach the
    # other two outputs, reset_hidden_pre and gate: "gru_unit_all_outputs" in DELIBERATE.)
    for origin_mode in (False, True):
        report_op(f"gru_unit_origin{int(origin_mode)}", lambda x, h: L.gru_unit(
            x, h, size=3 * D, param_attr=attr(gru_w), bias_attr=attr(gru_b),
            origin_mode=origin_mode)[0], x3d, h0)
    report_op("gru_unit_no_bias", lambda x, h: L.gru_unit(
        x, h, size=3 * D, param_attr=attr(gru_w), bias_attr=False)[0], x3d, h0)
    report_op("gru_unit_outputs", lambda x, h: L.gru_unit(
        x, h, size=3 * D, param_attr=attr(gru_w), bias_attr=attr(gru_b)), x3d, h0, grad=False)
    report_op("gru_unit_all_outputs", lambda x, h: L.gru_unit(
        x, h, size=3 * D, param_attr=attr(gru_w), bias_attr=attr(gru_b), origin_mode=True),
        x3d, h0)
    # 1.8.5 computes with tanh and sigmoid whatever activation / gate_activation say.
    report_op("gru_unit_activations", lambda x, h: L.gru_unit(
        x, h, size=3 * D, param_attr=attr(gru_w), bias_attr=attr(gru_b), activation="relu",
        gate_activation="identity")[0], x3d, h0, grad=False)

    # -- lstm_unit: fc over [x, h] (weight [M + D, 4D], bias [4D]), gates i, f, o, g --
    lstm_w, lstm_b = u(M + D, 4 * D), u(4 * D)
    x_t, c0 = u(N, M), u(N, D)
    for forget_bias in (0.0, 1.0):
        report_op(f"lstm_unit_fb{forget_bias}", lambda x, h, c: L.lstm_unit(
            x, h, c, forget_bias=forget_bias, param_attr=attr(lstm_w),
            bias_attr=attr(lstm_b)), x_t, h0, c0)

    # -- LSTMCell: one weight [M + D, 4D] and one bias [4D], so NumpyArrayInitializer sets them --
    for forget_bias in (1.0, 0.5):
        cell = L.LSTMCell(hidden_size=D, param_attr=attr(lstm_w), bias_attr=attr(lstm_b),
                          forget_bias=forget_bias)
        report_op(f"lstm_cell_fb{forget_bias}", lambda x, h, c: flat(cell(x, [h, c])),
                  x_t, h0, c0)
    # 1.8.5's BasicLSTMUnit computes with sigmoid and tanh whatever the activations say.
    cell = L.LSTMCell(hidden_size=D, param_attr=attr(lstm_w), bias_attr=attr(lstm_b),
                      gate_activation=L.hard_sigmoid, activation=L.relu)
    report_op("lstm_cell_activations", lambda x, h, c: flat(cell(x, [h, c])), x_t, h0, c0,
              grad=False)
    cell = L.LSTMCell(hidden_size=D, param_attr=attr(lstm_w), bias_attr=attr(lstm_b))
    states = cell.get_initial_states(fluid.dygraph.to_variable(x_t))
    report("lstm_cell_initial_states", states)
    out, (h1, c1) = cell(fluid.dygraph.to_variable(x_t), states)
    out2, (h2, c2) = cell(fluid.dygraph.to_variable(u(N, M)), [h1, c1])
    report("lstm_cell_two_steps", [out2, h2, c2])
    report("lstm_cell_state_shape", cell.state_shape)

    # -- GRUCell: its gate [M + D, 2D] and candidate [M + D, D] weights share param_attr, so one
    # array cannot initialise both; the step after the first call uses values set with
    # set_value (the weights are made at the first call).
    gate_w, cand_w, gate_b, cand_b = u(M + D, 2 * D), u(M + D, D), u(2 * D), u(D)
    cell = L.GRUCell(hidden_size=D)
    cell(fluid.dygraph.to_variable(x_t), fluid.dygraph.to_variable(h0))
    unit = cell.gru_unit
    unit._gate_weight.set_value(gate_w)
    unit._candidate_weight.set_value(cand_w)
    unit._gate_bias.set_value(gate_b)
    unit._candidate_bias.set_value(cand_b)
    report_op("gru_cell", lambda x, h: cell(x, h), x_t, h0)
    report("gru_cell_weight_grad", unit._gate_weight.gradient())
    report("gru_cell_state_shape", cell.state_shape)
    report("gru_cell_initial_states", cell.get_initial_states(
        fluid.dygraph.to_variable(x_t), shape=[-1, D], init_value=0.5))
    # GRUCell applies the activations it is given (1.8.5's BasicGRUUnit does too).
    relu_cell = L.GRUCell(hidden_size=D, gate_activation=L.hard_sigmoid, activation=L.relu)
    relu_cell(fluid.dygraph.to_variable(x_t), fluid.dygraph.to_variable(h0))
    for parameter, value in ((relu_cell.gru_unit._gate_weight, gate_w),
                             (relu_cell.gru_unit._candidate_weight, cand_w),
                             (relu_cell.gru_unit._gate_bias, gate_b),
                             (relu_cell.gru_unit._candidate_bias, cand_b)):
        parameter.set_value(value)
    report_op("gru_cell_activations", lambda x, h: relu_cell(x, h), x_t, h0)
    # A named param_attr gets "_gate" / "_candidate" suffixes, Constant works for both shapes.
    cell = L.GRUCell(hidden_size=D, param_attr=fluid.ParamAttr(
        name="gru_w", initializer=fluid.initializer.Constant(0.1)),
        bias_attr=fluid.ParamAttr(name="gru_b", initializer=fluid.initializer.Constant(-0.2)))
    report_op("gru_cell_constant", lambda x, h: cell(x, h), x_t, h0)
    report("gru_cell_constant_names", sorted(p.name for p in cell.gru_unit.parameters()))

    # -- gather_tree: ids / parents [max_time, batch, beam] --
    ids = np.array([[[2, 2], [6, 1]], [[3, 9], [6, 1]], [[0, 1], [9, 0]]], "int64")
    parents = np.array([[[0, 0], [1, 1]], [[1, 0], [1, 0]], [[0, 0], [0, 1]]], "int64")
    report("gather_tree", L.gather_tree(fluid.dygraph.to_variable(ids),
                                        fluid.dygraph.to_variable(parents)))
    ids3 = rng.randint(0, 10, (4, 2, 3)).astype("int64")
    parents3 = rng.randint(0, 3, (4, 2, 3)).astype("int64")
    report("gather_tree_beam3", L.gather_tree(fluid.dygraph.to_variable(ids3),
                                              fluid.dygraph.to_variable(parents3)))
    report("gather_tree_int32", L.gather_tree(fluid.dygraph.to_variable(ids3.astype("int32")),
                                              fluid.dygraph.to_variable(
                                                  parents3.astype("int32"))))

    # -- edge cases --
    report_op("lstm_unit_no_bias", lambda x, h, c: L.lstm_unit(
        x, h, c, param_attr=attr(lstm_w), bias_attr=False), x_t, h0, c0)
    report_op("lstm_unit_float64", lambda x, h, c: L.lstm_unit(
        x, h, c, param_attr=fluid.ParamAttr(initializer=fluid.initializer.Constant(0.1))),
        x_t.astype("float64"), h0.astype("float64"), c0.astype("float64"))
    report_op("gru_unit_float64", lambda x, h: L.gru_unit(
        x, h, size=3 * D, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.Constant(0.1)))[0],
        x3d.astype("float64"), h0.astype("float64"))
    report_op("gru_unit_batch1", lambda x, h: L.gru_unit(
        x, h, size=3 * D, param_attr=attr(gru_w), bias_attr=attr(gru_b))[0], x3d[:1], h0[:1])
    report("gather_tree_one_step", L.gather_tree(
        fluid.dygraph.to_variable(ids[:1]), fluid.dygraph.to_variable(parents[:1])))

    # -- bad input: both must raise --
    as_var = fluid.dygraph.to_variable
    with catch("lstm_unit_rank3"):
        L.lstm_unit(as_var(u(2, N, M)), as_var(h0), as_var(c0))
    with catch("lstm_unit_batch_mismatch"):
        L.lstm_unit(as_var(x_t[:2]), as_var(h0), as_var(c0))
    with catch("lstm_unit_hidden_cell_mismatch"):
        L.lstm_unit(as_var(x_t), as_var(h0), as_var(u(N, D + 1)))
    with catch("gru_unit_int_input"):
        L.gru_unit(as_var(x3d.astype("int64")), as_var(h0), size=3 * D)
    with catch("gru_unit_size_not_int"):
        L.gru_unit(as_var(x3d), as_var(h0), size=float(3 * D))
    with catch("lstm_cell_states_not_list"):
        L.LSTMCell(hidden_size=D)(as_var(x_t), as_var(h0))
    with catch("gather_tree_float_ids"):
        L.gather_tree(as_var(ids.astype("float32")), as_var(parents)).numpy()
    report("done", True)
