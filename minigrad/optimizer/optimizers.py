"""The update rules: SGD, Momentum, Adagrad, RMSProp, Adam (Paddle 1.8's formulas).

Notation: `p` parameter, `g` its (clipped, regularized) gradient, `lr` the learning rate times
the parameter's multiplier. Every rule works in place on `p` and its state, in `p`'s dtype.
The argument order follows Paddle's, so positional calls from Paddle programs keep their meaning.
"""
import numbers

import numpy as np

from minigrad.optimizer.base import Optimizer

__all__ = ["SGD", "Momentum", "Adagrad", "RMSProp", "Adam", "SGDOptimizer", "MomentumOptimizer",
           "AdagradOptimizer", "RMSPropOptimizer", "AdamOptimizer"]


class SGD(Optimizer):
    """Plain gradient descent: `p -= lr * g`.

        sgd = fluid.optimizer.SGD(learning_rate=0.01, parameter_list=model.parameters())
        loss.backward(); sgd.minimize(loss); model.clear_gradients()
    """

    def __init__(self, learning_rate, parameter_list=None, regularization=None, grad_clip=None,
                 name=None):
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _update(self, p, g, lr, state):
        p -= lr * g


class Momentum(Optimizer):
    """Gradient descent with momentum `mu`, optionally Nesterov's.

        v = mu * v + g
        p -= lr * v                    (use_nesterov=False)
        p -= lr * (g + mu * v)         (use_nesterov=True)

        opt = fluid.optimizer.Momentum(0.01, momentum=0.9, parameter_list=model.parameters())

    State: "velocity". Raises ValueError unless momentum >= 0.
    """

    def __init__(self, learning_rate, momentum, parameter_list=None, use_nesterov=False,
                 regularization=None, grad_clip=None, name=None):
        self._momentum = _hyper("Momentum", "momentum", momentum, low=0.0)
        self._use_nesterov = bool(use_nesterov)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"velocity": np.zeros_like(p)}

    def _update(self, p, g, lr, state):
        v = state["velocity"]
        v *= self._momentum
        v += g
        if self._use_nesterov:
            p -= lr * (g + self._momentum * v)
        else:
            p -= lr * v


class Adagrad(Optimizer):
    """Adagrad: per-element rates shrinking with the sum of squared gradients.

        m += g * g
        p -= lr * g / (sqrt(m) + epsilon)

        opt = fluid.optimizer.Adagrad(0.1, parameter_list=model.parameters())

    State: "moment" (starting at `initial_accumulator_value`).
    """

    def __init__(self, learning_rate, epsilon=1.0e-6, parameter_list=None, regularization=None,
                 grad_clip=None, name=None, initial_accumulator_value=0.0):
        self._epsilon = _hyper("Adagrad", "epsilon", epsilon, low=0.0)
        self._initial_accumulator_value = _hyper("Adagrad", "initial_accumulator_value",
                                                 initial_accumulator_value, low=0.0)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"moment": np.full_like(p, self._initial_accumulator_value)}

    def _update(self, p, g, lr, state):
        m = state["moment"]
        m += g * g
        p -= lr * g / (np.sqrt(m) + self._epsilon)


