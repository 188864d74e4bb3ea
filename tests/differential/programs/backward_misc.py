# backward() details: a non-scalar loss, intermediate gradients, detach, a second backward over
# a freed graph, a loss that needs no gradient, clear_gradient on one Variable.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch

x_np = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    y = x * x
    y.backward()                       # not a scalar: seeded with ones
    report("non_scalar_seed", x.gradient())
    x.clear_gradient()
    report("after_clear_gradient", x.gradient())

    a = fluid.dygraph.to_variable(x_np)
    a.stop_gradient = False
    hidden = a * 3.0
    out = fluid.layers.reduce_sum(hidden * hidden)
    out.backward()
    report("leaf_grad", a.gradient())
    report("intermediate_grad", hidden.gradient())
    report("output_grad", out.gradient())

    b = fluid.dygraph.to_variable(x_np)
    b.stop_gradient = False
    stopped = (b * 2.0).detach()
    report("detached_stop_gradient", stopped.stop_gradient)
    total = fluid.layers.reduce_sum(stopped * b)
    total.backward()
    report("through_detach", b.gradient())

    c = fluid.dygraph.to_variable(x_np)
    c.stop_gradient = False
    once = fluid.layers.reduce_sum(c * c)
    once.backward()
    with catch("second_backward_after_free"):
        once.backward()
    report("grad_after_second_backward_attempt", c.gradient())

    constant = fluid.layers.reduce_sum(fluid.dygraph.to_variable(x_np))
    report("constant_loss_stop_gradient", constant.stop_gradient)
    with catch("backward_of_constant"):
        constant.backward()

    d = fluid.dygraph.to_variable(x_np)
    d.stop_gradient = False
    e = fluid.dygraph.to_variable(x_np * 0.5)
    e.stop_gradient = False
    fluid.layers.reduce_sum(d * e).backward()
    report("d_grad", d.gradient())
    report("e_grad", e.gradient())
