"""The pipeline every optimizer shares; subclasses only say what state they keep and how to update.

`minimize(loss)` does not run backward (call `loss.backward()` first, as in Paddle):

    gather (param, grad) for the trainable parameters that have a gradient
      -> grad_clip -> regularization (the parameter's own regularizer wins over the optimizer's)
      -> the update rule, with rate = current learning rate * param.optimize_attr["learning_rate"]

Updates are done in place on `param.data`, in the parameter's dtype; gradients are never
modified. Per-parameter state ("accumulators" in Paddle: Adam's moments, Momentum's velocity...)
is created for the trainable parameters when the optimizer is made, so `state_dict()` and
`set_dict()` work before the first update.
"""
import collections.abc
import copy
import numbers
import warnings

import numpy as np

from minigrad.clip import check_grad_clip
from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Parameter, Variable
from minigrad.optimizer.lr import LearningRateDecay, plain_number
from minigrad.regularizer import check_regularizer

__all__ = ["Optimizer"]

# A schedule's entries in an optimizer's state dict, under Paddle 1.8.5's names: its state as a
# dict, and its counter as int32 [1]. Files written before the dict kept the other entries (a
# wrapped schedule's counter in LinearLrWarmup) as "LR_Scheduler.<key>"; they still load.
_GLOBAL_STEP = "global_step"
_SCHEDULER = "LR_Scheduler"
_SCHEDULE_PREFIX = "LR_Scheduler."


