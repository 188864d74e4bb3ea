# save_dygraph / load_dygraph round trip of a model's and an optimizer's state (values only).
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


rng = np.random.RandomState(31)
w = rng.uniform(-1, 1, (3, 2)).astype("float32")
scale = rng.uniform(0.5, 1.5, (3,)).astype("float32")


class Net(fluid.dygraph.Layer):
    def __init__(self):
        super(Net, self).__init__()
        self.bn = fluid.dygraph.BatchNorm(3, param_attr=attr(scale))
        self.fc = fluid.dygraph.Linear(3, 2, param_attr=attr(w))

    def forward(self, x):
        return self.fc(self.bn(x))


with fluid.dygraph.guard():
    net = Net()
    opt = fluid.optimizer.Adam(learning_rate=0.1, parameter_list=net.parameters())
    x = fluid.dygraph.to_variable(rng.uniform(-1, 1, (4, 3)).astype("float32"))
    x.stop_gradient = False        # 1.8.5's BatchNorm backward needs its input's gradient
    target = fluid.dygraph.to_variable(rng.uniform(-1, 1, (4, 2)).astype("float32"))
    loss = fluid.layers.reduce_mean(fluid.layers.square(net(x) - target))
    loss.backward()
    opt.minimize(loss)
    net.clear_gradients()
    state = net.state_dict()
    report("state_keys", list(state.keys()))
    fluid.save_dygraph(state, "model")
    fluid.save_dygraph(opt.state_dict(), "model")
    params, opt_state = fluid.load_dygraph("model")
    report("loaded_keys", sorted(params.keys()))
    for key in sorted(params.keys()):
        value = params[key]
        report("loaded." + key, value.numpy() if hasattr(value, "numpy") else np.asarray(value))
    report("opt_state_loaded", opt_state is not None)

    fresh = Net()
    fresh.set_dict(params)
    report("fresh_after_set_dict", fresh.fc.weight.numpy())
    report("fresh_bn_mean", fresh.bn._mean.numpy())
    report("same_output", bool(np.allclose(fresh(x).numpy(), net(x).numpy())))
    fluid.save_dygraph(net.state_dict(), "only_params")
    params_only, no_opt = fluid.load_dygraph("only_params")
    report("no_optimizer_file", no_opt)
    with catch("missing_file"):
        fluid.load_dygraph("does_not_exist")
