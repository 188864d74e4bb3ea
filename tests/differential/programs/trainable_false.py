# ParamAttr(trainable=False): the parameter is stop_gradient, gets no gradient and is not updated.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

w = np.array([[0.5, -0.5], [1.0, 2.0]], "float32")
b = np.array([0.1, 0.2], "float32")

with fluid.dygraph.guard():
    linear = fluid.dygraph.Linear(
        2, 2,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w),
                                   trainable=False),
        bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(b)))
    report("weight_trainable", linear.weight.trainable)
    report("weight_stop_gradient", linear.weight.stop_gradient)
    report("bias_stop_gradient", linear.bias.stop_gradient)
    opt = fluid.optimizer.SGD(learning_rate=0.5, parameter_list=linear.parameters())
    x = fluid.dygraph.to_variable(np.array([[1.0, 2.0]], "float32"))
    out = linear(x)
    report("out_stop_gradient", out.stop_gradient)
    loss = fluid.layers.reduce_sum(out)
    loss.backward()
    report("weight_grad", linear.weight.gradient())
    report("bias_grad", linear.bias.gradient())
    opt.minimize(loss)
    report("weight_after_step", linear.weight.numpy())
    report("bias_after_step", linear.bias.numpy())
    report("parameter_count", len(linear.parameters()))

    frozen = fluid.dygraph.Linear(2, 2, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(w), trainable=False),
        bias_attr=False)
    report("all_frozen_out_stop_gradient", frozen(x).stop_gradient)
    linear.weight.trainable = True
    report("stop_gradient_after_trainable_true", linear.weight.stop_gradient)