class Optimizer:
    """Base class of SGD, Momentum, Adagrad, RMSProp and Adam (not used directly).

    Args:
        learning_rate (float | LearningRateDecay): the rate, or a schedule (fluid.dygraph.*Decay)
            called once per update. An int is a TypeError, as in Paddle (write 1.0, not 1).
        parameter_list (iterable of Parameter): what to update, e.g. `model.parameters()`
            (a generator is fine; it is read once). Required.
        regularization (L1Decay | L2Decay | None): weight decay for parameters without their own.
        grad_clip (GradientClipByValue | ByNorm | ByGlobalNorm | None): applied first.
        name (str | None): accepted for Paddle compatibility.

    Subclasses define `_create_state(value) -> {name: ndarray}` and
    `_update(value, grad, lr, state)`, which changes `value` and the state arrays in place.
    """

    def __init__(self, learning_rate, parameter_list=None, regularization=None, grad_clip=None,
                 name=None):
        where = type(self).__name__
        self._learning_rate = _check_learning_rate(where, learning_rate)
        self._parameter_list = _check_parameter_list(where, parameter_list)
        self.regularization = check_regularizer(where, "regularization", regularization)
        self._grad_clip = check_grad_clip(where, grad_clip)
        self._name = name
        # id(param) -> (param, {accumulator name: ndarray}); the param is kept so ids stay valid.
        self._accumulators = {}
        self._last_lr = None
        for param in self._parameter_list:
            if param.trainable:
                self._state_of(param)

    # -- what subclasses define -----------------------------------------------------------------
    def _create_state(self, value):
        """The per-parameter state for a parameter whose value is the ndarray `value`."""
        return {}

    def _update(self, value, grad, lr, state):
        """Update `value` (the parameter's ndarray) in place from `grad`; `lr` is a float."""
        raise NotImplementedError

    # -- the pipeline ---------------------------------------------------------------------------
    def minimize(self, loss, startup_program=None, parameter_list=None, no_grad_set=None):
        """Update the parameters from their current gradients; returns `(ops, params_grads)`.

        Args:
            loss (Variable): the loss whose `backward()` was called (it is not called here).
            startup_program: ignored (static-graph argument kept for Paddle's positional order).
            parameter_list (iterable of Parameter | None): update these instead of the ones
                given at construction.
            no_grad_set (set of Parameter or name | None): parameters to leave unchanged.

        Skips parameters with `trainable=False` or without a gradient. `ops` is an empty list
        (there is no program); `params_grads` lists `(param, gradient Variable)` for the updated
        parameters, with the gradients as they were before clipping and regularization.
        The learning-rate schedule, if any, advances by one step (ReduceLROnPlateau and the
        epoch schedules StepDecay, MultiStepDecay, LambdaDecay do not: the training loop moves
        them on).
        """
        where = f"{type(self).__name__}.minimize"
        require_dygraph(where)
        if not isinstance(loss, Variable):
            raise TypeError(f"{where}: loss must be a Variable, got {type(loss).__name__}")
        params = self._parameter_list
        if parameter_list is not None:
            params = _check_parameter_list(where, parameter_list)
        skip_ids, skip_names = _no_grad_keys(where, no_grad_set)
        candidates = [p for p in params
                      if p.trainable and id(p) not in skip_ids and p.name not in skip_names]
        params_grads = [(p, g) for p in candidates if (g := p.gradient()) is not None]
        if candidates and not params_grads:
            warnings.warn(f"{where}: no parameter has a gradient, so nothing was updated; call "
                          f"loss.backward() before minimize()", stacklevel=2)
        ops = self.apply_gradients(params_grads)
        return ops, [(p, Variable(g, stop_gradient=True)) for p, g in params_grads]

    def apply_gradients(self, params_grads):
        """Clip, regularize and apply `(param, grad)` pairs (grad an ndarray or Variable).

        Advances the learning-rate schedule by one step, like `minimize`. Returns `[]`.
        """
        where = f"{type(self).__name__}.apply_gradients"
        pairs = []
        for param, grad in params_grads:
            if grad is None:
                continue
            grad = grad.data if isinstance(grad, Variable) else grad
            if grad.shape != param.data.shape:
                raise ValueError(f"{where}: the gradient of '{param.name}' has shape "
                                 f"{list(grad.shape)}, but the parameter has shape "
                                 f"{param.shape}")
            pairs.append((param, grad.astype(param.data.dtype, copy=False)))
        lr = self._next_lr()       # after the checks, so a bad call leaves the schedule alone
        if self._grad_clip is not None:
            pairs = [(p, g.data if isinstance(g, Variable) else g)
                     for p, g in self._grad_clip(pairs)]
        for param, grad in pairs:
            regularizer = param.regularizer if param.regularizer is not None \
                else self.regularization
            if regularizer is not None:
                grad = regularizer(param, grad)
            param_lr = lr * float(param.optimize_attr.get("learning_rate", 1.0))
            self._update(param.data, grad, param_lr, self._state_of(param))
        return []

    def clear_gradients(self):
        """Forget the gradients of every parameter in `parameter_list`."""
        for param in self._parameter_list:
            param.clear_gradient()

    # -- learning rate --------------------------------------------------------------------------
    def _next_lr(self):
        if isinstance(self._learning_rate, LearningRateDecay):
            self._last_lr = float(self._learning_rate())
            return self._last_lr
        return self._learning_rate

    def current_step_lr(self):
        """The rate of the last update (before any: the rate the first update will use, a
        float, or for an epoch schedule or ReduceLROnPlateau a numpy scalar of its dtype). After
        an update with a schedule it is a numpy scalar of the schedule's dtype, as Paddle 1.8.5
        reads it from its rate Variable. An epoch schedule moved on by the training loop shows
        its new rate here from the next update on."""
        schedule = self._learning_rate
        if isinstance(schedule, LearningRateDecay):
            if self._last_lr is None:
                return schedule._next_rate()
            return np.dtype(schedule.dtype).type(self._last_lr)
        return schedule

    def set_lr(self, value):
        """Change a float learning rate (a schedule cannot be overridden; RuntimeError)."""
        if isinstance(self._learning_rate, LearningRateDecay):
            raise RuntimeError(f"{type(self).__name__}.set_lr: the learning rate is a schedule "
                               f"({type(self._learning_rate).__name__}); set_lr works only with "
                               f"a float learning rate")
        self._learning_rate = _check_learning_rate(f"{type(self).__name__}.set_lr", value)

    # -- state ----------------------------------------------------------------------------------
    def _state_of(self, param):
        entry = self._accumulators.get(id(param))
        if entry is None:
            entry = self._accumulators[id(param)] = (param, self._create_state(param.data))
        return entry[1]

    def _state_key(self, param, accumulator):
        # Paddle's names: "<param name>_<accumulator>_0", e.g. "linear_0.w_0_moment1_0".
        return f"{param.name}_{accumulator}_0"

    def state_dict(self):
        """The optimizer's state: {name: Variable}, copies safe to keep while training goes on.

        Per-parameter accumulators are named like Paddle's ("linear_0.w_0_moment1_0",
        "linear_0.w_0_beta1_pow_acc_0"); with a schedule, "LR_Scheduler" holds its state (a
        dict) and "global_step" its counter (not for the epoch schedules, as Paddle 1.8.5).
        """
        require_dygraph(f"{type(self).__name__}.state_dict()")
        self._check_unique_names()
        state = {}
        for param, accumulators in self._accumulators.values():
            for accumulator, array in accumulators.items():
                key = self._state_key(param, accumulator)
                state[key] = _state_variable(array.copy(), key)
        schedule = self._learning_rate
        if isinstance(schedule, LearningRateDecay):
            # Paddle 1.8.5's entries: the schedule's own state, and (but for the epoch
            # schedules) its step as int32 [1].
            state[_SCHEDULER] = dict(schedule.state_dict())
            if schedule._saves_global_step:
                state[_GLOBAL_STEP] = _state_variable(
                    np.array([schedule.step_num], np.int32), _GLOBAL_STEP)
        return state

    def set_dict(self, state_dict):
        """Load what `state_dict()` returned (values: Variables or ndarrays, as load_dygraph gives).

        Every accumulator the optimizer holds must be present with the same shape and dtype,
        and the schedule's state when a schedule is used ("LR_Scheduler", or "global_step" in
        files written before it was saved): a missing entry is a KeyError naming it, a
        mismatch a ValueError naming the entry and both shapes/dtypes. Everything is checked
        before anything is changed. Unused entries give a warning.
        """
        where = f"{type(self).__name__}.set_dict"
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"{where}: expected a dict (what state_dict() or load_dygraph() "
                            f"returns), got {type(state_dict).__name__}")
        self._check_unique_names()
        scheduler = state_dict.get(_SCHEDULER)
        values = {key: _state_array(where, key, value) for key, value in state_dict.items()
                  if key != _SCHEDULER}
        used = set()
        loads = []   # (param, accumulators dict, {accumulator: new array})
        params = dict(self._accumulators)
        for param in self._parameter_list:
            params.setdefault(id(param), (param, None))
        for param, accumulators in params.values():
            held = accumulators is not None
            if accumulators is None:
                accumulators = self._create_state(param.data)
            keys = {name: self._state_key(param, name) for name in accumulators}
            if not held and not any(key in values for key in keys.values()):
                continue    # a frozen parameter with no saved state: nothing to load
            new = {}
            for name, key in keys.items():
                if key not in values:
                    raise KeyError(f"{where}: the state has no entry '{key}' (the "
                                   f"'{name}' accumulator of parameter '{param.name}')")
                new[name] = _checked(where, key, values[key], accumulators[name])
                used.add(key)
            loads.append((param, accumulators, new))
        schedule_state = None
        if isinstance(self._learning_rate, LearningRateDecay):
            schedule_state = self._schedule_state(where, values, scheduler)
            used.update(schedule_state[1])
        elif scheduler is not None:
            used.add(_SCHEDULER)
            values[_SCHEDULER] = scheduler
        unused = sorted(set(values) - used)
        if unused:
            warnings.warn(f"{where}: entries not used by this optimizer: {unused}", stacklevel=2)
        # Everything is valid: now change state.
        for param, accumulators, new in loads:
            accumulators.update(new)
            self._accumulators[id(param)] = (param, accumulators)
        if schedule_state is not None:
            self._learning_rate.set_dict(schedule_state[0])
            self._last_lr = None

    set_state_dict = set_dict

    def _schedule_state(self, where, values, scheduler=None):
        """The schedule's state (checked on a copy) and the entries used: the "LR_Scheduler"
        dict when present (what Paddle 1.8.5 saves), else "global_step" and "LR_Scheduler.*"."""
        if scheduler is not None:
            if not isinstance(scheduler, collections.abc.Mapping):
                raise TypeError(f"{where}: '{_SCHEDULER}' must be a dict, got "
                                f"{type(scheduler).__name__}")
            state = {k: plain_number(v) for k, v in scheduler.items()}
            self._check_schedule_state(where, state)
            return state, [k for k in values if k == _GLOBAL_STEP] + [_SCHEDULER]
        if "step_num" not in self._learning_rate.state_dict():
            # Only step-counting schedules were ever saved without the dict.
            raise KeyError(f"{where}: the state has no '{_SCHEDULER}' entry, which holds the "
                           f"{type(self._learning_rate).__name__} schedule's state")
        if _GLOBAL_STEP not in values:
            raise KeyError(f"{where}: the state has no '{_GLOBAL_STEP}' entry, which holds the "
                           f"{type(self._learning_rate).__name__} schedule's step")
        keys = [_GLOBAL_STEP] + [k for k in values if k.startswith(_SCHEDULE_PREFIX)]
        state = {}
        for key in keys:
            array = values[key]
            if array.size != 1:
                raise ValueError(f"{where}: '{key}' must hold one number, got shape "
                                 f"{list(array.shape)}")
            name = "step_num" if key == _GLOBAL_STEP else key[len(_SCHEDULE_PREFIX):]
            state[name] = array.reshape(()).item()
        self._check_schedule_state(where, state)
        return state, keys

    def _check_schedule_state(self, where, state):
        try:
            copy.deepcopy(self._learning_rate).set_dict(state)
        except (KeyError, TypeError, ValueError) as error:
            raise type(error)(f"{where}: the learning-rate schedule state does not load: "
                              f"{error}") from error

    def _check_unique_names(self):
        seen = {}
        params = [p for p, _ in self._accumulators.values()] + self._parameter_list
        for param in params:
            other = seen.setdefault(param.name, param)
            if other is not param:
                raise ValueError(f"{type(self).__name__}: two different parameters are named "
                                 f"'{param.name}', so their optimizer state cannot be told "
                                 f"apart; give them distinct names (ParamAttr(name=...)) or "
                                 f"create them under one fluid.dygraph.guard()")

    def __repr__(self):
        lr = self._learning_rate
        lr = f"{lr!r}" if isinstance(lr, LearningRateDecay) else f"{lr:g}"
        return (f"{type(self).__name__}(learning_rate={lr}, "
                f"{len(self._parameter_list)} parameters)")


