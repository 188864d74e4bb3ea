# fluid.layers.*_decay in dygraph return schedule objects that optimizers take as learning_rate.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

L = fluid.layers


def trained_rates(make_schedule, steps=4):
    linear = fluid.dygraph.Linear(2, 1, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(np.ones((2, 1), "float32"))))
    opt = fluid.optimizer.SGD(learning_rate=make_schedule(), parameter_list=linear.parameters())
    x = fluid.dygraph.to_variable(np.ones((1, 2), "float32"))
    rates = []
    for _ in range(steps):
        loss = fluid.layers.reduce_sum(linear(x))
        loss.backward()
        opt.minimize(loss)
        linear.clear_gradients()
        rates.append(float(np.asarray(opt.current_step_lr())))
    return [rates, linear.weight.numpy()]


with fluid.dygraph.guard():
    for name, make in [
            ("piecewise_decay", lambda: L.piecewise_decay([1, 3], [0.5, 0.2, 0.1])),
            ("noam_decay", lambda: L.noam_decay(d_model=8, warmup_steps=2)),
            ("exponential_decay", lambda: L.exponential_decay(0.4, decay_steps=2,
                                                              decay_rate=0.5)),
            ("natural_exp_decay", lambda: L.natural_exp_decay(0.4, decay_steps=2,
                                                              decay_rate=0.5, staircase=True)),
            ("inverse_time_decay", lambda: L.inverse_time_decay(0.4, decay_steps=2,
                                                                decay_rate=0.5)),
            ("cosine_decay", lambda: L.cosine_decay(0.4, step_each_epoch=2, epochs=3)),
            ("polynomial_decay", lambda: L.polynomial_decay(0.4, decay_steps=3,
                                                            end_learning_rate=0.1)),
            ("linear_lr_warmup", lambda: L.linear_lr_warmup(0.4, warmup_steps=2, start_lr=0.0,
                                                            end_lr=0.4))]:
        try:
            report(name, trained_rates(make))
        except Exception as error:      # noqa: BLE001 - one missing function costs one key
            report(name, error)
