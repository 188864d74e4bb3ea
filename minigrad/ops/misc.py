"""Paddle 1.8's special-purpose ops on dense tensors: `fsp_matrix`, `similarity_focus`,
`add_position_encoding`, `shard_index`, `hash`, `continuous_value_model`, `Print`, `py_func`.

fsp_matrix and add_position_encoding are compositions (their gradients follow); similarity_focus,
shard_index and hash compute constants; continuous_value_model keeps Paddle's own gradient rule
(see its docstring); Print and py_func run Python code at forward (and backward) time.

    loss = fluid.layers.fsp_matrix(feature_a, feature_b)
    h = fluid.layers.Print(h, message="hidden:")
"""
import weakref

import numpy as np

from minigrad.core.checks import (check_int, check_number, check_tensor, check_type, data_of,
                                  shape_of)
from minigrad.core.op import NoGradient, Op
from minigrad.core.variable import Variable
from minigrad.ops.math import matmul_nd, swap_last
from minigrad.ops.shape import concat, getitem, reshape

__all__ = ["fsp_matrix", "similarity_focus", "add_position_encoding", "shard_index", "hash",
           "continuous_value_model", "Print", "py_func"]


# -- fsp_matrix ------------------------------------------------------------------------------


def fsp_matrix(x, y):
    """The FSP (flow of solution procedure) matrix of two feature maps.

    x: [N, C1, H, W], y: [N, C2, H, W] (float, same N, H, W).
    Returns [N, C1, C2]: out[n, i, j] = mean over the H*W positions of x[n, i] * y[n, j].

        loss = fluid.layers.fsp_matrix(feature_map_0, feature_map_1)
    """
    check_tensor("fsp_matrix", "x", x, ndim=4, dtypes="f")
    check_tensor("fsp_matrix", "y", y, ndim=4, dtypes="f")
    (n, c1, h, w), (n2, c2, h2, w2) = shape_of(x), shape_of(y)
    if (n, h, w) != (n2, h2, w2):
        raise ValueError(f"fsp_matrix: x of shape {[n, c1, h, w]} and y of shape "
                         f"{[n2, c2, h2, w2]} must agree in every dim except the channels")
    product = matmul_nd(reshape(x, [n, c1, h * w]), swap_last(reshape(y, [n, c2, h * w])))
    return product * (1.0 / (h * w))


# -- similarity_focus ------------------------------------------------------------------------


def _focus_mask(x, axis, indexes):
    mask = np.zeros_like(x)
    for i in range(x.shape[0]):
        for index in indexes:
            plane = np.take(x[i], index, axis=axis - 1)       # the two other dims
            rows, cols = plane.shape
            # Largest first; equal values keep row-major order (Paddle's sort is not stable).
            order = np.argsort(-plane.ravel(), kind="stable")
            used_rows, used_cols, picked = set(), set(), 0
            for flat in order.tolist():
                r, c = divmod(flat, cols)
                if r in used_rows or c in used_cols:
                    continue
                used_rows.add(r)
                used_cols.add(c)
                where = [slice(None)] * 3
                others = [d for d in range(3) if d != axis - 1]
                where[others[0]], where[others[1]] = r, c
                mask[i][tuple(where)] = 1
                picked += 1
                if picked == min(rows, cols):
                    break
    return mask


def similarity_focus(input, axis, indexes, name=None):
    """A 0/1 mask of input's shape marking, for each selected slice, its largest entries with at
    most one per row and column (the Similarity Focus Layer of He and Lin, 2016).

    input:   float [N, A, B, C].
    axis:    1, 2 or 3: the dim `indexes` select along.
    indexes: a non-empty list of ints in [0, input.shape[axis]).
    For each n and index, the 2-D slice input[n, ..index.., ...] is scanned from its largest value
    down; a value is taken when its row and column are still free, until min(rows, cols) are
    taken; each taken (row, col) is set to 1 across the whole `axis` dim. The masks of all
    indexes are or-ed. Equal values are taken in row-major order. No gradient.

        mask = fluid.layers.similarity_focus(x, axis=1, indexes=[0])
    """
    check_tensor("similarity_focus", "input", input, ndim=4, dtypes="f")
    check_type("similarity_focus", "axis", axis, int, "an int")
    check_type("similarity_focus", "indexes", indexes, list, "a list of ints")
    if axis not in (1, 2, 3):
        raise ValueError(f"similarity_focus: axis must be 1, 2 or 3, got {axis}")
    if not indexes:
        raise ValueError("similarity_focus: indexes can not be empty")
    size = shape_of(input)[axis]
    for index in indexes:
        check_int("similarity_focus", "indexes", index)
        if not 0 <= index < size:
            raise ValueError(f"similarity_focus: indexes must lie in [0, {size}) (dim {axis} of "
                             f"input of shape {list(shape_of(input))}), got {index}")
    return NoGradient(lambda x: _focus_mask(x, axis, [int(i) for i in indexes]))(input)


