"""Paddle 1.8's functional schedules (`fluid.layers.piecewise_decay`, ...).

In dygraph mode Paddle 1.8's functions return the `fluid.dygraph` schedule objects that
optimizers take as `learning_rate=`, and so do minigrad's:

    lr = fluid.layers.piecewise_decay(boundaries=[100, 200], values=[0.1, 0.01, 0.001])
    sgd = fluid.optimizer.SGD(learning_rate=lr, parameter_list=model.parameters())
"""
from minigrad.optimizer import lr as _lr

__all__ = ["piecewise_decay", "noam_decay", "exponential_decay", "natural_exp_decay",
           "inverse_time_decay", "polynomial_decay", "cosine_decay", "linear_lr_warmup"]


def piecewise_decay(boundaries, values):
    """`values[i]` while the step is below `boundaries[i]` (counting from 0)."""
    return _lr.PiecewiseDecay(boundaries, values, 0)


def noam_decay(d_model, warmup_steps, learning_rate=1.0):
    """The Transformer's schedule, counting from step 1."""
    return _lr.NoamDecay(d_model, warmup_steps, learning_rate=learning_rate)


def exponential_decay(learning_rate, decay_steps, decay_rate, staircase=False):
    return _lr.ExponentialDecay(learning_rate, decay_steps, decay_rate, staircase)


def natural_exp_decay(learning_rate, decay_steps, decay_rate, staircase=False):
    return _lr.NaturalExpDecay(learning_rate, decay_steps, decay_rate, staircase)


def inverse_time_decay(learning_rate, decay_steps, decay_rate, staircase=False):
    return _lr.InverseTimeDecay(learning_rate, decay_steps, decay_rate, staircase)


def polynomial_decay(learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle=False):
    return _lr.PolynomialDecay(learning_rate, decay_steps, end_learning_rate, power, cycle)


def cosine_decay(learning_rate, step_each_epoch, epochs):
    return _lr.CosineDecay(learning_rate, step_each_epoch, epochs)


def linear_lr_warmup(learning_rate, warmup_steps, start_lr, end_lr):
    return _lr.LinearLrWarmup(learning_rate, warmup_steps, start_lr, end_lr)
