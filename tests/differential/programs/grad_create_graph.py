# fluid.dygraph.grad: first and second order, create_graph, retain_graph, allow_unused.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch

rng = np.random.RandomState(30)
x_np = rng.uniform(0.5, 1.5, (2, 3)).astype("float32")
w_np = rng.uniform(-1, 1, (3, 2)).astype("float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    y = x * x * x
    (dx,) = fluid.dygraph.grad(outputs=[y], inputs=[x], create_graph=True)
    report("dx", dx)
    report("dx_stop_gradient", dx.stop_gradient)
    (ddx,) = fluid.dygraph.grad(outputs=[fluid.layers.reduce_sum(dx)], inputs=[x])
    report("ddx", ddx)
    report("ddx_stop_gradient", ddx.stop_gradient)

    x2 = fluid.dygraph.to_variable(x_np)
    x2.stop_gradient = False
    z = fluid.layers.reduce_sum(fluid.layers.tanh(x2) * x2)
    (g,) = fluid.dygraph.grad(z, x2, create_graph=False)
    report("no_create_graph", g)
    report("no_create_graph_stop_gradient", g.stop_gradient)

    x3 = fluid.dygraph.to_variable(x_np)
    x3.stop_gradient = False
    w = fluid.dygraph.to_variable(w_np)
    w.stop_gradient = False
    out = fluid.layers.matmul(x3, w)
    gx, gw = fluid.dygraph.grad([out], [x3, w],
                                grad_outputs=[fluid.dygraph.to_variable(np.ones((2, 2),
                                                                                "float32"))],
                                retain_graph=True)
    report("gx", gx)
    report("gw", gw)
    unused = fluid.dygraph.to_variable(np.ones((2,), "float32"))
    unused.stop_gradient = False
    with catch("unused_without_allow_unused"):
        fluid.dygraph.grad([out], [x3, unused], retain_graph=True)
    report("allow_unused", fluid.dygraph.grad([out], [x3, unused], allow_unused=True,
                                              retain_graph=True))

    # A gradient penalty: || d f(x) / dx ||^2 differentiated through to a parameter. 1.8.5 has
    # no second-order tanh or matmul, so f(x) = sum(square(x * w)) with w a [3] parameter.
    class Scale(fluid.dygraph.Layer):
        def __init__(self):
            super(Scale, self).__init__()
            self.w = self.create_parameter(
                shape=[3], dtype="float32",
                default_initializer=fluid.initializer.NumpyArrayInitializer(w_np[:, 0]))

        def forward(self, inputs):
            return fluid.layers.elementwise_mul(inputs, self.w)

    layer = Scale()
    x4 = fluid.dygraph.to_variable(x_np)
    x4.stop_gradient = False
    score = fluid.layers.reduce_sum(fluid.layers.square(layer(x4)))
    (gx4,) = fluid.dygraph.grad(score, x4, create_graph=True)
    report("gx4", gx4)
    report("gx4_stop_gradient", gx4.stop_gradient)
    penalty = fluid.layers.reduce_sum(fluid.layers.square(gx4))
    penalty.backward()
    report("penalty", penalty)
    report("penalty_w_grad", layer.w.gradient())
    report("x4_grad_after_penalty", x4.gradient())
