# Embedding(is_sparse=True): the table's gradient and an SGD step touch only the looked-up rows.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

table = np.arange(12, dtype="float32").reshape(6, 2) / 10.0
ids = np.array([[4], [1], [4]], "int64")

with fluid.dygraph.guard():
    for sparse in (False, True):
        name = "sparse" if sparse else "dense"
        emb = fluid.dygraph.Embedding(size=[6, 2], is_sparse=sparse, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.NumpyArrayInitializer(table)))
        opt = fluid.optimizer.SGD(learning_rate=0.5, parameter_list=emb.parameters())
        out = emb(fluid.dygraph.to_variable(ids))
        loss = fluid.layers.reduce_sum(out * out)
        loss.backward()
        grad = emb.weight.gradient()
        report(name + ".grad", grad)
        opt.minimize(loss)
        report(name + ".after_step", emb.weight.numpy())
