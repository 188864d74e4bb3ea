# Adam for 3 steps with fixed parameters, a ParamAttr L1 regularizer and value clipping.
import paddle.fluid as fluid
from two_layer import train_three_steps

train_three_steps(12, lambda parameters: fluid.optimizer.Adam(
    learning_rate=0.05, beta1=0.8, beta2=0.99, epsilon=1e-6, parameter_list=parameters,
    regularization=fluid.regularizer.L2Decay(0.01),
    grad_clip=fluid.clip.GradientClipByValue(max=0.2, min=-0.2)),
    fc1_regularizer=fluid.regularizer.L1Decay(0.05))
