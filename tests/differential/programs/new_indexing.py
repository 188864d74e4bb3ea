# fluid.layers indexing added for 1.8 compatibility: gather_nd, scatter, scatter_nd(_add),
# strided_slice, crop_tensor, expand_as, reverse, unique(_with_counts), eye, diag.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op

rng = np.random.RandomState(32)
L = fluid.layers


def u(*shape):
    return rng.uniform(-1, 1, shape).astype("float32")


def var(array):
    return fluid.dygraph.to_variable(array)


a = u(3, 4, 5)
m = u(5, 3)

with fluid.dygraph.guard():
    report_op("gather_nd_points", lambda x: L.gather_nd(
        x, var(np.array([[0, 1, 2], [2, 3, 4], [1, 0, 0]], "int32"))), a)
    report_op("gather_nd_rows", lambda x: L.gather_nd(
        x, var(np.array([[2, 1], [0, 3]], "int64"))), a)
    report_op("gather_nd_slices", lambda x: L.gather_nd(
        x, var(np.array([[[1], [0]], [[2], [2]]], "int32"))), a)
    report_op("gather_nd_repeated", lambda x: L.gather_nd(
        x, var(np.array([[1, 1], [1, 1], [0, 2]], "int32"))), a)

    rows = var(np.array([4, 0, 2], "int64"))
    report_op("scatter_overwrite", lambda x, up: L.scatter(x, rows, up), m, u(3, 3))
    report_op("scatter_add", lambda x, up: L.scatter(x, rows, up, overwrite=False), m, u(3, 3))
    report_op("scatter_int32_index", lambda x, up: L.scatter(
        x, var(np.array([1, 3], "int32")), up), m, u(2, 3))
    duplicate = var(np.array([1, 3, 1], "int64"))
    report_op("scatter_add_duplicate_forward", lambda x, up: L.scatter(
        x, duplicate, up, overwrite=False), m, u(3, 3), grad=False)
    report_op("scatter_overwrite_duplicate_forward", lambda x, up: L.scatter(
        x, duplicate, up), m, u(3, 3), grad=False)

    report_op("scatter_nd_points", lambda up: L.scatter_nd(
        var(np.array([[0, 1], [2, 3], [0, 1]], "int64")), up, [3, 4]), u(3))
    report_op("scatter_nd_rows", lambda up: L.scatter_nd(
        var(np.array([[1], [0]], "int32")), up, [3, 4]), u(2, 4))
    report_op("scatter_nd_add", lambda ref, up: L.scatter_nd_add(
        ref, var(np.array([[0, 1], [2, 3], [0, 1]], "int64")), up), u(3, 4), u(3))
    report_op("scatter_nd_add_slices", lambda ref, up: L.scatter_nd_add(
        ref, var(np.array([[1], [1], [2]], "int32")), up), u(3, 4, 2), u(3, 4, 2))

    report_op("strided_slice", lambda x: L.strided_slice(
        x, axes=[0, 2], starts=[0, 1], ends=[3, 5], strides=[2, 2]), a)
    report_op("strided_slice_negative_bounds", lambda x: L.strided_slice(
        x, axes=[1, 2], starts=[-3, 0], ends=[-1, 100], strides=[1, 3]), a)
    report_op("strided_slice_one_axis", lambda x: L.strided_slice(
        x, axes=[2], starts=[1], ends=[4], strides=[2]), a)

    report_op("crop_tensor", lambda x: L.crop_tensor(x, shape=[2, 2, 3], offsets=[1, 1, 2]), a)
    report_op("crop_tensor_rest", lambda x: L.crop_tensor(x, shape=[-1, 2, -1],
                                                          offsets=[1, 0, 3]), a)
    report_op("crop_tensor_no_offsets", lambda x: L.crop_tensor(x, shape=[3, 1, 4]), a)
    report_op("crop_tensor_shape_var", lambda x: L.crop_tensor(
        x, shape=var(np.array([2, 3], "int32")), offsets=[1, 0]), m)

    report_op("expand_as", lambda x, t: L.expand_as(x, t), u(1, 3), u(4, 6))
    report_op("expand_as_3d", lambda x, t: L.expand_as(x, t), u(2, 1, 2), u(2, 3, 4))

    report_op("reverse", lambda x: L.reverse(x, axis=0), a)
    report_op("reverse_list", lambda x: L.reverse(x, axis=[0, 2]), a)
    report_op("reverse_negative", lambda x: L.reverse(x, axis=-1), m)

    values = np.array([2, 3, 3, 1, 5, 3], "int64")
    report_op("unique", L.unique, values)
    report_op("unique_int64_index", lambda x: L.unique(x, dtype="int64"), values)
    report_op("unique_float", L.unique, np.array([0.5, -1.0, 0.5, 2.0], "float32"), grad=False)
    report_op("unique_with_counts", L.unique_with_counts, values)
    report_op("unique_with_counts_int64", lambda x: L.unique_with_counts(x, dtype="int64"),
              np.array([7, 7, 7, 1], "int32"))

    report("eye", L.eye(3))
    report("eye_rect", L.eye(2, num_columns=4))
    report("eye_batch", L.eye(2, 3, batch_shape=[2]))
    report("eye_batch_2d", L.eye(2, batch_shape=[2, 1], dtype="int32"))
    report("eye_float64", L.eye(3, dtype="float64"))

    report("diag_ndarray", L.diag(np.array([1.0, 2.0, 3.0], "float32")))
    report("diag_int", L.diag(np.array([4, 5], "int64")))
    report_op("diag_variable", L.diag, u(3), grad=False)