# -- add_position_encoding -------------------------------------------------------------------


def _position_encoding(length, size, dtype):
    half = size // 2
    positions = np.arange(length, dtype=np.float64)[:, None]
    if half > 1:
        angles = positions / np.power(10000.0, np.arange(half) / (half - 1))
    else:
        angles = positions / 10000.0
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(dtype)


def add_position_encoding(input, alpha, beta, name=None):
    """alpha * input + beta * PE, PE the sinusoidal position encoding of "Attention Is All You
    Need" laid out as Paddle 1.8 does: the first half of the features sines, the second cosines.

    input: float [N, M, P], P even (M positions, P features); with half = P / 2 and k < half,
    PE[pos, k] = sin(pos / 10000 ** (k / (half - 1))), PE[pos, half + k] = cos(same)
    (pos / 10000 when half is 1). Differentiable in input (the gradient is alpha).

        out = fluid.layers.add_position_encoding(x, alpha=1.0, beta=1.0)
    """
    check_tensor("add_position_encoding", "input", input, ndim=3, dtypes="f")
    alpha = check_number("add_position_encoding", "alpha", alpha)
    beta = check_number("add_position_encoding", "beta", beta)
    _, length, size = shape_of(input)
    if size % 2:
        raise ValueError(f"add_position_encoding: the feature size (last dim) must be even, got "
                         f"{size}")
    dtype = data_of(input).dtype
    encoding = _position_encoding(length, size, dtype) * dtype.type(beta)
    return input * alpha + encoding


# -- shard_index -----------------------------------------------------------------------------


