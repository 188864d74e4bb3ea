# fluid.dygraph.grad options: several outputs, grad_outputs, no_grad_vars, an intermediate input.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(61)
x_np = rng.uniform(0.5, 1.5, (2, 2)).astype("float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    y1 = x * x
    y2 = fluid.layers.exp(x)
    report("two_outputs", fluid.dygraph.grad([y1, y2], [x], retain_graph=True))
    weights = [fluid.dygraph.to_variable(np.full((2, 2), 2.0, "float32")),
               fluid.dygraph.to_variable(np.full((2, 2), 0.5, "float32"))]
    report("grad_outputs", fluid.dygraph.grad([y1, y2], [x], grad_outputs=weights,
                                              retain_graph=True))
    report("grad_outputs_with_none", fluid.dygraph.grad(
        [y1, y2], [x], grad_outputs=[None, weights[1]], retain_graph=True))
    hidden = x * 3.0
    out = fluid.layers.reduce_sum(hidden * hidden * x)
    report("intermediate_input", fluid.dygraph.grad(out, [hidden, x], retain_graph=True))
    report("no_grad_vars", fluid.dygraph.grad(out, [x], no_grad_vars=[hidden],
                                              retain_graph=True))
    report("x_gradient_untouched", x.gradient())
    report("results_stop_gradient", [g.stop_gradient for g in fluid.dygraph.grad(out, [x])])
