"""Paddle's `fluid.optimizer`: SGD, Momentum, Adagrad, RMSProp, Adam, Adamax, Adadelta,
DecayedAdagrad, Ftrl, Lamb, LarsMomentum, Dpsgd (and their ...Optimizer names).

    adam = fluid.optimizer.Adam(learning_rate=0.001, parameter_list=model.parameters())
    loss.backward()
    adam.minimize(loss)
    model.clear_gradients()

`base.py` holds the shared pipeline (clip -> regularize -> update, state_dict), `optimizers.py`
and `more_optimizers.py` the update rules, `lr.py` the learning-rate schedules (exported as
fluid.dygraph.*Decay), `averaging.py` Lookahead and the exponential moving average of parameters.
"""
from minigrad.optimizer import lr  # noqa: F401
from minigrad.optimizer.base import Optimizer  # noqa: F401
from minigrad.optimizer.optimizers import (  # noqa: F401
    SGD, Momentum, Adagrad, RMSProp, Adam,
    SGDOptimizer, MomentumOptimizer, AdagradOptimizer, RMSPropOptimizer, AdamOptimizer)

from minigrad.optimizer.averaging import (  # noqa: F401,E402
    LookaheadOptimizer, ExponentialMovingAverage)

__all__ = ["Optimizer", "SGD", "Momentum", "Adagrad", "RMSProp", "Adam", "SGDOptimizer",
           "MomentumOptimizer", "AdagradOptimizer", "RMSPropOptimizer", "AdamOptimizer",
           "LookaheadOptimizer", "ExponentialMovingAverage"]

from minigrad.optimizer.more_optimizers import (  # noqa: E402,F401
    Adamax, Adadelta, DecayedAdagrad, Ftrl, Lamb, LarsMomentum, Dpsgd,
    AdamaxOptimizer, AdadeltaOptimizer, DecayedAdagradOptimizer, FtrlOptimizer, LambOptimizer,
    LarsMomentumOptimizer, DpsgdOptimizer)
from minigrad.optimizer import more_optimizers as _more  # noqa: E402

__all__ += _more.__all__

from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid.optimizer", "minigrad.optimizer")
