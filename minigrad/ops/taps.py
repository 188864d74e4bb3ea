"""Linear maps along one axis, given as taps: the kernel of resizing and average pooling.

Notation: along `axis` the input has length I and the output length O. A map with T taps is

    y[..., o, ...] = sum_t weight[t, o] * x[..., index[t, o], ...]          (AxisTaps)

Bilinear/trilinear resizing is one such map per spatial axis with T = 2 (the two neighbours),
nearest resizing has T = 1, and average pooling (plain or adaptive) has T = the longest window,
with weight 1 / divisor inside a window and 0 on the unused taps of shorter windows. These maps
are separable because the bilinear weight of a corner, and the count of a box, are products over
axes.

The adjoint scatters instead of gathering:

    gx[..., i, ...] = sum_{t, o : index[t, o] = i} weight[t, o] * gy[..., o, ...]   (AxisTapsT)

and the adjoint of the adjoint is the map again, so each op's backward is the other op and every
order of gradient exists. Rows of `index` are non-decreasing in o (true of every use here), which
lets the scatter add runs of equal indices with `np.add.reduceat` instead of `np.add.at`.
"""
import numpy as np

from minigrad.core.op import Op

__all__ = ["AxisTaps", "AxisTapsT", "axis_taps"]


class _Taps:
    """index [T, O] (ints in [0, I)), weight [T, O] (float64), axis, I; weights cached per dtype."""

    def __init__(self, index, weight, axis, in_size):
        self.index = np.ascontiguousarray(index, dtype=np.intp)
        self.weight = np.ascontiguousarray(weight, dtype=np.float64)
        self.axis = axis
        self.in_size = in_size
        self._weights = {}
        # Runs of equal indices per tap, for the scatter (see the module docstring).
        self.runs = []
        for row in self.index:
            if row.size and np.all(row[1:] >= row[:-1]):
                starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
                self.runs.append((starts, row[starts]))
            else:
                self.runs.append(None)

    def weights(self, dtype, ndim):
        """weight[t] shaped to broadcast against an array whose `axis` has length O."""
        key = (np.dtype(dtype), ndim)
        w = self._weights.get(key)
        if w is None:
            shape = (self.weight.shape[0], self.weight.shape[1]) + (1,) * (ndim - self.axis - 1)
            w = self._weights[key] = self.weight.astype(dtype).reshape(shape)
        return w


class AxisTaps(Op):
    """y[..., o, ...] = sum_t weight[t, o] * x[..., index[t, o], ...] along `axis`."""

    def __init__(self, taps):
        self.axis = taps.axis
        self.taps = taps.index.shape[0]
        self._taps = taps

    def forward(self, x):
        taps = self._taps
        w = taps.weights(x.dtype, x.ndim)
        y = np.take(x, taps.index[0], axis=taps.axis) * w[0]
        for t in range(1, taps.index.shape[0]):
            y += np.take(x, taps.index[t], axis=taps.axis) * w[t]
        return y

    def backward(self, gy, x):
        return AxisTapsT(self._taps)(gy)


class AxisTapsT(Op):
    """The adjoint of `AxisTaps`: gy of length O along `axis` scattered back to length I."""

    def __init__(self, taps):
        self.axis = taps.axis
        self.taps = taps.index.shape[0]
        self._taps = taps

    def forward(self, gy):
        taps = self._taps
        w = taps.weights(gy.dtype, gy.ndim)
        moved_shape = list(gy.shape)
        moved_shape[taps.axis] = taps.in_size
        gx = np.zeros(moved_shape, dtype=gy.dtype)
        gx_last = np.moveaxis(gx, taps.axis, -1)        # a view: writes land in gx
        for t in range(taps.index.shape[0]):
            values = np.moveaxis(gy * w[t], taps.axis, -1)
            runs = taps.runs[t]
            if runs is None:
                np.add.at(gx_last, (Ellipsis, taps.index[t]), values)
            else:
                starts, targets = runs
                gx_last[..., targets] += np.add.reduceat(values, starts, axis=-1)
        return gx

    def backward(self, ggx, gy):
        return AxisTaps(self._taps)(ggx)


def axis_taps(x, index, weight, axis):
    """Apply the tap map (index, weight: [T, O]) along `axis` of x (Variable or ndarray)."""
    in_size = (x.shape[axis] if isinstance(x, np.ndarray) else x.data.shape[axis])
    return AxisTaps(_Taps(index, weight, axis, in_size))(x)
