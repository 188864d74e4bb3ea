"""The Paddle 1.8 names a program reaches for first: fluid/__init__'s re-exports, module paths,
places, flags, versions, name scopes, BackwardStrategy, unique_name, and the clear error every
out-of-scope name raises."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.unsupported import DygraphOnlyError


def test_dygraph_layers_are_top_level_names_as_in_paddle_18():
    for name in ("Linear", "Conv2D", "Conv2DTranspose", "Pool2D", "BatchNorm", "Embedding",
                 "Dropout", "Layer"):
        assert getattr(fluid, name) is getattr(fluid.dygraph, name)
    assert not hasattr(fluid, "Sequential")       # 1.8 keeps the containers in fluid.dygraph
    from minigrad.dygraph.layers import Layer
    from minigrad.dygraph.container import Sequential
    from minigrad.dygraph.checkpoint import save_dygraph
    assert Layer is fluid.Layer and Sequential is fluid.dygraph.Sequential
    assert save_dygraph is fluid.dygraph.save_dygraph
    assert fluid.core.VarBase is fluid.dygraph.Variable
    assert fluid.framework.ParamBase is fluid.dygraph.Parameter
    assert fluid.core.is_compiled_with_cuda() is False and fluid.core.get_cuda_device_count() == 0


def test_dtypes_compare_with_paddles_vartype_names():
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.ones(2, "float32"))
        assert x.dtype == fluid.core.VarDesc.VarType.FP32 and x.dtype != fluid.core.VarDesc.VarType.FP64
        assert fluid.layers.cast(x, "int64").dtype == fluid.core.VarDesc.VarType.INT64
    assert fluid.data_feeder.convert_dtype(fluid.core.VarDesc.VarType.FP32) == "float32"
    assert fluid.data_feeder.convert_dtype("int64") == "int64"
    with pytest.raises(TypeError, match="convert_dtype"):
        fluid.data_feeder.convert_dtype(object())


def test_enabled_and_imperative_spellings():
    assert not fluid.dygraph.enabled()
    with fluid.dygraph.guard():
        assert fluid.dygraph.enabled() and fluid.framework.in_dygraph_mode()
    fluid.enable_imperative()
    try:
        assert fluid.dygraph.enabled()
    finally:
        fluid.disable_imperative()
    assert not fluid.dygraph.enabled()


def test_backward_strategy_passed_positionally():
    strategy = fluid.dygraph.BackwardStrategy()
    strategy.sort_sum_gradient = True
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.array([1.0, 2.0], "float32"))
        x.stop_gradient = False
        (x * x).sum().backward(strategy)
        np.testing.assert_array_equal(x.gradient(), [2.0, 4.0])
        with pytest.raises(TypeError, match="backward_strategy"):
            (x * x).sum().backward(True)     # 1.8's first positional is the strategy


def test_places():
    assert len(fluid.cpu_places()) == 1 and len(fluid.cpu_places(3)) == 3
    assert all(isinstance(p, fluid.CPUPlace) for p in fluid.cpu_places(2))
    with pytest.warns(UserWarning, match="CPU"):
        places = fluid.cuda_places([0, 1])
    assert [p.device_id for p in places] == [0, 1]
    assert len(fluid.cuda_pinned_places(2)) == 2
    with pytest.raises(ValueError, match="device_count"):
        fluid.cpu_places(0)
    with fluid.device_guard("gpu:0"), fluid.name_scope("block"):
        pass
    with pytest.raises(ValueError, match="device_guard"):
        with fluid.device_guard("tpu"):
            pass


def test_flags_accept_paddle_names_and_reject_others():
    assert fluid.get_flags(["FLAGS_check_nan_inf"]) == {"FLAGS_check_nan_inf": False}
    fluid.set_flags({"FLAGS_eager_delete_tensor_gb": 1.0})
    try:
        assert fluid.get_flags("FLAGS_eager_delete_tensor_gb") == {
            "FLAGS_eager_delete_tensor_gb": 1.0}
    finally:
        fluid.set_flags({"FLAGS_eager_delete_tensor_gb": 0.0})
    with pytest.raises(ValueError, match="FLAGS_nonexistent"):
        fluid.set_flags({"FLAGS_nonexistent": 1})
    with pytest.raises(ValueError, match="FLAGS_nonexistent"):
        fluid.get_flags("FLAGS_nonexistent")


def test_require_version():
    fluid.require_version("1.7.0")
    fluid.require_version("1.8", "1.8.9")
    with pytest.raises(Exception, match="2.0.0 or higher"):
        fluid.require_version("2.0.0")
    with pytest.raises(Exception, match=r"in \[1.6, 1.7\]"):
        fluid.require_version("1.6", "1.7")
    with pytest.raises(ValueError, match="min_version"):
        fluid.require_version("one")


def test_unique_name_guard_prefix_and_switch_as_paddle():
    with fluid.dygraph.guard():
        with fluid.unique_name.guard("pre_"):
            linear = fluid.Linear(2, 2)
            assert fluid.unique_name.generate("x") == "pre_x_0"
        # 1.8.5 gives exactly this: the prefix is applied to the layer and again to its weight.
        assert linear.full_name() == "pre_linear_0"
        assert linear.weight.name == "pre_pre_linear_0.w_0"
        with fluid.unique_name.guard():
            assert fluid.Linear(2, 2).weight.name == "linear_0.w_0"
        old = fluid.unique_name.switch()
        assert fluid.unique_name.generate("k") == "k_0"
        fluid.unique_name.switch(old)


def test_fluid_one_hot_needs_no_trailing_one():
    with fluid.dygraph.guard():
        out = fluid.one_hot(fluid.dygraph.to_variable(np.array([[1, 0], [2, 2]])), depth=3)
    assert out.shape == [2, 2, 3] and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy().argmax(-1), [[1, 0], [2, 2]])


def test_layer_helper_creates_fresh_parameters_each_call():
    from minigrad.layer_helper import LayerHelper
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.ones((2, 3), "float32"))
        helper = LayerHelper("fc", act="relu",
                             param_attr=fluid.initializer.Constant(-1.0), bias_attr=None)
        w = helper.create_parameter(helper.param_attr, [3, 4], "float32")
        out = helper.append_activation(helper.append_bias_op(fluid.layers.matmul(x, w)))
        assert w.name == "fc_0.w_0" and out.shape == [2, 4]
        np.testing.assert_array_equal(out.numpy(), np.zeros((2, 4)))     # relu(-3 + 0)
        assert LayerHelper("fc").name == "fc_1"


@pytest.mark.parametrize("reach", [
    lambda: fluid.Executor(fluid.CPUPlace()),
    lambda: fluid.layers.While(None),
    lambda: fluid.layers.sequence_pool(None, "sum"),
    lambda: fluid.layers.data("x", [3]),
    lambda: fluid.io.save_inference_model("d", [], [], None),
    lambda: fluid.dygraph.TracedLayer.trace(None, []),
    lambda: fluid.program_guard(None),
])
def test_out_of_scope_names_raise_a_clear_error(reach):
    with pytest.raises(DygraphOnlyError, match="dygraph programs only.*Instead"):
        reach()


def test_stand_ins_work_with_isinstance_and_imports_and_unknown_names_stay_attribute_errors():
    assert not isinstance(np.zeros(1), fluid.LoDTensor)
    from minigrad.layers import While       # `from paddle.fluid.layers import While` runs
    with pytest.raises(DygraphOnlyError):
        While(None)
    with pytest.raises(AttributeError, match="no_such_name"):
        fluid.layers.no_such_name
    assert not hasattr(fluid, "no_such_name")
