"""Paddle's `fluid.dygraph.learning_rate_scheduler` module path (re-exports of optimizer/lr.py
and optimizer/lr_epoch.py).

Lets `from paddle.fluid.dygraph.learning_rate_scheduler import LearningRateDecay` run unchanged.
"""
from minigrad.optimizer.lr import (  # noqa: F401
    LearningRateDecay, PiecewiseDecay, ExponentialDecay, NaturalExpDecay, InverseTimeDecay,
    PolynomialDecay, CosineDecay, NoamDecay, LinearLrWarmup)
from minigrad.optimizer.lr_epoch import (  # noqa: F401
    ReduceLROnPlateau, StepDecay, MultiStepDecay, LambdaDecay, _LearningRateEpochDecay)
