# Containers and registration: Sequential (positional and named), LayerList and ParameterList
# editing, add_sublayer / add_parameter, state_dict without sublayers.
import numpy as np
import paddle.fluid as fluid
from diffreport import report


def attr(value):
    return fluid.ParamAttr(initializer=fluid.initializer.ConstantInitializer(value))


with fluid.dygraph.guard():
    seq = fluid.dygraph.Sequential(fluid.dygraph.Linear(2, 3, param_attr=attr(0.5)),
                                   fluid.dygraph.Linear(3, 1, param_attr=attr(-0.5)))
    named = fluid.dygraph.Sequential(("first", fluid.dygraph.Linear(2, 2, param_attr=attr(1.0))),
                                     ("second", fluid.dygraph.Linear(2, 1, param_attr=attr(2.0))))
    x = fluid.dygraph.to_variable(np.array([[1.0, 2.0]], "float32"))
    report("sequential", seq(x))
    report("sequential_keys", list(seq.state_dict().keys()))
    report("named_sequential", named(x))
    report("named_sequential_keys", list(named.state_dict().keys()))
    report("sequential_index", seq[1].weight.shape)

    layers = fluid.dygraph.LayerList()
    layers.append(fluid.dygraph.Linear(2, 2))
    layers.extend([fluid.dygraph.Linear(2, 3), fluid.dygraph.Linear(3, 4)])
    layers.insert(0, fluid.dygraph.Linear(2, 5))
    report("layer_list_shapes", [layer.weight.shape for layer in layers])
    report("layer_list_keys", list(layers.state_dict().keys()))

    params = fluid.dygraph.ParameterList([
        fluid.dygraph.Linear(2, 2).create_parameter(shape=[2], dtype="float32")
        for _ in range(2)])
    report("parameter_list_len", len(params))
    report("parameter_list_keys", list(params.state_dict().keys()))

    class Holder(fluid.dygraph.Layer):
        def __init__(self):
            super(Holder, self).__init__()
            self.add_sublayer("inner", fluid.dygraph.Linear(2, 2, param_attr=attr(0.1)))
            self.add_parameter("extra", self.create_parameter(
                shape=[2], dtype="float32", default_initializer=fluid.initializer.Constant(3.0)))
            self.bias_free = self.create_parameter(shape=[2], attr=False, dtype="float32")

    holder = Holder()
    report("holder_keys", list(holder.state_dict().keys()))
    report("holder_top_keys", list(holder.state_dict(include_sublayers=False).keys()))
    report("attr_false_parameter", holder.bias_free)
    report("extra", holder.extra)
    report("is_bias_default", fluid.dygraph.Linear(2, 2).create_parameter(
        shape=[3], dtype="float32", is_bias=True))
