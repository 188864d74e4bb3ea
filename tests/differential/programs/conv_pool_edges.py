# Geometry edge cases of Conv2D, Conv2DTranspose and Pool2D: asymmetric lists, 1x1, depthwise,
# stride larger than the kernel, dilation, output_size at both ends of its valid range.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(63)
x_np = rng.uniform(-1, 1, (2, 4, 7, 9)).astype("float32")


def attr(*shape):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(
        rng.uniform(-1, 1, shape).astype("float32")))


def run(name, layer):
    try:
        x = fluid.dygraph.to_variable(x_np)
        x.stop_gradient = False
        y = layer(x)
        fluid.layers.reduce_sum(y * y).backward()
        report(name, y)
        report(name + ".x_grad", x.gradient())
    except Exception as error:          # noqa: BLE001 - one failing case costs one key
        report(name, error)


C = fluid.dygraph.Conv2D
T = fluid.dygraph.Conv2DTranspose
P = fluid.dygraph.Pool2D
with fluid.dygraph.guard():
    run("conv_1x1", C(4, 3, 1, param_attr=attr(3, 4, 1, 1), bias_attr=False))
    run("conv_depthwise", C(4, 4, 3, groups=4, padding=1, param_attr=attr(4, 1, 3, 3),
                            bias_attr=False))
    run("conv_stride_gt_kernel", C(4, 2, 2, stride=3, param_attr=attr(2, 4, 2, 2),
                                   bias_attr=False))
    run("conv_rect", C(4, 2, [3, 1], stride=[2, 1], padding=[0, 2], dilation=[1, 3],
                       param_attr=attr(2, 4, 3, 1), bias_attr=False))
    run("deconv_dilation", T(4, 2, 3, dilation=2, param_attr=attr(4, 2, 3, 3),
                             bias_attr=False))
    run("deconv_stride3_pad", T(4, 2, [2, 3], stride=3, padding=[1, 0],
                                param_attr=attr(4, 2, 2, 3), bias_attr=False))
    run("deconv_output_size_min", T(4, 2, 3, stride=2, padding=1, output_size=[13, 17],
                                    param_attr=attr(4, 2, 3, 3), bias_attr=False))
    run("deconv_output_size_max", T(4, 2, 3, stride=2, padding=1, output_size=[14, 18],
                                    param_attr=attr(4, 2, 3, 3), bias_attr=False))
    run("deconv_groups", T(4, 6, 2, stride=2, groups=2, param_attr=attr(4, 3, 2, 2),
                           bias_attr=False))
    run("pool_rect", P(pool_size=[2, 3], pool_stride=[1, 2], pool_padding=[1, 0],
                       pool_type="max"))
    run("pool_avg_pad_exclusive", P(pool_size=3, pool_stride=3, pool_padding=[1, 1],
                                    pool_type="avg"))
    run("pool_ceil_pad", P(pool_size=3, pool_stride=2, pool_padding=1, ceil_mode=True,
                           pool_type="avg", exclusive=False))
    run("pool_global_ignores_size", P(pool_size=2, pool_stride=5, global_pooling=True,
                                      pool_type="max"))
