# Gradient clipping and weight decay, isolated: one SGD step with learning rate 1 shows the
# update (clipped gradient plus decay) directly.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(62)
w = rng.uniform(-2, 2, (3, 2)).astype("float32")
b = rng.uniform(-2, 2, (2,)).astype("float32")
x_np = rng.uniform(-2, 2, (4, 3)).astype("float32")


def step(name, **options):
    decay = options.pop("param_regularizer", None)
    linear = fluid.dygraph.Linear(
        3, 2,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w),
                                   regularizer=decay),
        bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(b)))
    opt = fluid.optimizer.SGD(learning_rate=1.0, parameter_list=linear.parameters(), **options)
    loss = fluid.layers.reduce_sum(fluid.layers.square(linear(fluid.dygraph.to_variable(x_np))))
    loss.backward()
    opt.minimize(loss)
    report(name + ".w_delta", w - linear.weight.numpy())
    report(name + ".b_delta", b - linear.bias.numpy())


with fluid.dygraph.guard():
    step("plain")
    step("by_value", grad_clip=fluid.clip.GradientClipByValue(max=1.0, min=-0.5))
    step("by_value_default_min", grad_clip=fluid.clip.GradientClipByValue(max=2.0))
    step("by_norm", grad_clip=fluid.clip.GradientClipByNorm(clip_norm=1.0))
    step("by_global_norm", grad_clip=fluid.clip.GradientClipByGlobalNorm(clip_norm=2.0))
    step("by_global_norm_loose", grad_clip=fluid.clip.GradientClipByGlobalNorm(clip_norm=1e6))
    step("l2", regularization=fluid.regularizer.L2Decay(0.1))
    step("l1", regularization=fluid.regularizer.L1Decay(0.1))
    step("l2_with_clip", regularization=fluid.regularizer.L2Decay(0.1),
         grad_clip=fluid.clip.GradientClipByGlobalNorm(clip_norm=1.0))
    step("param_l1_overrides_l2", regularization=fluid.regularizer.L2Decay(0.1),
         param_regularizer=fluid.regularizer.L1Decay(0.3))
    step("decay_aliases", regularization=fluid.regularizer.L2DecayRegularizer(
        regularization_coeff=0.2))
