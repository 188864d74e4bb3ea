"""Ops that move elements without changing them: reshape, transpose, broadcast, indexing, joins.

Each backward is another op of this module (reshape <-> reshape, broadcast_to <-> sum_to,
getitem <-> scatter-add, concat <-> split), so second-order gradients come for free.
"""
import builtins
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_axes, check_axis, shape_of
from minigrad.core.op import Op
from minigrad.core.variable import Variable


# -- reshape / transpose -------------------------------------------------------------------------


class Reshape(Op):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy, x):
        return reshape(gy, shape_of(x))


def _plain_reshape(x, shape):
    shape = tuple(shape)
    if type(x) is np.ndarray:
        return x.reshape(shape)
    if shape_of(x) == shape:
        return x
    return Reshape(shape)(x)


def reshape(x, shape, actual_shape=None, act=None, inplace=False, name=None):
    """Paddle's reshape: a 0 copies the input's dim at that position, one -1 is inferred."""
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in shape):
        raise TypeError(f"reshape: shape must be a list or tuple of ints, got {shape!r}")
    in_shape = shape_of(x)
    resolved = []
    for i, s in enumerate(shape):
        if s == 0:
            if i >= len(in_shape):
                raise ValueError(f"reshape: shape[{i}] is 0 (copy the input dim) but the input "
                                 f"of shape {list(in_shape)} has no dim {i}")
            s = in_shape[i]
        elif s < -1:
            raise ValueError(f"reshape: shape {list(shape)} has {s}; dims must be positive, 0 "
                             "(copy) or one -1 (infer)")
        resolved.append(int(s))
    if resolved.count(-1) > 1:
        raise ValueError(f"reshape: shape {list(shape)} has more than one -1")
    size = int(np.prod(in_shape))
    known = int(np.prod([s for s in resolved if s != -1]))
    if -1 in resolved:
        if known == 0 or size % known:
            raise ValueError(f"reshape: cannot infer -1 in {list(shape)} for an input of "
                             f"{size} elements (shape {list(in_shape)})")
        resolved[resolved.index(-1)] = size // known
    elif known != size:
        raise ValueError(f"reshape: shape {list(shape)} has {known} elements but the input of "
                         f"shape {list(in_shape)} has {size}")
    out = _plain_reshape(x, resolved)
    if act is not None:
        from minigrad.ops.activation import apply_act
        out = apply_act(out, act)
    return out


class Transpose(Op):
    def __init__(self, perm):
        self.perm = perm

    def forward(self, x):
        return x.transpose(self.perm)

    def backward(self, gy, x):
        return transpose(gy, tuple(np.argsort(self.perm)))


def transpose(x, perm, name=None):
    """Permute dims: output dim i is input dim perm[i]."""
    if type(x) is np.ndarray and type(perm) is tuple:
        return x.transpose(perm)    # inside a backward: already validated
    ndim = len(shape_of(x))
    if not isinstance(perm, (list, tuple)) or sorted(int(p) for p in perm) != list(range(ndim)):
        raise ValueError(f"transpose: perm must be a permutation of {list(range(ndim))} for a "
                         f"{ndim}-D input, got {perm!r}")
    return Transpose(tuple(int(p) for p in perm))(x)


# -- broadcast_to / sum_to: each the other's backward ---------------------------------------


class BroadcastTo(Op):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, gy, x):
        return sum_to(gy, shape_of(x))


class SumTo(Op):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return _sum_to_array(x, self.shape)

    def backward(self, gy, x):
        return broadcast_to(gy, shape_of(x))


