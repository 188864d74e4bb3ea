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
from minigrad.nn.functional.conv import conv2d, conv2d_transpose  # noqa: F401  (both forms)
from minigrad.ops.pool import pool2d  # noqa: F401
# -- normalisation and dropout (ops/norm.py) --
from minigrad.ops.dropout import dropout  # noqa: F401

# Sections added by the Paddle 1.8 compatibility work: each area's names below its own marker.
# -- math, comparison, logic, reductions --
from minigrad.ops.math import (  # noqa: F401
    acos, asin, atan, cumsum, reduce_prod, multiplex, increment, clip_by_norm)
from minigrad.ops.math import add_n as sum  # noqa: F401  (Paddle's name: a sum of a list)
from minigrad.ops.math import mul_flattened as mul  # noqa: F401  (Paddle's flattening matmul)
from minigrad.ops.logic import (  # noqa: F401
    logical_and, logical_or, logical_xor, logical_not, where, isfinite, has_inf, has_nan,
    reduce_all, reduce_any, shape, size, rank, is_empty)
from minigrad.distributions import (  # noqa: F401
    Normal, Uniform, Categorical, MultivariateNormalDiag)
from minigrad.ops.metrics import mean_iou, auc  # noqa: F401
from minigrad.ops.features import (  # noqa: F401
    fsp_matrix, similarity_focus, add_position_encoding, continuous_value_model)
from minigrad.ops.ids import shard_index, hash  # noqa: F401
from minigrad.ops.python_call import Print, py_func  # noqa: F401

# -- shapes, indexing, padding, rearrangement --
from minigrad.ops.indexing import (  # noqa: F401
    gather_nd, scatter, scatter_nd, scatter_nd_add, strided_slice, crop, crop_tensor, expand_as,
    reverse, unique, unique_with_counts, eye, diag)
from minigrad.ops.padding import pad, pad2d, pad_constant_like  # noqa: F401
from minigrad.ops.rearrange import (  # noqa: F401
    space_to_depth, pixel_shuffle, shuffle_channel, temporal_shift, unfold)

# -- activations and losses --
from minigrad.ops.activation import (  # noqa: F401
    hard_swish, hard_shrink, softshrink, tanh_shrink, thresholded_relu, brelu, soft_relu, stanh,
    selu, logsigmoid, maxout)
from minigrad.nn.functional.activation import prelu  # noqa: F401
from minigrad.ops.loss import (  # noqa: F401
    huber_loss, smooth_l1, kldiv_loss, bpr_loss, rank_loss, margin_rank_loss, npair_loss,
    dice_loss, sigmoid_focal_loss, teacher_student_sigmoid_loss, cos_sim)
from minigrad.ops.sampled_loss import sampled_softmax_with_cross_entropy  # noqa: F401
from minigrad.nn.functional.loss import center_loss, hsigmoid, nce  # noqa: F401

# -- normalisation functions --
from minigrad.nn.functional.norm import (  # noqa: F401
    layer_norm, group_norm, instance_norm, batch_norm, data_norm, spectral_norm)
from minigrad.ops.norm import l2_normalize, lrn, affine_channel  # noqa: F401

# -- image ops: resize, sampling grids, pooling --
from minigrad.ops.resize import (  # noqa: F401
    image_resize, resize_bilinear, resize_trilinear, resize_nearest, image_resize_short)
from minigrad.ops.grid import affine_grid, grid_sampler  # noqa: F401
from minigrad.ops.pool_nd import adaptive_pool2d, adaptive_pool3d, pool3d  # noqa: F401

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

# -- control flow as dygraph runs it, functional learning-rate schedules, sequence_mask --
from minigrad.ops.creation import sequence_mask  # noqa: F401,E402
from minigrad.ops.control_flow import (  # noqa: F401,E402
    cond, case, switch_case, while_loop, create_array, array_write, array_read, array_length,
    tensor_array_to_tensor, autoincreased_step_counter)
from minigrad.optimizer.lr_functions import (  # noqa: F401,E402
    piecewise_decay, noam_decay, exponential_decay, natural_exp_decay, inverse_time_decay,
    polynomial_decay, cosine_decay, linear_lr_warmup)
# -- end of the compatibility sections --

from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid.layers", "minigrad.layers")