class RMSProp(Optimizer):
    """RMSProp as in Paddle (rho, epsilon inside the square root, optional momentum, centered).

        ms = rho * ms + (1 - rho) * g * g
        mg = rho * mg + (1 - rho) * g                                     (centered only)
        mom = momentum * mom + lr * g / sqrt(ms + epsilon)                (not centered)
        mom = momentum * mom + lr * g / sqrt(ms - mg * mg + epsilon)      (centered)
        p -= mom

        opt = fluid.optimizer.RMSProp(0.01, centered=True, parameter_list=model.parameters())

    State: "momentum", "mean_square" and, when centered, "mean_grad".
    Raises ValueError unless 0 <= rho <= 1, epsilon >= 0 and momentum >= 0.
    """

    def __init__(self, learning_rate, rho=0.95, epsilon=1.0e-6, momentum=0.0, centered=False,
                 parameter_list=None, regularization=None, grad_clip=None, name=None):
        self._rho = _hyper("RMSProp", "rho", rho, low=0.0, high=1.0)
        self._epsilon = _hyper("RMSProp", "epsilon", epsilon, low=0.0)
        self._momentum = _hyper("RMSProp", "momentum", momentum, low=0.0)
        self._centered = bool(centered)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        state = {"momentum": np.zeros_like(p), "mean_square": np.zeros_like(p)}
        if self._centered:
            state["mean_grad"] = np.zeros_like(p)
        return state

    def _update(self, p, g, lr, state):
        rho = self._rho
        mean_square = state["mean_square"]
        mean_square *= rho
        mean_square += (1 - rho) * g * g
        if self._centered:
            mean_grad = state["mean_grad"]
            mean_grad *= rho
            mean_grad += (1 - rho) * g
            denominator = np.sqrt(mean_square - mean_grad * mean_grad + self._epsilon)
        else:
            denominator = np.sqrt(mean_square + self._epsilon)
        mom = state["momentum"]
        mom *= self._momentum
        mom += lr * g / denominator
        p -= mom


class Adam(Optimizer):
    """Adam with Paddle 1.8's bias correction folded into the rate.

        m1 = beta1 * m1 + (1 - beta1) * g
        m2 = beta2 * m2 + (1 - beta2) * g * g
        lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)       (t: this parameter's update count)
        p -= lr_t * m1 / (sqrt(m2) + epsilon)

        adam = fluid.optimizer.Adam(learning_rate=0.001, parameter_list=model.parameters())

    State: "moment1", "moment2", and "beta1_pow_acc" / "beta2_pow_acc" ([1]-shaped, holding
    beta**t for the next update). `lazy_mode` (sparse updates) is accepted and has no effect.
    Raises ValueError unless 0 <= beta1, beta2 < 1 and epsilon >= 0.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 parameter_list=None, regularization=None, grad_clip=None, name=None,
                 lazy_mode=False):
        self._beta1 = _hyper("Adam", "beta1", beta1, low=0.0, high=1.0, open_high=True)
        self._beta2 = _hyper("Adam", "beta2", beta2, low=0.0, high=1.0, open_high=True)
        self._epsilon = _hyper("Adam", "epsilon", epsilon, low=0.0)
        self._lazy_mode = bool(lazy_mode)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"moment1": np.zeros_like(p), "moment2": np.zeros_like(p),
                "beta1_pow_acc": np.full((1,), self._beta1, dtype=p.dtype),
                "beta2_pow_acc": np.full((1,), self._beta2, dtype=p.dtype)}

    def _update(self, p, g, lr, state):
        beta1, beta2 = self._beta1, self._beta2
        m1, m2 = state["moment1"], state["moment2"]
        beta1_pow, beta2_pow = state["beta1_pow_acc"], state["beta2_pow_acc"]
        m1 *= beta1
        m1 += (1 - beta1) * g
        m2 *= beta2
        m2 += (1 - beta2) * g * g
        # beta_pow[0] is a scalar of p's dtype, so lr_t is too.
        lr_t = lr * np.sqrt(1 - beta2_pow[0]) / (1 - beta1_pow[0])
        p -= lr_t * m1 / (np.sqrt(m2) + self._epsilon)
        beta1_pow *= beta1
        beta2_pow *= beta2


# Paddle's long names.
SGDOptimizer = SGD
MomentumOptimizer = Momentum
AdagradOptimizer = Adagrad
RMSPropOptimizer = RMSProp
AdamOptimizer = Adam


def _hyper(where, argument, value, low=None, high=None, open_high=False):
    """A hyperparameter as a float, checked against [low, high] (or [low, high))."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{where}: {argument} must be a number, got {type(value).__name__} "
                        f"({value!r})")
    value = float(value)
    too_high = high is not None and (value >= high if open_high else value > high)
    if not np.isfinite(value) or (low is not None and value < low) or too_high:
        bound = "" if high is None else (f" and < {high}" if open_high else f" and <= {high}")
        raise ValueError(f"{where}: {argument} must be a finite number >= {low}{bound}, got "
                         f"{value!r}")
    return value
