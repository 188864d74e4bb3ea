"""Linear maps along one axis, given as taps: the kernel of resizing and average pooling.

Notation: along `axis` the input has length I and the output length O. A map with T taps is

    y[..., o, ...] = sum_t weight[t, o] * x[..., index[t, o], ...]

Bilinear/trilinear resizing is one such map per spatial axis with T = 2 (the two neighbours),
nearest resizing has T = 1, and average pooling (plain or adaptive) has T = the longest window,
with weight 1 / divisor inside a window and 0 on the unused taps of shorter windows. These maps
are separable because the bilinear weight of a corner, and the cell count of a box, are
products over axes.

The adjoint of a tap map is again a tap map, from length O back to length I: input cell i
gathers weight[t, o] * gy[o] from every (t, o) with index[t, o] = i, so its taps are those pairs
(T' = the most pairs any cell has, padded with zero weights). `Taps.adjoint()` builds it once
and the adjoint's adjoint is the map itself, so `AxisTaps.backward` is `AxisTaps` of the
adjoint and every order of gradient exists; backward is a gather, as fast as forward.
"""
import numpy as np

from minigrad.core.op import Op
from minigrad.core.variable import Variable

__all__ = ["Taps", "AxisTaps", "axis_taps"]


class Taps:
    """One tap map: index [T, O] (ints in [0, in_size)), weight [T, O], along `axis`."""

    def __init__(self, index, weight, axis, in_size, adjoint=None):
        self.index = np.ascontiguousarray(index, dtype=np.intp)
        self.weight = np.ascontiguousarray(weight, dtype=np.float64)
        self.axis = axis
        self.in_size = in_size
        self.out_size = self.index.shape[1]
        self._adjoint = adjoint
        self._weights = {}

    def weights(self, dtype, ndim):
        """weight[t] shaped to broadcast against an array whose `axis` has length O."""
        key = (np.dtype(dtype), ndim)
        w = self._weights.get(key)
        if w is None:
            shape = self.weight.shape + (1,) * (ndim - self.axis - 1)
            w = self._weights[key] = self.weight.astype(dtype).reshape(shape)
        return w

    def adjoint(self):
        """The transposed map (see the module docstring), built once."""
        if self._adjoint is None:
            t, o = np.nonzero(self.weight)
            order = np.argsort(self.index[t, o], kind="stable")
            t, o = t[order], o[order]
            target, w = self.index[t, o], self.weight[t, o]
            counts = np.bincount(target, minlength=self.in_size)
            rank = np.arange(target.size) - np.repeat(np.cumsum(counts) - counts, counts)
            index = np.zeros((max(int(counts.max(initial=0)), 1), self.in_size), dtype=np.intp)
            weight = np.zeros(index.shape)
            index[rank, target] = o
            weight[rank, target] = w
            self._adjoint = Taps(index, weight, self.axis, self.out_size, adjoint=self)
        return self._adjoint


class AxisTaps(Op):
    """y[..., o, ...] = sum_t weight[t, o] * x[..., index[t, o], ...] along `axis`."""

    def __init__(self, taps):
        self.axis = taps.axis
        self.taps = taps.index.shape[0]
        self._taps = taps

    def forward(self, x):
        taps = self._taps
        w = taps.weights(x.dtype, x.ndim)
        y = np.take(x, taps.index[0], axis=taps.axis)
        y *= w[0]
        for t in range(1, taps.index.shape[0]):
            term = np.take(x, taps.index[t], axis=taps.axis)
            term *= w[t]
            y += term
        return y

    def backward(self, gy, x):
        return AxisTaps(self._taps.adjoint())(gy)


def axis_taps(x, index, weight, axis):
    """Apply the tap map (index, weight: [T, O]) along `axis` of x (Variable or ndarray)."""
    in_size = (x.data if isinstance(x, Variable) else x).shape[axis]
    return AxisTaps(Taps(index, weight, axis, in_size))(x)
