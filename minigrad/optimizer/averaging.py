"""Paddle's parameter-averaging wrappers, made to work in dygraph: `LookaheadOptimizer` and
`ExponentialMovingAverage`.

Paddle 1.8 builds both as static programs and refuses them in dygraph ("In dygraph, don't support
LookaheadOptimizer."); minigrad runs the same rules eagerly. As dygraph has no program to scan for
parameters, both take them from a `parameter_list` (Lookahead: its inner optimizer's).

    inner = fluid.optimizer.SGD(0.1, parameter_list=model.parameters())
    opt = fluid.optimizer.LookaheadOptimizer(inner, alpha=0.5, k=5)
    ema = fluid.optimizer.ExponentialMovingAverage(0.999, parameter_list=model.parameters())
    for batch in ...:
        loss.backward(); opt.minimize(loss); model.clear_gradients(); ema.update()
    with ema.apply():          # evaluate with the averaged weights, restored afterwards
        evaluate(model)
"""
import contextlib
import numbers

import numpy as np

from minigrad.core.checks import check_number
from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Parameter, Variable

__all__ = ["LookaheadOptimizer", "ExponentialMovingAverage"]


def _parameters(where, parameter_list):
    if parameter_list is None:
        raise ValueError(f"{where}: parameter_list is required in dygraph mode (there is no "
                         "program to take the parameters from); pass model.parameters()")
    parameters = list(parameter_list)
    for p in parameters:
        if not isinstance(p, Parameter):
            raise TypeError(f"{where}: parameter_list must hold Parameters, got "
                            f"{type(p).__name__}")
    return parameters


class LookaheadOptimizer:
    """Lookahead (Zhang et al., 2019) around `inner_optimizer`, with Paddle 1.8's rule.

    The inner optimizer updates the ("fast") parameters at every `minimize`; every `k`-th call
    the slow copies (taken when the wrapper is built) move to `alpha * fast + (1 - alpha) *
    slow`, and the parameters are set to them. alpha in [0, 1], k a positive int.
    """

    def __init__(self, inner_optimizer, alpha=0.5, k=5):
        where = "LookaheadOptimizer"
        require_dygraph(where)
        if inner_optimizer is None or not hasattr(inner_optimizer, "minimize"):
            raise TypeError(f"{where}: inner_optimizer must be a fluid.optimizer object, got "
                            f"{type(inner_optimizer).__name__}")
        alpha = check_number(where, "alpha", alpha)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"{where}: alpha must be in [0, 1], got {alpha}")
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"{where}: k must be a positive int, got {k!r}")
        self.inner_optimizer = inner_optimizer
        self.alpha = alpha
        self.k = int(k)
        self.type = "lookahead"
        self._step = 0
        self._slow = [(p, p.data.copy()) for p in
                      _parameters(where, inner_optimizer._parameter_list)]

    def minimize(self, loss, startup_program=None, parameter_list=None, no_grad_set=None):
        """The inner optimizer's update, then every k-th call the Lookahead step."""
        result = self.inner_optimizer.minimize(loss, parameter_list=parameter_list,
                                               no_grad_set=no_grad_set)
        self._step += 1
        if self._step % self.k == 0:
            for param, slow in self._slow:
                slow *= 1.0 - self.alpha
                slow += self.alpha * param.data
                param.data[...] = slow
        return result

    def clear_gradients(self):
        self.inner_optimizer.clear_gradients()

    def current_step_lr(self):
        return self.inner_optimizer.current_step_lr()

    def state_dict(self):
        """The inner optimizer's state plus "lookahead_step" and each "<param name>@SLOW"."""
        state = dict(self.inner_optimizer.state_dict())
        state["lookahead_step"] = Variable(np.array([self._step], np.int32), name="lookahead_step")
        for param, slow in self._slow:
            state[f"{param.name}@SLOW"] = Variable(slow.copy(), name=f"{param.name}@SLOW")
        return state

    def set_dict(self, state_dict):
        where = "LookaheadOptimizer.set_dict"
        own = {"lookahead_step"} | {f"{p.name}@SLOW" for p, _ in self._slow}
        missing = sorted(key for key in own if key not in state_dict)
        if missing:
            raise KeyError(f"{where}: the state has no entries {missing}")
        slows = []
        for param, slow in self._slow:
            value = state_dict[f"{param.name}@SLOW"]
            value = np.asarray(value.data if isinstance(value, Variable) else value)
            if value.shape != slow.shape:
                raise ValueError(f"{where}: '{param.name}@SLOW' has shape {list(value.shape)}, "
                                 f"expected {list(slow.shape)}")
            slows.append(value)
        self.inner_optimizer.set_dict({k: v for k, v in state_dict.items() if k not in own})
        step = state_dict["lookahead_step"]
        self._step = int(np.asarray(step.data if isinstance(step, Variable) else step)
                         .reshape(-1)[0])
        for (_, slow), value in zip(self._slow, slows):
            slow[...] = value

    set_state_dict = set_dict


class ExponentialMovingAverage:
    """Exponential moving averages of parameters, with Paddle 1.8's rule.

    `update()` (after each optimizer step) sets ema = d * ema + (1 - d) * param, starting from 0,
    with d = decay, or min(decay, (1 + t) / (10 + t)) when `thres_steps` (an int or a one-element
    Variable such as a step counter, read at each update) gives t. `apply()` is a context that
    puts the bias-corrected averages ema / (1 - d ** updates) into the parameters and, unless
    need_restore=False, puts the trained values back afterwards (`restore()`). Parameters whose
    ParamAttr says do_model_average=False are not averaged.
    """

    def __init__(self, decay=0.999, thres_steps=None, name=None, parameter_list=None):
        where = "ExponentialMovingAverage"
        require_dygraph(where)
        self._decay = check_number(where, "decay", decay)
        if not 0.0 <= self._decay <= 1.0:
            raise ValueError(f"{where}: decay must be in [0, 1], got {decay}")
        self._thres_steps = thres_steps
        self._name = name or ""
        self._params = [p for p in _parameters(where, parameter_list)
                        if p.do_model_average is not False]
        self._ema = {id(p): np.zeros_like(p.data) for p in self._params}
        self._backup = None
        self._decay_now = self._decay
        self._updates = 0

    def _current_decay(self):
        if self._thres_steps is None:
            return self._decay
        t = self._thres_steps
        t = float(np.asarray(t.data if isinstance(t, Variable) else t).reshape(-1)[0])
        return min(self._decay, (1.0 + t) / (10.0 + t))

    def update(self):
        """Fold the parameters' current values into their averages."""
        decay = self._decay_now = self._current_decay()
        for p in self._params:
            ema = self._ema[id(p)]
            ema *= decay
            ema += (1.0 - decay) * p.data
        self._updates += 1

    @contextlib.contextmanager
    def apply(self, executor=None, need_restore=True):
        """Use the bias-corrected averages inside the block (`executor` is accepted for Paddle's
        signature and ignored)."""
        if self._backup is not None:
            raise RuntimeError("ExponentialMovingAverage.apply: already applied; restore() first")
        self._backup = [(p, p.data.copy()) for p in self._params]
        correction = 1.0 - self._decay_now ** self._updates if self._updates else 1.0
        for p in self._params:
            p.data[...] = self._ema[id(p)] / correction
        try:
            yield
        finally:
            if need_restore:
                self.restore()

    def restore(self, executor=None):
        """Put back the values the parameters had when `apply()` began."""
        if self._backup is None:
            return
        for p, value in self._backup:
            p.data[...] = value
        self._backup = None
