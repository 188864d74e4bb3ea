"""Schedules moved on once per epoch, with Paddle 1.8 dygraph semantics.

`fluid.dygraph.StepDecay`, `MultiStepDecay` and `LambdaDecay` set the rate from the epoch count;
`ReduceLROnPlateau` lowers it when a monitored loss stops improving. Unlike the schedules of
lr.py, an optimizer update does not move them: each `minimize` calls the schedule, which returns
the rate it holds and changes nothing. The training loop moves them on, once per epoch:

    scheduler = fluid.dygraph.StepDecay(0.5, step_size=30)        # 0.5, 0.05 from epoch 30...
    adam = fluid.optimizer.Adam(learning_rate=scheduler, parameter_list=model.parameters())
    for epoch in range(90):
        for x, y in batches():
            ...; adam.minimize(loss)
        scheduler.epoch()               # ReduceLROnPlateau: scheduler.step(epoch_loss)

The new rate is used from the next `minimize` on; `optimizer.current_step_lr()` keeps reporting
the rate of the last update until then (before any update: the rate the first one will use).
"""
import bisect
import numbers

import numpy as np

from minigrad.core.checks import check_number
from minigrad.core.variable import Variable
from minigrad.optimizer.lr import LearningRateDecay, _integer, plain_number

__all__ = ["ReduceLROnPlateau", "StepDecay", "MultiStepDecay", "LambdaDecay"]


# -- argument checks ----------------------------------------------------------------------------


def _non_negative(where, argument, value):
    value = check_number(where, argument, value)
    if value < 0:
        raise ValueError(f"{where}: {argument} must be >= 0, got {value!r}")
    return value


def _optional_number(where, argument, value):
    return None if value is None else check_number(where, argument, value)


def _counter(where, argument, value):
    value = _integer(where, argument, value)
    if value < 0:
        raise ValueError(f"{where}: {argument} must be >= 0, got {value}")
    return value


def _decay_rate(where, value):
    value = check_number(where, "decay_rate", value)
    if not 0 <= value < 1:
        raise ValueError(f"{where}: decay_rate must be in [0, 1) (new_lr = lr * decay_rate), "
                         f"got {value!r}")
    return value


def _choice(where, argument, value, choices):
    if not isinstance(value, str):
        raise TypeError(f"{where}: {argument} must be one of {list(choices)}, got "
                        f"{type(value).__name__} ({value!r})")
    if value.lower() not in choices:
        raise ValueError(f"{where}: {argument} must be one of {list(choices)}, got {value!r}")
    return value.lower()


def _float_dtype(where, dtype):
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in ("float32", "float64"):
        raise ValueError(f"{where}: dtype must be 'float32' or 'float64', got {dtype!r}")
    return name


def _lr_value(where, what, value):
    """What get_lr() or lr_lambda returned (a number or a one-element Variable) as a float."""
    value = plain_number(value)
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{where}: {what} must return a number, got {type(value).__name__} "
                        f"({value!r})")
    return float(value)


def _loss_value(loss):
    """The monitored value: a numpy scalar of the loss's dtype (a float for a Python number)."""
    where = "ReduceLROnPlateau.step"
    if isinstance(loss, numbers.Real) and not isinstance(loss, bool):
        return loss if isinstance(loss, np.generic) else float(loss)
    if not isinstance(loss, (Variable, np.ndarray)):
        raise TypeError(f"{where}: loss must be a Variable of shape [1] (or a number), got "
                        f"{type(loss).__name__} ({loss!r})")
    data = loss.data if isinstance(loss, Variable) else loss
    if data.shape != (1,):
        raise ValueError(f"{where}: loss must have shape [1], got shape {list(data.shape)}; "
                         f"reduce it first, e.g. with fluid.layers.mean")
    if data.dtype.kind not in "iuf":
        raise TypeError(f"{where}: loss must be a number, got dtype {data.dtype}")
    return data[0]


