# fluid.layers normalisation functions: outputs and input gradients, parameters set through
# ParamAttr(initializer=NumpyArrayInitializer(...)).
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op, catch

rng = np.random.RandomState(41)
L = fluid.layers


def u(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape).astype("float32")


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


x4 = u(2, 4, 3, 3)                    # N, C, H, W
x3 = u(3, 2, 5)
x2 = u(4, 6)
gamma4, beta4 = u(4, low=0.5, high=1.5), u(4)

with fluid.dygraph.guard():
    # layer_norm: 1.8.5 refuses it in dygraph ("please use LayerNorm instead"); minigrad
    # provides it (DELIBERATE). The same normalisation is then compared against 1.8.5's
    # dygraph.LayerNorm, which the program falls back to where layer_norm is refused.
    report_op("layer_norm", lambda x: L.layer_norm(x, begin_norm_axis=1), x4, grad=False)

    def layer_norm_or_layer(x, begin_norm_axis, epsilon=1e-5, gain=None, bias=None):
        scale, shift = gain is not None, bias is not None
        param_attr = attr(gain) if scale else None
        bias_attr = attr(bias) if shift else None
        try:
            return L.layer_norm(x, scale=scale, shift=shift, begin_norm_axis=begin_norm_axis,
                                epsilon=epsilon, param_attr=param_attr, bias_attr=bias_attr)
        except AssertionError:          # 1.8.5 in dygraph
            layer = fluid.dygraph.LayerNorm(x.shape[begin_norm_axis:], scale=scale,
                                            shift=shift, epsilon=epsilon,
                                            param_attr=param_attr, bias_attr=bias_attr)
            return layer(x)

    report_op("layer_norm_values", lambda x: layer_norm_or_layer(
        x, 1, gain=u(4 * 3 * 3, low=0.5, high=1.5), bias=u(4 * 3 * 3)), x4)
    report_op("layer_norm_axis2", lambda x: layer_norm_or_layer(
        x, 2, epsilon=1e-3, gain=u(9, low=0.5, high=1.5), bias=u(9)), x4)
    report_op("layer_norm_no_affine", lambda x: layer_norm_or_layer(x, 1), x3)

    report_op("group_norm", lambda x: L.group_norm(
        x, groups=2, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4)
    report_op("group_norm_eps_act", lambda x: L.group_norm(
        x, groups=4, epsilon=1e-3, param_attr=attr(gamma4), bias_attr=attr(beta4),
        act="relu"), x4)
    report_op("group_norm_one_group", lambda x: L.group_norm(
        x, groups=1, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4)

    report_op("group_norm_uneven", lambda x: L.group_norm(
        x, groups=2, param_attr=attr(u(5, low=0.5, high=1.5)), bias_attr=attr(u(5))),
        u(2, 5, 2, 3))
    report_op("group_norm_nhwc", lambda x: L.group_norm(
        x, groups=2, data_layout="NHWC", param_attr=attr(u(3, low=0.5, high=1.5)),
        bias_attr=attr(u(3))), x4)

    report_op("instance_norm", lambda x: L.instance_norm(
        x, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4)
    report_op("instance_norm_default", lambda x: L.instance_norm(x, epsilon=1e-3), x4)
    report_op("instance_norm_3d", lambda x: L.instance_norm(
        x, param_attr=attr(u(2, low=0.5, high=1.5)), bias_attr=attr(u(2))), x3)

    mean4 = u(4, low=-0.2, high=0.2)
    var4 = u(4, low=0.5, high=2.0)
    report_op("batch_norm_train", lambda x: L.batch_norm(
        x, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4)
    report_op("batch_norm_train_act", lambda x: L.batch_norm(
        x, act="relu", momentum=0.5, epsilon=1e-3, param_attr=attr(gamma4),
        bias_attr=attr(beta4)), x4)
    report_op("batch_norm_2d", lambda x: L.batch_norm(
        x, param_attr=attr(u(6, low=0.5, high=1.5)), bias_attr=attr(u(6))), x2)
    report_op("batch_norm_nhwc", lambda x: L.batch_norm(
        x, data_layout="NHWC", param_attr=attr(u(3, low=0.5, high=1.5)), bias_attr=attr(u(3))),
        x4)
    # is_test=True: normalise with the fresh moving statistics (mean 0, variance 1). Forward
    # only: 1.8.5's backward refuses is_test ("CANNOT be used in train program") and leaves
    # its tracer unusable for the rest of the program.
    report_op("batch_norm_5d", lambda x: L.batch_norm(
        x, param_attr=attr(u(2, low=0.5, high=1.5)), bias_attr=attr(u(2))), u(2, 2, 2, 3, 2))
    report_op("batch_norm_is_test", lambda x: L.batch_norm(
        x, is_test=True, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4, grad=False)
    report_op("batch_norm_global_stats", lambda x: L.batch_norm(
        x, use_global_stats=True, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4)

    report_op("l2_normalize_axis1", lambda x: L.l2_normalize(x, axis=1), x2)
    report_op("l2_normalize_axis0", lambda x: L.l2_normalize(x, axis=0), x2)
    report_op("l2_normalize_neg_axis", lambda x: L.l2_normalize(x, axis=-1, epsilon=1e-6), x3)
    report_op("l2_normalize_4d", lambda x: L.l2_normalize(x, axis=1), x4)

    x_lrn = u(2, 7, 3, 2, low=0.0, high=2.0)
    report_op("lrn", L.lrn, x_lrn)
    report_op("lrn_options", lambda x: L.lrn(x, n=3, k=2.0, alpha=1e-2, beta=0.5), x_lrn)
    report_op("lrn_nhwc", lambda x: L.lrn(x, n=3, alpha=1e-2, data_format="NHWC"), x_lrn)

    # data_norm: the input's output and gradient (its summary parameters take no gradient).
    # Each call names its summaries "<name>.batch_size", ...: 1.8.5 refuses a name twice.
    x_dn = u(4, 6)
    report_op("data_norm", lambda x: L.data_norm(x), x_dn)
    report_op("data_norm_summaries", lambda x: L.data_norm(
        x, name="dn_summaries", param_attr={"batch_size": 8.0, "batch_sum": 2.0,
                                            "batch_square": 20.0}), x_dn)
    report_op("data_norm_scale_shift", lambda x: L.data_norm(
        x, name="dn_scale_shift", enable_scale_and_shift=True,
        param_attr={"batch_size": 4.0, "batch_sum": -1.0, "batch_square": 9.0,
                    "scale_w": 1.5, "bias": 0.25}), x_dn)
    # slot_dim: a slot whose first value is 0 is output as 0; 1.8.5's backward still passes
    # dy * scale to it (DELIBERATE: minigrad gives the derivative, 0).
    x_slots = x_dn.copy()
    x_slots[1, 0] = 0.0
    x_slots[2, 3] = 0.0
    report_op("data_norm_slot_dim", lambda x: L.data_norm(
        x, name="dn_slots", slot_dim=3,
        param_attr={"batch_size": 4.0, "batch_sum": 1.0, "batch_square": 9.0}), x_slots)
    report_op("data_norm_act", lambda x: L.data_norm(
        x, name="dn_act", act="tanh", param_attr={"batch_sum": 500.0}), x_dn)

    # spectral_norm: forward only (1.8.5's backward is not the derivative; docs/paddle18.md).
    # u and v start random (Normal) on both sides, so the weights have one dominant singular
    # value and enough power iterations for both to converge to it.
    def dominant(*shape):
        h = shape[0]
        rest = int(np.prod(shape[1:]))
        a, b = rng.uniform(0.5, 1.5, (h, 1)), rng.uniform(0.5, 1.5, (1, rest))
        return (4.0 * a @ b + rng.uniform(-0.1, 0.1, (h, rest))).reshape(shape).astype("float32")

    report_op("spectral_norm", lambda w: L.spectral_norm(w, dim=0, power_iters=20),
              dominant(4, 6), grad=False)
    report_op("spectral_norm_dim1", lambda w: L.spectral_norm(w, dim=1, power_iters=20),
              dominant(6, 4).T.copy(), grad=False)
    report_op("spectral_norm_4d", lambda w: L.spectral_norm(w, dim=0, power_iters=20),
              dominant(3, 2, 2, 2), grad=False)

    scale4, bias4 = u(4, low=0.5, high=1.5), u(4)
    report_op("affine_channel", lambda x, s, b: L.affine_channel(x, scale=s, bias=b),
              x4, scale4, bias4)
    report_op("affine_channel_nhwc", lambda x, s, b: L.affine_channel(
        x, scale=s, bias=b, data_layout="NHWC"), u(2, 3, 2, 4), scale4, bias4)
    report_op("affine_channel_act", lambda x, s, b: L.affine_channel(
        x, scale=s, bias=b, act="relu"), x4, scale4, bias4)
    report_op("affine_channel_2d", lambda x, s, b: L.affine_channel(x, scale=s, bias=b),
              u(5, 4), scale4, bias4)

    # -- where epsilon sits, float64, edge shapes --
    tiny = np.array([[1e-4, -2e-4, 1e-4], [0.5, -1.0, 2.0]], "float32")
    report_op("l2_normalize_large_epsilon", lambda x: L.l2_normalize(x, axis=1, epsilon=1e-2),
              tiny)
    report_op("group_norm_large_epsilon", lambda x: L.group_norm(
        x, groups=2, epsilon=0.5, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4 * 0.1)
    # 1.8.5's batch/instance/layer norm kernels refuse epsilon > 1e-3, so these use 1e-3 on
    # inputs whose variance is of that order.
    report_op("instance_norm_large_epsilon", lambda x: L.instance_norm(
        x, epsilon=1e-3, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4 * 0.1)
    report_op("batch_norm_large_epsilon", lambda x: L.batch_norm(
        x, epsilon=1e-3, param_attr=attr(gamma4), bias_attr=attr(beta4)), x4 * 0.1)
    report_op("layer_norm_large_epsilon", lambda x: layer_norm_or_layer(
        x, 1, epsilon=1e-3), x3 * 0.1)
    report_op("lrn_even_n", lambda x: L.lrn(x, n=4, alpha=0.1), x_lrn)
    report_op("lrn_n1", lambda x: L.lrn(x, n=1, k=0.5, alpha=0.5, beta=1.0), x_lrn)
    x64 = x4.astype("float64")
    report_op("l2_normalize_float64", lambda x: L.l2_normalize(x, axis=2), x64)
    report_op("affine_channel_float64", lambda x, s, b: L.affine_channel(x, scale=s, bias=b),
              x64, scale4.astype("float64"), bias4.astype("float64"))
    report_op("affine_channel_3d", lambda x, s, b: L.affine_channel(x, scale=s, bias=b),
              u(2, 4, 3), scale4, bias4)
    # One value per channel: Paddle passes x through unchanged.
    report_op("batch_norm_single_value_per_channel", lambda x: L.batch_norm(
        x, param_attr=attr(gamma4), bias_attr=attr(beta4)), u(1, 4, 1, 1))
    report_op("batch_norm_single_row", lambda x: L.batch_norm(
        x, param_attr=attr(u(6, low=0.5, high=1.5)), bias_attr=attr(u(6))), u(1, 6))
    bn_layer = fluid.dygraph.BatchNorm(6, param_attr=attr(u(6, low=0.5, high=1.5)),
                                       bias_attr=attr(u(6)))
    report_op("batch_norm_layer_single_row", bn_layer, u(1, 6))
    report("batch_norm_layer_single_row.weight_grad", bn_layer.weight.gradient())
    report("batch_norm_layer_single_row.running", [bn_layer._mean, bn_layer._variance])
    report_op("instance_norm_one_pixel", lambda x: L.instance_norm(
        x, param_attr=attr(gamma4), bias_attr=attr(beta4)), u(2, 4, 1, 1))

    report_op("l2_normalize_1d", lambda x: L.l2_normalize(x, axis=0), u(5))
    report_op("spectral_norm_eps", lambda w: L.spectral_norm(w, dim=0, power_iters=20,
                                                             eps=1e-3), dominant(3, 5),
              grad=False)
    report_op("group_norm_float64", lambda x: L.group_norm(
        x, groups=2, param_attr=fluid.ParamAttr(initializer=fluid.initializer.Constant(1.5)),
        bias_attr=fluid.ParamAttr(initializer=fluid.initializer.Constant(0.5))), x64)
    report_op("instance_norm_float64", lambda x: L.instance_norm(x), x64)
    report_op("batch_norm_float64", lambda x: L.batch_norm(x), x64)
    report_op("data_norm_float64", lambda x: L.data_norm(
        x, name="dn_float64", param_attr={"batch_size": 4.0, "batch_sum": 1.0,
                                          "batch_square": 9.0}), x_dn.astype("float64"))
    report_op("data_norm_nhwc", lambda x: L.data_norm(x, name="dn_nhwc", data_layout="NHWC"),
              x_dn)

    # -- bad input: both must raise --
    with catch("group_norm_groups_above_channels"):
        L.group_norm(fluid.dygraph.to_variable(x4), groups=8)
    with catch("group_norm_bad_layout"):
        L.group_norm(fluid.dygraph.to_variable(x4), groups=2, data_layout="NCWH")
    with catch("l2_normalize_axis_out_of_range"):
        L.l2_normalize(fluid.dygraph.to_variable(x2), axis=3).numpy()
    with catch("lrn_3d_input"):
        L.lrn(fluid.dygraph.to_variable(x3))
    with catch("lrn_bad_format"):
        L.lrn(fluid.dygraph.to_variable(x_lrn), data_format="NCWH")
    with catch("batch_norm_bias_attr_false"):
        L.batch_norm(fluid.dygraph.to_variable(x4), bias_attr=False)
    with catch("instance_norm_bias_attr_false"):
        L.instance_norm(fluid.dygraph.to_variable(x4), bias_attr=False)
    with catch("affine_channel_bad_layout"):
        L.affine_channel(fluid.dygraph.to_variable(x4), scale=fluid.dygraph.to_variable(scale4),
                         bias=fluid.dygraph.to_variable(bias4), data_layout="NCWH")
    report("done", True)
