"""The Layer base: names, registration, traversal, hooks, modes, create_parameter, state dicts."""
import warnings

import numpy as np
import pytest

import minigrad as fluid
from minigrad.core import op as core_op
from minigrad.core.variable import Parameter
from minigrad.nn.layer import StateDictError, scope_name


class Block(fluid.dygraph.Layer):
    """Two parameters of its own: w [3, 2] and b [2]."""

    def __init__(self):
        super().__init__()
        self.w = self.create_parameter([3, 2])
        self.b = self.create_parameter([2], is_bias=True)

    def forward(self, x):
        return fluid.layers.matmul(x, self.w) + self.b


class Decoder(fluid.dygraph.Layer):
    def __init__(self):
        super().__init__()
        self.up1 = fluid.dygraph.Linear(3, 3)
        self.bn = fluid.dygraph.BatchNorm(3)

    def forward(self, x):
        return self.bn(self.up1(x))


class Model(fluid.dygraph.Layer):
    def __init__(self):
        super().__init__()
        self.scale = self.create_parameter([1], default_initializer=fluid.initializer.Constant(2.0))
        self.decoder = Decoder()
        self.head = Block()

    def forward(self, x):
        return self.head(self.decoder(x) * self.scale)


def variable(array):
    return fluid.dygraph.to_variable(np.asarray(array, dtype="float32"))


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls, scope", [
    ("Conv2DTranspose", "conv2d_transpose"), ("Conv2D", "conv2d"), ("Pool2D", "pool2d"),
    ("BatchNorm", "batch_norm"), ("Linear", "linear"), ("LayerList", "layer_list"),
    ("MyModel", "my_model"), ("MLP", "mlp"), ("Sequential", "sequential")])
def test_scope_names_follow_paddle(cls, scope):
    assert scope_name(cls) == scope


def test_parameter_names_are_paddle_style_and_unique_per_guard():
    with fluid.dygraph.guard():
        first, second = fluid.dygraph.Linear(2, 3), fluid.dygraph.Linear(3, 1)
        assert first.full_name() == "linear_0" and second.full_name() == "linear_1"
        assert [p.name for p in first.parameters()] == ["linear_0.w_0", "linear_0.b_0"]
        assert [p.name for p in second.parameters()] == ["linear_1.w_0", "linear_1.b_0"]
        with fluid.dygraph.guard():
            # A nested guard is a fresh namespace.
            assert fluid.dygraph.Linear(2, 2).full_name() == "linear_0"
        assert fluid.dygraph.Linear(2, 2).full_name() == "linear_2"
    with fluid.dygraph.guard():
        assert fluid.dygraph.Linear(2, 2).weight.name == "linear_0.w_0"


def test_name_scope_argument_and_counters_per_scope():
    with fluid.dygraph.guard():
        layer = fluid.dygraph.Layer("encoder")
        assert layer.full_name() == "encoder_0"
        assert layer.create_parameter([2]).name == "encoder_0.w_0"
        assert layer.create_parameter([2]).name == "encoder_0.w_1"
        assert layer.create_parameter([2], is_bias=True).name == "encoder_0.b_0"
        with pytest.raises(TypeError, match="name_scope"):
            fluid.dygraph.Layer(3)


# -- registration and traversal ----------------------------------------------------------------


def test_parameters_and_sublayers_in_insertion_order_depth_first():
    with fluid.dygraph.guard():
        model = Model()
        names = [name for name, _ in model.named_parameters()]
        assert names == ["scale", "decoder.up1.weight", "decoder.up1.bias", "decoder.bn.weight",
                         "decoder.bn.bias", "head.w", "head.b"]
        assert [p.name for p in model.parameters()][:3] == ["model_0.w_0", "linear_0.w_0",
                                                            "linear_0.b_0"]
        assert [n for n, _ in model.named_sublayers()] == ["decoder", "decoder.up1", "decoder.bn",
                                                           "head"]
        assert model.sublayers() == [model.decoder, model.decoder.up1, model.decoder.bn,
                                     model.head]
        assert model.sublayers(include_sublayers=False) == [model.decoder, model.head]
        assert model.children() == [model.decoder, model.head]
        assert [n for n, _ in model.named_parameters(include_sublayers=False)] == ["scale"]
        assert len(model.parameters(include_sublayers=False)) == 1


