"""Sequential, LayerList and ParameterList: registration, indexing, state_dict keys, errors."""
import numpy as np
import pytest

import minigrad as fluid


def x_of(shape=(2, 3)):
    return fluid.dygraph.to_variable(np.random.default_rng(0).standard_normal(shape)
                                     .astype("float32"))


def test_sequential_applies_layers_in_order():
    with fluid.dygraph.guard():
        a, b = fluid.dygraph.Linear(3, 4), fluid.dygraph.Linear(4, 2)
        seq = fluid.dygraph.Sequential(a, b)
        x = x_of()
        np.testing.assert_allclose(seq(x).numpy(), b(a(x)).numpy())
        assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
        assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
        assert seq.full_name() == "sequential_0"
        tail = seq[1:]
        assert isinstance(tail, fluid.dygraph.Sequential) and list(tail) == [b]
        del seq[0]
        assert list(seq) == [b]
        seq[0] = a
        assert seq[0] is a
        with pytest.raises(IndexError, match="out of range"):
            seq[3]


def test_sequential_named_pairs_and_name_scope_form():
    with fluid.dygraph.guard():
        seq = fluid.dygraph.Sequential(("hidden", fluid.dygraph.Linear(3, 4)),
                                       ("out", fluid.dygraph.Linear(4, 1)))
        assert list(seq.state_dict())[:2] == ["hidden.weight", "hidden.bias"]
        assert seq["out"] is seq.out
        old_style = fluid.dygraph.Sequential("model", fluid.dygraph.Linear(3, 1))
        assert old_style.full_name() == "model_0" and len(old_style) == 1
        with pytest.raises(TypeError, match="entries must be Layers"):
            fluid.dygraph.Sequential(fluid.dygraph.Linear(3, 1), 5)


def test_layer_list_registers_and_reindexes():
    with fluid.dygraph.guard():
        layers = [fluid.dygraph.Linear(3, 3) for _ in range(3)]

        class Net(fluid.dygraph.Layer):
            def __init__(self):
                super().__init__()
                self.blocks = fluid.dygraph.LayerList(layers[:2])

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x

        net = Net()
        assert len(net.parameters()) == 4
        assert list(net.state_dict())[:3] == ["blocks.0.weight", "blocks.0.bias",
                                              "blocks.1.weight"]
        x = x_of()
        np.testing.assert_allclose(net(x).numpy(), layers[1](layers[0](x)).numpy())
        net.blocks.insert(0, layers[2])
        assert list(net.blocks) == [layers[2], layers[0], layers[1]]
        assert list(net.blocks._sub_layers) == ["0", "1", "2"]
        del net.blocks[1]
        assert list(net.blocks) == [layers[2], layers[1]]
        assert list(net.blocks._sub_layers) == ["0", "1"]
        net.blocks.append(layers[0]).extend([fluid.dygraph.Linear(3, 3)])
        assert len(net.blocks) == 4 and net.blocks[-2] is layers[0]
        assert isinstance(net.blocks[1:3], fluid.dygraph.LayerList)
        net.blocks[0] = layers[0]
        assert net.blocks[0] is layers[0]
        with pytest.raises(IndexError, match="index 9 is out of range for 4 entries"):
            net.blocks[9]
        with pytest.raises(TypeError, match="entries must be Layers"):
            net.blocks.append("layer")
        with pytest.raises(TypeError, match="index must be an int"):
            net.blocks["0"]
        with pytest.raises(NotImplementedError, match="iterate"):
            net.blocks(x)


def test_parameter_list_registers_parameters_for_the_optimizer():
    with fluid.dygraph.guard():
        class Net(fluid.dygraph.Layer):
            def __init__(self):
                super().__init__()
                self.weights = fluid.dygraph.ParameterList(
                    [self.create_parameter([2, 2]) for _ in range(2)])

            def forward(self, x):
                for w in self.weights:
                    x = fluid.layers.matmul(x, w)
                return x

        net = Net()
        assert len(net.parameters()) == 2 and list(net.state_dict()) == ["weights.0",
                                                                         "weights.1"]
        net.weights.append(net.create_parameter([2, 2]))
        assert len(net.weights) == 3 and net.weights[-1] is net.parameters()[-1]
        x = fluid.dygraph.to_variable(np.ones((1, 2), "float32"))
        sgd = fluid.optimizer.SGD(0.1, parameter_list=net.parameters())
        before = net.weights[0].numpy().copy()
        loss = fluid.layers.reduce_sum(net(x))
        loss.backward()
        sgd.minimize(loss)
        assert not np.array_equal(before, net.weights[0].numpy())
        with pytest.raises(TypeError, match="entries must be Parameters"):
            net.weights.append(np.ones(2))
