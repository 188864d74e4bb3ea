# Adam's state_dict / set_dict: 2 steps, save, a fresh model and optimizer resume for 2 more.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(52)
w = rng.uniform(-1, 1, (3, 2)).astype("float32")
x_np = rng.uniform(-1, 1, (4, 3)).astype("float32")
y_np = rng.uniform(-1, 1, (4, 2)).astype("float32")


def make():
    linear = fluid.dygraph.Linear(3, 2, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(w)))
    opt = fluid.optimizer.Adam(learning_rate=0.05, parameter_list=linear.parameters())
    return linear, opt


def train(linear, opt, steps):
    losses = []
    for _ in range(steps):
        loss = fluid.layers.reduce_mean(fluid.layers.square(
            linear(fluid.dygraph.to_variable(x_np)) - fluid.dygraph.to_variable(y_np)))
        loss.backward()
        opt.minimize(loss)
        linear.clear_gradients()
        losses.append(loss.numpy())
    return losses


with fluid.dygraph.guard():
    linear, opt = make()
    report("first_losses", train(linear, opt, 2))
    fluid.save_dygraph(linear.state_dict(), "ckpt")
    fluid.save_dygraph(opt.state_dict(), "ckpt")
    straight = train(linear, opt, 2)
    report("straight_losses", straight)
    report("straight_weight", linear.weight.numpy())

# A new guard, as a new process would be: parameter names (and so the optimizer's state keys)
# start again from linear_0.
with fluid.dygraph.guard():
    resumed, resumed_opt = make()
    params, opt_state = fluid.load_dygraph("ckpt")
    resumed.set_dict(params)
    resumed_opt.set_dict(opt_state)
    report("resumed_losses", train(resumed, resumed_opt, 2))
    report("resumed_weight", resumed.weight.numpy())

with fluid.dygraph.guard():
    fresh, fresh_opt = make()
    fresh.set_dict(params)
    report("without_optimizer_state_losses", train(fresh, fresh_opt, 2))
