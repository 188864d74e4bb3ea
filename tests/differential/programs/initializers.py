# Initializers: exact values where deterministic; shapes, dtypes and ranges where random.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

init = fluid.initializer

with fluid.dygraph.guard():
    def weight(initializer, shape=(3, 4), kind="linear"):
        if kind == "linear":
            layer = fluid.dygraph.Linear(shape[0], shape[1],
                                         param_attr=fluid.ParamAttr(initializer=initializer))
        else:
            layer = fluid.dygraph.Conv2DTranspose(num_channels=shape[0], num_filters=shape[1],
                                                  filter_size=shape[2], groups=shape[1],
                                                  param_attr=fluid.ParamAttr(
                                                      initializer=initializer),
                                                  bias_attr=False)
        return layer.weight

    report("constant", weight(init.Constant(0.75)))
    report("constant_initializer", weight(init.ConstantInitializer(value=-2.0)))
    table = np.arange(12, dtype="float32").reshape(3, 4)
    report("numpy_array", weight(init.NumpyArrayInitializer(table)))
    report("bilinear_shape", weight(init.Bilinear(), shape=(2, 2, 4), kind="deconv").shape)
    report("default_bias", fluid.dygraph.Linear(3, 4).bias)
    for name, initializer, low, high in [
            ("uniform", init.Uniform(low=-0.3, high=0.2, seed=5), -0.3, 0.2),
            ("xavier_uniform", init.Xavier(uniform=True, seed=5), -(6.0 / 7) ** 0.5,
             (6.0 / 7) ** 0.5),
            ("msra_uniform", init.MSRA(uniform=True, seed=5), -(6.0 / 3) ** 0.5, (6.0 / 3) ** 0.5),
            ("normal", init.Normal(loc=1.0, scale=0.01, seed=5), 0.9, 1.1),
            ("truncated_normal", init.TruncatedNormal(loc=0.0, scale=0.1, seed=5), -0.2, 0.2)]:
        value = weight(initializer).numpy()
        report(name + "_shape_dtype", [list(value.shape), value.dtype.name])
        report(name + "_in_range", bool(np.all((value >= low) & (value <= high))))
    report("default_linear_in_xavier_range", bool(np.all(
        np.abs(fluid.dygraph.Linear(3, 4).weight.numpy()) <= (6.0 / 7) ** 0.5)))
