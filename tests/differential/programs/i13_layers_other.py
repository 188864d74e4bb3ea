# The loss layers (MSELoss, L1Loss, BCELoss, NLLLoss), PRelu, BilinearTensorProduct, GRUUnit,
# NCE and TreeConv of fluid.dygraph: values, shapes, parameter names and shapes, gradients of
# inputs and parameters, and the errors both raise. NCE's noise is made deterministic with a
# custom_dist that puts all its mass on one class (the two frameworks draw different random
# numbers).
import numpy as np
import paddle.fluid as fluid
from diffreport import catch, report, report_op

rng = np.random.RandomState(1308)
nn = fluid.dygraph.nn
init = fluid.initializer.NumpyArrayInitializer


def attr(array):
    return fluid.ParamAttr(initializer=init(array))


def params(name, layer):
    for index, parameter in enumerate(layer.parameters()):
        report(f"{name}.param{index}.name", parameter.name)
        report(f"{name}.param{index}", parameter)


def param_grads(name, layer):
    for index, parameter in enumerate(layer.parameters()):
        report(f"{name}.param{index}.grad", parameter.gradient())


x = rng.uniform(-2, 2, (4, 3)).astype("float32")
y = rng.uniform(-2, 2, (4, 3)).astype("float32")
prob = rng.uniform(0.05, 0.95, (4, 3)).astype("float32")
target = rng.randint(0, 2, (4, 3)).astype("float32")
logp = np.log(rng.dirichlet(np.ones(5), 6)).astype("float32")
label = np.array([1, 4, 0, 4, 2, 3], "int64")
logp4 = np.log(rng.dirichlet(np.ones(3), (2, 2, 4))).transpose(0, 3, 1, 2).astype("float32")
label4 = rng.randint(0, 3, (2, 2, 4)).astype("int64")
logp3 = np.log(rng.dirichlet(np.ones(3), (2, 5))).transpose(0, 2, 1).astype("float32")
label3 = rng.randint(0, 3, (2, 5)).astype("int64")
class_weight = rng.uniform(0.5, 2, 5).astype("float32")

