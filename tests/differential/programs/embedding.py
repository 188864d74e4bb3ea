# Embedding: lookup in a fixed table, padding_idx, output shapes for [N, 1] and [N, T] ids,
# gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(6)
table = rng.uniform(-1, 1, (10, 4)).astype("float32")
ids_col = np.array([[1], [3], [3], [0], [9]], "int64")
ids_mat = np.array([[2, 0, 5], [5, 5, 1]], "int64")

with fluid.dygraph.guard():
    emb = fluid.dygraph.Embedding(
        size=[10, 4], padding_idx=0,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(table)))
    out_col = emb(fluid.dygraph.to_variable(ids_col))
    out_mat = emb(fluid.dygraph.to_variable(ids_mat))
    loss = fluid.layers.reduce_sum(out_col * out_col) + fluid.layers.reduce_sum(out_mat)
    loss.backward()
    report("out_col", out_col)
    report("out_mat", out_mat)
    report("table_grad", emb.weight.gradient())
    report("weight", emb.weight)
    neg = fluid.dygraph.Embedding(
        size=[10, 4], padding_idx=-1,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(table)))
    report("negative_padding_idx", neg(fluid.dygraph.to_variable(ids_col)))
