"""Learning-rate schedules with Paddle 1.8 dygraph semantics (`fluid.dygraph.PiecewiseDecay`...).

A schedule is a counter `step_num` (starting at `begin`, growing by `step` each call) and a rule
giving the rate at that count. Passed as an optimizer's `learning_rate`, it is called once per
`minimize`: the call returns the rate at the current `step_num`, which that update uses, then
advances the counter. `optimizer.current_step_lr()` reports the rate the last update used (before
any update: the rate the first one will use).

    lr = fluid.dygraph.PiecewiseDecay(boundaries=[2, 4], values=[0.1, 0.05, 0.01], begin=0)
    sgd = fluid.optimizer.SGD(learning_rate=lr, parameter_list=model.parameters())
    # minimize #1 and #2 use 0.1, #3 and #4 use 0.05, then 0.01

`step()` computes the rate at the current count without advancing; subclass `LearningRateDecay`
and define `step()` for a custom schedule, as in Paddle.
"""
import math
import numbers

import numpy as np

from minigrad.core.checks import check_number, check_positive
from minigrad.core.variable import Variable, to_variable

__all__ = ["LearningRateDecay", "PiecewiseDecay", "ExponentialDecay", "NaturalExpDecay",
           "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "NoamDecay", "LinearLrWarmup"]


class LearningRateDecay:
    """Base class of the schedules: `step_num` starts at `begin` and grows by `step` per call.

    Args:
        begin (int): the first value of `step_num`.
        step (int): how much `step_num` grows at each call (each optimizer update).
        dtype (str): kept for Paddle compatibility; rates are Python floats and the optimizer
            casts them to each parameter's dtype.
    """

    # Whether optimizer.state_dict() saves `step_num` as an int32 "global_step" next to the
    # "LR_Scheduler" dict: Paddle 1.8.5 does so for every schedule but the epoch ones.
    _saves_global_step = True

    def __init__(self, begin=0, step=1, dtype="float32"):
        name = type(self).__name__
        self.step_num = _integer(name, "begin", begin)
        self.step_size = _integer(name, "step", step)
        self.dtype = dtype

    def __call__(self):
        """The rate at the current `step_num` as a [1]-shaped Variable of `dtype` (as Paddle
        1.8), then advance `step_num` (what an optimizer update does)."""
        lr = self.step()
        self._advance()
        return self.create_lr_var(lr)

    def _advance(self):
        self.step_num += self.step_size

    def step(self):
        """The rate at the current `step_num` (a float); no side effects."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _next_rate(self):
        """The rate the next call gives, without side effects: what a LinearLrWarmup around
        this schedule reads, and what optimizer.current_step_lr() reports before any update
        (a float here, as Paddle 1.8.5's step(); the epoch schedules give a numpy scalar)."""
        return float(self.step())

    def create_lr_var(self, lr):
        """`lr` (a number, or a Variable a custom `step()` made) as a [1]-shaped Variable."""
        if isinstance(lr, Variable):
            return lr
        return to_variable(np.array([float(lr)], dtype=self.dtype))

    # -- state, for optimizer.state_dict() / set_dict() ----------------------------------------
    def state_dict(self):
        """{"step_num": int}: everything needed to continue the schedule where it was."""
        return {"step_num": self.step_num}

    def set_dict(self, state_dict):
        """Restore what `state_dict()` returned; a missing key is a KeyError naming it."""
        if "step_num" not in state_dict:
            raise KeyError(f"{type(self).__name__}.set_dict: the state has no 'step_num' (got "
                           f"keys {sorted(state_dict)})")
        self.step_num = _integer(type(self).__name__, "step_num", state_dict["step_num"])

    set_state_dict = set_dict

    def __repr__(self):
        return f"{type(self).__name__}(step_num={self.step_num}, lr={self.step():.6g})"


class PiecewiseDecay(LearningRateDecay):
    """`values[i]` while `step_num < boundaries[i]`, and `values[-1]` from the last boundary on.

        lr = fluid.dygraph.PiecewiseDecay([10000, 20000], [1.0, 0.5, 0.1], begin=0)

    Raises ValueError unless `len(values) == len(boundaries) + 1` and the boundaries increase.
    """

    def __init__(self, boundaries, values, begin, step=1, dtype="float32"):
        super().__init__(begin, step, dtype)
        boundaries = list(boundaries)
        values = [check_number("PiecewiseDecay", "values", v) for v in values]
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseDecay: values must have one more entry than boundaries, "
                             f"got {len(boundaries)} boundaries {boundaries} and {len(values)} "
                             f"values {values}")
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseDecay: boundaries must increase, got {boundaries}")
        self.boundaries = boundaries
        self.values = values

    def step(self):
        for boundary, value in zip(self.boundaries, self.values):
            if self.step_num < boundary:
                return value
        return self.values[-1]


class _StepDecay(LearningRateDecay):
    """Shared part of the decays driven by `step_num / decay_steps` (floored if `staircase`)."""

    def __init__(self, learning_rate, decay_steps, decay_rate, staircase=False, begin=0, step=1,
                 dtype="float32"):
        super().__init__(begin, step, dtype)
        name = type(self).__name__
        self.learning_rate = check_number(name, "learning_rate", learning_rate)
        self.decay_steps = check_positive(name, "decay_steps", decay_steps)
        self.decay_rate = check_number(name, "decay_rate", decay_rate)
        self.staircase = bool(staircase)

    def _progress(self):
        ratio = self.step_num / self.decay_steps
        return math.floor(ratio) if self.staircase else ratio


class ExponentialDecay(_StepDecay):
    """`learning_rate * decay_rate ** (step_num / decay_steps)` (exponent floored if staircase).

        lr = fluid.dygraph.ExponentialDecay(0.1, decay_steps=10000, decay_rate=0.5,
                                            staircase=True)
    """

    def step(self):
        return self.learning_rate * self.decay_rate ** self._progress()


class NaturalExpDecay(_StepDecay):
    """`learning_rate * exp(-decay_rate * step_num / decay_steps)` (ratio floored if staircase).

        lr = fluid.dygraph.NaturalExpDecay(0.1, decay_steps=10000, decay_rate=0.5)
    """

    def step(self):
        return self.learning_rate * math.exp(-self.decay_rate * self._progress())


class InverseTimeDecay(_StepDecay):
    """`learning_rate / (1 + decay_rate * step_num / decay_steps)` (ratio floored if staircase).

        lr = fluid.dygraph.InverseTimeDecay(0.1, decay_steps=10000, decay_rate=0.5)
    """

    def step(self):
        return self.learning_rate / (1 + self.decay_rate * self._progress())


class PolynomialDecay(LearningRateDecay):
    """From `learning_rate` down to `end_learning_rate` along `(1 - t / decay_steps) ** power`.

    Without `cycle`, `t = min(step_num, decay_steps)` (the rate then stays at the end value).
    With `cycle`, the horizon grows to the next multiple of `decay_steps`:
    `decay_steps * ceil(step_num / decay_steps)` (1 * decay_steps at step 0), and `t = step_num`.

        lr = fluid.dygraph.PolynomialDecay(0.01, decay_steps=5000, end_learning_rate=0.0)
    """

    def __init__(self, learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, begin=0, step=1, dtype="float32"):
        super().__init__(begin, step, dtype)
        self.learning_rate = check_number("PolynomialDecay", "learning_rate", learning_rate)
        self.decay_steps = check_positive("PolynomialDecay", "decay_steps", decay_steps)
        self.end_learning_rate = check_number("PolynomialDecay", "end_learning_rate",
                                              end_learning_rate)
        self.power = check_number("PolynomialDecay", "power", power)
        self.cycle = bool(cycle)

    def step(self):
        t = self.step_num
        horizon = self.decay_steps
        if self.cycle:
            horizon = self.decay_steps * max(math.ceil(t / self.decay_steps), 1)
        else:
            t = min(t, self.decay_steps)
        return ((self.learning_rate - self.end_learning_rate) * (1 - t / horizon) ** self.power
                + self.end_learning_rate)


class CosineDecay(LearningRateDecay):
    """`learning_rate * 0.5 * (cos(epoch * pi / epochs) + 1)`, `epoch = floor(step_num /
    step_each_epoch)`: a half cosine from `learning_rate` to 0 over `epochs` epochs.

        lr = fluid.dygraph.CosineDecay(0.1, step_each_epoch=100, epochs=120)
    """

    def __init__(self, learning_rate, step_each_epoch, epochs, begin=0, step=1, dtype="float32"):
        super().__init__(begin, step, dtype)
        self.learning_rate = check_number("CosineDecay", "learning_rate", learning_rate)
        self.step_each_epoch = check_positive("CosineDecay", "step_each_epoch", step_each_epoch)
        self.epochs = check_positive("CosineDecay", "epochs", epochs)

    def step(self):
        epoch = math.floor(self.step_num / self.step_each_epoch)
        return self.learning_rate * 0.5 * (math.cos(epoch * math.pi / self.epochs) + 1)


class NoamDecay(LearningRateDecay):
    """The Transformer schedule: `learning_rate * d_model**-0.5 * min(step_num**-0.5,
    step_num * warmup_steps**-1.5)` — linear warm-up, then decay as 1/sqrt(step).

    `begin` defaults to 1 as in Paddle (at step 0 the rate is 0).

        lr = fluid.dygraph.NoamDecay(d_model=512, warmup_steps=4000)
    """

    def __init__(self, d_model, warmup_steps, begin=1, step=1, dtype="float32",
                 learning_rate=1.0):
        super().__init__(begin, step, dtype)
        self.d_model = check_positive("NoamDecay", "d_model", d_model)
        self.warmup_steps = check_positive("NoamDecay", "warmup_steps", warmup_steps)
        self.learning_rate = check_number("NoamDecay", "learning_rate", learning_rate)

    def step(self):
        n = self.step_num
        if n <= 0:
            return 0.0
        return (self.learning_rate * self.d_model ** -0.5
                * min(n ** -0.5, n * self.warmup_steps ** -1.5))


class LinearLrWarmup(LearningRateDecay):
    """Rise linearly from `start_lr` toward `end_lr` for `warmup_steps`, then use `learning_rate`.

    While `step_num < warmup_steps` the rate is `start_lr + (end_lr - start_lr) * step_num /
    warmup_steps`; afterwards it is `learning_rate`, a float or another schedule. A wrapped
    schedule advances with every call, warm-up included, as in Paddle (an epoch schedule or
    ReduceLROnPlateau moves on only when the training loop moves it). `begin` defaults to 1.

        lr = fluid.dygraph.LinearLrWarmup(
            fluid.dygraph.CosineDecay(0.1, 100, 50), warmup_steps=500, start_lr=0.0, end_lr=0.1)

    Raises ValueError unless end_lr > start_lr; TypeError for a learning_rate of another type.
    """

    def __init__(self, learning_rate, warmup_steps, start_lr, end_lr, begin=1, step=1,
                 dtype="float32"):
        super().__init__(begin, step, dtype)
        if not isinstance(learning_rate, (LearningRateDecay, numbers.Real)) \
                or isinstance(learning_rate, bool):
            raise TypeError(f"LinearLrWarmup: learning_rate must be a number or a schedule "
                            f"(LearningRateDecay), got {type(learning_rate).__name__} "
                            f"({learning_rate!r})")
        if not isinstance(learning_rate, LearningRateDecay):
            learning_rate = check_number("LinearLrWarmup", "learning_rate", learning_rate)
        self.learning_rate = learning_rate
        self.warmup_steps = check_positive("LinearLrWarmup", "warmup_steps", warmup_steps)
        self.start_lr = check_number("LinearLrWarmup", "start_lr", start_lr)
        self.end_lr = check_number("LinearLrWarmup", "end_lr", end_lr)
        if not self.end_lr > self.start_lr:
            raise ValueError(f"LinearLrWarmup: end_lr ({end_lr}) must be greater than start_lr "
                             f"({start_lr})")
        self.lr_ratio_before_warmup = (self.end_lr - self.start_lr) / self.warmup_steps

    def step(self):
        if self.step_num < self.warmup_steps:
            return self.start_lr + self.lr_ratio_before_warmup * self.step_num
        if isinstance(self.learning_rate, LearningRateDecay):
            return self.learning_rate._next_rate()
        return self.learning_rate

    def _advance(self):
        super()._advance()
        if isinstance(self.learning_rate, LearningRateDecay):
            self.learning_rate._advance()

    def state_dict(self):
        """{"step_num": int} plus the wrapped schedule's entries prefixed "learning_rate."."""
        state = super().state_dict()
        if isinstance(self.learning_rate, LearningRateDecay):
            for key, value in self.learning_rate.state_dict().items():
                state["learning_rate." + key] = value
        return state

    def set_dict(self, state_dict):
        # Check the outer entry before the wrapped schedule loads, so nothing is half-loaded.
        if "step_num" not in state_dict:
            raise KeyError(f"LinearLrWarmup.set_dict: the state has no 'step_num' (got keys "
                           f"{sorted(state_dict)})")
        step_num = _integer("LinearLrWarmup", "step_num", state_dict["step_num"])
        if isinstance(self.learning_rate, LearningRateDecay):
            prefix = "learning_rate."
            inner = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
            self.learning_rate.set_dict(inner)
        self.step_num = step_num

    set_state_dict = set_dict


def plain_number(value):
    """A one-element Variable or array (what a saved state may hold) as a Python number; any
    other value as it is."""
    if isinstance(value, Variable):
        value = value.data
    if isinstance(value, (np.ndarray, np.generic)) and np.size(value) == 1:
        return np.asarray(value).reshape(()).item()
    return value


def _integer(where, argument, value):
    # numpy integers (and 1-element integer arrays from a loaded state) are accepted.
    if hasattr(value, "shape") and getattr(value, "size", 0) == 1 and value.dtype.kind in "iu":
        value = value.reshape(()).item()
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{where}: {argument} must be an int, got {type(value).__name__} "
                        f"({value!r})")
    return int(value)
