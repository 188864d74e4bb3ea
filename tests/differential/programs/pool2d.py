# Pool2D: max and avg, stride, padding, ceil_mode, exclusive, global pooling; gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(4)
x_np = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6).astype("float32") / 10.0

with fluid.dygraph.guard():
    pools = {
        "max_2_2": fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2),
        "avg_3_2_pad": fluid.dygraph.Pool2D(pool_size=3, pool_type="avg", pool_stride=2,
                                            pool_padding=1),
        "avg_3_2_pad_inclusive": fluid.dygraph.Pool2D(pool_size=3, pool_type="avg",
                                                      pool_stride=2, pool_padding=1,
                                                      exclusive=False),
        "max_3_2_ceil": fluid.dygraph.Pool2D(pool_size=3, pool_type="max", pool_stride=2,
                                             ceil_mode=True),
        "avg_ceil": fluid.dygraph.Pool2D(pool_size=[2, 3], pool_type="avg", pool_stride=[2, 2],
                                         ceil_mode=True),
        "global_avg": fluid.dygraph.Pool2D(pool_type="avg", global_pooling=True),
        "global_max": fluid.dygraph.Pool2D(pool_type="max", global_pooling=True),
    }
    for name, pool in pools.items():
        x = fluid.dygraph.to_variable(x_np)
        x.stop_gradient = False
        y = pool(x)
        loss = fluid.layers.reduce_sum(y * y)
        loss.backward()
        report(name, y)
        report(name + "_grad", x.gradient())
    y = fluid.layers.pool2d(fluid.dygraph.to_variable(x_np), pool_size=2, pool_type="avg",
                            pool_stride=1)
    report("functional_avg", y)
