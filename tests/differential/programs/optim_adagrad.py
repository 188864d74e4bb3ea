# Adagrad for 3 steps with fixed parameters and norm clipping.
import paddle.fluid as fluid
from two_layer import train_three_steps

train_three_steps(13, lambda parameters: fluid.optimizer.Adagrad(
    learning_rate=0.2, epsilon=1e-6, initial_accumulator_value=0.1, parameter_list=parameters,
    regularization=fluid.regularizer.L2Decay(0.01),
    grad_clip=fluid.clip.GradientClipByNorm(clip_norm=0.5)))
