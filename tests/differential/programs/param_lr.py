# Per-parameter learning rates (ParamAttr(learning_rate=...)) under SGD and Momentum.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

w = np.array([[1.0, -1.0], [0.5, 2.0]], "float32")
b = np.array([0.5, -0.5], "float32")

with fluid.dygraph.guard():
    for name, make in [("sgd", lambda params: fluid.optimizer.SGD(0.1, parameter_list=params)),
                       ("momentum", lambda params: fluid.optimizer.Momentum(
                           0.1, momentum=0.5, parameter_list=params))]:
        linear = fluid.dygraph.Linear(
            2, 2,
            param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w),
                                       learning_rate=0.5),
            bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(b),
                                      learning_rate=3.0))
        opt = make(linear.parameters())
        x = fluid.dygraph.to_variable(np.array([[1.0, 2.0], [-1.0, 0.5]], "float32"))
        for step in range(2):
            loss = fluid.layers.reduce_sum(fluid.layers.square(linear(x)))
            loss.backward()
            opt.minimize(loss)
            linear.clear_gradients()
        report(name + "_weight", linear.weight.numpy())
        report(name + "_bias", linear.bias.numpy())
        report(name + "_optimize_attr", linear.weight.optimize_attr)
