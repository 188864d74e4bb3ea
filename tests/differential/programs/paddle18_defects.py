# Where Paddle 1.8.5 contradicts its own documentation and minigrad follows the documentation.
# Every key here is listed in test_differential.DELIBERATE: the difference is expected.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op, catch


def rates(schedule, count):
    values = []
    for _ in range(count):
        rate = schedule()
        values.append(float(rate.numpy()[0]) if hasattr(rate, "numpy") else float(rate))
    return values


rng = np.random.RandomState(16)
x_np = rng.uniform(-1, 1, (3, 5)).astype("float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    # Docs: is_test=True means inference (no dropping). 1.8.5 ignores it in dygraph and drops
    # unless the tracer is in eval mode.
    report("dropout_is_test", fluid.layers.dropout(x, dropout_prob=0.4, is_test=True))
    report("dropout_upscale_is_test",
           fluid.layers.dropout(x, dropout_prob=0.4, is_test=True,
                                dropout_implementation="upscale_in_train"))
    # Docs: lr = start_lr + (end_lr - start_lr) * step / warmup_steps. 1.8.5 drops start_lr.
    report("linear_warmup_start_lr", rates(fluid.dygraph.LinearLrWarmup(
        0.5, warmup_steps=4, start_lr=0.1, end_lr=0.5), 6))
    # Docs: dim lists the dimensions to reduce. 1.8.5 returns garbage when dim lists all of them.
    report("reduce_mean_all_dims", fluid.layers.reduce_mean(x, dim=[0, 1]))
    report("reduce_sum_all_dims_keep", fluid.layers.reduce_sum(x, dim=[1, 0], keep_dim=True))
    # Docs: swish(x) = x * sigmoid(beta * x). 1.8.5 ignores beta in dygraph.
    report_op("swish_beta", lambda v: fluid.layers.swish(v, beta=1.5), x_np * 3.0)
    # Docs: scale applies act. 1.8.5 ignores act in dygraph.
    report_op("scale_act", lambda v: fluid.layers.scale(v, scale=-1.0, act="relu"), x_np)
    # The loss of an ignored row is the constant 0, so its logits' gradient is 0; 1.8.5 gives
    # that row softmax-like values.
    logits = rng.uniform(-2, 2, (3, 4)).astype("float32")
    label = fluid.dygraph.to_variable(np.array([[1], [-100], [3]], "int64"))
    report_op("softmax_ce_ignore_index", lambda z: fluid.layers.softmax_with_cross_entropy(
        z, label), logits)
    # BatchNorm on an input that needs no gradient (a network's first layer): 1.8.5's backward
    # raises "No Output(X@GRAD) found for BatchNormGrad operator".
    bn = fluid.dygraph.BatchNorm(5)
    with catch("batch_norm_first_layer_backward"):
        fluid.layers.reduce_sum(fluid.layers.square(bn(x))).backward()
    # Bilinear: the upsampling kernel (1 - |x / f - c|) * (1 - |y / f - c|) at integer (x, y);
    # 1.8.5 computes the row as (i / size) % size, a fraction under Python 3.
    deconv = fluid.dygraph.Conv2DTranspose(
        num_channels=2, num_filters=2, filter_size=4, groups=2, stride=2, padding=1,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.Bilinear()), bias_attr=False)
    report("bilinear_kernel", deconv.weight)
    # BatchNorm(use_global_stats=True) without a param_attr: 1.8.5 reads
    # self._param_attr.learning_rate from None and raises AttributeError.
    with catch("batch_norm_use_global_stats_default_attr"):
        fluid.dygraph.BatchNorm(5, use_global_stats=True)
    # BatchNorm(is_test=True): the docs say it then normalises with the running statistics, like
    # use_global_stats; 1.8.5's dygraph layer ignores is_test (uses batch statistics and updates
    # the running ones unless eval() was called).
    frozen = fluid.dygraph.BatchNorm(5, is_test=True)
    frozen.set_dict({"weight": np.ones(5, "float32"), "bias": np.zeros(5, "float32"),
                     "_mean": np.full(5, 0.5, "float32"), "_variance": np.full(5, 4.0, "float32")})
    report("batch_norm_is_test", frozen(x).numpy())
    report("batch_norm_is_test_running_mean", frozen._mean.numpy())
