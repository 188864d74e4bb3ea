# Conv2D forward and gradients with fixed parameters: stride, padding, dilation, groups, act.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


rng = np.random.RandomState(2)
x_np = rng.uniform(-1, 1, (2, 4, 7, 6)).astype("float32")
w1 = rng.uniform(-1, 1, (6, 4, 3, 3)).astype("float32")
b1 = rng.uniform(-1, 1, (6,)).astype("float32")
w2 = rng.uniform(-1, 1, (4, 2, 2, 3)).astype("float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    conv1 = fluid.dygraph.Conv2D(num_channels=4, num_filters=6, filter_size=3, stride=2,
                                 padding=1, act="relu", param_attr=attr(w1), bias_attr=attr(b1))
    conv2 = fluid.dygraph.Conv2D(num_channels=4, num_filters=4, filter_size=[2, 3],
                                 stride=[1, 2], padding=[1, 0], dilation=2, groups=2,
                                 param_attr=attr(w2), bias_attr=False)
    y1 = conv1(x)
    y2 = conv2(x)
    loss = fluid.layers.reduce_mean(y1 * y1) + fluid.layers.reduce_sum(y2)
    loss.backward()
    report("y1", y1)
    report("y2", y2)
    report("loss", loss)
    report("w1_grad", conv1.weight.gradient())
    report("b1_grad", conv1.bias.gradient())
    report("w2_grad", conv2.weight.gradient())
    report("conv2_bias", conv2.bias)
    report("x_grad", x.gradient())
    with catch("wrong_channels"):
        conv1(fluid.dygraph.to_variable(np.ones((1, 3, 5, 5), "float32")))
