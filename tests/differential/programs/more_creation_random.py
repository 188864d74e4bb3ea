# fluid.layers creation, random and parameter-owning functions. Random ops are compared by
# shape, dtype and range only (the two frameworks draw different numbers by design).
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op, catch

rng = np.random.RandomState(43)
L = fluid.layers


def u(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape).astype("float32")


def attr(array):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(array))


def summary(name, variable, low=None, high=None):
    """Report what a random op must agree on: shape, dtype, stop_gradient and the range."""
    values = variable.numpy()
    report(name + ".shape", list(variable.shape))
    report(name + ".dtype", str(values.dtype))
    report(name + ".stop_gradient", bool(variable.stop_gradient))
    report(name + ".finite", bool(np.isfinite(values).all()))
    if low is not None:
        report(name + ".in_range", bool(((values >= low) & (values < high)).all()))


with fluid.dygraph.guard():
    # -- creation --
    x53 = fluid.dygraph.to_variable(u(5, 3))
    report("fill_constant_batch_size_like", L.fill_constant_batch_size_like(
        x53, shape=[-1, 4], dtype="float32", value=2.5))
    report("fill_constant_batch_size_like_dims", L.fill_constant_batch_size_like(
        x53, shape=[2, -1, 6], dtype="int64", value=7, input_dim_idx=1, output_dim_idx=1))
    report("fill_constant_batch_size_like_float64", L.fill_constant_batch_size_like(
        x53, shape=[1, 2], dtype="float64", value=-0.5))

    weight = L.create_parameter([3, 4], "float32", attr=attr(u(3, 4)))
    report("create_parameter", weight)
    report("create_parameter.trainable", bool(weight.trainable))
    report("create_parameter.persistable", bool(weight.persistable))
    report("create_parameter_constant", L.create_parameter(
        [2, 3], "float64", default_initializer=fluid.initializer.Constant(0.5)))
    report("create_parameter_bias", L.create_parameter([4], "float32", is_bias=True))
    named = L.create_parameter([2], "float32", name="my_param",
                               default_initializer=fluid.initializer.Constant(1.0))
    report("create_parameter_name", named.name)
    report_op("create_parameter_grad", lambda x: L.matmul(x, weight), u(2, 3))
    report("create_parameter_grad.weight", weight.gradient())

    glob = L.create_global_var(shape=[2, 3], value=1.5, dtype="float32", persistable=True)
    report("create_global_var", glob)
    report("create_global_var.persistable", bool(glob.persistable))
    report("create_global_var_int", L.create_global_var([4], value=3, dtype="int32"))

    # -- random: shapes, dtypes, ranges --
    summary("uniform_random", L.uniform_random([3, 4], min=-2.0, max=3.0), -2.0, 3.0)
    summary("uniform_random_seed", L.uniform_random([2, 5], min=0.0, max=1.0, seed=7), 0.0,
            1.0)
    summary("uniform_random_shape_variable", L.uniform_random(
        fluid.dygraph.to_variable(np.array([2, 3], "int64"))), -1.0, 1.0)
    summary("uniform_random_shape_mixed", L.uniform_random(
        [fluid.dygraph.to_variable(np.array([3], "int32")), 2], min=5.0, max=6.0), 5.0, 6.0)
    summary("uniform_random_float64", L.uniform_random([2, 2], dtype="float64"), -1.0, 1.0)
    seeded = [L.uniform_random([6], seed=11).numpy() for _ in range(2)]
    report("uniform_random_same_seed_repeats", bool(np.array_equal(*seeded)))
    summary("gaussian_random", L.gaussian_random([4, 3], mean=1.0, std=2.0))
    summary("gaussian_random_float64", L.gaussian_random([3], dtype="float64"))
    summary("gaussian_random_seed", L.gaussian_random([2, 2], seed=5))
    big = L.gaussian_random([2000], mean=3.0, std=0.5).numpy()
    report("gaussian_random_mean_near", bool(abs(big.mean() - 3.0) < 0.1))
    report("gaussian_random_std_near", bool(abs(big.std() - 0.5) < 0.1))

    probs = np.array([[0.1, 0.2, 0.7], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.3, 0.3, 0.4]],
                     "float32")
    ids = L.sampling_id(fluid.dygraph.to_variable(probs))
    summary("sampling_id", ids)
    report("sampling_id.in_range", bool(((ids.numpy() >= 0) & (ids.numpy() < 3)).all()))
    report("sampling_id.certain_rows", ids.numpy()[1:3].astype("int64"))
    summary("sampling_id_int64", L.sampling_id(fluid.dygraph.to_variable(probs),
                                               dtype="int64"))

    # -- fc --
    w1, w2, b = u(3, 4), u(6, 4), u(4)
    report_op("fc", lambda x: L.fc(x, size=4, param_attr=attr(w1), bias_attr=attr(b)), u(5, 3))
    report_op("fc_list", lambda x, y: L.fc([x, y], size=4, param_attr=[attr(w1), attr(w2)],
                                           bias_attr=attr(b), act="tanh"), u(5, 3), u(5, 2, 3))
    report_op("fc_num_flatten_dims2", lambda x: L.fc(
        x, size=4, num_flatten_dims=2, param_attr=attr(w1), bias_attr=False), u(2, 5, 3))
    report_op("fc_num_flatten_dims1_4d", lambda x: L.fc(
        x, size=4, num_flatten_dims=1, param_attr=attr(w2), bias_attr=attr(b),
        act="relu"), u(3, 2, 3, 1))

    # -- embedding (lookup_table: last dim 1) and fluid.embedding (appends the width) --
    table = u(6, 3)
    ids_col = fluid.dygraph.to_variable(np.array([[0], [2], [5], [2]], "int64"))
    ids_2d = fluid.dygraph.to_variable(np.array([[1, 3, 5], [0, 0, 4]], "int64"))
    report("embedding", L.embedding(ids_col, size=[6, 3], param_attr=attr(table)))
    report("embedding_padding_idx", L.embedding(ids_col, size=[6, 3], padding_idx=2,
                                                param_attr=attr(table)))
    report("embedding_padding_idx_negative", L.embedding(
        ids_col, size=[6, 3], padding_idx=-1, param_attr=attr(table)))
    report("embedding_3d", L.embedding(
        fluid.dygraph.to_variable(np.array([[[1], [4]], [[3], [3]]], "int64")), size=[6, 3],
        param_attr=attr(table)))
    report("fluid_embedding", fluid.embedding(ids_2d, size=[6, 3], param_attr=attr(table)))
    report("fluid_embedding_padding_idx", fluid.embedding(
        ids_2d, size=[6, 3], padding_idx=0, param_attr=attr(table)))
    # (1.8.5's NumpyArrayInitializer takes float32 only.)
    report("fluid_embedding_float64", fluid.embedding(
        ids_2d, size=[6, 3], dtype="float64",
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.Constant(0.25))))

    # -- bilinear_tensor_product, row_conv --
    bw, bb = u(2, 3, 4), u(1, 2)
    report_op("bilinear_tensor_product", lambda x, y: L.bilinear_tensor_product(
        x, y, size=2, param_attr=attr(bw), bias_attr=attr(bb)), u(5, 3), u(5, 4))
    report_op("bilinear_tensor_product_act", lambda x, y: L.bilinear_tensor_product(
        x, y, size=2, act="sigmoid", param_attr=attr(bw), bias_attr=False), u(5, 3), u(5, 4))
    report_op("row_conv", lambda x: L.row_conv(x, future_context_size=2,
                                               param_attr=attr(u(3, 4))), u(2, 5, 4))
    report_op("row_conv_act", lambda x: L.row_conv(x, future_context_size=1,
                                                   param_attr=attr(u(2, 4)), act="relu"),
              u(3, 4, 4))

    # -- one_hot, fluid.one_hot, sequence_mask --
    labels_col = fluid.dygraph.to_variable(np.array([[1], [0], [3]], "int64"))
    labels = fluid.dygraph.to_variable(np.array([[1, 2], [0, 3]], "int64"))
    report("layers_one_hot", L.one_hot(labels_col, depth=4))
    report("fluid_one_hot", fluid.one_hot(labels, depth=4))
    report("fluid_one_hot_col", fluid.one_hot(labels_col, depth=5))
    report("fluid_one_hot_out_of_range", fluid.one_hot(
        fluid.dygraph.to_variable(np.array([1, 7], "int64")), depth=4,
        allow_out_of_range=True))
    with catch("fluid_one_hot_out_of_range_refused"):
        fluid.one_hot(fluid.dygraph.to_variable(np.array([1, 7], "int64")), depth=4).numpy()
    lengths = fluid.dygraph.to_variable(np.array([3, 1, 0, 4], "int64"))
    report("sequence_mask", L.sequence_mask(lengths))
    report("sequence_mask_maxlen", L.sequence_mask(lengths, maxlen=6, dtype="float32"))
    # Float lengths, as 1.8's own sequence_mask example feeds them: maxlen = int(max(x)).
    float_lengths = fluid.dygraph.to_variable(np.array([2.7, 1.2, 0.0], "float32"))
    report("sequence_mask_float_lengths", L.sequence_mask(float_lengths))
    report("sequence_mask_float_lengths_maxlen", L.sequence_mask(float_lengths, maxlen=4,
                                                                 dtype="float32"))
    report("sequence_mask_2d", L.sequence_mask(
        fluid.dygraph.to_variable(np.array([[1, 2], [0, 3]], "int32")), maxlen=3,
        dtype="int32"))

    # -- edge cases --
    report("fill_constant_batch_size_like_bool", L.fill_constant_batch_size_like(
        x53, shape=[-1, 2], dtype="bool", value=1))
    report("fill_constant_batch_size_like_int_value_float", L.fill_constant_batch_size_like(
        x53, shape=[-1], dtype="float32", value=3))
    # (1.8.5 reads a maxlen Variable as int32.)
    report("sequence_mask_maxlen_variable", L.sequence_mask(
        lengths, maxlen=fluid.dygraph.to_variable(np.array([5], "int32"))))
    report("sequence_mask_bool", L.sequence_mask(lengths, maxlen=3, dtype="bool"))
    report("layers_one_hot_int32", L.one_hot(
        fluid.dygraph.to_variable(np.array([[2], [0]], "int32")), depth=3))
    report("layers_one_hot_out_of_range", L.one_hot(
        fluid.dygraph.to_variable(np.array([[2], [5]], "int64")), depth=3,
        allow_out_of_range=True))
    report("embedding_is_sparse", L.embedding(ids_col, size=[6, 3], is_sparse=True,
                                              param_attr=attr(table)))
    report_op("fc_float64", lambda x: L.fc(x, size=2, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.Constant(0.5)), bias_attr=False), u(3, 3).astype("float64"))
    report_op("bilinear_tensor_product_size1", lambda x, y: L.bilinear_tensor_product(
        x, y, size=1, param_attr=attr(u(1, 3, 2)), bias_attr=attr(u(1, 1))), u(4, 3), u(4, 2))
    report_op("row_conv_future0", lambda x: L.row_conv(x, future_context_size=0,
                                                       param_attr=attr(u(1, 4))), u(2, 3, 4))
    report_op("row_conv_long_context", lambda x: L.row_conv(
        x, future_context_size=5, param_attr=attr(u(6, 4))), u(2, 3, 4))

    # -- bad input: both must raise --
    as_var = fluid.dygraph.to_variable
    with catch("fc_bad_size"):
        L.fc(as_var(u(2, 3)), size=0)
    with catch("fc_param_attr_count"):
        L.fc([as_var(u(2, 3)), as_var(u(2, 3))], size=2, param_attr=[attr(w1)] * 3)
    with catch("embedding_float_ids"):
        L.embedding(as_var(u(3, 1)), size=[6, 3])
    with catch("embedding_padding_idx_too_big"):
        L.embedding(ids_col, size=[6, 3], padding_idx=6).numpy()
    with catch("one_hot_float_input"):
        fluid.one_hot(as_var(u(3)), depth=4)
    with catch("sequence_mask_bool_input"):
        L.sequence_mask(as_var(np.array([True, False])), maxlen=4).numpy()
    with catch("create_parameter_bad_dtype"):
        L.create_parameter([2], "float32x")
    with catch("uniform_random_bad_shape_type"):
        L.uniform_random("3, 4")
    with catch("gaussian_random_bad_dtype"):
        L.gaussian_random([2], dtype="int64")
    with catch("sampling_id_1d"):
        L.sampling_id(as_var(np.array([0.5, 0.5], "float32"))).numpy()
    report("done", True)