def test_shared_parameters_and_sublayers_are_listed_once():
    with fluid.dygraph.guard():
        shared = fluid.dygraph.Linear(2, 2)

        class Tied(fluid.dygraph.Layer):
            def __init__(self):
                super().__init__()
                self.a = shared
                self.b = shared
                self.w = shared.weight   # also registered directly

        tied = Tied()
        assert [n for n, _ in tied.named_parameters()] == ["w", "a.bias"]
        assert tied.sublayers() == [shared]
        assert len(tied.parameters()) == 2


def test_reassignment_moves_and_none_clears():
    with fluid.dygraph.guard():
        layer = fluid.dygraph.Layer()
        layer.thing = layer.create_parameter([2])
        assert "thing" in layer._parameters
        layer.thing = fluid.dygraph.Linear(1, 1)        # now a sublayer, no longer a parameter
        assert "thing" not in layer._parameters and "thing" in layer._sub_layers
        layer.thing = None
        assert layer.thing is None and layer.parameters() == []
        with pytest.raises(TypeError, match="'thing' is a sublayer"):
            layer.thing = 3
        layer.p = layer.create_parameter([1])
        with pytest.raises(TypeError, match="'p' is a Parameter"):
            layer.p = np.ones(1)
        del layer.p
        assert not hasattr(layer, "p")
        assert "p" not in dir(layer) and "thing" in dir(layer)


def test_assigning_before_super_init_is_a_clear_error():
    class Early(fluid.dygraph.Layer):
        def __init__(self):
            self.fc = fluid.dygraph.Linear(2, 2)
            super().__init__()

    class EarlyParam(fluid.dygraph.Layer):
        def __init__(self, p):
            self.p = p

    class NoInit(fluid.dygraph.Layer):
        def __init__(self):
            pass

        def forward(self, x):
            return x

    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match=r"Early.*'fc'.*super\(\).__init__\(\)"):
            Early()
        with pytest.raises(ValueError, match=r"Parameter 'p'.*super\(\).__init__\(\)"):
            EarlyParam(fluid.dygraph.Linear(1, 1).weight)
        with pytest.raises(RuntimeError, match=r"super\(\).__init__\(\) was not called"):
            NoInit()(variable([1.0]))
        with pytest.raises(AttributeError, match="no attribute 'missing'"):
            NoInit().missing


def test_add_sublayer_and_add_parameter():
    with fluid.dygraph.guard():
        layer = fluid.dygraph.Layer()
        fc = fluid.dygraph.Linear(2, 2)
        assert layer.add_sublayer("fc", fc) is fc and layer.fc is fc
        p = layer.create_parameter([3])
        assert layer.add_parameter("p", p) is p and layer.p is p
        assert [n for n, _ in layer.named_parameters()] == ["p", "fc.weight", "fc.bias"]
        with pytest.raises(TypeError, match="must be a Layer"):
            layer.add_sublayer("x", 3)
        with pytest.raises(ValueError, match="no '.'"):
            layer.add_sublayer("a.b", fc)
        with pytest.raises(TypeError, match="must be a str"):
            layer.add_parameter(1, p)
        with pytest.raises(TypeError, match="must be a Parameter"):
            layer.add_parameter("q", np.ones(3))
        with pytest.raises(KeyError, match="already an attribute"):
            layer.add_parameter("fc", p)


def test_forward_must_be_implemented():
    with fluid.dygraph.guard():
        with pytest.raises(NotImplementedError, match="Layer must implement forward"):
            fluid.dygraph.Layer()(variable([1.0]))


