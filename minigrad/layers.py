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

# -- activations and losses --

# -- normalisation functions --

# -- image ops: resize, sampling grids, pooling --

# -- random ops, creation, RNN building blocks, distributions, learning-rate schedules --
from minigrad.ops.random import (  # noqa: F401
    uniform_random, gaussian_random, uniform_random_batch_size_like,
    gaussian_random_batch_size_like, sampling_id, random_crop)
from minigrad.ops.creation import (  # noqa: F401
    fill_constant_batch_size_like, create_global_var, create_tensor)
from minigrad.nn.functional.common import (  # noqa: F401
    create_parameter, fc, embedding, bilinear_tensor_product, row_conv)
from minigrad.nn.functional.rnn import (  # noqa: F401
    gru_unit, lstm_unit, RNNCell, GRUCell, LSTMCell, rnn, gather_tree)
from minigrad.nn.functional.decode import (  # noqa: F401
    Decoder, BeamSearchDecoder, dynamic_decode)

# -- end of the compatibility sections --
