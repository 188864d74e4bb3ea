# Linear forward and gradients with fixed parameters, act="tanh", a 3-D input, and a wrong
# input width.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch

rng = np.random.RandomState(1)
w = rng.uniform(-1, 1, (4, 3)).astype("float32")
b = rng.uniform(-1, 1, (3,)).astype("float32")
x_np = rng.uniform(-1, 1, (5, 4)).astype("float32")

with fluid.dygraph.guard():
    linear = fluid.dygraph.Linear(
        4, 3, act="tanh",
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w)),
        bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(b)))
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    out = linear(x)
    loss = fluid.layers.reduce_sum(out * out)
    loss.backward()
    report("weight", linear.weight)
    report("bias", linear.bias)
    report("out", out)
    report("loss", loss)
    report("weight_grad", linear.weight.gradient())
    report("bias_grad", linear.bias.gradient())
    report("x_grad", x.gradient())
    report("weight_shape", linear.weight.shape)
    report("parameter_count", len(linear.parameters()))
    batched = fluid.dygraph.to_variable(rng.uniform(-1, 1, (2, 3, 4)).astype("float32"))
    report("three_d_input", linear(batched))
    with catch("wrong_input_width"):
        linear(fluid.dygraph.to_variable(np.ones((2, 5), "float32")))
