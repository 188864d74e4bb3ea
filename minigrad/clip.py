"""Gradient clipping (`fluid.clip`), applied by an optimizer before regularization and update.

Each clip is callable on a list of `(param, grad)` pairs and returns a new list of the same
length and order; gradients are never modified in place. A parameter whose `need_clip` attribute is
False, or for which the optional `need_clip(param)` function returns False, keeps its gradient
as it is (and, for the global norm, does not count toward it), as in Paddle.

    clip = fluid.clip.GradientClipByGlobalNorm(clip_norm=1.0)
    sgd = fluid.optimizer.SGD(0.1, parameter_list=model.parameters(), grad_clip=clip)
"""
import math

import numpy as np

from minigrad.core.checks import check_number, check_positive
from minigrad.core.variable import Variable

__all__ = ["GradientClipBase", "GradientClipByValue", "GradientClipByNorm",
           "GradientClipByGlobalNorm"]


class GradientClipBase:
    """Common part: which pairs are clipped, and Variable/ndarray gradients alike."""

    def __init__(self, need_clip=None):
        if need_clip is not None and not callable(need_clip):
            raise TypeError(f"{type(self).__name__}: need_clip must be None or a function "
                            f"taking a Parameter and returning bool, got "
                            f"{type(need_clip).__name__} ({need_clip!r})")
        self._need_clip_func = need_clip

    def _wants(self, param, grad):
        if grad is None or getattr(param, "need_clip", True) is False:
            return False
        return self._need_clip_func is None or bool(self._need_clip_func(param))

    def __call__(self, params_grads):
        """Clip `params_grads` (a list of (param, grad) with grad an ndarray, Variable or None)."""
        pairs = [(p, _array(g)) for p, g in params_grads]
        wanted = [self._wants(p, g) for p, g in pairs]
        clipped = self._clip([g for (_, g), w in zip(pairs, wanted) if w])
        clipped = iter(clipped)
        result = []
        for (param, original), (_, g), w in zip(params_grads, pairs, wanted):
            if w:
                g = next(clipped)
                if isinstance(original, Variable):
                    g = Variable(g, stop_gradient=True)
                result.append((param, g))
            else:
                result.append((param, original))
        return result

    def _clip(self, grads):
        """The clipped versions of `grads` (ndarrays), as new arrays of the same dtypes."""
        raise NotImplementedError


class GradientClipByValue(GradientClipBase):
    """Clip every gradient element into [min, max]; `min` defaults to `-max`.

        clip = fluid.clip.GradientClipByValue(max=1.0)        # into [-1, 1]
        clip = fluid.clip.GradientClipByValue(0.5, min=-0.1)  # into [-0.1, 0.5]

    Raises TypeError for non-numbers and ValueError when min > max.
    """

    def __init__(self, max, min=None, need_clip=None):
        super().__init__(need_clip)
        self.max = check_number("GradientClipByValue", "max", max)
        self.min = -self.max if min is None else check_number("GradientClipByValue", "min", min)
        if self.min > self.max:
            raise ValueError(f"GradientClipByValue: min ({self.min}) must not exceed max "
                             f"({self.max})")

    def _clip(self, grads):
        return [np.clip(g, self.min, self.max) for g in grads]

    def __repr__(self):
        return f"GradientClipByValue(min={self.min}, max={self.max})"


class GradientClipByNorm(GradientClipBase):
    """Rescale each gradient on its own so that its L2 norm is at most `clip_norm`.

    `g` becomes `g * clip_norm / norm(g)` when `norm(g) > clip_norm`, else stays `g`.

        clip = fluid.clip.GradientClipByNorm(clip_norm=1.0)

    Raises ValueError unless clip_norm > 0.
    """

    def __init__(self, clip_norm, need_clip=None):
        super().__init__(need_clip)
        self.clip_norm = check_positive("GradientClipByNorm", "clip_norm", clip_norm)

    def _clip(self, grads):
        result = []
        for g in grads:
            norm = _l2_norm(g)
            result.append(g * (self.clip_norm / norm) if norm > self.clip_norm else g)
        return result

    def __repr__(self):
        return f"GradientClipByNorm(clip_norm={self.clip_norm})"


class GradientClipByGlobalNorm(GradientClipBase):
    """Rescale all gradients together so that their joint L2 norm is at most `clip_norm`.

    With `global_norm = sqrt(sum_i ||g_i||^2)` over the clipped gradients, each becomes
    `g_i * clip_norm / max(global_norm, clip_norm)`: directions are kept, only the length shrinks.

        clip = fluid.clip.GradientClipByGlobalNorm(clip_norm=5.0)

    Raises ValueError unless clip_norm > 0.
    """

    def __init__(self, clip_norm, group_name="default_group", need_clip=None):
        super().__init__(need_clip)
        self.clip_norm = check_positive("GradientClipByGlobalNorm", "clip_norm", clip_norm)
        self.group_name = group_name

    def _clip(self, grads):
        if not grads:
            return []
        global_norm = math.sqrt(sum(_l2_norm(g) ** 2 for g in grads))
        scale = self.clip_norm / max(global_norm, self.clip_norm)
        return [g * scale for g in grads]

    def __repr__(self):
        return f"GradientClipByGlobalNorm(clip_norm={self.clip_norm})"


def _l2_norm(g):
    """The L2 norm as a Python float (a float32 array times a Python float stays float32)."""
    flat = g.reshape(-1)
    with np.errstate(over="ignore"):
        square_sum = float(np.dot(flat, flat))
    if not math.isfinite(square_sum) and np.isfinite(flat).all():
        # float32 squares overflow near 1e19; redo that rare case in float64.
        flat = flat.astype(np.float64)
        square_sum = float(np.dot(flat, flat))
    return math.sqrt(square_sum)


def _array(g):
    return g.data if isinstance(g, Variable) else g


def check_grad_clip(where, grad_clip):
    """None or a GradientClipBase; anything else is a TypeError naming what was received."""
    if grad_clip is not None and not isinstance(grad_clip, GradientClipBase):
        raise TypeError(f"{where}: grad_clip must be None or one of fluid.clip."
                        f"GradientClipByValue / GradientClipByNorm / GradientClipByGlobalNorm, "
                        f"got {type(grad_clip).__name__} ({grad_clip!r})")
    return grad_clip


from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid.clip", "minigrad.clip")