class _HeldRate(LearningRateDecay):
    """A schedule that holds its current rate in `learning_rate` (a float); updates only read it.

    Subclasses list their state in `_STATE`: (attribute, converter) pairs, in Paddle's key order.
    """

    _STATE = ()

    def __call__(self):
        """The rate held now, as a [1]-shaped Variable of `dtype`; nothing advances."""
        return self.create_lr_var(self.learning_rate)

    def _advance(self):
        pass                # an optimizer update (or a LinearLrWarmup around us) changes nothing

    def _next_rate(self):
        # Paddle 1.8.5 reads these rates from their [1] Variable: a numpy scalar of `dtype`.
        return np.dtype(self.dtype).type(self.learning_rate)

    def state_dict(self):
        """{attribute: value} for Paddle's keys; the rate as a numpy scalar of `dtype`."""
        state = {key: getattr(self, key) for key, _ in self._STATE}
        state["learning_rate"] = self._next_rate()
        return state

    def set_dict(self, state_dict):
        """Restore what `state_dict()` returned (values may be numpy scalars or [1] arrays).

        A missing key is a KeyError naming it, a value of the wrong kind a TypeError or
        ValueError; nothing changes unless every entry is valid. Extra keys are ignored.
        """
        where = f"{type(self).__name__}.set_dict"
        missing = [key for key, _ in self._STATE if key not in state_dict]
        if missing:
            raise KeyError(f"{where}: the state has no {missing} (got keys {sorted(state_dict)})")
        values = {key: convert(where, key, plain_number(state_dict[key])) for key, convert in
                  self._STATE}
        for key, value in values.items():
            setattr(self, key, value)

    set_state_dict = set_dict

    def __repr__(self):
        return f"{type(self).__name__}(epoch_num={self.epoch_num}, lr={self.learning_rate:.6g})"


