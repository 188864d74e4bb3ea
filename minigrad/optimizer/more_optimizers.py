"""The other update rules of Paddle 1.8's `fluid.optimizer`: Adamax, Adadelta, DecayedAdagrad,
Ftrl, Lamb, LarsMomentum, Dpsgd (and their ...Optimizer names).

Same notation and pipeline as `optimizers.py`: `p` parameter, `g` its clipped, regularized
gradient, `lr` the learning rate times the parameter's multiplier; every rule works in place on
`p` and its state, in `p`'s dtype. Signatures, defaults and accumulator names are Paddle 1.8.5's
(state keys "<param name>_<accumulator>_0").
"""
import numpy as np

from minigrad import random as _random
from minigrad.optimizer.base import Optimizer
from minigrad.optimizer.optimizers import _hyper

__all__ = ["Adamax", "Adadelta", "DecayedAdagrad", "Ftrl", "Lamb", "LarsMomentum", "Dpsgd",
           "AdamaxOptimizer", "AdadeltaOptimizer", "DecayedAdagradOptimizer", "FtrlOptimizer",
           "LambOptimizer", "LarsMomentumOptimizer", "DpsgdOptimizer"]


def _norm(array):
    """The L2 norm of an ndarray, a scalar of its dtype."""
    return np.sqrt(np.sum(array * array))


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), as Paddle 1.8 computes it.

        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u + epsilon, |g|)
        p -= lr / (1 - beta1**t) * m / u           (t: this parameter's update count)

        opt = fluid.optimizer.Adamax(learning_rate=0.002, parameter_list=model.parameters())

    State: "moment", "inf_norm", and "beta1_pow_acc" ([1], beta1**t for the next update).
    Note epsilon is added inside the max, to beta2 * u (PyTorch adds it to |g|).
    Raises ValueError unless 0 <= beta1, beta2 < 1 and epsilon >= 0.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 parameter_list=None, regularization=None, grad_clip=None, name=None):
        self._beta1 = _hyper("Adamax", "beta1", beta1, low=0.0, high=1.0, open_high=True)
        self._beta2 = _hyper("Adamax", "beta2", beta2, low=0.0, high=1.0, open_high=True)
        self._epsilon = _hyper("Adamax", "epsilon", epsilon, low=0.0)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"moment": np.zeros_like(p), "inf_norm": np.zeros_like(p),
                "beta1_pow_acc": np.full((1,), self._beta1, dtype=p.dtype)}

    def _update(self, p, g, lr, state):
        m, u, beta1_pow = state["moment"], state["inf_norm"], state["beta1_pow_acc"]
        m *= self._beta1
        m += (1 - self._beta1) * g
        u *= self._beta2
        u += self._epsilon
        np.maximum(u, np.abs(g), out=u)
        p -= (lr / (1 - beta1_pow[0])) * m / u
        beta1_pow *= self._beta1


class Adadelta(Optimizer):
    """Adadelta: step sizes from running averages of squared gradients and squared updates.

        Eg = rho * Eg + (1 - rho) * g * g
        update = -sqrt((Edx + epsilon) / (Eg + epsilon)) * g
        Edx = rho * Edx + (1 - rho) * update * update
        p += update

        opt = fluid.optimizer.Adadelta(learning_rate=1.0, parameter_list=model.parameters())

    As in Paddle 1.8.5 (whose kernel takes no learning rate, and whose documented formula has
    none), `learning_rate` is accepted but does not scale the step: a schedule still advances,
    and ParamAttr's learning_rate has no effect. PyTorch's Adadelta with lr=1.0 is the same rule.
    Paddle 1.8.5 moves `p` by sqrt((Edx_new + epsilon) / (Eg + epsilon)) * g, with the Edx it
    has just updated (a defect: its Edx accumulates a different step than the one taken); here
    the step is the documented one, the one Edx accumulates.
    State: "_avg_squared_grad", "_avg_squared_update" (Paddle's names, so the keys read
    "<param>__avg_squared_grad_0"). Raises ValueError unless 0 <= rho <= 1 and epsilon >= 0.
    """

    def __init__(self, learning_rate, epsilon=1.0e-6, rho=0.95, parameter_list=None,
                 regularization=None, grad_clip=None, name=None):
        self._epsilon = _hyper("Adadelta", "epsilon", epsilon, low=0.0)
        self._rho = _hyper("Adadelta", "rho", rho, low=0.0, high=1.0)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"_avg_squared_grad": np.zeros_like(p), "_avg_squared_update": np.zeros_like(p)}

    def _update(self, p, g, lr, state):
        rho, eps = self._rho, self._epsilon
        eg, edx = state["_avg_squared_grad"], state["_avg_squared_update"]
        eg *= rho
        eg += (1 - rho) * g * g
        update = -np.sqrt((edx + eps) / (eg + eps)) * g
        edx *= rho
        edx += (1 - rho) * update * update
        p += update


