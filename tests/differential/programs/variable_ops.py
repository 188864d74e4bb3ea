# Variable methods and operators: dtype rules, comparisons, astype, detach, set_value, len.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch

rng = np.random.RandomState(41)
a_np = rng.uniform(0.5, 1.5, (2, 3)).astype("float32")
b_np = rng.uniform(0.5, 1.5, (2, 3)).astype("float32")

with fluid.dygraph.guard():
    a = fluid.dygraph.to_variable(a_np)
    b = fluid.dygraph.to_variable(b_np)
    a.stop_gradient = False
    report("add", a + b)
    report("add_scalar", a + 1)
    report("radd_scalar", 2.0 + a)
    report("sub", a - b)
    report("rsub", 1.0 - a)
    report("mul_scalar", a * 3)
    report("div", a / b)
    report("rdiv", 1.0 / a)
    report("pow_scalar", a ** 2)
    report("neg", -a)
    report("lt", a < b)
    report("ge", a >= b)
    report("eq", a == a)
    report("astype", a.astype("float64"))
    report("astype_int", (a * 10).astype("int32"))
    report("detach", a.detach())
    report("len", len(a))
    report("shape", a.shape)
    report("int_ops", fluid.dygraph.to_variable(np.array([7, 8], "int64")) * 2)
    report("int_div", fluid.dygraph.to_variable(np.array([7, 8], "int64")) /
           fluid.dygraph.to_variable(np.array([2, 3], "int64")))
    report("float64_plus_scalar", fluid.dygraph.to_variable(np.ones(2, "float64")) + 0.5)
    c = fluid.dygraph.to_variable(np.zeros((2, 3), "float32"))
    c.set_value(b_np)
    report("set_value", c)
    with catch("set_value_wrong_dtype"):
        c.set_value(np.zeros((2, 3), "float64"))
    loss = fluid.layers.reduce_sum((a * b + a / b - a ** 2) * 0.5)
    loss.backward()
    report("grad", a.gradient())
    report("loss_numpy_shape", loss.numpy().shape)
    report("float_of_loss", float(loss.numpy()[0]))
