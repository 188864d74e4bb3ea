# Mistakes Paddle programs make: both frameworks must raise (the types are recorded, not compared).
import numpy as np
import paddle.fluid as fluid
from diffreport import catch


def ones(*shape):
    return fluid.dygraph.to_variable(np.ones(shape, "float32"))


with fluid.dygraph.guard():
    linear = fluid.dygraph.Linear(4, 3)
    with catch("linear_wrong_width"):
        linear(ones(2, 5))
    conv = fluid.dygraph.Conv2D(num_channels=3, num_filters=2, filter_size=3)
    with catch("conv_wrong_channels"):
        conv(ones(1, 4, 5, 5))
    with catch("conv_3d_input"):
        conv(ones(3, 5, 5))
    with catch("matmul_mismatch"):
        fluid.layers.matmul(ones(2, 3), ones(4, 2))
    with catch("elementwise_add_mismatch"):
        fluid.layers.elementwise_add(ones(2, 3), ones(2, 4))
    with catch("concat_mismatch"):
        fluid.layers.concat([ones(2, 3), ones(3, 4)], axis=0)
    with catch("reshape_wrong_size"):
        fluid.layers.reshape(ones(2, 3), shape=[4, 2])
    with catch("reshape_two_minus_one"):
        fluid.layers.reshape(ones(2, 3), shape=[-1, -1])
    with catch("transpose_bad_perm"):
        fluid.layers.transpose(ones(2, 3), perm=[0, 0])
    with catch("split_uneven"):
        fluid.layers.split(ones(2, 5), num_or_sections=2, dim=1)
    with catch("embedding_out_of_range"):
        fluid.dygraph.Embedding(size=[4, 2])(
            fluid.dygraph.to_variable(np.array([[7]], "int64")))
    with catch("pool_bad_type"):
        fluid.dygraph.Pool2D(pool_size=2, pool_type="median")(ones(1, 1, 4, 4))
    with catch("cross_entropy_label_float"):
        fluid.layers.cross_entropy(ones(2, 3) / 3.0, ones(2, 1))
    with catch("set_value_wrong_shape"):
        linear.weight.set_value(np.ones((3, 4), "float32"))
    with catch("optimizer_without_parameter_list"):
        fluid.optimizer.SGD(learning_rate=0.1)
    with catch("deconv_output_size_out_of_range"):
        fluid.dygraph.Conv2DTranspose(num_channels=1, num_filters=1, filter_size=3, stride=2,
                                      output_size=20)(ones(1, 1, 4, 4))
    with catch("unknown_act"):
        fluid.dygraph.Linear(2, 2, act="no_such_activation")(ones(1, 2))
    with catch("load_missing"):
        fluid.load_dygraph("no_such_checkpoint")