class ReduceLROnPlateau(_HeldRate):
    """Multiply the rate by `decay_rate` when the loss given to `step(loss)` stops improving.

    Call `step(loss)` once per epoch with the epoch's loss (a [1]-shaped Variable, as Paddle 1.8;
    minigrad also takes a Python number). A loss is an improvement when it beats the best one by
    more than the threshold: with mode 'min' and threshold_mode 'rel', `loss < best - best *
    threshold`; 'abs' uses `best - threshold`; mode 'max' looks for a rise instead. After more
    than `patience` epochs in a row without improvement the rate becomes
    `max(rate * decay_rate, min_lr)` (unless that changes it by `eps` or less), and the next
    `cooldown` epochs are skipped: neither compared nor counted.

    Args:
        learning_rate (float | int | Variable): the starting rate (a Variable: shape [1]).
        mode (str): 'min' (a loss should fall) or 'max' (a metric should rise); any case.
        decay_rate (float): factor in [0, 1) applied at each reduction. Default 0.1.
        patience (int): epochs without improvement tolerated before a reduction. Default 10.
        verbose (bool): print a line at each reduction.
        threshold (float): the smallest change that counts as an improvement. Default 1e-4.
        threshold_mode (str): 'rel' (threshold times the best loss) or 'abs'.
        cooldown (int): epochs to skip after a reduction. Default 0.
        min_lr (float): the rate never goes below this. Default 0.
        eps (float): a reduction by `eps` or less is not made. Default 1e-8.
        dtype (str): 'float32' or 'float64', the dtype of the rate Variable.

    Raises ValueError for an unknown mode or threshold_mode, decay_rate outside [0, 1), or a
    negative rate, patience, cooldown, threshold, min_lr or eps; TypeError for arguments of the
    wrong type.

        reduce_lr = fluid.dygraph.ReduceLROnPlateau(learning_rate=1.0, decay_rate=0.5, patience=5)
        adam = fluid.optimizer.Adam(learning_rate=reduce_lr, parameter_list=model.parameters())
        # after each epoch: reduce_lr.step(avg_loss)
    """

    _STATE = (("cooldown_counter", _counter), ("best_loss", _optional_number),
              ("num_bad_epochs", _counter), ("epoch_num", _counter),
              ("learning_rate", _non_negative))

    def __init__(self, learning_rate, mode="min", decay_rate=0.1, patience=10, verbose=False,
                 threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8,
                 dtype="float32"):
        super().__init__(dtype=_float_dtype("ReduceLROnPlateau", dtype))
        name = "ReduceLROnPlateau"
        self.mode = _choice(name, "mode", mode, ("min", "max"))
        self.decay_rate = _decay_rate(name, decay_rate)
        self.threshold_mode = _choice(name, "threshold_mode", threshold_mode, ("rel", "abs"))
        if isinstance(learning_rate, Variable):
            if learning_rate.data.size != 1:
                raise ValueError(f"{name}: a Variable learning_rate must hold one value (shape "
                                 f"[1]), got shape {learning_rate.shape}")
            learning_rate = learning_rate.data.reshape(()).item()
        self.learning_rate = _non_negative(name, "learning_rate", learning_rate)
        self.verbose = bool(verbose)
        self.patience = _counter(name, "patience", patience)
        self.threshold = _non_negative(name, "threshold", threshold)
        self.cooldown = _counter(name, "cooldown", cooldown)
        self.min_lr = _non_negative(name, "min_lr", min_lr)
        self.eps = _non_negative(name, "eps", eps)
        self.cooldown_counter = 0
        self.best_loss = None
        self.num_bad_epochs = 0
        self.epoch_num = 0

    def step(self, loss):
        """End an epoch whose loss (or metric) was `loss`; the rate may drop. Returns None.

        Args:
            loss (Variable | ndarray | float): one value; a Variable or array must have shape
                [1] (reduce it first, e.g. with fluid.layers.mean).

        The new rate is used from the next optimizer update on.
        """
        current = _loss_value(loss)
        self.epoch_num += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            return
        if self.best_loss is None or self._is_better(current, self.best_loss):
            self.best_loss = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.num_bad_epochs > self.patience:
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
            new_lr = max(self.learning_rate * self.decay_rate, self.min_lr)
            if self.learning_rate - new_lr > self.eps:
                if self.verbose:
                    as_dtype = np.dtype(self.dtype).type
                    print(f"Epoch {self.epoch_num}: reducing learning rate from "
                          f"{as_dtype(self.learning_rate)} to {as_dtype(new_lr)}.")
                self.learning_rate = new_lr

    def _is_better(self, current, best):
        current, best = float(current), float(best)
        margin = best * self.threshold if self.threshold_mode == "rel" else self.threshold
        if self.mode == "min":
            return current < best - margin
        return current > best + margin


