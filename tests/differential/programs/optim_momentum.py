# Momentum (Nesterov) for 3 steps on a two-layer net with fixed parameters.
import paddle.fluid as fluid
from two_layer import train_three_steps

train_three_steps(11, lambda parameters: fluid.optimizer.Momentum(
    learning_rate=0.1, momentum=0.9, use_nesterov=True, parameter_list=parameters))
