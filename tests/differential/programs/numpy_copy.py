# Variable.numpy() is a copy: a snapshot before a step does not follow training, and writing
# into the returned array leaves the Variable alone.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

w = np.arange(6, dtype="float32").reshape(3, 2) / 10.0

with fluid.dygraph.guard():
    linear = fluid.dygraph.Linear(
        3, 2, param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w)),
        bias_attr=False)
    opt = fluid.optimizer.SGD(learning_rate=0.5, parameter_list=linear.parameters())
    w0 = linear.weight.numpy()
    loss = fluid.layers.reduce_sum(linear(fluid.dygraph.to_variable(np.ones((1, 3), "float32"))))
    loss.backward()
    grad0 = linear.weight.gradient()
    opt.minimize(loss)
    report("snapshot_before_step", w0)
    report("weight_after_step", linear.weight.numpy())
    report("snapshot_changed", bool(np.any(w0 != linear.weight.numpy())))
    report("gradient_snapshot", grad0)

    v = fluid.dygraph.to_variable(np.zeros((2, 2), "float32"))
    array = v.numpy()
    array[0, 0] = 5.0
    report("after_writing_into_numpy", v.numpy())
    weight_array = linear.weight.numpy()
    weight_array[:] = -1.0
    report("weight_after_writing_into_numpy", linear.weight.numpy())
    report("numpy_is_ndarray", type(v.numpy()).__name__)