class DecayedAdagrad(Optimizer):
    """Adagrad whose sum of squared gradients decays.

        m = decay * m + (1 - decay) * g * g
        p -= lr * g / (sqrt(m) + epsilon)

        opt = fluid.optimizer.DecayedAdagrad(0.2, parameter_list=model.parameters())

    State: "moment". Raises ValueError unless 0 <= decay <= 1 and epsilon >= 0.
    """

    def __init__(self, learning_rate, decay=0.95, epsilon=1.0e-6, parameter_list=None,
                 regularization=None, grad_clip=None, name=None):
        self._decay = _hyper("DecayedAdagrad", "decay", decay, low=0.0, high=1.0)
        self._epsilon = _hyper("DecayedAdagrad", "epsilon", epsilon, low=0.0)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"moment": np.zeros_like(p)}

    def _update(self, p, g, lr, state):
        m = state["moment"]
        m *= self._decay
        m += (1 - self._decay) * g * g
        p -= lr * g / (np.sqrt(m) + self._epsilon)


class Ftrl(Optimizer):
    """FTRL-Proximal (Follow The Regularized Leader), Paddle 1.8's kernel.

        n_new = n + g * g
        z += g - (n_new**(-lr_power) - n**(-lr_power)) / lr * p
        p = (l1 * sign(z) - z) / (n_new**(-lr_power) / lr + 2 * l2)   where |z| > l1, else 0
        n = n_new

        opt = fluid.optimizer.Ftrl(0.1, l1=0.01, l2=0.01, parameter_list=model.parameters())

    (lr_power=-0.5 makes the powers square roots.) State: "squared" (n), "linear" (z).
    Paddle 1.8.5 passes `l1` as the kernel's l2 (a defect: its `l2` has no effect); here `l2`
    is used, as documented. Raises ValueError unless l1, l2 >= 0 and lr_power <= 0.
    """

    def __init__(self, learning_rate, l1=0.0, l2=0.0, lr_power=-0.5, parameter_list=None,
                 regularization=None, grad_clip=None, name=None):
        self._l1 = _hyper("Ftrl", "l1", l1, low=0.0)
        self._l2 = _hyper("Ftrl", "l2", l2, low=0.0)
        self._lr_power = _hyper("Ftrl", "lr_power", lr_power)
        if self._lr_power > 0:
            raise ValueError(f"Ftrl: lr_power must be <= 0 (-0.5 is the usual choice), got "
                             f"{self._lr_power!r}")
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"squared": np.zeros_like(p), "linear": np.zeros_like(p)}

    def _power(self, n):
        return np.sqrt(n) if self._lr_power == -0.5 else n ** (-self._lr_power)

    def _update(self, p, g, lr, state):
        n, z = state["squared"], state["linear"]
        n_new = n + g * g
        z += g - (self._power(n_new) - self._power(n)) / lr * p
        shrunk = (self._l1 * np.sign(z) - z) / (self._power(n_new) / lr + 2 * self._l2)
        p[...] = np.where(np.abs(z) > self._l1, shrunk, 0)
        n[...] = n_new


class Lamb(Optimizer):
    """LAMB: Adam's direction, plus decoupled weight decay, scaled per parameter by a trust ratio.

        m1 = beta1 * m1 + (1 - beta1) * g
        m2 = beta2 * m2 + (1 - beta2) * g * g
        r = m1 / (sqrt(m2) + epsilon) + wd * p
        p -= lr * (||p|| / ||r||) * r          (ratio 1 when either norm is 0)

        opt = fluid.optimizer.Lamb(learning_rate=0.002, parameter_list=model.parameters(),
                                   exclude_from_weight_decay_fn=lambda p: p.name.endswith(".b_0"))

    `wd` is `lamb_weight_decay`, or 0 for a parameter where `exclude_from_weight_decay_fn(param)`
    is true. As documented, and as Paddle 1.8.5 computes, there is no bias correction: the
    state "beta1_pow_acc" and "beta2_pow_acc" ([1]) is kept (and saved) with the values beta1
    and beta2, which 1.8.5 never changes. State also: "moment1", "moment2".
    Raises ValueError unless 0 <= beta1, beta2 < 1, epsilon >= 0 and lamb_weight_decay >= 0;
    TypeError if exclude_from_weight_decay_fn is not callable.
    """

    def __init__(self, learning_rate=0.001, lamb_weight_decay=0.01, beta1=0.9, beta2=0.999,
                 epsilon=1e-6, parameter_list=None, regularization=None, grad_clip=None,
                 exclude_from_weight_decay_fn=None, name=None):
        self._weight_decay = _hyper("Lamb", "lamb_weight_decay", lamb_weight_decay, low=0.0)
        self._beta1 = _hyper("Lamb", "beta1", beta1, low=0.0, high=1.0, open_high=True)
        self._beta2 = _hyper("Lamb", "beta2", beta2, low=0.0, high=1.0, open_high=True)
        self._epsilon = _hyper("Lamb", "epsilon", epsilon, low=0.0)
        if exclude_from_weight_decay_fn is not None and not callable(exclude_from_weight_decay_fn):
            raise TypeError(f"Lamb: exclude_from_weight_decay_fn must be a function of a "
                            f"parameter or None, got {type(exclude_from_weight_decay_fn).__name__}")
        self._exclude_from_weight_decay_fn = exclude_from_weight_decay_fn
        self._param = None
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _state_of(self, param):
        # The pipeline fetches a parameter's state right before its update: remember which
        # parameter it is, for exclude_from_weight_decay_fn.
        self._param = param
        return super()._state_of(param)

    def _create_state(self, p):
        return {"moment1": np.zeros_like(p), "moment2": np.zeros_like(p),
                "beta1_pow_acc": np.full((1,), self._beta1, dtype=p.dtype),
                "beta2_pow_acc": np.full((1,), self._beta2, dtype=p.dtype)}

    def _update(self, p, g, lr, state):
        beta1, beta2 = self._beta1, self._beta2
        m1, m2 = state["moment1"], state["moment2"]
        weight_decay = self._weight_decay
        exclude = self._exclude_from_weight_decay_fn
        if exclude is not None and self._param is not None and exclude(self._param):
            weight_decay = 0.0
        m1 *= beta1
        m1 += (1 - beta1) * g
        m2 *= beta2
        m2 += (1 - beta2) * g * g
        r = m1 / (np.sqrt(m2) + self._epsilon)
        r += weight_decay * p
        p_norm, r_norm = _norm(p), _norm(r)
        ratio = p_norm / r_norm if p_norm > 0 and r_norm > 0 else 1
        p -= (lr * ratio) * r


