"""Paddle 1.8's gathers, scatters, slices and small constructions on top of `ops.shape`.

No op here has gradient code of its own: each is a composition of `getitem` and its adjoint
`ScatterAdd` (np.add.at, so repeated indices add), reshapes, broadcasts and arithmetic. gather_nd's
backward is therefore a scatter-add (scatter_nd_add onto zeros) and scatter_nd_add's backward for
its updates is a gather_nd, both differentiable again. Indices and masks are constants computed
from `.data`.

Index rules (all ops here): integer dtypes only; negative indices count from the end as in numpy
(Paddle 1.8.5 reads memory out of bounds for them); anything outside [-n, n) is a ValueError.
"""
import builtins
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_axis, check_tensor, dtype_of, shape_of
from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Variable
from minigrad.ops.creation import one_hot
from minigrad.ops.shape import (ScatterAdd, broadcast_to, expand, getitem, reshape, sum_to,
                                unsqueeze)

__all__ = ["gather_nd", "scatter", "scatter_nd", "scatter_nd_add", "strided_slice", "crop",
           "crop_tensor", "expand_as", "reverse", "unique", "unique_with_counts", "eye", "diag",
           "one_hot_v2"]


def _index_array(op, argument, index):
    """A Variable, ndarray or list of ints -> an integer ndarray (a constant)."""
    if isinstance(index, (list, tuple)):
        index = np.asarray(index)
        if index.size == 0:
            index = index.astype(np.int64)
    if not isinstance(index, (Variable, np.ndarray)):
        raise TypeError(f"{op}: {argument} must be an integer Variable, got "
                        f"{type(index).__name__} ({index!r})")
    index = np.asarray(data_of(index))
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: {argument} must have an integer dtype (int32 or int64), got "
                        f"{index.dtype}")
    return index


def _check_range(op, argument, index, sizes):
    """Each index[..., k] must lie in [-sizes[k], sizes[k])."""
    for k, n in enumerate(sizes):
        column = index[..., k]
        if column.size and (column.min() < -n or column.max() >= n):
            raise ValueError(f"{op}: {argument}[..., {k}] must lie in [{-n}, {n}) for a dim of "
                             f"size {n}, got values in [{column.min()}, {column.max()}]")


def _nd_index(op, index, shape, argument="index"):
    """Check a gather_nd/scatter_nd index [..., Q] against `shape`; return Q."""
    if index.ndim < 2:
        raise ValueError(f"{op}: {argument} must have rank >= 2 ([..., Q]), got shape "
                         f"{list(index.shape)}")
    q = index.shape[-1]
    if q > len(shape):
        raise ValueError(f"{op}: {argument}.shape[-1] = {q} exceeds the rank {len(shape)} of "
                         f"the indexed tensor of shape {list(shape)}")
    _check_range(op, argument, index, shape[:q])
    return q


def _nd_key(index):
    """numpy's advanced-indexing key for an index [..., Q]: one array per indexed dim."""
    return tuple(index[..., k] for k in range(index.shape[-1]))


# -- gather_nd / scatter_nd_add / scatter_nd ---------------------------------------------------


def gather_nd(input, index, name=None):
    """Slices of `input` picked by the last dim of `index`.

    input: [d0, ..., d(R-1)], any dtype.  index: integer, shape [i0, ..., i(K-2), Q], Q <= R.
    Output shape index.shape[:-1] + input.shape[Q:]:
    out[i0, ..., i(K-2)] = input[index[i0, ..., i(K-2)]].
    Raises TypeError for a non-integer index, ValueError for rank < 2, Q > R or an index out of
    range.

        out = fluid.layers.gather_nd(x, index)    # x [2, 3, 4], index [[0, 2]] -> [1, 4]
    """
    check_tensor("gather_nd", "input", input)
    index = _index_array("gather_nd", "index", index)
    shape = shape_of(input)
    q = _nd_index("gather_nd", index, shape)
    if q == 0:   # every index row selects the whole input
        lead = list(index.shape[:-1])
        return broadcast_to(reshape(input, [1] * len(lead) + list(shape) or [1]),
                            lead + list(shape))
    return getitem(input, _nd_key(index))


