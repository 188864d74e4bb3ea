# BatchNorm: training forward, running statistics after two batches, eval forward, gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(5)
scale = rng.uniform(0.5, 1.5, (3,)).astype("float32")
shift = rng.uniform(-1, 1, (3,)).astype("float32")
batches = [rng.normal(1.0, 2.0, (4, 3, 2, 3)).astype("float32") for _ in range(2)]

with fluid.dygraph.guard():
    bn = fluid.dygraph.BatchNorm(
        3, act="relu", momentum=0.8, epsilon=1e-4,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(scale)),
        bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(shift)))
    for step, batch in enumerate(batches):
        x = fluid.dygraph.to_variable(batch)
        x.stop_gradient = False
        y = bn(x)
        loss = fluid.layers.reduce_sum(y * fluid.dygraph.to_variable(batch))
        loss.backward()
        report("train_out_%d" % step, y)
        report("x_grad_%d" % step, x.gradient())
        report("scale_grad_%d" % step, bn.weight.gradient())
        report("shift_grad_%d" % step, bn.bias.gradient())
        bn.clear_gradients()
    report("running_mean", bn._mean)
    report("running_variance", bn._variance)
    report("state_dict_keys", sorted(bn.state_dict().keys()))
    x2d = fluid.dygraph.to_variable(batches[1][:, :, 0, 0])
    bn2 = fluid.dygraph.BatchNorm(3)
    report("train_2d", bn2(x2d))
    # 1.8's eval() switches the whole tracer to inference (eval_mode.py checks that); here only
    # the values matter.
    bn.eval()
    report("eval_out", bn(fluid.dygraph.to_variable(batches[0])).numpy())
    report("running_mean_after_eval", bn._mean.numpy())