# -- hooks --------------------------------------------------------------------------------------


def test_forward_hooks_modify_inputs_and_outputs_and_can_be_removed():
    calls = []
    with fluid.dygraph.guard():
        block = Block()
        block.w.set_value(np.ones((3, 2), "float32"))
        x = variable(np.ones((1, 3)))

        def double_input(layer, inputs):
            calls.append(("pre", layer is block, len(inputs)))
            return inputs[0] * 2          # a bare value is wrapped into a tuple

        def add_ten(layer, inputs, output):
            calls.append(("post", float(inputs[0].numpy().sum())))
            return output + 10

        pre = block.register_forward_pre_hook(double_input)
        post = block.register_forward_post_hook(add_ten)
        np.testing.assert_allclose(block(x).numpy(), [[16.0, 16.0]])   # 2*3 + 10
        assert calls == [("pre", True, 1), ("post", 6.0)]
        pre.remove()
        np.testing.assert_allclose(block(x).numpy(), [[13.0, 13.0]])
        post.remove()
        post.remove()   # removing twice is harmless
        np.testing.assert_allclose(block(x).numpy(), [[3.0, 3.0]])
        observed = []
        block.register_forward_post_hook(lambda layer, i, o: observed.append(o.shape))
        block(x)
        assert observed == [[1, 2]]
        with pytest.raises(TypeError, match="hook must be callable"):
            block.register_forward_pre_hook(3)


def test_tape_records_know_the_structured_sublayer_path():
    with fluid.dygraph.guard() as tape:
        model = Model()
        out = model(variable(np.random.default_rng(0).standard_normal((4, 3))))
        layers = {record.layer for record in tape.records()}
        assert {"decoder.up1", "decoder.bn", "head", "model_0"} <= layers
        assert out.shape == [4, 2]
        assert core_op._layer_stack == []


def test_layer_stack_is_restored_when_forward_raises():
    class Broken(fluid.dygraph.Layer):
        def forward(self, x):
            raise RuntimeError("boom")

    with fluid.dygraph.guard():
        with pytest.raises(RuntimeError, match="boom"):
            Broken()(variable([1.0]))
        assert core_op._layer_stack == []


# -- modes and gradients -------------------------------------------------------------------------


def test_train_and_eval_are_per_layer_tree():
    with fluid.dygraph.guard():
        a, b = Model(), Model()
        a.eval()
        assert not a.training and all(not layer.training for layer in a.sublayers())
        assert b.training and all(layer.training for layer in b.sublayers())
        a.decoder.train()
        assert a.decoder.training and a.decoder.bn.training and not a.training
        a.train()
        assert all(layer.training for layer in [a] + a.sublayers())


def test_clear_gradients():
    with fluid.dygraph.guard():
        model = Model()
        loss = fluid.layers.mean(model(variable(np.ones((4, 3)))))
        loss.backward()
        assert all(p.gradient() is not None for p in model.parameters())
        model.clear_gradients()
        # zeros after clearing, as Paddle 1.8.5 (None means backward never reached it)
        assert all(not p.gradient().any() and p.grad is None for p in model.parameters())


# -- create_parameter ---------------------------------------------------------------------------


def test_create_parameter_initializer_precedence():
    with fluid.dygraph.guard():
        layer = fluid.dygraph.Layer()
        const = fluid.initializer.Constant
        by_attr = layer.create_parameter([2], attr=fluid.ParamAttr(initializer=const(3.0)),
                                         default_initializer=const(5.0))
        by_default = layer.create_parameter([2], default_initializer=const(5.0))
        bias = layer.create_parameter([4], is_bias=True)
        weight = layer.create_parameter([200, 300])
        np.testing.assert_array_equal(by_attr.numpy(), [3.0, 3.0])
        np.testing.assert_array_equal(by_default.numpy(), [5.0, 5.0])
        np.testing.assert_array_equal(bias.numpy(), np.zeros(4))
        # Xavier-uniform default for weights: bound sqrt(6 / (200 + 300)).
        bound = np.sqrt(6.0 / 500)
        assert np.abs(weight.numpy()).max() <= bound and np.abs(weight.numpy()).max() > 0.98 * bound
        assert by_attr.dtype == np.float32 and isinstance(weight, Parameter)
        assert not weight.stop_gradient and weight.persistable


