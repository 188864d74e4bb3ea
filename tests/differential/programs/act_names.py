# The act= argument of layers: each activation name 1.8 programs pass, through Linear (output
# and input gradient), Conv2D and BatchNorm.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(60)
w = rng.uniform(-1, 1, (3, 4)).astype("float32")
k = rng.uniform(-1, 1, (2, 1, 2, 2)).astype("float32")
x_np = rng.uniform(-2, 2, (2, 3)).astype("float32")
img_np = rng.uniform(-2, 2, (1, 1, 3, 3)).astype("float32")

with fluid.dygraph.guard():
    for act in ["relu", "sigmoid", "tanh", "softmax", "leaky_relu", "relu6", "elu", "gelu",
                "softplus", "softsign", "swish", "hard_sigmoid", "exp", "abs", "square",
                "hard_swish", "brelu", "soft_relu", "logsigmoid", "tanh_shrink",
                "softshrink", "hard_shrink", "stanh", "thresholded_relu"]:
        try:
            linear = fluid.dygraph.Linear(3, 4, act=act, param_attr=fluid.ParamAttr(
                initializer=fluid.initializer.NumpyArrayInitializer(w)))
            x = fluid.dygraph.to_variable(x_np)
            x.stop_gradient = False
            out = linear(x)
            fluid.layers.reduce_sum(out * out).backward()
            report(act, [out, x.gradient()])
        except Exception as error:      # noqa: BLE001 - one unknown name costs one key
            report(act, error)
    conv = fluid.dygraph.Conv2D(1, 2, 2, act="leaky_relu", param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(k)), bias_attr=False)
    report("conv_leaky_relu", conv(fluid.dygraph.to_variable(img_np)))
    bn = fluid.dygraph.BatchNorm(1, act="sigmoid")
    report("batch_norm_sigmoid", bn(fluid.dygraph.to_variable(img_np)))
