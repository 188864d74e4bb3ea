# fluid.layers losses added for 1.8 compatibility (values, shapes, gradients of the inputs;
# labels are constants), and dygraph control flow: cond, case, switch_case, while_loop.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op

rng = np.random.RandomState(35)
L = fluid.layers


def u(low, high, *shape):
    return rng.uniform(low, high, shape).astype("float32")


def var(array):
    return fluid.dygraph.to_variable(array)


def init(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(
        np.asarray(array, "float32")))


pred, target = u(-2, 2, 5, 1), u(-2, 2, 5, 1)
boxes, box_targets = u(-2, 2, 3, 4), u(-2, 2, 3, 4)
logits = u(-2, 2, 4, 5)
log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
probs = u(0.05, 1, 4, 5)
probs /= probs.sum(1, keepdims=True)
classes = np.array([[1], [4], [0], [2]], "int64")

with fluid.dygraph.guard():
    report_op("huber_loss", lambda x: L.huber_loss(x, var(target), delta=1.0), pred)
    report_op("huber_loss_small_delta", lambda x: L.huber_loss(x, var(target), delta=0.3), pred)
    report_op("smooth_l1", lambda x: L.smooth_l1(x, var(box_targets)), boxes)
    report_op("smooth_l1_sigma", lambda x: L.smooth_l1(x, var(box_targets), sigma=2.0), boxes)
    report_op("smooth_l1_weights", lambda x, inside, outside: L.smooth_l1(
        x, var(box_targets), inside_weight=inside, outside_weight=outside, sigma=0.7),
        boxes, u(0.5, 1.5, 3, 4), u(0.5, 1.5, 3, 4), grad=False)
    report_op("smooth_l1_weights_grad", lambda x: L.smooth_l1(
        x, var(box_targets), inside_weight=var(u(0.5, 1.5, 3, 4)),
        outside_weight=var(u(0.5, 1.5, 3, 4)), sigma=0.7), boxes)
    for reduction in ("none", "batchmean", "mean", "sum"):
        report_op(f"kldiv_loss_{reduction}", lambda x: L.kldiv_loss(
            x, var(probs), reduction=reduction), log_probs)
    report_op("kldiv_loss_default", lambda x: L.kldiv_loss(x, var(probs)), log_probs)
    report_op("bpr_loss", lambda x: L.bpr_loss(x, var(classes)), logits)
    report_op("rank_loss", lambda left, right: L.rank_loss(
        var(np.array([[1.0], [0.0], [0.5], [1.0], [0.0]], "float32")), left, right),
        u(-1, 1, 5, 1), u(-1, 1, 5, 1))
    report_op("margin_rank_loss", lambda left, right: L.margin_rank_loss(
        var(np.array([[1.0], [-1.0], [1.0], [-1.0], [1.0]], "float32")), left, right,
        margin=0.2), u(-1, 1, 5, 1), u(-1, 1, 5, 1))
    report_op("margin_rank_loss_default", lambda left, right: L.margin_rank_loss(
        var(np.array([[1.0], [-1.0], [-1.0], [1.0], [1.0]], "float32")), left, right),
        u(-1, 1, 5, 1), u(-1, 1, 5, 1))
    report_op("npair_loss", lambda a, p: L.npair_loss(
        a, p, var(np.array([0, 1, 0, 2], "int64"))), u(-1, 1, 4, 3), u(-1, 1, 4, 3))
    report_op("npair_loss_float_labels", lambda a, p: L.npair_loss(
        a, p, var(np.array([[1.0], [1.0], [3.0]], "float32")), l2_reg=0.01),
        u(-1, 1, 3, 2), u(-1, 1, 3, 2))
    segmentation = u(0.05, 1, 2, 3, 3, 4)
    segmentation /= segmentation.sum(-1, keepdims=True)
    report_op("dice_loss", lambda p: L.dice_loss(
        p, var(rng.randint(0, 4, (2, 3, 3, 1)).astype("int64"))), segmentation)
    report_op("dice_loss_2d", lambda p: L.dice_loss(p, var(classes), epsilon=0.1), probs)
    focal_label = np.array([[1], [0], [5], [3]], "int32")
    report_op("sigmoid_focal_loss", lambda x: L.sigmoid_focal_loss(
        x, var(focal_label), var(np.array([3], "int32"))), logits)
    report_op("sigmoid_focal_loss_options", lambda x: L.sigmoid_focal_loss(
        x, var(focal_label), var(np.array([2], "int32")), gamma=1.5, alpha=0.4), logits)
    report_op("teacher_student_sigmoid_loss", lambda x: L.teacher_student_sigmoid_loss(
        x, var(np.array([[-2.0], [-1.0], [0.3], [1.7], [0.0]], "float32"))), pred)
    report_op("teacher_student_sigmoid_loss_bounds", lambda x: L.teacher_student_sigmoid_loss(
        x, var(np.array([[-2.0], [-1.0], [0.3], [1.7], [0.9]], "float32")),
        soft_max_up_bound=1.0, soft_max_lower_bound=-1.0), pred)
    report_op("cos_sim", L.cos_sim, u(-1, 1, 4, 3), u(-1, 1, 4, 3))
    report_op("cos_sim_broadcast", L.cos_sim, u(-1, 1, 4, 3), u(-1, 1, 1, 3))

    features = u(-1, 1, 4, 3)

    # hsigmoid on the default tree with 4 classes: every path has two nodes, so no padding.
    report_op("hsigmoid", lambda x: L.hsigmoid(
        x, var(np.array([[0], [3], [1], [2]], "int64")), num_classes=4,
        param_attr=init(u(-1, 1, 3, 3)), bias_attr=init(u(-1, 1, 3, 1))), features)
    report_op("hsigmoid_no_bias", lambda x: L.hsigmoid(
        x, var(np.array([[7], [0], [5], [2]], "int64")), num_classes=8,
        param_attr=init(u(-1, 1, 7, 3)), bias_attr=False), features)
    report_op("hsigmoid_two_classes", lambda x: L.hsigmoid(
        x, var(np.array([[1], [0], [0], [1]], "int64")), num_classes=2,
        param_attr=init(u(-1, 1, 1, 3)), bias_attr=init(u(-1, 1, 1, 1))), features)
    report_op("hsigmoid_custom", lambda x: L.hsigmoid(
        x, var(np.array([[0], [1], [2], [3]], "int64")), num_classes=3,
        param_attr=init(u(-1, 1, 3, 3)), bias_attr=init(u(-1, 1, 3, 1)),
        path_table=var(np.array([[0, 1], [0, 2], [0, 1], [0, 2]], "int64")),
        path_code=var(np.array([[1, 0], [0, 1], [1, 1], [0, 0]], "int64")), is_custom=True),
        features)

    # Control flow runs eagerly in dygraph: the branch taken is differentiated.
    yes = var(np.array([True]))
    no = var(np.array([False]))
    report_op("cond_true", lambda x: L.cond(yes, lambda: x * 2.0, lambda: x - 1.0), logits)
    report_op("cond_false", lambda x: L.cond(no, lambda: x * 2.0, lambda: L.tanh(x)), logits)
    report_op("cond_from_compare", lambda x: L.cond(
        L.less_than(L.reduce_sum(x), var(np.array([0.0], "float32"))),
        lambda: L.square(x), lambda: L.exp(x)), logits)
    report_op("cond_tuple", lambda x: L.cond(
        yes, lambda: (x * 3.0, x + 1.0), lambda: (x, x)), logits)
    report_op("case_second", lambda x: L.case(
        [(no, lambda: x * 2.0), (yes, lambda: x * 3.0)], default=lambda: x), logits)
    report_op("case_default", lambda x: L.case(
        [(no, lambda: x * 2.0), (no, lambda: x * 3.0)], default=lambda: L.sigmoid(x)), logits)
    report_op("case_no_default", lambda x: L.case(
        [(no, lambda: x * 2.0), (no, lambda: L.sin(x))]), logits)
    report_op("switch_case_dict", lambda x: L.switch_case(
        var(np.array([2], "int32")), {1: lambda: x * 2.0, 2: lambda: L.cos(x)},
        default=lambda: x), logits)
    report_op("switch_case_list", lambda x: L.switch_case(
        var(np.array([1], "int64")), [lambda: x * 2.0, lambda: x * 5.0]), logits)
    report_op("switch_case_pairs_default", lambda x: L.switch_case(
        var(np.array([7], "int32")), [(0, lambda: x * 2.0), (3, lambda: x * 5.0)],
        default=lambda: L.square(x)), logits)
    report_op("switch_case_no_default", lambda x: L.switch_case(
        var(np.array([9], "int32")), {1: lambda: x * 2.0, 4: lambda: x * 7.0}), logits)

    def loop(x):
        i = L.fill_constant(shape=[1], dtype="int64", value=0)
        limit = L.fill_constant(shape=[1], dtype="int64", value=3)
        return L.while_loop(lambda i, h: L.less_than(i, limit),
                            lambda i, h: [L.increment(i, in_place=False), L.tanh(h) * 1.5 + x],
                            [i, x * 0.5])

    report_op("while_loop", loop, u(-1, 1, 2, 3))
    counter = L.fill_constant(shape=[1], dtype="int64", value=0)
    total = L.fill_constant(shape=[1], dtype="float32", value=1.0)
    outs = L.while_loop(lambda i, s: L.less_than(i, L.fill_constant([1], "int64", 5)),
                        lambda i, s: [i + 1, s * 2.0], [counter, total])
    report("while_loop_counter", outs)
    # 1.8.5's dygraph loop rebinds its list: the Variables passed in keep their values, unless
    # the body changes one in place.
    report("while_loop_vars_after", [counter, total])
    step = L.fill_constant(shape=[1], dtype="int64", value=0)
    L.while_loop(lambda i: L.less_than(i, L.fill_constant([1], "int64", 4)),
                 lambda i: [L.increment(i, in_place=True)], [step])
    report("while_loop_in_place_body", step)
