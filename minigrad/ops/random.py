"""Random tensors under Paddle 1.x `fluid.layers` names: uniform_random, gaussian_random, their
`*_batch_size_like` forms, sampling_id and random_crop.

Every draw comes from minigrad's generator (`minigrad/random.py`): `seed=0` (the default) draws from
the global stream, which `minigrad.seed(n)` makes reproducible; any other seed gives the same
numbers on every call, as in Paddle. Results are constants (`stop_gradient=True`), except
random_crop, whose crop passes gradients to its input.
"""
import numbers

import numpy as np

from minigrad.core.checks import check_number, check_tensor, check_type, shape_of
from minigrad.core.variable import Variable
from minigrad.ops.creation import _constant, _dtype, batch_size_like_shape
from minigrad.ops.shape import getitem, reshape
from minigrad.random import check_seed, generator_for

__all__ = ["uniform_random", "gaussian_random", "uniform_random_batch_size_like",
           "gaussian_random_batch_size_like", "sampling_id", "random_crop"]


def _float_dtype(op, dtype, allowed=("float32", "float64")):
    dtype = _dtype(op, dtype)
    if dtype.name not in allowed:
        raise TypeError(f"{op}: dtype must be one of {', '.join(allowed)}, got {dtype.name}")
    return dtype


def _shape(op, shape):
    """Paddle's `shape` argument: a list/tuple of ints or one-element int Variables, or a 1-D
    int Variable -> a tuple of non-negative ints."""
    if isinstance(shape, Variable):
        if shape.data.dtype.kind not in "iu" or shape.data.ndim != 1:
            raise TypeError(f"{op}: a Variable shape must be a 1-D int32/int64 tensor, got shape "
                            f"{shape.shape} and dtype {shape.data.dtype}")
        shape = shape.data.tolist()
    check_type(op, "shape", shape, (list, tuple), "a list or tuple of ints (or a Variable)")
    dims = []
    for i, dim in enumerate(shape):
        if isinstance(dim, Variable):
            if dim.data.size != 1 or dim.data.dtype.kind not in "iu":
                raise TypeError(f"{op}: shape[{i}] must be an int or a one-element int Variable, "
                                f"got a Variable of shape {dim.shape} and dtype {dim.data.dtype}")
            dim = dim.data.reshape(-1)[0]
        if not isinstance(dim, (numbers.Integral, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"{op}: shape[{i}] must be an int, got {type(dim).__name__} "
                            f"({dim!r})")
        dims.append(int(dim))
    if not dims:
        raise ValueError(f"{op}: shape must have at least one dim, got {list(shape)!r}")
    if min(dims) < 0:
        raise ValueError(f"{op}: shape {dims} has a negative dim; dims must be >= 0")
    return tuple(dims)


def _uniform(op, shape, dtype, low, high, seed):
    low, high = check_number(op, "min", low), check_number(op, "max", high)
    if not low < high:
        raise ValueError(f"{op}: min must be less than max, got min={low} and max={high}")
    rng = generator_for(check_seed(op, seed))
    draw = rng.random(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    values = (low + (high - low) * draw).astype(dtype)
    # Rounding can land a draw just below `high` on `high` itself; Paddle's range is [min, max).
    np.minimum(values, np.nextafter(dtype.type(high), dtype.type(low)), out=values)
    return _constant(values)


def _gaussian(op, shape, dtype, mean, std, seed):
    mean, std = check_number(op, "mean", mean), check_number(op, "std", std)
    if std < 0:
        raise ValueError(f"{op}: std must be >= 0, got {std}")
    rng = generator_for(check_seed(op, seed))
    draw = rng.standard_normal(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    return _constant((mean + std * draw).astype(dtype))


def uniform_random(shape, dtype="float32", min=-1.0, max=1.0, seed=0):
    """Values drawn uniformly from [min, max), of `shape` and `dtype` (float32 or float64).

    shape: a list/tuple of ints (entries may be one-element int Variables) or a 1-D int Variable.
    seed:  0 draws from the global generator; another int gives the same values every call.
    Raises TypeError for a bad shape or dtype, ValueError for a negative dim or min >= max.

        noise = fluid.layers.uniform_random([2, 3], min=0.0, max=1.0)
    """
    dtype = _float_dtype("uniform_random", dtype)
    return _uniform("uniform_random", _shape("uniform_random", shape), dtype, min, max, seed)


def gaussian_random(shape, mean=0.0, std=1.0, seed=0, dtype="float32"):
    """Values drawn from N(mean, std²), of `shape` and `dtype` (float32 or float64).

    shape and seed as in `uniform_random`. Raises ValueError for std < 0.

        z = fluid.layers.gaussian_random([16, 100], std=0.02)
    """
    dtype = _float_dtype("gaussian_random", dtype)
    return _gaussian("gaussian_random", _shape("gaussian_random", shape), dtype, mean, std, seed)


def uniform_random_batch_size_like(input, shape, dtype="float32", input_dim_idx=0,
                                   output_dim_idx=0, min=-1.0, max=1.0, seed=0):
    """`uniform_random` of `shape` with dim `output_dim_idx` replaced by `input`'s dim
    `input_dim_idx` (the batch size, by default). Other dims of `shape` must be >= 0.

        noise = fluid.layers.uniform_random_batch_size_like(x, [-1, 16])   # [x.shape[0], 16]
    """
    op = "uniform_random_batch_size_like"
    dtype = _float_dtype(op, dtype)
    out_shape = batch_size_like_shape(op, input, shape, input_dim_idx, output_dim_idx)
    return _uniform(op, out_shape, dtype, min, max, seed)


def gaussian_random_batch_size_like(input, shape, input_dim_idx=0, output_dim_idx=0, mean=0.0,
                                    std=1.0, seed=0, dtype="float32"):
    """`gaussian_random` of `shape` with dim `output_dim_idx` replaced by `input`'s dim
    `input_dim_idx`; dtype float16, float32 or float64.

        z = fluid.layers.gaussian_random_batch_size_like(x, [-1, 100], std=0.02)
    """
    op = "gaussian_random_batch_size_like"
    dtype = _float_dtype(op, dtype, ("float16", "float32", "float64"))
    out_shape = batch_size_like_shape(op, input, shape, input_dim_idx, output_dim_idx)
    return _gaussian(op, out_shape, dtype, mean, std, seed)


def sampling_id(x, min=0.0, max=1.0, seed=0, dtype="float32"):
    """One id per row of `x` [batch, width], drawn from the row's (unnormalised) weights.

    For each row a number r is drawn uniformly from [min, max); the id is the first j where
    x[0] + ... + x[j] > r, or width - 1 if there is none. With rows of probabilities and the
    default range this samples from each row's distribution.
    Returns int64 ids of shape [batch]. `dtype` is accepted for compatibility: Paddle 1.8.5
    returns int64 whatever it says, and so does minigrad.
    Raises ValueError unless x is 2-D and float, or if min >= max.

        ids = fluid.layers.sampling_id(fluid.layers.softmax(logits))
    """
    check_tensor("sampling_id", "x", x, ndim=2, dtypes="f")
    _dtype("sampling_id", dtype)
    low, high = check_number("sampling_id", "min", min), check_number("sampling_id", "max", max)
    if not low < high:
        raise ValueError(f"sampling_id: min must be less than max, got min={low} and max={high}")
    weights = x.data if isinstance(x, Variable) else x
    batch, width = weights.shape
    rng = generator_for(check_seed("sampling_id", seed))
    r = low + (high - low) * rng.random(batch)
    passed = np.cumsum(weights, axis=1) > r[:, None]
    ids = np.where(passed.any(axis=1), passed.argmax(axis=1), width - 1)
    return _constant(ids.astype(np.int64))


def _crop_generator(seed):
    """The generator for one random_crop call, and a function that advances a seed Variable."""
    if isinstance(seed, Variable):
        if seed.data.size != 1 or seed.data.dtype.kind not in "iu":
            raise TypeError(f"random_crop: a Variable seed must hold one int, got shape "
                            f"{seed.shape} and dtype {seed.data.dtype}")
        rng = np.random.default_rng(abs(int(seed.data.reshape(-1)[0])))

        def advance():
            # Paddle writes the generator's next seed back (SeedOut), so a seed Variable gives
            # a new crop on every call and a reproducible sequence of them.
            seed.data[...] = rng.integers(1, 2 ** 31)
        return rng, advance
    return generator_for(check_seed("random_crop", seed)), lambda: None


def random_crop(x, shape, seed=None):
    """A random window of size `shape` over x's trailing dims, drawn anew for each instance.

    x:     [d0, ..., dn]; the leading len(x.shape) - len(shape) dims are instances.
    shape: sizes of the crop over the last len(shape) dims (fewer dims than x has).
    seed:  None or 0 -> the global generator; an int -> the same crops every call; an int64
           Variable of one element -> used and advanced in place, as in Paddle.
    Returns x's dtype, shape x.shape[:-len(shape)] + shape; gradients flow to the cropped
    entries (beyond Paddle 1.8, whose crop has no gradient).
    Raises ValueError when a crop dim is larger than x's dim or not positive.

        crops = fluid.layers.random_crop(images, shape=[3, 24, 24])   # images [N, 3, 32, 32]
    """
    check_tensor("random_crop", "x", x)
    in_shape = shape_of(x)
    check_type("random_crop", "shape", shape, (list, tuple), "a list of ints")
    if not shape or len(shape) >= len(in_shape) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape):
        raise ValueError(f"random_crop: shape must be a list of 1 to {len(in_shape) - 1} ints "
                         f"(the crop over x's trailing dims) for x of shape {list(in_shape)}, "
                         f"got {shape!r}")
    k = len(shape)
    lead, full = in_shape[:-k], in_shape[-k:]
    if any(not 0 < c <= n for c, n in zip(shape, full)):
        raise ValueError(f"random_crop: crop shape {list(shape)} must be positive and fit in x's "
                         f"trailing dims {list(full)} (x of shape {list(in_shape)})")
    rng, advance = _crop_generator(seed)
    instances = int(np.prod(lead, dtype=np.int64))
    offsets = np.stack([rng.integers(0, n - c + 1, instances) for c, n in zip(shape, full)], 1)
    advance()
    # One fancy index picks every instance's window: instance i, then offset + arange per dim.
    index = [np.arange(instances).reshape((-1,) + (1,) * k)]
    for d, c in enumerate(shape):
        view = [instances] + [1] * k
        view[d + 1] = c
        index.append((offsets[:, d, None] + np.arange(c)).reshape(view))
    flat = reshape(x, [instances] + list(full))
    return reshape(getitem(flat, tuple(index)), list(lead) + [int(c) for c in shape])