def _scatter_nd_updates(op, index, updates, shape):
    """Check `updates` against index [..., Q] and the target shape; return Q."""
    q = _nd_index(op, index, shape)
    expected = list(index.shape[:-1]) + list(shape[q:])
    if list(shape_of(updates)) != expected:
        raise ValueError(f"{op}: updates must have shape index.shape[:-1] + shape[Q:] = "
                         f"{expected}, got {list(shape_of(updates))}")
    return q


def _scatter_add_onto_zeros(index, updates, shape, q):
    if q == 0:   # every update lands on the whole tensor
        return sum_to(updates, tuple(shape))
    return ScatterAdd(_nd_key(index), tuple(shape))(updates)


def scatter_nd_add(ref, index, updates, name=None):
    """`ref` with each `updates` slice added at the position the last dim of `index` names;
    repeated positions accumulate.

    ref: [d0, ..., d(R-1)].  index: integer [..., Q], Q <= R.  updates: index.shape[:-1] +
    ref.shape[Q:], same dtype as ref. Output: ref's shape and dtype.
    Raises ValueError for mismatched dtypes or shapes, or an index out of range.

        out = fluid.layers.scatter_nd_add(ref, index, updates)
    """
    check_tensor("scatter_nd_add", "ref", ref)
    check_tensor("scatter_nd_add", "updates", updates)
    if dtype_of(ref) != dtype_of(updates):
        raise ValueError(f"scatter_nd_add: ref and updates must have the same dtype, got "
                         f"{dtype_of(ref)} and {dtype_of(updates)}")
    index = _index_array("scatter_nd_add", "index", index)
    shape = shape_of(ref)
    q = _scatter_nd_updates("scatter_nd_add", index, updates, shape)
    return ref + _scatter_add_onto_zeros(index, updates, shape, q)


def scatter_nd(index, updates, shape, name=None):
    """Zeros of `shape` (updates' dtype) with `updates` scattered in as `scatter_nd_add` does;
    repeated positions accumulate. The adjoint of `gather_nd`.

        out = fluid.layers.scatter_nd(index, updates, [3, 5, 9, 10])
    """
    check_tensor("scatter_nd", "updates", updates)
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
            for s in shape):
        raise TypeError(f"scatter_nd: shape must be a list or tuple of positive ints, got "
                        f"{shape!r}")
    index = _index_array("scatter_nd", "index", index)
    shape = tuple(int(s) for s in shape)
    q = _scatter_nd_updates("scatter_nd", index, updates, shape)
    return _scatter_add_onto_zeros(index, updates, shape, q)


# -- scatter -------------------------------------------------------------------------------


def scatter(input, index, updates, name=None, overwrite=True):
    """`input` with rows index[i] replaced by (overwrite=True) or set to the sum of
    (overwrite=False) the rows updates[i].

    input: [n, ...]; index: 1-D integer [m]; updates: [m, ...] with input's trailing dims and
    dtype. Rows that no index names keep input's values. With repeated indices and
    overwrite=True the last update wins (Paddle's CPU kernel); with overwrite=False the row is
    the sum of its updates (the old value is dropped, as 1.8's docs spell out).
    Gradients: input's rows that the index names get zero, an update that another one
    overwrote gets zero (1.8.5 passes the whole output gradient to input and gathers a gradient
    for every update; minigrad returns the exact derivative).

        out = fluid.layers.scatter(x, index, updates, overwrite=False)
    """
    check_tensor("scatter", "input", input)
    check_tensor("scatter", "updates", updates)
    index = _index_array("scatter", "index", index)
    if index.ndim != 1:
        raise ValueError(f"scatter: index must be 1-D, got shape {list(index.shape)}")
    shape, u_shape = shape_of(input), shape_of(updates)
    if len(shape) == 0:
        raise ValueError("scatter: input must have at least one dim")
    if tuple(u_shape) != (index.shape[0],) + tuple(shape[1:]):
        raise ValueError(f"scatter: updates must have shape [len(index)] + input.shape[1:] = "
                         f"{[index.shape[0]] + list(shape[1:])}, got {list(u_shape)}")
    if dtype_of(input) != dtype_of(updates):
        raise ValueError(f"scatter: input and updates must have the same dtype, got "
                         f"{dtype_of(input)} and {dtype_of(updates)}")
    _check_range("scatter", "index", index[:, None], shape[:1])
    rows = index % shape[0]
    if overwrite:
        # The last occurrence of each row: reversed, np.unique's first hit is the last one.
        _, last = np.unique(rows[::-1], return_index=True)
        keep = np.sort(len(rows) - 1 - last)
        if len(keep) != len(rows):
            updates = getitem(updates, keep)
            rows = rows[keep]
    kept = np.ones((shape[0],) + (1,) * (len(shape) - 1), dtype=dtype_of(input))
    kept[rows] = 0
    return input * kept + ScatterAdd(rows, tuple(shape))(updates)


