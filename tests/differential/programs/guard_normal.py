# dygraph.guard(): on inside, off after, nesting, a place, no_grad; enable/disable_dygraph.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

report("before", fluid.in_dygraph_mode())
with fluid.dygraph.guard():
    report("inside", fluid.in_dygraph_mode())
    with fluid.dygraph.guard():
        report("nested", fluid.in_dygraph_mode())
    report("after_nested", fluid.in_dygraph_mode())
    x = fluid.dygraph.to_variable(np.ones((2, 2), "float32"))
    x.stop_gradient = False
    with fluid.dygraph.no_grad():
        y = x * 2.0
    report("no_grad_stop_gradient", y.stop_gradient)
    z = x * 2.0
    report("grad_stop_gradient", z.stop_gradient)

    @fluid.dygraph.no_grad
    def doubled(v):
        return v * 2.0

    report("no_grad_decorator", doubled(x).stop_gradient)
report("after", fluid.in_dygraph_mode())
with fluid.dygraph.guard(fluid.CPUPlace()):
    report("cpu_place_guard", fluid.dygraph.to_variable(np.ones((1,), "float32")))
fluid.enable_dygraph()
report("enabled", fluid.in_dygraph_mode())
fluid.disable_dygraph()
report("disabled", fluid.in_dygraph_mode())
