"""Weight decay added to a parameter's gradient before the optimizer's update (`fluid.regularizer`).

A regularizer given to an optimizer (`regularization=`) applies to every parameter it updates; one
set on a parameter (`ParamAttr(regularizer=...)`, stored as `param.regularizer`) overrides it for
that parameter, as in Paddle 1.8.
"""
import numbers

import numpy as np

from minigrad.core.variable import Variable

__all__ = ["WeightDecayRegularizer", "L1Decay", "L2Decay", "L1DecayRegularizer",
           "L2DecayRegularizer"]


class WeightDecayRegularizer:
    """Base class: `regularizer(param, grad)` returns `grad + coeff * penalty'(param)`.

    `param` is a Parameter or an ndarray, `grad` an ndarray of the same shape; the result has the
    gradient's dtype and is a new array (the gradient is never modified in place).
    """

    def __init__(self, regularization_coeff=0.0):
        if (not isinstance(regularization_coeff, numbers.Real)
                or isinstance(regularization_coeff, bool)):
            raise TypeError(f"{type(self).__name__}: regularization_coeff must be a number, got "
                            f"{type(regularization_coeff).__name__} ({regularization_coeff!r})")
        if not np.isfinite(regularization_coeff) or regularization_coeff < 0:
            raise ValueError(f"{type(self).__name__}: regularization_coeff must be a finite "
                             f"number >= 0, got {regularization_coeff!r}")
        self._regularization_coeff = float(regularization_coeff)

    @property
    def coeff(self):
        return self._regularization_coeff

    def decay(self, value):
        """The term added to the gradient for parameter value `value` (an ndarray)."""
        raise NotImplementedError

    def __call__(self, param, grad):
        value = param.data if isinstance(param, Variable) else np.asarray(param)
        return grad + self.decay(value).astype(grad.dtype, copy=False)

    def __repr__(self):
        return f"{type(self).__name__}(regularization_coeff={self._regularization_coeff})"


class L2Decay(WeightDecayRegularizer):
    """L2 weight decay: the loss gains `coeff/2 * sum(w**2)`, so the gradient gains `coeff * w`.

        fc = fluid.dygraph.Linear(4, 2, param_attr=fluid.ParamAttr(
            regularizer=fluid.regularizer.L2Decay(1e-4)))
        sgd = fluid.optimizer.SGD(0.1, parameter_list=fc.parameters(),
                                  regularization=fluid.regularizer.L2Decay(1e-3))
    """

    def decay(self, value):
        return self._regularization_coeff * value


class L1Decay(WeightDecayRegularizer):
    """L1 weight decay: the loss gains `coeff * sum(|w|)`, so the gradient gains `coeff * sign(w)`.

        adam = fluid.optimizer.Adam(parameter_list=model.parameters(),
                                    regularization=fluid.regularizer.L1Decay(1e-4))
    """

    def decay(self, value):
        return self._regularization_coeff * np.sign(value)


# Paddle's long names.
L1DecayRegularizer = L1Decay
L2DecayRegularizer = L2Decay


def check_regularizer(where, argument, regularizer):
    """None or a WeightDecayRegularizer; anything else is a TypeError naming what was received."""
    if regularizer is not None and not isinstance(regularizer, WeightDecayRegularizer):
        raise TypeError(f"{where}: {argument} must be None or a regularizer such as "
                        f"fluid.regularizer.L2Decay(1e-4), got {type(regularizer).__name__} "
                        f"({regularizer!r})")
    return regularizer
