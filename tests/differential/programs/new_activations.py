# fluid.layers activations added for 1.8 compatibility: the shrinks, thresholded and bounded
# relus, soft_relu, stanh, selu, logsigmoid, hard_swish, maxout and prelu (each mode).
import numpy as np
import paddle.fluid as fluid
from diffreport import report_op

rng = np.random.RandomState(34)
L = fluid.layers
x = rng.uniform(-3, 3, (3, 6)).astype("float32")
# Keep every entry away from the kinks (|x| = 0.5, 1, 2, ...) so gradients are unambiguous.
x[np.abs(np.abs(x) - np.round(np.abs(x) * 2) / 2) < 0.05] += 0.1
wide = rng.uniform(-8, 8, (2, 7)).astype("float32")
image = rng.uniform(-1, 1, (2, 6, 2, 3)).astype("float32")


def alpha_attr(values):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(
        np.asarray(values, "float32")))


with fluid.dygraph.guard():
    report_op("hard_swish", L.hard_swish, wide)
    report_op("hard_swish_options", lambda v: L.hard_swish(v, threshold=4.0, scale=5.0,
                                                           offset=2.0), wide)
    report_op("hard_shrink", L.hard_shrink, x)
    report_op("hard_shrink_threshold", lambda v: L.hard_shrink(v, threshold=1.25), x)
    report_op("softshrink", L.softshrink, x)
    report_op("softshrink_alpha", lambda v: L.softshrink(v, alpha=1.25), x)
    report_op("tanh_shrink", L.tanh_shrink, x)
    report_op("thresholded_relu", L.thresholded_relu, x)
    report_op("thresholded_relu_threshold", lambda v: L.thresholded_relu(v, threshold=0.25), x)
    report_op("brelu", L.brelu, wide * 4.0)
    report_op("brelu_bounds", lambda v: L.brelu(v, t_min=-1.25, t_max=2.25), x)
    report_op("soft_relu", L.soft_relu, x)
    report_op("soft_relu_inside", lambda v: L.soft_relu(v, threshold=3.5), x)
    report_op("soft_relu_clipped_forward", lambda v: L.soft_relu(v, threshold=1.25), x,
              grad=False)
    report_op("soft_relu_clipped", lambda v: L.soft_relu(v, threshold=1.25), x)
    report_op("stanh", L.stanh, x)
    report_op("stanh_scales", lambda v: L.stanh(v, scale_a=0.5, scale_b=2.0), x)
    report_op("selu", L.selu, x)
    report_op("selu_options", lambda v: L.selu(v, scale=1.5, alpha=0.5), x)
    report_op("logsigmoid", L.logsigmoid, wide)
    report_op("maxout", lambda v: L.maxout(v, groups=2), image)
    report_op("maxout_g3", lambda v: L.maxout(v, groups=3), image)
    report_op("maxout_axis_last", lambda v: L.maxout(v, groups=3, axis=-1),
              rng.uniform(-1, 1, (2, 2, 3, 6)).astype("float32"))
    report_op("prelu_all", lambda v: L.prelu(v, mode="all", param_attr=alpha_attr([0.2])),
              image)
    report_op("prelu_channel", lambda v: L.prelu(
        v, mode="channel", param_attr=alpha_attr(np.linspace(0.1, 0.6, 6).reshape(1, 6, 1, 1))),
        image)
    report_op("prelu_element", lambda v: L.prelu(
        v, mode="element", param_attr=alpha_attr(
            np.linspace(-0.5, 0.5, 36).reshape(1, 6, 2, 3))), image)
    report_op("prelu_default_alpha", lambda v: L.prelu(v, mode="all"), x)