# -- slices ----------------------------------------------------------------------------------


def _int_list(op, argument, values, length=None):
    """A list/tuple of ints or shape-[1] Variables, or a 1-D Variable -> a list of ints."""
    if isinstance(values, Variable):
        values = values.data.reshape(-1).tolist()
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{op}: {argument} must be a list or tuple of ints (or a Variable), got "
                        f"{type(values).__name__} ({values!r})")
    out = []
    for v in values:
        if isinstance(v, Variable):
            if v.data.size != 1:
                raise ValueError(f"{op}: {argument} entries given as Variables must have shape "
                                 f"[1], got {v.shape}")
            v = v.data.reshape(-1)[0]
        if not isinstance(v, (numbers.Integral, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{op}: {argument} must hold ints, got {v!r} in {values!r}")
        out.append(int(v))
    if length is not None and len(out) != length:
        raise ValueError(f"{op}: {argument} must have {length} entries, got {len(out)} "
                         f"({out})")
    return out


def _strided_range(start, end, stride, n):
    """Paddle's start/end/stride along one dim of size n -> a slice, or None if empty.

    As numpy, except that with a negative stride end == -1 means "through index 0" (Paddle's
    way to reverse a whole dim)."""
    if start < 0:
        start += n
    if end < 0 and not (end == -1 and stride < 0):
        end += n
    if stride > 0:
        start, end = min(max(start, 0), n), min(max(end, 0), n)
        empty = start >= end
    else:
        start, end = min(max(start, -1), n - 1), min(max(end, -1), n - 1)
        empty = start <= end
    if empty:
        return None
    return builtins.slice(start, None if end < 0 else end, stride)


def strided_slice(input, axes, starts, ends, strides):
    """input[..., start:end:stride, ...] along each axis in `axes`.

    axes, starts, ends, strides: lists of the same length (starts/ends/strides may hold
    shape-[1] Variables or be 1-D Variables). Negative starts/ends count from the end and are
    clamped to the dim as in numpy; with a negative stride an end of -1 means "through the
    first element". Output has input's rank and dtype.
    Raises ValueError for a zero stride, lengths that differ, or a slice that would be empty
    (Paddle 1.8.5 refuses those too).

        y = fluid.layers.strided_slice(x, axes=[1], starts=[0], ends=[-1], strides=[2])
    """
    op = "strided_slice"
    check_tensor(op, "input", input)
    if not isinstance(axes, (list, tuple)):
        raise TypeError(f"{op}: axes must be a list or tuple of ints, got {axes!r}")
    n_axes = len(axes)
    starts = _int_list(op, "starts", starts, n_axes)
    ends = _int_list(op, "ends", ends, n_axes)
    strides = _int_list(op, "strides", strides, n_axes)
    shape = shape_of(input)
    key = [builtins.slice(None)] * len(shape)
    for axis, start, end, stride in zip(axes, starts, ends, strides):
        axis = check_axis(op, "axes", axis, len(shape))
        if stride == 0:
            raise ValueError(f"{op}: strides must not be 0, got {strides}")
        s = _strided_range(start, end, stride, shape[axis])
        if s is None:
            raise ValueError(f"{op}: start {start}, end {end} and stride {stride} select "
                             f"nothing along axis {axis} of size {shape[axis]}")
        key[axis] = s
    return getitem(input, tuple(key))


def _crop(op, x, shape, offsets, minus_one_rest):
    x_shape = shape_of(x)
    rank = len(x_shape)
    if offsets is None:
        offsets = [0] * rank
    offsets = _int_list(op, "offsets", offsets, rank)
    shape = _int_list(op, "shape", shape, rank)
    out = []
    for i, (n, size, offset) in enumerate(zip(x_shape, shape, offsets)):
        if offset < 0:
            raise ValueError(f"{op}: offsets must be >= 0, got {offsets}")
        if size == -1 and minus_one_rest:
            size = n - offset
        if size <= 0:
            raise ValueError(f"{op}: shape entries must be positive (or -1: the rest of the "
                             f"dim), got {shape}")
        if offset + size > n:
            raise ValueError(f"{op}: offsets[{i}] + shape[{i}] = {offset} + {size} exceeds "
                             f"dim {i} of x, of size {n} (x shape {list(x_shape)})")
        out.append(builtins.slice(offset, offset + size))
    return getitem(x, tuple(out))


def crop(x, shape=None, offsets=None, name=None):
    """The block of `x` of size `shape` starting at `offsets` (deprecated in 1.8 for
    crop_tensor).

    shape: a list/tuple of ints (x's rank; -1 takes the rest of that dim) or a Variable whose
    *shape* is used. offsets: list/tuple of ints (or shape-[1] Variables) or a 1-D Variable;
    None means zeros. Raises ValueError when the block leaves x (1.8.5 reads past the end).

        y = fluid.layers.crop(x, shape=[2, 2], offsets=[0, 1])
    """
    check_tensor("crop", "x", x)
    if isinstance(shape, (Variable, np.ndarray)):
        shape = list(shape_of(shape))
    elif not isinstance(shape, (list, tuple)):
        raise ValueError(f"crop: shape must be a list, tuple or Variable, got {shape!r}")
    return _crop("crop", x, shape, offsets, True)


def crop_tensor(x, shape=None, offsets=None, name=None):
    """The block of `x` of size `shape` starting at `offsets`.

    shape: list/tuple of ints or shape-[1] Variables, or a 1-D integer Variable of *values*;
    -1 means x.shape[i] - offsets[i]; 0 and other negatives are errors. offsets: likewise, >= 0,
    None means zeros. Raises TypeError/ValueError for bad entries or a block that leaves x.

        y = fluid.layers.crop_tensor(x, shape=[-1, 2, 3], offsets=[0, 1, 0])
    """
    check_tensor("crop_tensor", "x", x)
    if not isinstance(shape, (list, tuple, Variable)):
        raise TypeError(f"crop_tensor: shape must be a list, tuple or Variable, got {shape!r}")
    if not isinstance(offsets, (list, tuple, Variable, type(None))):
        raise TypeError(f"crop_tensor: offsets must be a list, tuple, Variable or None, got "
                        f"{offsets!r}")
    return _crop("crop_tensor", x, shape, offsets, True)


def expand_as(x, target_tensor, name=None):
    """Tile `x` so it takes `target_tensor`'s shape (each target dim a multiple of x's).

        y = fluid.layers.expand_as(x, target)    # x [1, 3], target [4, 6] -> [4, 6]
    """
    check_tensor("expand_as", "x", x)
    check_tensor("expand_as", "target_tensor", target_tensor)
    x_shape, t_shape = shape_of(x), shape_of(target_tensor)
    if len(x_shape) != len(t_shape):
        raise ValueError(f"expand_as: target_tensor must have x's rank; got x {list(x_shape)} "
                         f"and target_tensor {list(t_shape)}")
    if any(t % n for n, t in zip(x_shape, t_shape)):
        raise ValueError(f"expand_as: each dim of target_tensor {list(t_shape)} must be a "
                         f"multiple of x's {list(x_shape)}")
    return expand(x, [t // n for n, t in zip(x_shape, t_shape)])


def reverse(x, axis):
    """`x` with the order of its elements reversed along `axis` (an int or a list of ints).

        y = fluid.layers.reverse(x, axis=[0, 1])
    """
    check_tensor("reverse", "x", x)
    axes = [axis] if isinstance(axis, numbers.Integral) else axis
    if not isinstance(axes, (list, tuple)):
        raise TypeError(f"reverse: axis must be an int or a list of ints, got {axis!r}")
    ndim = len(shape_of(x))
    key = [builtins.slice(None)] * ndim
    for a in axes:
        key[check_axis("reverse", "axis", a, ndim)] = builtins.slice(None, None, -1)
    return getitem(x, tuple(key))


# -- unique, eye, diag: constants ---------------------------------------------------------------


def _constant(array):
    require_dygraph("creating a constant Variable")
    return Variable(array, stop_gradient=True)


def _unique(op, x, dtype):
    check_tensor(op, "x", x, ndim=1, dtypes="fiu")
    if str(np.dtype(dtype) if not isinstance(dtype, str) else dtype) not in ("int32", "int64"):
        raise TypeError(f"{op}: dtype (of the index) must be 'int32' or 'int64', got {dtype!r}")
    values = np.asarray(data_of(x))
    _, first, inverse, counts = np.unique(values, return_index=True, return_inverse=True,
                                          return_counts=True)
    # Paddle 1.8 lists the unique values in order of first appearance, not sorted.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return (_constant(values[first[order]]), _constant(rank[inverse.reshape(-1)].astype(dtype)),
            _constant(counts[order].astype(dtype)))


def unique(x, dtype='int32'):
    """The distinct values of the 1-D `x` in order of first appearance, and for each element
    of x the position of its value among them (`dtype`: int32 or int64). No gradient.

        out, index = fluid.layers.unique(x)
        # x [2, 3, 3, 1, 5, 3] -> out [2, 3, 1, 5], index [0, 1, 1, 2, 3, 1]
    """
    out, index, _ = _unique("unique", x, dtype)
    return out, index


def unique_with_counts(x, dtype='int32'):
    """`unique`, plus how often each distinct value occurs (same dtype as the index).

        out, index, count = fluid.layers.unique_with_counts(x)   # count [1, 3, 1, 1]
    """
    return _unique("unique_with_counts", x, dtype)


def eye(num_rows, num_columns=None, batch_shape=None, dtype='float32'):
    """Identity matrix [num_rows, num_columns] (square when num_columns is None), repeated over
    `batch_shape` (a list of ints, prepended). stop_gradient=True.

        fluid.layers.eye(2, 3, batch_shape=[4])   # shape [4, 2, 3]
    """
    def positive(argument, value):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise TypeError(f"eye: {argument} must be a non-negative int, got {value!r}")
        return int(value)
    rows = positive("num_rows", num_rows)
    columns = rows if num_columns is None else positive("num_columns", num_columns)
    batch = []
    if batch_shape is not None:
        if not isinstance(batch_shape, (list, tuple)):
            raise TypeError(f"eye: batch_shape must be a list of ints, got {batch_shape!r}")
        batch = [positive("batch_shape entries", b) for b in batch_shape]
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"eye: dtype {dtype!r} is not a dtype name such as 'float32'") from None
    matrix = np.eye(rows, columns, dtype=dtype)
    return _constant(np.ascontiguousarray(np.broadcast_to(matrix, batch + [rows, columns])))


def diag(diagonal):
    """Square matrix with the 1-D `diagonal` (Variable or ndarray) on its diagonal and zeros
    elsewhere, same dtype. Differentiable with respect to a Variable diagonal (beyond 1.8).

        fluid.layers.diag(x)   # x [3] -> [3, 3]
    """
    if isinstance(diagonal, np.ndarray):
        diagonal = _constant(diagonal)
    check_tensor("diag", "diagonal", diagonal, ndim=1)
    n = shape_of(diagonal)[0]
    return ScatterAdd((np.arange(n), np.arange(n)), (n, n))(diagonal)


def one_hot_v2(input, depth, allow_out_of_range=False):
    """Paddle 1.8's top-level `fluid.one_hot`: integer indices of any shape -> float32 one-hot
    rows, output shape input.shape + [depth] (no trailing dim of size 1 needed, and an [N, 1]
    input gives [N, 1, depth]). An index outside [0, depth) is a ValueError, or an all-zero row
    with allow_out_of_range=True.

        fluid.one_hot(label, depth=10)   # label [N] -> [N, 10]
    """
    check_tensor("one_hot", "input", input, dtypes="iu")
    return one_hot(unsqueeze(input, [len(shape_of(input))]), depth, allow_out_of_range)
