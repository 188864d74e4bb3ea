# Shapes (and values) of indexing and full reductions: 1.8 has no 0-d tensors.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(15)
v_np = rng.uniform(-1, 1, (3, 4)).astype("float32")
c_np = rng.uniform(-1, 1, (2, 3, 4)).astype("float32")

with fluid.dygraph.guard():
    v = fluid.dygraph.to_variable(v_np)
    c = fluid.dygraph.to_variable(c_np)
    report("v0", v[0])
    report("v00", v[0][0])
    report("v_0_0_tuple", v[0, 0])
    report("v_col", v[:, 1])
    report("v_neg", v[-1])
    report("v_slice", v[1:3])
    report("v_step", v[::2, 1:])
    report("c_mixed", c[1, :, 2])
    report("c_last", c[:, -1])
    report("reduce_sum", fluid.layers.reduce_sum(v))
    report("reduce_sum_dim0", fluid.layers.reduce_sum(v, dim=0))
    report("reduce_mean_keep", fluid.layers.reduce_mean(v, dim=[1], keep_dim=True))
    report("reduce_max_neg", fluid.layers.reduce_max(c, dim=-1))
    report("mean", fluid.layers.mean(v))
    report("mean_of_1d", fluid.layers.mean(v[0]))
    report("shape_attr", v.shape)
    report("v0_shape", v[0].shape)
    report("v00_shape", v[0][0].shape)
    w = fluid.dygraph.to_variable(v_np)
    w.stop_gradient = False
    (fluid.layers.reduce_sum(w[1] * 3.0) + fluid.layers.reduce_sum(w[:, 2])).backward()
    report("indexing_grad", w.gradient())
