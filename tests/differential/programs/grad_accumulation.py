# Two backward() calls without clear_gradients in between, then the usual clear-and-repeat.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

w = np.array([[1.0], [2.0]], "float32")

with fluid.dygraph.guard():
    linear = fluid.dygraph.Linear(
        2, 1, param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w)),
        bias_attr=False)
    x = fluid.dygraph.to_variable(np.array([[1.0, 3.0]], "float32"))
    fluid.layers.reduce_sum(linear(x)).backward()
    report("after_one_backward", linear.weight.gradient())
    fluid.layers.reduce_sum(linear(x) * 2.0).backward()
    report("after_two_backwards", linear.weight.gradient())
    linear.clear_gradients()
    fluid.layers.reduce_sum(linear(x) * 2.0).backward()
    report("after_clear_and_backward", linear.weight.gradient())

    # The same through one retained graph.
    v = fluid.dygraph.to_variable(np.array([1.0, 2.0], "float32"))
    v.stop_gradient = False
    y = fluid.layers.reduce_sum(v * v)
    y.backward(retain_graph=True)
    report("retained_first", v.gradient())
    y.backward()
    report("retained_second", v.gradient())
