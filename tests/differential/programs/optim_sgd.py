# SGD for 3 steps on a two-layer net with fixed parameters, global-norm clipping and L2 decay.
import paddle.fluid as fluid
from two_layer import train_three_steps

train_three_steps(10, lambda parameters: fluid.optimizer.SGD(
    learning_rate=0.1, parameter_list=parameters, regularization=fluid.regularizer.L2Decay(0.01),
    grad_clip=fluid.clip.GradientClipByGlobalNorm(clip_norm=1.0)))
