# What optimizers keep: state_dict keys and values after two steps (SGD, Momentum, Adam, with a
# learning-rate schedule), as a checkpoint written by one framework would be read.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

w = np.array([[0.5, -1.0], [1.5, 0.25]], "float32")
x_np = np.array([[1.0, -2.0], [0.5, 1.0]], "float32")

with fluid.dygraph.guard():
    for name, make in [
            ("sgd", lambda p: fluid.optimizer.SGD(0.1, parameter_list=p)),
            ("momentum", lambda p: fluid.optimizer.Momentum(0.1, momentum=0.9,
                                                            parameter_list=p)),
            ("adam", lambda p: fluid.optimizer.Adam(0.1, parameter_list=p)),
            ("adam_schedule", lambda p: fluid.optimizer.Adam(
                fluid.dygraph.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5),
                parameter_list=p))]:
        linear = fluid.dygraph.Linear(2, 2, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.NumpyArrayInitializer(w)), bias_attr=False)
        opt = make(linear.parameters())
        for _ in range(2):
            loss = fluid.layers.reduce_sum(fluid.layers.square(
                linear(fluid.dygraph.to_variable(x_np))))
            loss.backward()
            opt.minimize(loss)
            linear.clear_gradients()
        state = opt.state_dict()
        report(name + ".keys", sorted(state.keys()))
        for key in sorted(state.keys()):
            value = state[key]
            if hasattr(value, "numpy"):
                value = value.numpy()
            report(name + "." + key, value)
