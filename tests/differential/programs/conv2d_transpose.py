# Conv2DTranspose forward and gradients with fixed parameters; output_size as int, list, tuple.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


rng = np.random.RandomState(3)
x_np = rng.uniform(-1, 1, (2, 4, 3, 4)).astype("float32")
w1 = rng.uniform(-1, 1, (4, 3, 3, 3)).astype("float32")
b1 = rng.uniform(-1, 1, (3,)).astype("float32")
w2 = rng.uniform(-1, 1, (4, 1, 2, 2)).astype("float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    deconv1 = fluid.dygraph.Conv2DTranspose(num_channels=4, num_filters=3, filter_size=3,
                                            stride=2, padding=1, act="sigmoid",
                                            param_attr=attr(w1), bias_attr=attr(b1))
    deconv2 = fluid.dygraph.Conv2DTranspose(num_channels=4, num_filters=2, filter_size=2,
                                            stride=2, groups=2, dilation=1,
                                            param_attr=attr(w2), bias_attr=False)
    y1 = deconv1(x)
    y2 = deconv2(x)
    loss = fluid.layers.reduce_sum(y1 * y1) + fluid.layers.reduce_mean(y2)
    loss.backward()
    report("y1", y1)
    report("y2", y2)
    report("w1_grad", deconv1.weight.gradient())
    report("b1_grad", deconv1.bias.gradient())
    report("w2_grad", deconv2.weight.gradient())
    report("x_grad", x.gradient())
    report("weight_shapes", [deconv1.weight.shape, deconv2.weight.shape])

    sized = fluid.dygraph.Conv2DTranspose(num_channels=4, num_filters=3, filter_size=3,
                                          stride=2, padding=1, output_size=[6, 8],
                                          param_attr=attr(w1), bias_attr=False)
    report("output_size_list", sized(x))
    sized_int = fluid.dygraph.Conv2DTranspose(num_channels=4, num_filters=3, filter_size=3,
                                              stride=2, padding=1, output_size=6,
                                              param_attr=attr(w1), bias_attr=False)
    with catch("output_size_int_error"):
        report("output_size_int_shape", sized_int(fluid.dygraph.to_variable(
            x_np[:, :, :, :3])).shape)
    try:        # the docs say "int or tuple"; 1.8.5 accepts only int or list
        by_tuple = fluid.dygraph.Conv2DTranspose(num_channels=4, num_filters=3, filter_size=3,
                                                 stride=2, padding=1, output_size=(6, 8),
                                                 param_attr=attr(w1), bias_attr=False)
        report("output_size_tuple", by_tuple(x).shape)
    except ValueError as error:
        report("output_size_tuple", error)
