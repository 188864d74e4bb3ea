# fluid.layers activations: outputs and input gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report_op

rng = np.random.RandomState(22)
L = fluid.layers
x = rng.uniform(-3, 3, (3, 5)).astype("float32")
x[0, 0], x[0, 1] = 7.0, -0.5     # beyond relu6's threshold; clipped by clip(-0.4, 0.8) below
pos = rng.uniform(0.2, 2.0, (3, 5)).astype("float32")

with fluid.dygraph.guard():
    report_op("relu", L.relu, x)
    report_op("sigmoid", L.sigmoid, x)
    report_op("tanh", L.tanh, x)
    report_op("softmax", L.softmax, x)
    report_op("softmax_axis0", lambda v: L.softmax(v, axis=0), x)
    report_op("log_softmax", lambda v: L.log_softmax(v, axis=1), x)
    report_op("leaky_relu", L.leaky_relu, x)
    report_op("leaky_relu_alpha", lambda v: L.leaky_relu(v, alpha=0.3), x)
    report_op("relu6", L.relu6, x)
    report_op("relu6_threshold", lambda v: L.relu6(v, threshold=2.0), x)
    report_op("elu", lambda v: L.elu(v, alpha=0.7), x)
    report_op("gelu", L.gelu, x)
    report_op("gelu_approximate", lambda v: L.gelu(v, approximate=True), x)
    report_op("erf", L.erf, x)
    report_op("softplus", L.softplus, x)
    report_op("softsign", L.softsign, x)
    report_op("swish", L.swish, x)
    report_op("hard_sigmoid", L.hard_sigmoid, x)
    report_op("exp", L.exp, x)
    report_op("sqrt", L.sqrt, pos)
    report_op("rsqrt", L.rsqrt, pos)
    report_op("log", L.log, pos)
    report_op("reciprocal", L.reciprocal, pos)
    report_op("square", L.square, x)
    report_op("abs", L.abs, x)
    report_op("pow", lambda v: L.pow(v, factor=3.0), x)
    report_op("clip", lambda v: L.clip(v, min=-0.4, max=0.8), x)
    report_op("scale", lambda v: L.scale(v, scale=2.0, bias=0.5), x)
    report_op("scale_before", lambda v: L.scale(v, scale=2.0, bias=0.5, bias_after_scale=False),
              x)
    report_op("sin", L.sin, x)
    report_op("cos", L.cos, x)
    report_op("floor", L.floor, x + 0.25)
    report_op("ceil", L.ceil, x + 0.25)
    report_op("round", L.round, x + 0.25)
    report_op("sign", L.sign, x)