def shard_index(input, index_num, nshards, shard_id, ignore_value=-1):
    """Indices re-based to one shard of [0, index_num) cut into `nshards` equal parts.

    shard_size = ceil(index_num / nshards); each x becomes x % shard_size when x lies in shard
    `shard_id` (x // shard_size == shard_id), else `ignore_value`.
    input: an int tensor of at least 2 dims (e.g. labels [N, 1]) with values in [0, index_num).
    Raises ValueError for a shard_id outside [0, nshards) or values outside [0, index_num).

        fluid.layers.shard_index(label, index_num=20, nshards=2, shard_id=0)
    """
    check_tensor("shard_index", "input", input, dtypes="iu")
    if len(shape_of(input)) < 2:
        raise ValueError(f"shard_index: input must have at least 2 dims (e.g. [N, 1]), got shape "
                         f"{list(shape_of(input))}")
    index_num = check_int("shard_index", "index_num", index_num, 1)
    nshards = check_int("shard_index", "nshards", nshards, 1)
    shard_id = check_int("shard_index", "shard_id", shard_id)
    ignore_value = check_int("shard_index", "ignore_value", ignore_value)
    if not 0 <= shard_id < nshards:
        raise ValueError(f"shard_index: shard_id ({shard_id}) should be in [0, {nshards})")
    values = np.asarray(data_of(input))
    if values.size and (values.min() < 0 or values.max() >= index_num):
        raise ValueError(f"shard_index: input values must lie in [0, {index_num}), got range "
                         f"[{values.min()}, {values.max()}]")
    shard_size = (index_num + nshards - 1) // nshards

    def compute(x):
        return np.where(x // shard_size == shard_id, x % shard_size, ignore_value).astype(x.dtype)
    return NoGradient(compute)(input)


# -- hash (xxHash64, as Paddle 1.8 uses it) --------------------------------------------------

_MASK = (1 << 64) - 1
_P1, _P2, _P3 = 11400714785074694791, 14029467366897019727, 1609587929392839161
_P4, _P5 = 9650029242287828579, 2870177450012600261


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & _MASK


def _round(acc, lane):
    return (_rotl((acc + lane * _P2) & _MASK, 31) * _P1) & _MASK


def _xxh64(data, seed):
    """XXH64 of `data` (bytes) with `seed`, following the xxHash specification (v0.6.5)."""
    n, i = len(data), 0

    def lane(at, width=8):
        return int.from_bytes(data[at:at + width], "little")
    if n >= 32:
        v = [(seed + _P1 + _P2) & _MASK, (seed + _P2) & _MASK, seed, (seed - _P1) & _MASK]
        while i + 32 <= n:
            v = [_round(acc, lane(i + 8 * k)) for k, acc in enumerate(v)]
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _MASK
        for acc in v:
            h = ((h ^ _round(0, acc)) * _P1 + _P4) & _MASK
    else:
        h = (seed + _P5) & _MASK
    h = (h + n) & _MASK
    while i + 8 <= n:
        h = (_rotl(h ^ _round(0, lane(i)), 27) * _P1 + _P4) & _MASK
        i += 8
    if i + 4 <= n:
        h = (_rotl(h ^ ((lane(i, 4) * _P1) & _MASK), 23) * _P2 + _P3) & _MASK
        i += 4
    while i < n:
        h = (_rotl(h ^ ((data[i] * _P5) & _MASK), 11) * _P1) & _MASK
        i += 1
    h = ((h ^ (h >> 33)) * _P2) & _MASK
    h = ((h ^ (h >> 29)) * _P3) & _MASK
    return h ^ (h >> 32)


def hash(input, hash_size, num_hash=1, name=None):
    """Hash each row of a 2-D int tensor `num_hash` times into [0, hash_size).

    input: int32/int64 [N, D]; row r's D values (their bytes, little-endian) are hashed with
    xxHash64 seeded 0, 1, ..., num_hash - 1, each result taken modulo hash_size.
    Returns [N, num_hash, 1] of input's dtype, bit for bit Paddle 1.8's values. No gradient.

        ids = fluid.layers.hash(words, hash_size=1000, num_hash=4)
    """
    check_tensor("hash", "input", input, ndim=2, dtypes="iu")
    hash_size = check_int("hash", "hash_size", hash_size, 1)
    num_hash = check_int("hash", "num_hash", num_hash, 1)

    def compute(x):
        rows = np.ascontiguousarray(x).astype(x.dtype.newbyteorder("<"), copy=False)
        out = [[[_xxh64(row.tobytes(), seed) % hash_size] for seed in range(num_hash)]
               for row in rows]
        return np.array(out, dtype=np.uint64).astype(x.dtype).reshape(len(rows), num_hash, 1)
    return NoGradient(compute)(input)


# -- continuous_value_model ------------------------------------------------------------------


class ContinuousValueModel(Op):
    """Paddle's cvm op. The forward log-transforms (or drops) the show/click columns; the
    backward is Paddle's rule, not the derivative of the forward: the show/click columns of dX
    receive the `cvm` values themselves (so a CTR embedding table learns its show and click
    counts), and the other columns pass dY through."""

    def __init__(self, use_cvm):
        self.use_cvm = use_cvm

    def forward(self, x, cvm):
        if not self.use_cvm:
            return x[:, 2:].copy()
        show = np.log(x[:, :1] + 1)
        click = np.log(x[:, 1:2] + 1) - show
        return np.concatenate([show, click, x[:, 2:]], axis=1)

    def backward(self, gy, x, cvm):
        rest = getitem(gy, (slice(None), slice(2, None))) if self.use_cvm else gy
        return concat([cvm, rest], axis=1), None


def continuous_value_model(input, cvm, use_cvm=True):
    """Paddle's CTR show/click transform of embeddings whose first two columns are show, click.

    input: float [N, D] (D >= 2); cvm: float [N, 2] (the show and click values).
    use_cvm=True:  out [N, D] = [log(show + 1), log(click + 1) - log(show + 1), input[:, 2:]].
    use_cvm=False: out [N, D - 2] = input[:, 2:].
    Gradient (Paddle's rule, kept for CTR training): d input[:, :2] = cvm, d input[:, 2:] = the
    incoming gradient of those columns. cvm gets no gradient.

        emb = fluid.layers.continuous_value_model(emb, show_click, True)
    """
    check_tensor("continuous_value_model", "input", input, ndim=2, dtypes="f")
    check_tensor("continuous_value_model", "cvm", cvm, ndim=2, dtypes="f")
    n, d = shape_of(input)
    if d < 2 or tuple(shape_of(cvm)) != (n, 2):
        raise ValueError(f"continuous_value_model: input must be [N, D] with D >= 2 and cvm "
                         f"[N, 2]; got {[n, d]} and {list(shape_of(cvm))}")
    return ContinuousValueModel(bool(use_cvm))(input, cvm)


# -- Print -----------------------------------------------------------------------------------


def _describe(values, name, message, summarize, show_name, show_type, show_shape):
    lines = [f"{message}\t" if message else ""]
    if show_name:
        lines[0] += f"Tensor[{name}]"
    if show_shape:
        lines.append(f"\tshape: [{','.join(str(n) for n in values.shape)},]")
    if show_type:
        lines.append(f"\tdtype: {values.dtype}")
    flat = values.ravel()
    if summarize >= 0:
        flat = flat[:summarize]
    lines.append("\tdata: " + "".join(f"{v}," for v in flat.tolist()))
    return "\n".join(line for line in lines if line)


class PrintOp(Op):
    """The identity, printing its input in forward and its gradient in backward."""

    def __init__(self, name, message, summarize, flags, phase):
        self.name = name
        self.message = message
        self.summarize = summarize
        self._flags = flags
        self.phase = phase

    def forward(self, x):
        if self.phase in ("FORWARD", "BOTH"):
            print(_describe(x, self.name, self.message, self.summarize, *self._flags))
        return x.copy()

    def backward(self, gy, x):
        if self.phase in ("BACKWARD", "BOTH"):
            print(_describe(data_of(gy), self.name + "@GRAD", self.message, self.summarize,
                            *self._flags))
        return gy


def Print(input, first_n=-1, message=None, summarize=20, print_tensor_name=True,
          print_tensor_type=True, print_tensor_shape=True, print_tensor_lod=True,
          print_phase='both'):
    """Print `input` (and, in backward, its gradient) and return a copy of it to use onwards.

    message: a prefix; summarize: how many elements to print (-1: all); print_tensor_name /
    _type / _shape: which lines to print; print_phase: 'forward', 'backward' or 'both' (the
    gradient is printed when a backward reaches the returned Variable). print_tensor_lod and
    first_n are accepted; in dygraph every call is a new op, so first_n never stops a print.
    (Paddle 1.8.5 refused Print in dygraph mode; its docs describe this behaviour.)

        h = fluid.layers.Print(h, message="hidden:", summarize=5)
    """
    check_tensor("Print", "input", input, dtypes="biuf")
    summarize = check_int("Print", "summarize", summarize, -1)
    check_type("Print", "print_phase", print_phase, str, "'forward', 'backward' or 'both'")
    phase = print_phase.upper()
    if phase not in ("FORWARD", "BACKWARD", "BOTH"):
        raise ValueError(f"Print: print_phase must be 'forward', 'backward' or 'both', got "
                         f"{print_phase!r}")
    name = input.name if isinstance(input, Variable) else "ndarray"
    flags = (bool(print_tensor_name), bool(print_tensor_type), bool(print_tensor_shape))
    return PrintOp(name, message or "", summarize, flags, phase)(input)


# -- py_func ---------------------------------------------------------------------------------


class PyFunc(Op):
    """A Python function as an op: `func` on the inputs' arrays in forward, `backward_func` (if
    any) on the inputs, outputs and output gradients in backward. Its gradients are constants
    (a second derivative through a py_func is not available)."""
    multiple_outputs = True

    def __init__(self, func, backward_func, out_dtypes, skip):
        self._func = func
        self._backward_func = backward_func
        self._out_dtypes = out_dtypes
        self._skip = skip      # (input positions, output positions) left out of backward_func
        self.differentiable = backward_func is not None

    def forward(self, *xs):
        result = self._func(*xs)
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(results) != len(self._out_dtypes):
            raise ValueError(f"py_func: func returned {len(results)} value(s) for "
                             f"{len(self._out_dtypes)} out Variable(s)")
        return tuple(np.array(r, dtype=dtype) for r, dtype in zip(results, self._out_dtypes))

    def backward(self, gys, *xs):
        skip_in, skip_out = self._skip
        outs = [data_of(self.output(i)) for i in range(len(self._out_dtypes))]
        args = [data_of(x) for i, x in enumerate(xs) if i not in skip_in]
        args += [o for i, o in enumerate(outs) if i not in skip_out]
        args += [None if g is None else data_of(g) for g in gys]
        grads = self._backward_func(*args)
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        if len(grads) != len(xs):
            raise ValueError(f"py_func: backward_func returned {len(grads)} gradient(s) for "
                             f"{len(xs)} input(s); return None for an input without one")
        return tuple(None if g is None else np.array(g, dtype=data_of(x).dtype).reshape(
            shape_of(x)) for g, x in zip(grads, xs))


def _variables(argument, value):
    if value is None:
        return []
    values = [value] if isinstance(value, Variable) else value
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, Variable) for v in values):
        raise TypeError(f"py_func: {argument} must be a Variable, a list/tuple of Variables or "
                        f"None, got {type(value).__name__}")
    return list(values)