def _sum_to_array(x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and x.shape[i + lead] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    return y.reshape(shape) if lead else y


def broadcast_to(x, shape):
    shape = tuple(shape)
    if type(x) is np.ndarray:
        return x if x.shape == shape else np.broadcast_to(x, shape)
    if shape_of(x) == shape:
        return x
    return BroadcastTo(shape)(x)


def sum_to(x, shape):
    """Sum `x` down to `shape` (undo a numpy broadcast); a no-op when shapes already match."""
    shape = tuple(shape)
    if type(x) is np.ndarray:
        return x if x.shape == shape else _sum_to_array(x, shape)
    if shape_of(x) == shape:
        return x
    return SumTo(shape)(x)


def expand(x, expand_times, name=None):
    """Paddle's expand: tile dim i `expand_times[i]` times."""
    in_shape = shape_of(x)
    if not isinstance(expand_times, (list, tuple)) or len(expand_times) != len(in_shape):
        raise ValueError(f"expand: expand_times must be a list of {len(in_shape)} ints (one per "
                         f"dim of the input of shape {list(in_shape)}), got {expand_times!r}")
    if any(int(t) < 1 for t in expand_times):
        raise ValueError(f"expand: expand_times must be positive, got {list(expand_times)}")
    # Tiling is broadcasting over a new axis before each dim, then merging the pair.
    interleaved = []
    for n, t in zip(in_shape, expand_times):
        interleaved += [int(t), n]
    tiled = broadcast_to(reshape(x, [s for n in in_shape for s in (1, n)]), interleaved)
    return reshape(tiled, [n * int(t) for n, t in zip(in_shape, expand_times)])


# -- indexing ------------------------------------------------------------------------------------


class GetItem(Op):
    """`x[index]`; a single element comes out with shape [1], as Paddle 1.8 has no 0-d tensors."""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        y = x[self.index]
        return y.reshape(1) if y.ndim == 0 else y

    def backward(self, gy, x):
        return ScatterAdd(self.index, shape_of(x))(gy)


class ScatterAdd(Op):
    """Zeros of `shape` with `gy` added at `index`: getitem's adjoint (repeated indices add)."""

    def __init__(self, index, shape):
        self.index = index
        self.shape = shape

    def forward(self, gy):
        out = np.zeros(self.shape, dtype=gy.dtype)
        if gy.shape == (1,) and out[self.index].ndim == 0:
            gy = gy.reshape(())     # the gradient of one element taken out as shape [1]
        np.add.at(out, self.index, gy)
        return out

    def backward(self, gz, gy):
        return getitem(gz, self.index)


def _check_index(index, shape):
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, (numbers.Integral, builtins.slice, type(None), type(Ellipsis),
                             np.ndarray, list)):
            continue
        if isinstance(item, Variable):
            continue
        raise TypeError(f"getitem: index entries must be ints, slices, None, Ellipsis or integer "
                        f"arrays, got {type(item).__name__}")


def getitem(x, index):
    """`x[index]` with numpy semantics; integer-array indices scatter-add in backward."""
    if isinstance(index, Variable):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Variable) else i for i in index)
    _check_index(index, shape_of(x))
    try:
        return GetItem(index)(x)
    except IndexError as error:
        raise IndexError(f"getitem: index {index!r} is invalid for shape {list(shape_of(x))}: "
                         f"{error}") from None


def slice(input, axes, starts, ends):
    """Paddle's slice: for each axis in `axes`, keep [start, end) (negative and clamped ends ok)."""
    ndim = len(shape_of(input))
    if not (len(axes) == len(starts) == len(ends)):
        raise ValueError(f"slice: axes, starts and ends must have the same length, got "
                         f"{len(axes)}, {len(starts)} and {len(ends)}")
    index = [np.s_[:]] * ndim
    for axis, start, end in zip(axes, starts, ends):
        index[check_axis("slice", "axes", axis, ndim)] = np.s_[int(start):int(end)]
    return getitem(input, tuple(index))


def gather(input, index, overwrite=True):
    """Rows of `input` (dim 0) picked by the 1-D integer `index`.

    overwrite: how a row picked more than once gets its gradient. True (Paddle's default): only
    from its last pick, as Paddle 1.8 overwrites; False: the sum over its picks (the true
    derivative).
    """
    index = data_of(index)
    index = np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be integer, got dtype {index.dtype}")
    if index.ndim == 2 and index.shape[1] == 1:
        index = index[:, 0]
    if index.ndim != 1:
        raise ValueError(f"gather: index must be 1-D, got shape {list(index.shape)}")
    n = shape_of(input)[0]
    if index.size and (index.min() < -n or index.max() >= n):
        raise ValueError(f"gather: index values must lie in [0, {n}) for an input with {n} rows, "
                         f"got range [{index.min()}, {index.max()}]")
    rows = getitem(input, index)
    if not overwrite or not isinstance(input, Variable) or len(np.unique(index)) == index.size:
        return rows
    # Let the gradient through only the last pick of each row: rows are kept as they are
    # (x + (y - x) * m is exactly y when y == x) but only the last picks depend on `input`.
    last = np.zeros(index.size, bool)
    last[index.size - 1 - np.unique((index % n)[::-1], return_index=True)[1]] = True
    mask = last.astype(input.data.dtype).reshape([-1] + [1] * (len(shape_of(input)) - 1))
    constant = getitem(input.detach(), index)
    return constant + (rows - constant) * mask


# -- squeeze / unsqueeze / flatten: reshapes with checks ---------------------------------------


