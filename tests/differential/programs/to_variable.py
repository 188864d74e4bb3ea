# to_variable: dtype kept, stop_gradient default, zero_copy default (a copy), Variable passthrough.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch

with fluid.dygraph.guard():
    array = np.arange(6, dtype="float32").reshape(2, 3)
    v = fluid.dygraph.to_variable(array)
    report("value", v)
    report("stop_gradient", v.stop_gradient)
    report("persistable", v.persistable)
    array[0, 0] = 100.0
    report("after_changing_source", v.numpy())
    report("float64_kept", fluid.dygraph.to_variable(np.ones((2,), "float64")))
    report("int64_kept", fluid.dygraph.to_variable(np.arange(3, dtype="int64")))
    report("int32_kept", fluid.dygraph.to_variable(np.arange(3, dtype="int32")))
    report("bool_kept", fluid.dygraph.to_variable(np.array([True, False])))
    src = np.ones((2, 2), "float32")
    copied = fluid.dygraph.to_variable(src, zero_copy=False)
    src[0, 0] = 9.0
    report("zero_copy_false", copied.numpy())
    report("passthrough_is_same", fluid.dygraph.to_variable(v) is v)
    report("name_given", fluid.dygraph.to_variable(array, name="my_input").name)
    with catch("not_an_array"):
        fluid.dygraph.to_variable("text")
    with catch("outside_guard"):
        pass
with catch("to_variable_outside_guard"):
    fluid.dygraph.to_variable(np.ones((1,), "float32"))
