# Learning-rate schedules: the value each call gives, and current_step_lr() as training goes on.
import numpy as np
import paddle.fluid as fluid
from diffreport import report


def values(schedule, count=6):
    # Each call gives the current rate and advances one step; call_result checks what it is.
    rates = []
    for _ in range(count):
        rate = schedule()
        rates.append(float(rate.numpy()[0]) if hasattr(rate, "numpy") else float(rate))
    return rates


with fluid.dygraph.guard():
    report("call_result", fluid.dygraph.ExponentialDecay(0.5, decay_steps=2, decay_rate=0.5)())
    report("piecewise", values(fluid.dygraph.PiecewiseDecay([2, 4], [1.0, 0.5, 0.1], begin=0)))
    report("piecewise_begin", values(fluid.dygraph.PiecewiseDecay([2, 4], [1.0, 0.5, 0.1],
                                                                  begin=3)))
    report("noam", values(fluid.dygraph.NoamDecay(d_model=16, warmup_steps=3)))
    report("exponential", values(fluid.dygraph.ExponentialDecay(0.5, decay_steps=2,
                                                                decay_rate=0.5)))
    report("exponential_staircase", values(fluid.dygraph.ExponentialDecay(
        0.5, decay_steps=2, decay_rate=0.5, staircase=True)))
    report("natural_exp", values(fluid.dygraph.NaturalExpDecay(0.5, decay_steps=2,
                                                               decay_rate=0.3)))
    report("inverse_time", values(fluid.dygraph.InverseTimeDecay(0.5, decay_steps=2,
                                                                 decay_rate=0.3)))
    report("cosine", values(fluid.dygraph.CosineDecay(0.4, step_each_epoch=2, epochs=3), 7))
    report("polynomial", values(fluid.dygraph.PolynomialDecay(0.4, decay_steps=4,
                                                              end_learning_rate=0.01,
                                                              power=2.0), 7))
    report("polynomial_cycle", values(fluid.dygraph.PolynomialDecay(
        0.4, decay_steps=3, end_learning_rate=0.01, cycle=True), 8))
    report("linear_warmup", values(fluid.dygraph.LinearLrWarmup(
        0.3, warmup_steps=3, start_lr=0.0, end_lr=0.3), 6))
    report("linear_warmup_of_piecewise", values(fluid.dygraph.LinearLrWarmup(
        fluid.dygraph.PiecewiseDecay([4, 6], [0.5, 0.2, 0.1], begin=0), warmup_steps=3,
        start_lr=0.0, end_lr=0.5), 8))

    linear = fluid.dygraph.Linear(
        2, 1, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.NumpyArrayInitializer(np.ones((2, 1), "float32"))))
    schedule = fluid.dygraph.PiecewiseDecay([1, 2], [0.3, 0.2, 0.1], begin=0)
    opt = fluid.optimizer.SGD(learning_rate=schedule, parameter_list=linear.parameters())
    lrs = [opt.current_step_lr()]
    x = fluid.dygraph.to_variable(np.ones((1, 2), "float32"))
    for step in range(3):
        loss = fluid.layers.reduce_sum(linear(x))
        loss.backward()
        opt.minimize(loss)
        linear.clear_gradients()
        lrs.append(opt.current_step_lr())
    report("current_step_lr", lrs)
    report("weight_after_schedule", linear.weight.numpy())
    const = fluid.optimizer.Adam(learning_rate=0.25, parameter_list=linear.parameters())
    report("current_step_lr_constant", const.current_step_lr())
