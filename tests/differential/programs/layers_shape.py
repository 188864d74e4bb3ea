# fluid.layers shape functions: outputs and input gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op

rng = np.random.RandomState(20)
a = rng.uniform(-1, 1, (2, 3, 4)).astype("float32")
b = rng.uniform(-1, 1, (2, 3, 4)).astype("float32")
c = rng.uniform(-1, 1, (2, 1, 4)).astype("float32")
index = np.array([2, 0, 2], "int32")
L = fluid.layers

with fluid.dygraph.guard():
    report_op("reshape", lambda x: L.reshape(x, shape=[4, -1]), a)
    report_op("reshape_zero", lambda x: L.reshape(x, shape=[0, -1]), a)
    report_op("reshape_act", lambda x: L.reshape(x, shape=[-1, 2], act="relu"), a)
    report_op("transpose", lambda x: L.transpose(x, perm=[2, 0, 1]), a)
    report_op("concat", lambda x, y: L.concat([x, y], axis=1), a, b)
    report_op("concat_neg_axis", lambda x, y: L.concat([x, y], axis=-1), a, b)
    report_op("split_num", lambda x: L.split(x, num_or_sections=2, dim=2), a)
    report_op("split_sections", lambda x: L.split(x, num_or_sections=[1, 2], dim=1), a)
    report_op("split_infer", lambda x: L.split(x, num_or_sections=[3, -1], dim=-1), a)
    report_op("squeeze", lambda x: L.squeeze(x, axes=[1]), c)
    report_op("squeeze_nothing", lambda x: L.squeeze(x, axes=[0]), c)
    report_op("unsqueeze", lambda x: L.unsqueeze(x, axes=[0, 3]), a)
    report_op("stack", lambda x, y: L.stack([x, y], axis=1), a, b)
    report_op("stack_neg", lambda x, y: L.stack([x, y], axis=-1), a, b)
    report_op("unstack", lambda x: L.unstack(x, axis=1), a)
    report_op("expand", lambda x: L.expand(x, expand_times=[1, 3, 2]), c)
    report_op("slice", lambda x: L.slice(x, axes=[1, 2], starts=[1, 0], ends=[3, -1]), a)
    report_op("slice_big_end", lambda x: L.slice(x, axes=[2], starts=[-3], ends=[100]), a)
    report_op("gather", lambda x: L.gather(x, fluid.dygraph.to_variable(index)),
              rng.uniform(-1, 1, (3, 2)).astype("float32"))
    report_op("gather_accumulate", lambda x: L.gather(x, fluid.dygraph.to_variable(index),
                                                      overwrite=False),
              rng.uniform(-1, 1, (3, 2)).astype("float32"))
    report_op("flatten", lambda x: L.flatten(x, axis=2), a)
    report_op("flatten_0", lambda x: L.flatten(x, axis=0), a)
    report("reshape_shape_of_var", L.reshape(fluid.dygraph.to_variable(a), [-1]).shape)
