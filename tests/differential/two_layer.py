"""The run the optimizer programs share: a two-layer net with parameters fixed by a seed, trained
for 3 steps by the optimizer a program makes; reports the losses and the final parameters."""
import numpy as np
import paddle.fluid as fluid
from diffreport import report


def _attr(array, regularizer=None):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array),
                           regularizer=regularizer)


def train_three_steps(seed, make_optimizer, fc1_regularizer=None):
    """make_optimizer(parameters) -> a fluid.optimizer; fc1_regularizer goes on fc1's weight."""
    rng = np.random.RandomState(seed)
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    init = [rng.uniform(-1, 1, shape).astype("float32") for shape in shapes]
    x_np = rng.uniform(-1, 1, (6, 3)).astype("float32")
    y_np = rng.uniform(-1, 1, (6, 2)).astype("float32")

    class Net(fluid.dygraph.Layer):
        def __init__(self):
            super(Net, self).__init__()
            self.fc1 = fluid.dygraph.Linear(3, 4, act="relu",
                                            param_attr=_attr(init[0], fc1_regularizer),
                                            bias_attr=_attr(init[1]))
            self.fc2 = fluid.dygraph.Linear(4, 2, param_attr=_attr(init[2]),
                                            bias_attr=_attr(init[3]))

        def forward(self, x):
            return self.fc2(self.fc1(x))

    with fluid.dygraph.guard():
        net = Net()
        opt = make_optimizer(net.parameters())
        x, y = fluid.dygraph.to_variable(x_np), fluid.dygraph.to_variable(y_np)
        losses = []
        for step in range(3):
            loss = fluid.layers.reduce_mean(fluid.layers.square_error_cost(net(x), y))
            loss.backward()
            opt.minimize(loss)
            net.clear_gradients()
            losses.append(loss.numpy())
        report("losses", losses)
        for name, param in net.named_parameters():
            report(name, param.numpy())