with fluid.dygraph.guard():
    v = fluid.dygraph.to_variable
    for reduction in ("mean", "sum", "none"):
        report_op(f"mse_{reduction}", nn.MSELoss(reduction=reduction), x, y)
        report_op(f"l1_{reduction}", nn.L1Loss(reduction=reduction), x, y)
        report_op(f"bce_{reduction}", lambda p, t: nn.BCELoss(reduction=reduction)(p, t),
                  prob, target)
        report_op(f"nll_{reduction}", lambda p: nn.NLLLoss(reduction=reduction)(p, v(label)),
                  logp)
        report_op(f"nll_weight_{reduction}", lambda p: nn.NLLLoss(
            weight=v(class_weight), reduction=reduction, ignore_index=4)(p, v(label)), logp)
        report_op(f"nll_4d_{reduction}", lambda p: nn.NLLLoss(reduction=reduction)(
            p, v(label4)), logp4)
        report_op(f"nll_3d_{reduction}", lambda p: nn.NLLLoss(reduction=reduction)(
            p, v(label3)), logp3)
    report_op("bce_weight", lambda p, t: nn.BCELoss(weight=v(np.array([2.0, 0.5, 1.0],
                                                                      "float32")))(p, t),
              prob, target)
    report_op("bce_edges", lambda p: nn.BCELoss(reduction="none")(
        p, v(np.array([1.0, 0.0, 1.0], "float32"))), np.array([0.0, 1.0, 0.25], "float32"))
    report_op("l1_int", lambda: nn.L1Loss()(v(np.array([1, 5], "int64")),
                                            v(np.array([3, 2], "int64"))))
    report_op("nll_all_ignored", lambda p: nn.NLLLoss(ignore_index=1)(
        p, v(np.ones(6, "int64"))), logp)
    with catch("mse_bad_reduction"):
        nn.MSELoss(reduction="avg")
    with catch("l1_bad_reduction"):
        nn.L1Loss(reduction="avg")
    with catch("bce_bad_reduction"):
        nn.BCELoss(reduction="avg")
    with catch("nll_bad_reduction"):
        nn.NLLLoss(reduction="avg")(v(logp), v(label))
    with catch("nll_1d_input"):
        nn.NLLLoss()(v(logp[0]), v(label[:1]))
    with catch("nll_label_out_of_range"):
        nn.NLLLoss()(v(logp), v(np.array([1, 7, 0, 4, 2, 3], "int64")))
    with catch("nll_int32_label"):
        nn.NLLLoss()(v(logp), v(label.astype("int32")))
    with catch("bce_weight_not_variable"):
        nn.BCELoss(weight=np.ones(3, "float32"))(v(prob), v(target))

    # PRelu in its three modes.
    image = rng.uniform(-2, 2, (2, 3, 2, 2)).astype("float32")
    for mode, alpha, options in (
            ("all", np.array([0.3], "float32"), {}),
            ("channel", rng.uniform(0, 1, (1, 3, 1, 1)).astype("float32"), {"channel": 3}),
            ("element", rng.uniform(0, 1, (1, 3, 2, 2)).astype("float32"),
             {"input_shape": [2, 3, 2, 2]})):
        prelu = nn.PRelu(mode, param_attr=attr(alpha), **options)
        params(f"prelu_{mode}", prelu)
        report_op(f"prelu_{mode}", prelu, image)
        param_grads(f"prelu_{mode}", prelu)
    report("prelu_default_alpha", nn.PRelu("all").weight)
    report("prelu_float64_alpha_dtype", str(nn.PRelu("all", dtype="float64").weight.dtype))
    with catch("prelu_bad_mode"):
        nn.PRelu("row")
    with catch("prelu_channel_missing"):
        nn.PRelu("channel")

    # BilinearTensorProduct with and without a bias, with an act.
    a = rng.uniform(-1, 1, (3, 4)).astype("float32")
    b = rng.uniform(-1, 1, (3, 2)).astype("float32")
    weight = rng.uniform(-1, 1, (5, 4, 2)).astype("float32")
    bias = rng.uniform(-1, 1, (1, 5)).astype("float32")
    btp = nn.BilinearTensorProduct(4, 2, 5, act="tanh", param_attr=attr(weight),
                                   bias_attr=attr(bias))
    params("btp", btp)
    report_op("btp", btp, a, b)
    param_grads("btp", btp)
    btp = nn.BilinearTensorProduct(4, 2, 5, param_attr=attr(weight), bias_attr=False)
    params("btp_no_bias", btp)
    report_op("btp_no_bias", btp, a, b)
    param_grads("btp_no_bias", btp)

    # GRUUnit: hidden, reset_hidden_pre and gate, and the parameters' gradients.
    d = 3
    gates_in = rng.uniform(-1, 1, (2, 3 * d)).astype("float32")
    h0 = rng.uniform(-1, 1, (2, d)).astype("float32")
    gru_w = rng.uniform(-1, 1, (d, 3 * d)).astype("float32")
    gru_b = rng.uniform(-1, 1, (1, 3 * d)).astype("float32")
    gru = nn.GRUUnit(3 * d, param_attr=attr(gru_w), bias_attr=attr(gru_b))
    params("gru", gru)
    report_op("gru", gru, gates_in, h0, grad=False)
    # 1.8.5's gru_unit backward drops the gradients reaching reset_hidden_pre and gate, so the
    # gradients are compared through hidden alone, and separately (DELIBERATE) through all three.
    report_op("gru_hidden", lambda i, h: gru(i, h)[0], gates_in, h0)
    param_grads("gru_hidden", gru)
    gru = nn.GRUUnit(3 * d, param_attr=attr(gru_w), bias_attr=attr(gru_b))
    report_op("gru_all_outputs", gru, gates_in, h0)
    gru = nn.GRUUnit(3 * d, param_attr=attr(gru_w), bias_attr=attr(gru_b), origin_mode=True)
    report_op("gru_origin_mode", lambda i, h: gru(i, h)[0], gates_in, h0)
    gru = nn.GRUUnit(3 * d, param_attr=attr(gru_w), bias_attr=False)
    params("gru_no_bias", gru)
    report_op("gru_no_bias", lambda i, h: gru(i, h)[0], gates_in, h0)
    param_grads("gru_no_bias", gru)
    gru = nn.GRUUnit(3 * d, param_attr=attr(gru_w), bias_attr=attr(gru_b), activation="relu",
                     gate_activation="identity")
    report_op("gru_activations", gru, gates_in, h0, grad=False)
    with catch("gru_bad_activation"):
        nn.GRUUnit(3 * d, activation="gelu")

    # NCE with all the noise on class 2, so both frameworks draw the same samples.
    classes, dim = 6, 4
    emb = rng.uniform(-1, 1, (3, dim)).astype("float32")
    words = np.array([[0], [5], [3]], "int64")
    nce_w = rng.uniform(-1, 1, (classes, dim)).astype("float32")
    nce_b = rng.uniform(-1, 1, (classes, 1)).astype("float32")
    dist = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    nce = nn.NCE(classes, dim, param_attr=attr(nce_w), bias_attr=attr(nce_b),
                 num_neg_samples=3, sampler="custom_dist", custom_dist=dist)
    report("nce.weight", nce.weight)
    report_op("nce", lambda e: nce(e, v(words)), emb)
    report("nce.weight.grad", nce.weight.gradient())
    report("nce.bias.grad", nce.bias.gradient())
    nce = nn.NCE(classes, dim, param_attr=attr(nce_w), bias_attr=attr(nce_b),
                 num_neg_samples=3, sampler="custom_dist", custom_dist=dist)
    row_weight = np.array([[1.0], [0.5], [2.0]], "float32")
    report_op("nce_sample_weight", lambda e: nce(e, v(words), sample_weight=v(row_weight)),
              emb)
    report("nce_default_parameter_count", len(nn.NCE(classes, dim).parameters()))
    with catch("nce_bad_sampler"):
        nn.NCE(classes, dim, sampler="zipf")

    # TreeConv on two trees that cover all their nodes (1.8.5 leaves the rows past a tree's
    # node count undefined), with the default act (tanh) and without.
    trees = np.array([[[1, 2], [1, 3], [1, 4], [2, 5], [2, 6], [4, 7]],
                      [[1, 2], [2, 3], [3, 4], [3, 5], [3, 6], [6, 7]]], "int32")
    nodes = rng.uniform(-1, 1, (2, 7, 3)).astype("float32")
    for depth in (2, 3):
        for out_size, filters in ((1, 1), (2, 2)):
            name = f"tree_conv_d{depth}_o{out_size}_f{filters}"
            filt = rng.uniform(-1, 1, (3, 3, out_size, filters)).astype("float32")
            conv = nn.TreeConv(3, out_size, num_filters=filters, max_depth=depth,
                               act=None if out_size > 1 else "tanh", param_attr=attr(filt),
                               bias_attr=False)
            params(name, conv)
            report_op(name, lambda n: conv(n, v(trees)), nodes)
            param_grads(name, conv)
    report("tree_conv_default_parameter_count", len(nn.TreeConv(3, 2).parameters()))
    with catch("tree_conv_max_depth_1"):
        nn.TreeConv(3, 2, max_depth=1)(v(nodes), v(trees))
