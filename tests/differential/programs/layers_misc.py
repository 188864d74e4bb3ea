# fluid.layers creation, indexing and metric functions: values, dtypes and shapes.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op

rng = np.random.RandomState(24)
L = fluid.layers
scores = rng.permutation(20).reshape(4, 5).astype("float32") / 20.0
label = np.array([[1], [4], [0], [2]], "int64")

with fluid.dygraph.guard():
    report_op("one_hot", lambda v: L.one_hot(v, depth=6), label)
    report_op("argmax", lambda v: L.argmax(v, axis=1), scores)
    report_op("argmax_default_axis", L.argmax, scores)
    report_op("argmin", lambda v: L.argmin(v, axis=-1), scores)
    report_op("argsort", lambda v: L.argsort(v, axis=1), scores)
    report_op("argsort_descending", lambda v: L.argsort(v, axis=0, descending=True), scores)
    report_op("topk", lambda v: L.topk(v, k=2), scores)
    report_op("accuracy", lambda v: L.accuracy(v, fluid.dygraph.to_variable(label)), scores)
    report_op("accuracy_k2", lambda v: L.accuracy(v, fluid.dygraph.to_variable(label), k=2),
              scores)
    report_op("cast_int", lambda v: L.cast(v * 10.0, "int32"), scores)
    report_op("cast_float64", lambda v: L.cast(v, "float64"), scores)
    report_op("cast_bool", lambda v: L.cast(v, "bool"), scores)
    report("fill_constant", L.fill_constant(shape=[2, 3], dtype="float32", value=1.5))
    report("fill_constant_int", L.fill_constant(shape=[2], dtype="int64", value=7))
    report("zeros", L.zeros(shape=[2, 2], dtype="float32"))
    report("ones_int", L.ones(shape=[3], dtype="int32"))
    report_op("zeros_like", L.zeros_like, scores, grad=False)
    report_op("ones_like", L.ones_like, scores, grad=False)
    report("linspace", L.linspace(0, 1, 5, "float32"))
    report("range", L.range(0, 10, 3, "int64"))
    report_op("assign", L.assign, scores)
    report("assign_ndarray", L.assign(scores))
    report_op("sums", lambda x, y: L.sums([x, y]), scores, scores.copy())
