# A Conv2DTranspose decoder (output_size given) trained 3 steps with Momentum and an LR schedule.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(51)


def attr(*shape):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(
        rng.uniform(-0.3, 0.3, shape).astype("float32")))


class Decoder(fluid.dygraph.Layer):
    def __init__(self):
        super(Decoder, self).__init__()
        self.fc = fluid.dygraph.Linear(4, 8 * 2 * 2, act="relu", param_attr=attr(4, 32),
                                       bias_attr=attr(32))
        self.up1 = fluid.dygraph.Conv2DTranspose(8, 4, filter_size=3, stride=2, padding=1,
                                                 output_size=[4, 4], act="relu",
                                                 param_attr=attr(8, 4, 3, 3), bias_attr=attr(4))
        self.bn = fluid.dygraph.BatchNorm(4, param_attr=attr(4), bias_attr=attr(4))
        self.up2 = fluid.dygraph.Conv2DTranspose(4, 1, filter_size=4, stride=2, padding=1,
                                                 act="sigmoid", param_attr=attr(4, 1, 4, 4),
                                                 bias_attr=attr(1))

    def forward(self, z):
        h = fluid.layers.reshape(self.fc(z), shape=[-1, 8, 2, 2])
        return self.up2(self.bn(self.up1(h)))


codes = rng.normal(0, 1, (5, 4)).astype("float32")
targets = rng.uniform(0, 1, (5, 1, 8, 8)).astype("float32")

with fluid.dygraph.guard():
    decoder = Decoder()
    schedule = fluid.dygraph.PiecewiseDecay([1, 2], [0.1, 0.05, 0.01], begin=0)
    opt = fluid.optimizer.Momentum(learning_rate=schedule, momentum=0.9,
                                   parameter_list=decoder.parameters())
    z = fluid.dygraph.to_variable(codes)
    target = fluid.dygraph.to_variable(targets)
    losses = []
    for step in range(3):
        out = decoder(z)
        loss = fluid.layers.reduce_mean(fluid.layers.square_error_cost(out, target))
        loss.backward()
        opt.minimize(loss)
        decoder.clear_gradients()
        losses.append(loss.numpy())
    report("out_shape", out.shape)
    report("losses", losses)
    for name, value in decoder.state_dict().items():      # BatchNorm's running stats too
        report(name, value.numpy())