class LarsMomentum(Optimizer):
    """Momentum with LARS layer-wise rates.

        local_lr = lr * lars_coeff * ||p|| / (||g|| + lars_weight_decay * ||p||)
                   (just lr when ||p|| or ||g|| is 0)
        v = momentum * v + local_lr * (g + lars_weight_decay * p)
        p -= v

        opt = fluid.optimizer.LarsMomentum(0.1, momentum=0.9, parameter_list=model.parameters())

    State: "velocity". Raises ValueError unless momentum, lars_coeff, lars_weight_decay >= 0.
    """

    def __init__(self, learning_rate, momentum, lars_coeff=0.001, lars_weight_decay=0.0005,
                 parameter_list=None, regularization=None, grad_clip=None, name=None):
        self._momentum = _hyper("LarsMomentum", "momentum", momentum, low=0.0)
        self._lars_coeff = _hyper("LarsMomentum", "lars_coeff", lars_coeff, low=0.0)
        self._lars_weight_decay = _hyper("LarsMomentum", "lars_weight_decay", lars_weight_decay,
                                         low=0.0)
        super().__init__(learning_rate, parameter_list, regularization, grad_clip, name)

    def _create_state(self, p):
        return {"velocity": np.zeros_like(p)}

    def _update(self, p, g, lr, state):
        decay = self._lars_weight_decay
        p_norm, g_norm = _norm(p), _norm(g)
        local_lr = lr
        if p_norm > 0 and g_norm > 0:
            local_lr = lr * self._lars_coeff * p_norm / (g_norm + decay * p_norm)
        v = state["velocity"]
        v *= self._momentum
        v += local_lr * (g + decay * p)
        p -= v


class Dpsgd(Optimizer):
    """Differentially private SGD: clip the gradient's norm, add Gaussian noise.

        scale = ||g|| / clip if ||g|| > clip else 1
        p -= lr * (g / scale + sigma * n / batch_size)      n ~ N(0, 1)

        opt = fluid.optimizer.Dpsgd(0.01, clip=10.0, batch_size=16.0, sigma=1.0,
                                    parameter_list=model.parameters())

    The noise comes from minigrad's global generator (`minigrad.seed(...)` makes it
    reproducible), independently for every element and step. Paddle 1.8.5 draws one number per
    parameter and step, seeded by the current second, so within a second every element and
    step gets the same noise; each element's noise has the same distribution here. The
    signature is 1.8.5's (no regularization, grad_clip or name). No state.
    Raises ValueError unless clip > 0, batch_size > 0 and sigma >= 0.
    """

    def __init__(self, learning_rate=0.001, clip=0.9, batch_size=0.999, sigma=1e-8,
                 parameter_list=None):
        self._clip = _positive("Dpsgd", "clip", clip)
        self._batch_size = _positive("Dpsgd", "batch_size", batch_size)
        self._sigma = _hyper("Dpsgd", "sigma", sigma, low=0.0)
        super().__init__(learning_rate, parameter_list)

    def _update(self, p, g, lr, state):
        g_norm = _norm(g)
        scale = g_norm / self._clip if g_norm > self._clip else 1
        step = g / scale
        if self._sigma > 0:
            noise = _random.global_generator().standard_normal(p.shape)
            step = step + (self._sigma / self._batch_size) * noise.astype(p.dtype)
        p -= lr * step


def _positive(where, argument, value):
    value = _hyper(where, argument, value, low=0.0)
    if value == 0:
        raise ValueError(f"{where}: {argument} must be > 0, got {value!r}")
    return value


# Paddle's long names.
AdamaxOptimizer = Adamax
AdadeltaOptimizer = Adadelta
DecayedAdagradOptimizer = DecayedAdagrad
FtrlOptimizer = Ftrl
LambOptimizer = Lamb
LarsMomentumOptimizer = LarsMomentum
DpsgdOptimizer = Dpsgd