def py_func(func, x, out, backward_func=None, skip_vars_in_backward_input=None):
    """Run a Python function as an op.

    func:  called with the ndarrays of `x`; returns one array per `out` Variable (or None
           when out is None: a function run for its side effects, such as printing).
    x:     a Variable, a list/tuple of Variables, or None.
    out:   Variables created beforehand (e.g. with fluid.layers.zeros); after the call they hold
           func's results (cast to their dtypes) and are returned (as given: one or a list).
    backward_func: called with the arrays of x, then out, then out's gradients (None where an
           output got none), minus the Variables in skip_vars_in_backward_input; returns one
           gradient per x (None for no gradient). Without it, the outputs have no gradient.
    (Paddle 1.8.5 failed on py_func in dygraph mode; this follows its documentation.)

        y = fluid.layers.zeros([2, 3], "float32")
        y = fluid.layers.py_func(np.tanh, x, y, backward_func=lambda y, dy: dy * (1 - y * y),
                                 skip_vars_in_backward_input=x)
    """
    if not callable(func):
        raise TypeError(f"py_func: func must be callable, got {type(func).__name__}")
    if backward_func is not None and not callable(backward_func):
        raise TypeError(f"py_func: backward_func must be callable or None, got "
                        f"{type(backward_func).__name__}")
    inputs, outs = _variables("x", x), _variables("out", out)
    skip_in, skip_out = set(), set()
    if backward_func is not None and skip_vars_in_backward_input is not None:
        for v in _variables("skip_vars_in_backward_input", skip_vars_in_backward_input):
            found_in = [i for i, u in enumerate(inputs) if u is v]
            found_out = [i for i, u in enumerate(outs) if u is v]
            if not found_in and not found_out:
                raise ValueError(f"py_func: skip_vars_in_backward_input has '{v.name}', which is "
                                 "neither in x nor in out")
            skip_in.update(found_in)
            skip_out.update(found_out)
    if not outs:
        func(*[v.data for v in inputs])
        return out
    op = PyFunc(func, backward_func, [v.data.dtype for v in outs], (skip_in, skip_out))
    produced = op(*inputs) if inputs else None
    if produced is None:     # no input Variable: nothing to record
        produced = [Variable(a, stop_gradient=True) for a in op.forward()]
    # The results go into the caller's `out` Variables (Paddle's contract), which then stand for
    # the op's outputs on the tape.
    for target, result in zip(outs, produced):
        target.data = result.data
        target.stop_gradient = result.stop_gradient
        target.creator = result.creator
    if any(result.creator is not None for result in produced):
        op.outputs = tuple(weakref.ref(target) for target in outs)
    return out
