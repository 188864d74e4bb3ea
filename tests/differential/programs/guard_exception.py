# A block inside dygraph.guard() that raises: is dygraph mode still on afterwards?
import paddle.fluid as fluid
from diffreport import report

report("before", fluid.in_dygraph_mode())
try:
    with fluid.dygraph.guard():
        report("inside", fluid.in_dygraph_mode())
        raise RuntimeError("a notebook cell fails")
except RuntimeError as error:
    report("raised", error)
report("after_exception", fluid.in_dygraph_mode())