def test_create_parameter_attr_forms():
    with fluid.dygraph.guard():
        layer = fluid.dygraph.Layer()
        assert layer.create_parameter([2], attr=False) is None
        named = layer.create_parameter([2], attr="my.weight")
        assert named.name == "my.weight"
        frozen = layer.create_parameter([2], attr=fluid.ParamAttr(
            trainable=False, learning_rate=0.5, regularizer=fluid.regularizer.L2Decay(0.1)))
        assert frozen.stop_gradient and not frozen.trainable
        assert frozen.optimize_attr["learning_rate"] == 0.5
        assert isinstance(frozen.regularizer, fluid.regularizer.L2Decay)
        by_init = layer.create_parameter([2], attr=fluid.initializer.Constant(7.0))
        np.testing.assert_array_equal(by_init.numpy(), [7.0, 7.0])
        by_reg = layer.create_parameter([2], attr=fluid.regularizer.L1Decay(0.1))
        assert isinstance(by_reg.regularizer, fluid.regularizer.L1Decay)
        wide = layer.create_parameter([3], dtype="float64")
        assert wide.dtype == np.float64


def test_layers_with_parameters_need_dygraph_mode():
    with pytest.raises(RuntimeError, match=r"Linear.create_parameter needs dygraph mode.*"
                                           r"fluid.dygraph.guard\(\)"):
        fluid.dygraph.Linear(2, 2)


def test_create_parameter_bad_input():
    with fluid.dygraph.guard():
        layer = fluid.dygraph.Layer()
        with pytest.raises(TypeError, match="shape must be a list of ints"):
            layer.create_parameter("3")
        with pytest.raises(ValueError, match="must be positive"):
            layer.create_parameter([3, 0])
        with pytest.raises(TypeError, match="param_attr/bias_attr"):
            layer.create_parameter([3], attr=3.5)
        with pytest.raises(TypeError, match="default_initializer"):
            layer.create_parameter([3], default_initializer="xavier")
        with pytest.raises(TypeError, match="not a numpy dtype"):
            layer.create_parameter([3], dtype="floaty")


def test_param_attr_validation_and_shorthands():
    attr = fluid.ParamAttr._to_attr(None)
    assert isinstance(attr, fluid.ParamAttr) and attr.initializer is None
    assert fluid.ParamAttr._to_attr(True).learning_rate == 1.0
    assert fluid.ParamAttr._to_attr(False) is False
    assert fluid.ParamAttr._to_attr("w").name == "w"
    with pytest.raises(TypeError, match="initializer"):
        fluid.ParamAttr(initializer="xavier")
    with pytest.raises(ValueError, match="learning_rate must be >= 0"):
        fluid.ParamAttr(learning_rate=-1)
    with pytest.raises(TypeError, match="name must be a str"):
        fluid.ParamAttr(name=3)
    with pytest.raises(TypeError, match="trainable must be a bool"):
        fluid.ParamAttr(trainable="yes")


# -- state_dict / set_dict ----------------------------------------------------------------------


def test_state_dict_has_structured_keys_and_buffers():
    with fluid.dygraph.guard():
        model = Model()
        state = model.state_dict()
        assert list(state) == ["scale", "decoder.up1.weight", "decoder.up1.bias",
                               "decoder.bn.weight", "decoder.bn.bias", "decoder.bn._mean",
                               "decoder.bn._variance", "head.w", "head.b"]
        assert state["decoder.up1.weight"] is model.decoder.up1.weight
        assert state["decoder.bn._mean"] is model.decoder.bn._mean
        assert list(model.decoder.state_dict()) == ["up1.weight", "up1.bias", "bn.weight",
                                                    "bn.bias", "bn._mean", "bn._variance"]
        assert list(model.state_dict(include_sublayers=False)) == ["scale"]


