"""Weight normalisation (Salimans & Kingma, 2016): `w = g * v / ||v||`, Paddle's
`fluid.WeightNormParamAttr`.

A layer asked for a parameter with a `WeightNormParamAttr` gets a `WeightNorm`: two Parameters,
the direction `v` (the weight's shape, drawn from the attr's initializer) and the magnitude `g`
(the norm of `v` over every dim except `dim`, so that `w == v` at the start). Assigned to a
Layer attribute (`self.weight = ...`), it registers `weight_g` and `weight_v`, and reading
`self.weight` computes `w` from them afresh, on the tape: the optimizer trains `g` and `v`.
Paddle 1.8 builds the same pair in static mode (names `<name>_g`, `<name>_v`); its dygraph mode
fails on a WeightNormParamAttr.

    linear = fluid.dygraph.Linear(4, 3, param_attr=fluid.WeightNormParamAttr(dim=1))
    [p.name for p in linear.parameters()]  # linear_0.w_0_g, linear_0.w_0_v, linear_0.b_0
"""
import numpy as np

from minigrad.core.checks import shape_of
from minigrad.ops.activation import sqrt
from minigrad.ops.math import reduce_sum
from minigrad.ops.shape import reshape

__all__ = ["WeightNorm", "norm_except_dim"]


def norm_except_dim(v, dim):
    """The L2 norm of `v` over every dim except `dim` (all dims when None), keeping v's rank:
    shape [1, ..., 1] with v's size at `dim`. Works on ndarrays and Variables."""
    shape = list(shape_of(v))
    axes = [i for i in range(len(shape)) if i != dim]
    kept = [n if i == dim else 1 for i, n in enumerate(shape)]
    if isinstance(v, np.ndarray):
        return np.sqrt((v * v).sum(axis=tuple(axes), keepdims=True)).reshape(kept)
    return reshape(sqrt(reduce_sum(v * v, dim=axes, keep_dim=True)), kept)


class WeightNorm:
    """The (g, v) pair behind one weight-normalised weight; `weight()` is `g * v / ||v||`."""

    def __init__(self, g, v, dim):
        self.g = g
        self.v = v
        self.dim = dim

    def weight(self):
        return self.v * (self.g / norm_except_dim(self.v, self.dim))

    def __repr__(self):
        return f"WeightNorm(g={self.g.name}, v={self.v.name}, dim={self.dim})"
