# dygraph LayerNorm, GroupNorm, InstanceNorm, SpectralNorm: parameters, names, outputs and the
# gradients of input and parameters, with parameters set through NumpyArrayInitializer.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op, catch

rng = np.random.RandomState(113)
nn = fluid.dygraph.nn


def u(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape).astype("float32")


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


def layer_report(name, layer, *arrays, param_grads=True):
    """The layer's parameter names and shapes, its output and input gradients, and the
    gradient of every parameter that takes one."""
    report(name + ".params", [[p.name, list(p.shape)] for p in layer.parameters()])
    report(name + ".state_dict_keys", sorted(layer.state_dict().keys()))
    report_op(name, layer, *arrays)
    for index, p in enumerate(layer.parameters() if param_grads else []):
        if not p.stop_gradient:
            report("%s.param_grad%d" % (name, index), p.gradient())


x4 = u(2, 4, 3, 3)
x3 = u(3, 5, 6)

with fluid.dygraph.guard():
    layer_report("layer_norm", nn.LayerNorm([5, 6], param_attr=attr(u(30, low=0.5, high=1.5)),
                                            bias_attr=attr(u(30))), x3)
    layer_report("layer_norm_last_act", nn.LayerNorm(
        6, epsilon=1e-3, act="tanh", param_attr=attr(u(6, low=0.5, high=1.5)),
        bias_attr=attr(u(6))), x3)
    layer_report("layer_norm_4d", nn.LayerNorm(
        [4, 3, 3], param_attr=attr(u(36, low=0.5, high=1.5)), bias_attr=attr(u(36))), x4)
    layer_report("layer_norm_no_affine", nn.LayerNorm(6, scale=False, shift=False), x3)
    layer_report("layer_norm_gain_false", nn.LayerNorm(6, param_attr=False), x3)
    layer_report("layer_norm_default", nn.LayerNorm(6), x3)
    layer_report("layer_norm_float64", nn.LayerNorm(6, dtype="float64"), x3.astype("float64"))

    gamma4, beta4 = u(4, low=0.5, high=1.5), u(4)
    layer_report("group_norm", nn.GroupNorm(4, 2, param_attr=attr(gamma4),
                                            bias_attr=attr(beta4)), x4)
    layer_report("group_norm_act_eps", nn.GroupNorm(
        4, 4, epsilon=1e-3, act="relu", param_attr=attr(gamma4), bias_attr=attr(beta4)), x4)
    # A 3-D input (the docs' own example): 1.8.5's kernel reads it as 4-D and computes wrong
    # values and NaN gradients (DELIBERATE).
    layer_report("group_norm_3d", nn.GroupNorm(5, 5, param_attr=attr(u(5, low=0.5, high=1.5)),
                                               bias_attr=attr(u(5))), x3)
    # Default attributes: 1.8.5 creates no gain and bias, contrary to its docs (DELIBERATE);
    # the output is the same (a missing gain is 1, a missing bias 0), 1.8.5's input gradient
    # without them is wrong.
    layer_report("group_norm_default", nn.GroupNorm(4, 2), x4, param_grads=False)

    layer_report("instance_norm", nn.InstanceNorm(4, param_attr=attr(gamma4),
                                                  bias_attr=attr(beta4)), x4)
    layer_report("instance_norm_3d", nn.InstanceNorm(
        5, epsilon=1e-3, param_attr=attr(u(5, low=0.5, high=1.5)), bias_attr=attr(u(5))), x3)
    layer_report("instance_norm_default", nn.InstanceNorm(4), x4)

    # SpectralNorm: u and v start from Normal(0, 1) on both sides (different numbers), so the
    # weights have one dominant singular value and enough power iterations for both to converge.
    def dominant(*shape):
        h = shape[0]
        rest = int(np.prod(shape[1:]))
        a, b = rng.uniform(0.5, 1.5, (h, 1)), rng.uniform(0.5, 1.5, (1, rest))
        return (4.0 * a @ b + rng.uniform(-0.1, 0.1, (h, rest))).reshape(shape).astype("float32")

    sn = nn.SpectralNorm([4, 6], dim=0, power_iters=30)
    report("spectral_norm.params", [[p.name, list(p.shape), p.stop_gradient]
                                    for p in sn.parameters()])
    report("spectral_norm.state_dict_keys", sorted(sn.state_dict().keys()))
    w46 = dominant(4, 6)
    u_before, v_before = sn.weight_u.numpy(), sn.weight_v.numpy()
    report_op("spectral_norm", sn, w46)
    report_op("spectral_norm_again", sn, w46, grad=False)
    # 1.8.5 never updates u and v: every call starts from the same vectors.
    report("spectral_norm.u_v_unchanged", [bool(np.array_equal(sn.weight_u.numpy(), u_before)),
                                           bool(np.array_equal(sn.weight_v.numpy(), v_before))])
    report("spectral_norm.u_grad", sn.weight_u.gradient())
    report_op("spectral_norm_conv", nn.SpectralNorm([3, 2, 2, 2], dim=1, power_iters=30),
              dominant(2, 3, 2, 2).transpose(1, 0, 2, 3).copy(), grad=False)
    report_op("spectral_norm_eps", nn.SpectralNorm([3, 5], power_iters=30, eps=1e-3),
              dominant(3, 5), grad=False)

    # -- bad input: both must raise --
    with catch("layer_norm_wrong_trailing_shape"):
        nn.LayerNorm([5, 6])(fluid.dygraph.to_variable(u(3, 6, 5)))
    with catch("layer_norm_no_batch_dim"):
        nn.LayerNorm([5, 6])(fluid.dygraph.to_variable(u(5, 6)))
    with catch("layer_norm_bias_attr_false"):
        nn.LayerNorm(6, bias_attr=False)
    with catch("layer_norm_dtype_mismatch"):
        nn.LayerNorm(6, dtype="float64")(fluid.dygraph.to_variable(x3))
    with catch("group_norm_wrong_channels"):
        nn.GroupNorm(4, 2, param_attr=attr(gamma4), bias_attr=attr(beta4))(
            fluid.dygraph.to_variable(x3))
    with catch("group_norm_groups_above_channels"):
        nn.GroupNorm(4, 5, param_attr=attr(gamma4), bias_attr=attr(beta4))(
            fluid.dygraph.to_variable(x4))
    with catch("group_norm_nhwc"):
        nn.GroupNorm(4, 2, data_layout="NHWC")
    with catch("instance_norm_wrong_channels"):
        nn.InstanceNorm(3)(fluid.dygraph.to_variable(x4))
    with catch("instance_norm_bias_attr_false"):
        nn.InstanceNorm(4, bias_attr=False)
    with catch("spectral_norm_wrong_shape"):
        nn.SpectralNorm([4, 6])(fluid.dygraph.to_variable(u(6, 4)))
    with catch("spectral_norm_dtype_mismatch"):
        nn.SpectralNorm([4, 6])(fluid.dygraph.to_variable(u(4, 6).astype("float64")))
    report("done", True)