def _check_learning_rate(where, learning_rate):
    if isinstance(learning_rate, LearningRateDecay):
        return learning_rate
    if isinstance(learning_rate, (float, np.floating)):
        if not np.isfinite(learning_rate):
            raise ValueError(f"{where}: learning_rate must be finite, got {learning_rate!r}")
        return float(learning_rate)
    if isinstance(learning_rate, numbers.Integral) and not isinstance(learning_rate, bool):
        raise TypeError(f"{where}: learning_rate must be a float or a learning-rate schedule, "
                        f"got int ({learning_rate!r}); Paddle 1.x requires a float, write "
                        f"{float(learning_rate)!r}")
    raise TypeError(f"{where}: learning_rate must be a float or a learning-rate schedule such as "
                    f"fluid.dygraph.PiecewiseDecay, got {type(learning_rate).__name__} "
                    f"({learning_rate!r})")


def _check_parameter_list(where, parameter_list):
    """A list of distinct Parameters (first occurrence kept) from any iterable of Parameters."""
    if parameter_list is None:
        raise ValueError(f"{where}: parameter_list is required in dygraph mode: pass the "
                         f"parameters to update, e.g. parameter_list=model.parameters()")
    if isinstance(parameter_list, Variable):
        raise TypeError(f"{where}: parameter_list must be an iterable of Parameters, got a single "
                        f"{type(parameter_list).__name__} '{parameter_list.name}'; wrap it in a "
                        f"list")
    hint = ""
    if callable(getattr(parameter_list, "parameters", None)):
        hint = "; did you mean parameter_list=model.parameters()?"
    if (isinstance(parameter_list, (str, bytes, collections.abc.Mapping))
            or not isinstance(parameter_list, collections.abc.Iterable)):
        raise TypeError(f"{where}: parameter_list must be an iterable of Parameters, got "
                        f"{type(parameter_list).__name__}{hint}")
    params = []
    seen = set()
    for index, param in enumerate(parameter_list):
        if not isinstance(param, Parameter):
            what = type(param).__name__
            if isinstance(param, Variable):
                what += f" '{param.name}' (not a Parameter: create trainable values with " \
                        f"Layer.create_parameter)"
            raise TypeError(f"{where}: parameter_list must contain only Parameters, but entry "
                            f"{index} is {what}{hint}")
        if id(param) not in seen:
            seen.add(id(param))
            params.append(param)
    if not params:
        raise ValueError(f"{where}: parameter_list is empty (a generator such as "
                         f"model.parameters() that was already consumed?); pass the parameters "
                         f"to update")
    return params


