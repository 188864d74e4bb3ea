# RMSProp (centered, with momentum) for 3 steps with fixed parameters.
import paddle.fluid as fluid
from two_layer import train_three_steps

train_three_steps(14, lambda parameters: fluid.optimizer.RMSProp(
    learning_rate=0.05, rho=0.9, epsilon=1e-6, momentum=0.5, centered=True,
    parameter_list=parameters))