class _LearningRateEpochDecay(_HeldRate):
    """Base of the epoch schedules: the rate is `get_lr()` at `epoch_num`, which `epoch()` sets.

    Construction runs `epoch()` once, so `epoch_num` starts at 0. Subclasses define `get_lr()`
    (a number, from `base_lr` and `epoch_num`) and set their attributes before calling
    `super().__init__(learning_rate)`.
    """

    _STATE = (("epoch_num", _counter), ("learning_rate", _non_negative))
    _saves_global_step = False     # Paddle 1.8.5 keeps no "global_step" for these

    def __init__(self, learning_rate, dtype=None):
        name = type(self).__name__
        if not isinstance(learning_rate, numbers.Real) or isinstance(learning_rate, bool):
            raise TypeError(f"{name}: learning_rate must be a float or an int, got "
                            f"{type(learning_rate).__name__} ({learning_rate!r})")
        self.base_lr = _non_negative(name, "learning_rate", learning_rate)
        self.dtype = "float32" if dtype is None else _float_dtype(name, dtype)
        self.epoch_num = -1
        self.learning_rate = self.base_lr
        self.epoch()

    def epoch(self, epoch=None):
        """Move to epoch `epoch` (default: the next one) and compute its rate. Returns None.

        Raises TypeError unless `epoch` is an int (or None), ValueError if it is negative.
        """
        if epoch is None:
            epoch = self.epoch_num + 1
        else:
            epoch = _counter(type(self).__name__, "epoch", epoch)
        self.epoch_num = epoch
        self.learning_rate = _lr_value(type(self).__name__, "get_lr()", self.get_lr())

    def get_lr(self):
        """The rate at `epoch_num` (a float); no side effects."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self):
        raise NotImplementedError(f"{type(self).__name__} is moved on by epoch(), once per "
                                  f"epoch; it has no step()")


class StepDecay(_LearningRateEpochDecay):
    """`learning_rate * decay_rate ** (epoch // step_size)`: one decay every `step_size` epochs.

    Args:
        learning_rate (float | int): the rate of epochs 0 .. step_size - 1 (>= 0).
        step_size (int): epochs between decays (> 0).
        decay_rate (float): the factor, in [0, 1). Default 0.1.

    Raises TypeError for a learning_rate that is not a number or a step_size that is not an
    int; ValueError for a negative learning_rate, step_size <= 0 or decay_rate outside [0, 1).

        scheduler = fluid.dygraph.StepDecay(0.5, step_size=30)   # 0.5, 0.05 from epoch 30, ...
    """

    def __init__(self, learning_rate, step_size, decay_rate=0.1):
        if not isinstance(step_size, numbers.Integral) or isinstance(step_size, bool):
            raise TypeError(f"StepDecay: step_size must be an int, got "
                            f"{type(step_size).__name__} ({step_size!r})")
        if step_size <= 0:
            raise ValueError(f"StepDecay: step_size must be > 0, got {step_size}")
        self.step_size = int(step_size)
        self.decay_rate = _decay_rate("StepDecay", decay_rate)
        super().__init__(learning_rate)

    def get_lr(self):
        return self.base_lr * self.decay_rate ** (self.epoch_num // self.step_size)


class MultiStepDecay(_LearningRateEpochDecay):
    """`learning_rate * decay_rate ** k`, k the number of milestones reached (`<= epoch`).

    Args:
        learning_rate (float | int): the rate before the first milestone (>= 0).
        milestones (list | tuple of int): epochs at which the rate decays, increasing.
        decay_rate (float): the factor, in [0, 1). Default 0.1.

    Raises TypeError unless milestones is a list or tuple of numbers, ValueError unless it
    increases strictly; the learning_rate and decay_rate checks of StepDecay.

        scheduler = fluid.dygraph.MultiStepDecay(0.5, milestones=[30, 50])  # 0.5, 0.05, 0.005
    """

    def __init__(self, learning_rate, milestones, decay_rate=0.1):
        if not isinstance(milestones, (list, tuple)):
            raise TypeError(f"MultiStepDecay: milestones must be a list or tuple, got "
                            f"{type(milestones).__name__} ({milestones!r})")
        for milestone in milestones:
            check_number("MultiStepDecay", "milestones", milestone)
        if any(a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"MultiStepDecay: milestones must increase, got {list(milestones)}")
        self.milestones = list(milestones)
        self.decay_rate = _decay_rate("MultiStepDecay", decay_rate)
        super().__init__(learning_rate)

    def get_lr(self):
        reached = bisect.bisect_right(self.milestones, self.epoch_num)
        return self.base_lr * self.decay_rate ** reached


class LambdaDecay(_LearningRateEpochDecay):
    """`learning_rate * lr_lambda(epoch)`.

    Args:
        learning_rate (float | int): the base rate (>= 0).
        lr_lambda (callable): epoch (an int) -> a multiplicative factor (a number).

    Raises TypeError if lr_lambda is not callable or returns something other than a number.

        scheduler = fluid.dygraph.LambdaDecay(0.5, lr_lambda=lambda epoch: 0.95 ** epoch)
    """

    def __init__(self, learning_rate, lr_lambda):
        if not callable(lr_lambda):
            raise TypeError(f"LambdaDecay: lr_lambda must be a function of the epoch, got "
                            f"{type(lr_lambda).__name__} ({lr_lambda!r})")
        self.lr_lambda = lr_lambda
        super().__init__(learning_rate)

    def get_lr(self):
        factor = _lr_value("LambdaDecay", f"lr_lambda({self.epoch_num})",
                           self.lr_lambda(self.epoch_num))
        return self.base_lr * factor