def _no_grad_keys(where, no_grad_set):
    """ids and names of the parameters in `no_grad_set` (Variables or names)."""
    if no_grad_set is None:
        return set(), set()
    if isinstance(no_grad_set, (str, Variable)):
        no_grad_set = [no_grad_set]
    ids, names = set(), set()
    for item in no_grad_set:
        if isinstance(item, Variable):
            ids.add(id(item))
        elif isinstance(item, str):
            names.add(item)
        else:
            raise TypeError(f"{where}: no_grad_set must hold Parameters or parameter names, got "
                            f"{type(item).__name__} ({item!r})")
    return ids, names


def _state_variable(array, name):
    return Variable(array, stop_gradient=True, name=name, persistable=True)


def _state_array(where, key, value):
    if isinstance(value, Variable):
        return value.data
    if isinstance(value, (np.ndarray, numbers.Number)):
        return np.asarray(value)
    raise TypeError(f"{where}: entry '{key}' must be a Variable or ndarray, got "
                    f"{type(value).__name__}")


def _checked(where, key, array, current):
    """A copy of the loaded `array` once it has the shape and dtype of the `current` one."""
    if array.shape != current.shape:
        raise ValueError(f"{where}: entry '{key}' has shape {list(array.shape)}, but the "
                         f"optimizer needs shape {list(current.shape)}")
    if array.dtype != current.dtype:
        raise ValueError(f"{where}: entry '{key}' has dtype {array.dtype}, but the optimizer "
                         f"needs dtype {current.dtype}")
    return array.copy()
