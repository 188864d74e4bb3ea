# BatchNorm options: use_global_stats, NHWC layout, statistics set through set_dict, 2-D inputs.
# (is_test=True at construction is in paddle18_defects.py: 1.8.5's dygraph ignores it.)
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(54)
x_np = rng.normal(0.5, 1.5, (4, 3, 2, 2)).astype("float32")
mean = np.array([0.1, 0.2, 0.3], "float32")
variance = np.array([1.5, 0.5, 2.0], "float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    cotangent = fluid.dygraph.to_variable(rng.uniform(0.5, 1.5, x_np.shape).astype("float32"))
    for name, options in [("use_global_stats", dict(use_global_stats=True,
                                                    param_attr=fluid.ParamAttr())),
                          ("train", dict())]:
        bn = fluid.dygraph.BatchNorm(3, **options)
        bn.set_dict({"weight": np.ones(3, "float32") * 2.0, "bias": np.ones(3, "float32"),
                     "_mean": mean, "_variance": variance})
        y = bn(x)
        fluid.layers.reduce_sum(y * cotangent).backward()
        report(name, y)
        report(name + "_x_grad", x.gradient())
        report(name + "_weight_grad", bn.weight.gradient())
        report(name + "_mean_after", bn._mean.numpy())
        x.clear_gradient()
    nhwc = fluid.dygraph.BatchNorm(2, data_layout="NHWC")
    report("nhwc", nhwc(fluid.dygraph.to_variable(x_np)))
    report("nhwc_mean_after", nhwc._mean.numpy())
    flat = fluid.dygraph.BatchNorm(3, momentum=0.5)
    report("flat", flat(fluid.dygraph.to_variable(x_np[:, :, 0, 0])))
    report("flat_variance_after", flat._variance.numpy())
