"""Paddle 1.8's integer-id transforms: `shard_index` and `hash` (xxHash64, bit-exact with 1.8.5).

    shard = fluid.layers.shard_index(label, index_num=20, nshards=2, shard_id=0)
"""

import numpy as np

from minigrad.core.checks import check_int, check_tensor, data_of, shape_of
from minigrad.core.op import NoGradient

__all__ = ["shard_index", "hash"]


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
