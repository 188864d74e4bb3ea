# fluid.layers arithmetic: matmul variants, elementwise_* with axis, reductions, comparisons.
import numpy as np
import paddle.fluid as fluid
from diffreport import report_op

rng = np.random.RandomState(21)
L = fluid.layers


def u(*shape):
    return rng.uniform(0.5, 1.5, shape).astype("float32")


x34, y34, y45 = u(3, 4), u(3, 4), u(4, 5)
b234, b245 = u(2, 3, 4), u(2, 4, 5)
col3, row4 = u(3), u(4)

with fluid.dygraph.guard():
    report_op("matmul", L.matmul, x34, y45)
    report_op("matmul_tx", lambda x, y: L.matmul(x, y, transpose_x=True), x34, y34)
    report_op("matmul_ty_alpha", lambda x, y: L.matmul(x, y, transpose_y=True, alpha=0.5),
              x34, y34)
    report_op("matmul_batched", L.matmul, b234, b245)
    report_op("matmul_broadcast", L.matmul, b234, y45)
    report_op("matmul_vectors", L.matmul, row4, row4.copy())
    report_op("add", L.elementwise_add, x34, y34)
    report_op("add_axis0", lambda x, y: L.elementwise_add(x, y, axis=0), x34, col3)
    report_op("add_axis1", lambda x, y: L.elementwise_add(x, y, axis=1), b234, u(3, 4))
    report_op("sub_last", L.elementwise_sub, b234, row4)
    report_op("add_axis1_trailing_one", lambda x, y: L.elementwise_add(x, y, axis=1), b234,
              u(3, 1))
    report_op("mul_axis0_2d", lambda x, y: L.elementwise_mul(x, y, axis=0), b234, u(2, 3))
    report_op("mul_axis1", lambda x, y: L.elementwise_mul(x, y, axis=1), b234, col3)
    report_op("div", L.elementwise_div, x34, y34)
    report_op("max", L.elementwise_max, x34, y34)
    report_op("min", L.elementwise_min, x34, y34)
    report_op("pow", L.elementwise_pow, x34, y34)
    report_op("add_act", lambda x, y: L.elementwise_add(x, y, act="relu"), x34 - 1.0, y34 - 1.0)
    report_op("mod", L.elementwise_mod, (x34 * 10).astype("int64"),
              np.full((3, 4), 3, "int64"))
    report_op("floordiv", L.elementwise_floordiv, (x34 * 10).astype("int64"),
              np.full((3, 4), 3, "int64"))
    report_op("reduce_sum_dim", lambda x: L.reduce_sum(x, dim=1), b234)
    report_op("reduce_sum_neg_keep", lambda x: L.reduce_sum(x, dim=-1, keep_dim=True), b234)
    report_op("reduce_mean_dims", lambda x: L.reduce_mean(x, dim=[0, 2]), b234)
    report_op("reduce_max", lambda x: L.reduce_max(x, dim=0), x34)
    report_op("reduce_min_all", L.reduce_min, x34)
    report_op("reduce_prod", lambda x: L.reduce_prod(x, dim=1), x34)
    report_op("mean", L.mean, b234)
    report_op("less_than", L.less_than, x34, y34)
    report_op("equal", L.equal, x34, x34.copy())
    report_op("operators", lambda x, y: (x + y) * 2.0 - x / y + x ** 2 - 1.0 / y, x34, y34)
    report_op("rsub_rdiv", lambda x: 3.0 - x + 2.0 / x, x34)
    report_op("neg", lambda x: -x, x34)