def _values(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("kind", ["ndarray", "variable", "parameter"])
def test_set_dict_accepts_arrays_variables_and_parameters(kind):
    with fluid.dygraph.guard():
        source, target = Model(), Model()
        for i, p in enumerate(source.state_dict().values()):
            p.set_value(np.full(p.shape, i + 0.5, dtype="float32"))
        if kind == "ndarray":
            state = {k: v.numpy() for k, v in source.state_dict().items()}
        elif kind == "variable":
            state = {k: fluid.dygraph.to_variable(v.numpy()) for k, v in
                     source.state_dict().items()}
        else:
            state = source.state_dict()
        target.set_dict(state)
        for (key, mine), theirs in zip(target.state_dict().items(), source.state_dict().values()):
            np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=key)
            assert mine is not theirs
        x = variable(np.random.default_rng(3).standard_normal((4, 3)))
        source.eval()
        target.eval()
        np.testing.assert_array_equal(source(x).numpy(), target(x).numpy())
        # load_dict is the same method.
        target.load_dict(_values(Model()))


def test_set_dict_missing_key_names_it_and_loads_nothing():
    with fluid.dygraph.guard():
        model = Model()
        before = _values(model)
        state = {k: np.zeros_like(v) for k, v in before.items()}
        del state["decoder.bn._variance"]
        with pytest.raises(StateDictError, match=r"missing key 'decoder\.bn\._variance'"):
            model.set_dict(state)
        for key, value in _values(model).items():
            np.testing.assert_array_equal(value, before[key], err_msg=key)
        # Also a RuntimeError, as Paddle raised.
        with pytest.raises(RuntimeError):
            model.set_dict(state)


def test_set_dict_shape_and_dtype_mismatch_name_key_and_shapes():
    with fluid.dygraph.guard():
        model = Model()
        before = _values(model)
        state = {k: np.zeros_like(v) for k, v in before.items()}
        state["decoder.up1.weight"] = np.zeros((4, 3), "float32")
        with pytest.raises(ValueError, match=r"'decoder\.up1\.weight' has shape \[4, 3\] but "
                                             r"the layer expects shape \[3, 3\]"):
            model.set_dict(state)
        state["decoder.up1.weight"] = np.zeros((3, 3), "float64")
        with pytest.raises(ValueError, match=r"'decoder\.up1\.weight' has dtype float64 .* "
                                             r"float32"):
            model.set_dict(state)
        state["decoder.up1.weight"] = [[0.0] * 3] * 3
        with pytest.raises(ValueError, match="must be a Parameter, Variable or ndarray"):
            model.set_dict(state)
        for key, value in _values(model).items():
            np.testing.assert_array_equal(value, before[key], err_msg=key)
        with pytest.raises(TypeError, match="must be a dict"):
            model.set_dict([1, 2])


def test_set_dict_extra_keys_warn_but_load():
    with fluid.dygraph.guard():
        model = Model()
        state = {k: np.ones_like(v) for k, v in _values(model).items()}
        state["unknown.weight"] = np.ones(2, "float32")
        with pytest.warns(UserWarning, match="unknown.weight"):
            model.set_dict(state)
        np.testing.assert_array_equal(model.head.w.numpy(), np.ones((3, 2)))


def test_set_dict_by_parameter_names():
    with fluid.dygraph.guard():
        model = Model()
        state = {v.name: np.full(v.shape, 4.0, "float32") for v in model.state_dict().values()}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.set_dict(state, use_structured_name=False)
        assert all(np.all(v.numpy() == 4.0) for v in model.state_dict().values())
