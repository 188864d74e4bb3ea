# Layer.eval() / train(): which layers change mode, and whether gradients are still recorded.
import numpy as np
import paddle.fluid as fluid
from diffreport import report


def attr(value):
    return fluid.ParamAttr(initializer=fluid.initializer.ConstantInitializer(value))


with fluid.dygraph.guard():
    a = fluid.dygraph.Linear(2, 2, param_attr=attr(0.5), bias_attr=attr(0.1))
    b = fluid.dygraph.Linear(2, 2, param_attr=attr(0.3), bias_attr=attr(0.2))
    x = fluid.dygraph.to_variable(np.ones((1, 2), "float32"))
    report("a_training_initially", a.training)
    a.eval()
    report("a_training_after_eval", a.training)
    report("b_training_after_a_eval", b.training)
    out = b(x)
    report("b_out_stop_gradient_after_a_eval", out.stop_gradient)
    fluid.layers.reduce_sum(out).backward()
    report("b_grad_after_a_eval", b.weight.gradient())
    b.clear_gradients()
    a.train()
    out = b(x)
    report("b_out_stop_gradient_after_train", out.stop_gradient)
    fluid.layers.reduce_sum(out).backward()
    report("b_grad_after_train", b.weight.gradient())