def squeeze(input, axes=None, name=None):
    """Remove the size-1 dims in `axes` (all of them when None or []); naming a dim whose size
    is not 1 is a ValueError, as Paddle 1.8.5 refuses it too."""
    shape = shape_of(input)
    if axes is None or axes == []:
        axes = [i for i, n in enumerate(shape) if n == 1]
    axes = check_axes("squeeze", "axes", list(axes), len(shape)) or ()
    for axis in axes:
        if shape[axis] != 1:
            raise ValueError(f"squeeze: axes names dim {axis} of size {shape[axis]} in an input "
                             f"of shape {list(shape)}; only dims of size 1 can be squeezed")
    out = [n for i, n in enumerate(shape) if i not in axes]
    return reshape(input, out)


def unsqueeze(input, axes, name=None):
    if isinstance(axes, numbers.Integral):
        axes = [axes]
    out = list(shape_of(input))
    for axis in axes:
        axis = check_axis("unsqueeze", "axes", axis, len(out) + 1)
        out.insert(axis, 1)
    return reshape(input, out)


def flatten(x, axis=1, name=None):
    """2-D result: dims before `axis` multiply into rows, the rest into columns."""
    shape = shape_of(x)
    if not isinstance(axis, numbers.Integral) or not 0 <= axis <= len(shape):
        raise ValueError(f"flatten: axis must be an int in [0, {len(shape)}], got {axis!r}")
    return reshape(x, [int(np.prod(shape[:axis])), int(np.prod(shape[axis:]))])


# -- joins and splits --------------------------------------------------------------------------


class Concat(Op):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy, *xs):
        sizes = [shape_of(x)[self.axis] for x in xs]
        return tuple(split(gy, sizes, self.axis))


class Split(Op):
    multiple_outputs = True

    def __init__(self, sections, axis):
        self.sections = sections
        self.axis = axis

    def forward(self, x):
        bounds = np.cumsum(self.sections)[:-1]
        return tuple(np.split(x, bounds, axis=self.axis))

    def backward(self, gys, x):
        shape = list(shape_of(x))
        parts = []
        for g, n in zip(gys, self.sections):
            if g is None:
                shape[self.axis] = n
                g = np.zeros(shape, dtype=data_of(x).dtype)
            parts.append(g)
        return concat(parts, self.axis)


def concat(input, axis=0, name=None):
    """Join a list of Variables along `axis`; all other dims must match."""
    if not isinstance(input, (list, tuple)) or not input:
        raise TypeError(f"concat: input must be a non-empty list of Variables, got {input!r}")
    shapes = [shape_of(x) for x in input]
    axis = check_axis("concat", "axis", axis, len(shapes[0]))
    for i, s in enumerate(shapes):
        if len(s) != len(shapes[0]) or any(a != b for d, (a, b) in enumerate(zip(s, shapes[0]))
                                           if d != axis):
            raise ValueError(f"concat: input[{i}] has shape {list(s)} but input[0] has "
                             f"{list(shapes[0])}; all dims except axis {axis} must match")
    if len(input) == 1:
        return input[0]
    return Concat(axis)(*input)


def split(input, num_or_sections, dim=-1, name=None):
    """Paddle's split: an int cuts `dim` into that many equal parts, a list gives the sizes (one
    may be -1)."""
    shape = shape_of(input)
    dim = check_axis("split", "dim", dim, len(shape))
    n = shape[dim]
    if isinstance(num_or_sections, numbers.Integral):
        if num_or_sections <= 0 or n % num_or_sections:
            raise ValueError(f"split: cannot cut dim {dim} of size {n} into {num_or_sections} "
                             "equal parts")
        sections = [n // num_or_sections] * num_or_sections
    else:
        sections = [int(s) for s in num_or_sections]
        if sections.count(-1) == 1:
            sections[sections.index(-1)] = n - (sum(sections) + 1)
        if sum(sections) != n or min(sections) < 0:
            raise ValueError(f"split: sections {list(num_or_sections)} do not add up to dim "
                             f"{dim}'s size {n}")
    if len(sections) == 1:
        return [input]
    out = Split(tuple(sections), dim)(input)
    return list(out)


def stack(x, axis=0, name=None):
    """Join same-shaped Variables along a new dim `axis`."""
    if not isinstance(x, (list, tuple)) or not x:
        raise TypeError(f"stack: x must be a non-empty list of Variables, got {x!r}")
    shape = shape_of(x[0])
    for i, v in enumerate(x):
        if shape_of(v) != shape:
            raise ValueError(f"stack: x[{i}] has shape {list(shape_of(v))} but x[0] has "
                             f"{list(shape)}; all must match")
    axis = check_axis("stack", "axis", axis, len(shape) + 1)
    return concat([unsqueeze(v, [axis]) for v in x], axis)


def unstack(x, axis=0, num=None):
    shape = shape_of(x)
    axis = check_axis("unstack", "axis", axis, len(shape))
    return [squeeze(part, [axis]) for part in split(x, shape[axis], axis)]
