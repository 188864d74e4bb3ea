# Layer: parameter order and names, state_dict keys, sublayers, containers, hooks, set_dict.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch


def attr(value):
    return fluid.ParamAttr(initializer=fluid.initializer.ConstantInitializer(value))


class Block(fluid.dygraph.Layer):
    def __init__(self):
        super(Block, self).__init__()
        self.conv = fluid.dygraph.Conv2D(2, 3, 3, padding=1, param_attr=attr(0.1),
                                         bias_attr=attr(0.0))
        self.bn = fluid.dygraph.BatchNorm(3)

    def forward(self, x):
        return self.bn(self.conv(x))


class Net(fluid.dygraph.Layer):
    def __init__(self):
        super(Net, self).__init__()
        self.block = Block()
        self.heads = fluid.dygraph.LayerList([fluid.dygraph.Linear(3, 2, param_attr=attr(0.2)),
                                              fluid.dygraph.Linear(3, 1, param_attr=attr(0.3))])
        self.seq = fluid.dygraph.Sequential(fluid.dygraph.Linear(2, 2, param_attr=attr(0.4)),
                                            fluid.dygraph.Linear(2, 1, param_attr=attr(0.5)))
        self.scale = self.create_parameter(shape=[1], dtype="float32",
                                           default_initializer=fluid.initializer.Constant(2.0))

    def forward(self, x):
        h = fluid.layers.reduce_mean(self.block(x), dim=[2, 3])
        return self.seq(self.heads[0](h)) * self.scale + self.heads[1](h)


with fluid.dygraph.guard():
    net = Net()
    report("parameter_shapes", [p.shape for p in net.parameters()])
    report("parameter_names", [p.name for p in net.parameters()])
    report("named_parameters", [name for name, _ in net.named_parameters()])
    report("state_dict_keys", list(net.state_dict().keys()))
    report("state_dict_names", [v.name for v in net.state_dict().values()])
    report("sublayer_count", len(net.sublayers()))
    report("named_sublayers", [name for name, _ in net.named_sublayers()])
    report("direct_parameters", [p.shape for p in net.parameters(include_sublayers=False)])
    report("full_name", net.full_name())
    report("block_full_name", net.block.full_name())
    report("layer_list_len", len(net.heads))
    x = fluid.dygraph.to_variable(np.random.RandomState(40).uniform(
        -1, 1, (2, 2, 4, 4)).astype("float32"))
    x.stop_gradient = False
    out = net(x)
    report("out", out)
    calls = []
    handle = net.seq.register_forward_post_hook(lambda layer, inputs, output: calls.append(
        output.shape))
    pre = net.seq.register_forward_pre_hook(lambda layer, inputs: calls.append("pre"))
    net(x)
    handle.remove()
    pre.remove()
    net(x)
    report("hook_calls", calls)
    fluid.layers.reduce_sum(out).backward()
    report("scale_grad", net.scale.gradient())
    report("head_grad", net.heads[1].weight.gradient())
    state = net.state_dict()
    values = {key: np.full(value.shape, 0.25, "float32") for key, value in state.items()}
    net.set_dict(values)
    report("after_set_dict", net.heads[0].weight.numpy())
    with catch("set_dict_wrong_shape"):
        bad = dict(values)
        bad["scale"] = np.ones((3,), "float32")
        net.set_dict(bad)
    net.clear_gradients()
    report("grad_after_clear", net.scale.gradient())
