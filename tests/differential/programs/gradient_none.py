# gradient() of a parameter the loss does not reach, of a stop_gradient input, before backward.
import numpy as np
import paddle.fluid as fluid
from diffreport import report


def attr(value):
    return fluid.ParamAttr(initializer=fluid.initializer.ConstantInitializer(value))


with fluid.dygraph.guard():
    used = fluid.dygraph.Linear(2, 2, param_attr=attr(0.5), bias_attr=attr(0.1))
    unused = fluid.dygraph.Linear(2, 2, param_attr=attr(0.3), bias_attr=attr(0.2))
    x = fluid.dygraph.to_variable(np.ones((3, 2), "float32"))
    report("before_backward", used.weight.gradient())
    loss = fluid.layers.reduce_sum(used(x))
    loss.backward()
    report("used_weight", used.weight.gradient())
    report("used_bias", used.bias.gradient())
    report("unreached_weight", unused.weight.gradient())
    report("stop_gradient_input", x.gradient())
    used.clear_gradients()
    report("after_clear_gradients", used.weight.gradient())
