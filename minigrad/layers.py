"""Paddle's `fluid.layers`: the functional ops under their Paddle names (re-exports only)."""
# Arithmetic, matmul, reductions, dtype.
from minigrad.ops.math import (  # noqa: F401
    elementwise_add, elementwise_sub, elementwise_mul, elementwise_div, elementwise_max,
    elementwise_min, elementwise_pow, elementwise_mod, elementwise_floordiv, matmul, mean,
    reduce_sum, reduce_mean, reduce_max, reduce_min, log, abs, cast, less_than, less_equal,
    greater_than, greater_equal, equal, not_equal)
# Shapes and indexing.
from minigrad.ops.shape import (  # noqa: F401
    reshape, transpose, concat, split, slice, squeeze, unsqueeze, stack, unstack, expand, flatten,
    gather)
# -- activations, losses, creation ops (ops/activation.py, ops/loss.py, ops/creation.py) --
from minigrad.ops.activation import (  # noqa: F401
    relu, sigmoid, tanh, softmax, log_softmax, leaky_relu, relu6, elu, gelu, erf, softplus,
    softsign, swish, hard_sigmoid, exp, sqrt, rsqrt, square, pow, clip, scale, reciprocal, sin,
    cos, floor, ceil, round, sign)
from minigrad.ops.loss import (  # noqa: F401
    cross_entropy, softmax_with_cross_entropy, square_error_cost, mse_loss,
    sigmoid_cross_entropy_with_logits, log_loss, label_smooth)
from minigrad.ops.creation import (  # noqa: F401
    fill_constant, zeros, ones, zeros_like, ones_like, linspace, assign, sums, one_hot, argmax,
    argmin, argsort, topk, accuracy)
from minigrad.ops.creation import arange as range  # noqa: F401  (Paddle's name)
# -- convolution and pooling (ops/conv.py, ops/pool.py) --
from minigrad.ops.conv import conv2d, conv2d_transpose  # noqa: F401
from minigrad.ops.pool import pool2d  # noqa: F401
# -- normalisation and dropout (ops/norm.py) --
from minigrad.ops.dropout import dropout  # noqa: F401

# Sections added by the Paddle 1.8 compatibility work: each area's names below its own marker.
# -- math, comparison, logic, reductions --

# -- shapes, indexing, padding, rearrangement --
from minigrad.ops.indexing import (  # noqa: F401
    gather_nd, scatter, scatter_nd, scatter_nd_add, strided_slice, crop, crop_tensor, expand_as,
    reverse, unique, unique_with_counts, eye, diag)
from minigrad.ops.padding import pad, pad2d, pad_constant_like  # noqa: F401
from minigrad.ops.rearrange import (  # noqa: F401
    space_to_depth, pixel_shuffle, shuffle_channel, temporal_shift, unfold)

# -- activations and losses --

# -- normalisation functions --

# -- image ops: resize, sampling grids, pooling --

# -- random ops, creation, RNN building blocks, distributions, learning-rate schedules --

# -- end of the compatibility sections --
