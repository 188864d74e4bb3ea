# fluid.layers math and logic added for 1.8 compatibility: inverse trigonometry, cumsum, products,
# mul, sum, multiplex, clip_by_norm, logical ops, where, finiteness tests, shape queries,
# increment and mean_iou.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op

rng = np.random.RandomState(31)
L = fluid.layers


def u(low, high, *shape):
    return rng.uniform(low, high, shape).astype("float32")


unit = u(-0.9, 0.9, 3, 4)
x34 = u(-2, 2, 3, 4)
b234 = u(0.5, 1.5, 2, 3, 4)
mask_a = rng.uniform(0, 1, (3, 4)) > 0.5
mask_b = rng.uniform(0, 1, (3, 4)) > 0.5
special = np.array([[1.0, np.inf, -2.0], [np.nan, 0.5, 3.0]], "float32")
only_inf = np.array([1.0, -np.inf, 2.0], "float32")
finite = u(-1, 1, 2, 3)

with fluid.dygraph.guard():
    report_op("acos", L.acos, unit)
    report_op("asin", L.asin, unit)
    report_op("atan", L.atan, x34)
    report_op("cumsum_default", L.cumsum, b234)
    report_op("cumsum_axis0", lambda v: L.cumsum(v, axis=0), b234)
    report_op("cumsum_exclusive", lambda v: L.cumsum(v, axis=1, exclusive=True), b234)
    report_op("cumsum_reverse", lambda v: L.cumsum(v, axis=-1, reverse=True), b234)
    report_op("cumsum_exclusive_reverse",
              lambda v: L.cumsum(v, axis=2, exclusive=True, reverse=True), b234)
    report_op("cumsum_int", lambda v: L.cumsum(v, axis=0),
              np.arange(12, dtype="int64").reshape(3, 4), grad=False)
    report_op("reduce_prod_all", L.reduce_prod, x34)
    report_op("reduce_prod_dim", lambda v: L.reduce_prod(v, dim=1), b234)
    report_op("reduce_prod_keep", lambda v: L.reduce_prod(v, dim=-1, keep_dim=True), b234)
    report_op("reduce_prod_dims", lambda v: L.reduce_prod(v, dim=[0, 2]), b234)
    report_op("reduce_all", L.reduce_all, mask_a, grad=False)
    report_op("reduce_all_dim", lambda v: L.reduce_all(v, dim=1), mask_a, grad=False)
    report_op("reduce_any_dim_keep", lambda v: L.reduce_any(v, dim=0, keep_dim=True), mask_a,
              grad=False)
    report_op("reduce_any", L.reduce_any, np.zeros((2, 3), bool), grad=False)
    report_op("mul", L.mul, x34, u(-1, 1, 4, 5))
    report_op("mul_x_num_col_dims", lambda x, y: L.mul(x, y, x_num_col_dims=2),
              b234, u(-1, 1, 4, 3))
    report_op("mul_flatten_x", L.mul, b234, u(-1, 1, 12, 2))
    report_op("mul_y_num_col_dims", lambda x, y: L.mul(x, y, x_num_col_dims=1, y_num_col_dims=2),
              x34, u(-1, 1, 2, 2, 5))
    report_op("sum_list", lambda a, b, c: L.sum([a, b, c]), x34, unit, u(0, 1, 3, 4))
    report_op("sum_one", L.sum, x34)
    index = fluid.dygraph.to_variable(np.array([[1], [0], [2]], "int32"))
    report_op("multiplex", lambda a, b, c: L.multiplex([a, b, c], index),
              x34, unit, u(0, 1, 3, 4))
    report_op("clip_by_norm_scaled", lambda v: L.clip_by_norm(v, max_norm=1.0), x34,
              grad=False)
    report_op("clip_by_norm_kept", lambda v: L.clip_by_norm(v, max_norm=100.0), x34,
              grad=False)
    report_op("logical_and", L.logical_and, mask_a, mask_b)
    report_op("logical_or", L.logical_or, mask_a, mask_b)
    report_op("logical_xor", L.logical_xor, mask_a, mask_b)
    report_op("logical_not", L.logical_not, mask_a)
    report_op("where", L.where, mask_a)
    report_op("where_none", L.where, np.zeros((2, 2), bool))
    report_op("where_3d", L.where, b234 > 1.0)
    report_op("isfinite_false", L.isfinite, special, grad=False)
    report_op("isfinite_true", L.isfinite, finite, grad=False)
    report_op("has_inf", L.has_inf, special, grad=False)
    report_op("has_inf_only_inf", L.has_inf, only_inf, grad=False)
    report_op("has_inf_false", L.has_inf, finite, grad=False)
    report_op("has_nan", L.has_nan, special, grad=False)
    report_op("has_nan_false", L.has_nan, only_inf, grad=False)
    report_op("size", L.size, b234, grad=False)
    report_op("rank", L.rank, b234, grad=False)
    report_op("shape", L.shape, b234, grad=False)
    report_op("shape_int", L.shape, np.zeros((5, 1), "int64"), grad=False)

    counter = fluid.dygraph.to_variable(np.array([3.0], "float32"))
    same = L.increment(counter)
    report("increment_in_place", counter)
    report("increment_returns_x", same.numpy())
    counter_int = fluid.dygraph.to_variable(np.array([5], "int64"))
    L.increment(counter_int, value=2)
    report("increment_int", counter_int)
    grown = fluid.dygraph.to_variable(np.array([1.0], "float32"))
    grown.stop_gradient = False
    L.reduce_sum(L.increment(grown, value=2.0) * 3.0).backward()
    report("increment_in_place_grad", grown.gradient())
    report_op("increment_new", lambda v: L.increment(v, value=2.5, in_place=False),
              np.array([1.0], "float32"))

    prediction = np.array([[0, 1, 2, 2], [1, 1, 0, 3]], "int32")
    truth = np.array([[0, 1, 1, 2], [1, 2, 0, 3]], "int32")
    report_op("mean_iou", lambda p, t: L.mean_iou(p, t, num_classes=4), prediction, truth)
    report_op("mean_iou_absent_class", lambda p, t: L.mean_iou(p, t, num_classes=6),
              prediction, truth)
    report_op("mean_iou_int64", lambda p, t: L.mean_iou(p, t, num_classes=4),
              prediction.astype("int64").reshape(-1), truth.astype("int64").reshape(-1))
