"""Short programs written as Paddle 1.8 users write them, one per part of the compatibility
surface, each asserting numbers. Only the import differs from Paddle (`import minigrad as fluid`
for `import paddle.fluid as fluid`, `minigrad.dygraph` for `paddle.fluid.dygraph`)."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.dygraph import Linear, to_variable    # from paddle.fluid.dygraph import ...


# -- the names real programs use first ----------------------------------------------------------

class MNIST(fluid.dygraph.Layer):
    """The 1.8 model zoo's layout: top-level fluid.Conv2D / fluid.Pool2D / fluid.Linear."""

    def __init__(self):
        super(MNIST, self).__init__()
        self.conv = fluid.Conv2D(num_channels=1, num_filters=4, filter_size=3, act="relu")
        self.pool = fluid.Pool2D(pool_size=2, pool_stride=2, pool_type="max")
        self.fc = Linear(4 * 3 * 3, 10, act="softmax")

    def forward(self, inputs):
        x = self.pool(self.conv(inputs))
        x = fluid.layers.reshape(x, shape=[-1, 4 * 3 * 3])
        return self.fc(x)


def test_model_zoo_style_program_with_places_flags_strategy_and_name_scopes():
    fluid.require_version("1.7.0")
    fluid.set_flags({"FLAGS_eager_delete_tensor_gb": 0.0})
    place = fluid.CUDAPlace(0) if fluid.is_compiled_with_cuda() else fluid.CPUPlace()
    rng = np.random.RandomState(0)
    images = rng.rand(8, 1, 8, 8).astype("float32")
    labels = rng.randint(0, 10, size=(8, 1)).astype("int64")
    with fluid.dygraph.guard(place):
        fluid.default_startup_program().random_seed = 90
        fluid.default_main_program().random_seed = 90
        assert fluid.dygraph.enabled()
        with fluid.unique_name.guard():
            model = MNIST()
        adam = fluid.optimizer.AdamOptimizer(learning_rate=0.01,
                                             parameter_list=model.parameters())
        strategy = fluid.dygraph.BackwardStrategy()
        strategy.sort_sum_gradient = True
        losses = []
        for _ in range(15):
            with fluid.name_scope("train"):
                prediction = model(to_variable(images))
                loss = fluid.layers.mean(fluid.layers.cross_entropy(prediction, to_variable(labels)))
            loss.backward(strategy)
            adam.minimize(loss)
            model.clear_gradients()
            losses.append(loss.numpy()[0])
    assert losses[-1] < losses[0] * 0.8
    assert [p.name for p in model.parameters()][0] == "conv2d_0.w_0"


# -- Paddle's semantics where minigrad used to differ ------------------------------------------


def test_snapshots_gradients_and_shapes_behave_as_in_paddle_18():
    with fluid.dygraph.guard():
        linear = Linear(3, 2, param_attr=fluid.ParamAttr(
            initializer=fluid.initializer.NumpyArrayInitializer(np.ones((3, 2), "float32"))))
        unused = Linear(3, 2)
        sgd = fluid.optimizer.SGD(learning_rate=0.1, parameter_list=linear.parameters())
        w0 = linear.weight.numpy()                      # a snapshot, as VarBase.numpy() is
        x = to_variable(np.arange(6, dtype="float32").reshape(2, 3))
        loss = fluid.layers.reduce_sum(linear(x))
        loss.backward()
        sgd.minimize(loss)
        np.testing.assert_array_equal(w0, np.ones((3, 2)))
        np.testing.assert_allclose(linear.weight.numpy(), 1 - 0.1 * np.array([[3.0] * 2,
                                                                               [5.0] * 2,
                                                                               [7.0] * 2]))
        assert unused.weight.gradient() is None         # backward did not reach it
        assert loss.shape == [1] and float(loss) == loss.item() == loss.numpy()[0]
        assert x[0][1].shape == [1] and x[1].shape == [3]
        assert fluid.layers.reduce_sum(x, dim=0).shape == [3]
        assert sgd.current_step_lr() == pytest.approx(0.1)


def test_double_backward_and_current_step_lr_as_in_paddle_18():
    with fluid.dygraph.guard():
        a = to_variable(np.array([1.0, 2.0], "float32"))
        a.stop_gradient = False
        y = fluid.layers.reduce_sum(a * a * a)
        (g,) = fluid.dygraph.grad(y, a, create_graph=True)
        assert g.stop_gradient is False
        fluid.layers.reduce_sum(g).backward()           # d/da sum(3 a^2) = 6 a
        np.testing.assert_allclose(a.gradient(), [6.0, 12.0])
        linear = Linear(2, 1)
        lr = fluid.dygraph.PiecewiseDecay([2, 4], [1.0, 0.5, 0.1], 0)
        sgd = fluid.optimizer.SGD(learning_rate=lr, parameter_list=linear.parameters())
        reported = []
        for _ in range(5):
            loss = fluid.layers.mean(linear(to_variable(np.ones((1, 2), "float32"))))
            loss.backward()
            sgd.minimize(loss)
            linear.clear_gradients()
            reported.append(sgd.current_step_lr())
    # after k steps, the rate the k-th step used (1.8.5's values)
    assert reported == [1.0, 1.0, 0.5, 0.5, 0.1]


# -- out of scope: a clear error instead of a missing name --------------------------------------


def test_a_static_graph_program_is_told_what_to_do_instead():
    with pytest.raises(fluid.unsupported.DygraphOnlyError,
                       match=r"dygraph programs only.*Instead: fluid.dygraph.to_variable"):
        image = fluid.layers.data(name="image", shape=[1, 28, 28], dtype="float32")
    with pytest.raises(fluid.unsupported.DygraphOnlyError, match="Executor"):
        exe = fluid.Executor(fluid.CPUPlace())
        exe.run(fluid.default_startup_program())


# -- the functional API: fluid.layers -------------------------------------------------------------


class Upsampler(fluid.dygraph.Layer):
    """Conv features -> bilinear 2x upsampling -> layer norm over channels -> picked pixels."""

    def __init__(self):
        super(Upsampler, self).__init__()
        self.conv = fluid.dygraph.Conv2D(2, 4, 3, padding=1, act="relu")

    def forward(self, x, picks):
        h = self.conv(x)
        h = fluid.layers.resize_bilinear(h, out_shape=[8, 8])              # [N, 4, 8, 8]
        h = fluid.layers.transpose(h, perm=[0, 2, 3, 1])                     # [N, 8, 8, 4]
        h = fluid.layers.layer_norm(h, begin_norm_axis=3)
        picked = fluid.layers.gather_nd(h, picks)                            # [P, 4]
        # a functional fc makes fresh (here fixed) weights at every call, as in Paddle 1.8
        head = fluid.initializer.NumpyArrayInitializer(np.array([[1.0], [-1.0], [2.0], [0.5]],
                                                                "float32"))
        return fluid.layers.fc(picked, size=1, act="sigmoid", param_attr=head)


def test_functional_layers_and_a_schedule_in_a_training_loop():
    rng = np.random.RandomState(1)
    x = rng.rand(2, 2, 4, 4).astype("float32")
    picks = np.array([[0, 1, 1], [1, 7, 6], [0, 3, 0]], "int64")
    target = np.array([[1.0], [0.0], [1.0]], "float32")
    with fluid.dygraph.guard():
        model = Upsampler()
        lr = fluid.layers.piecewise_decay(boundaries=[10], values=[0.5, 0.05])
        sgd = fluid.optimizer.SGD(learning_rate=lr, parameter_list=model.parameters())
        losses = []
        for step in range(20):
            prob = model(to_variable(x), to_variable(picks))
            loss = fluid.layers.reduce_mean(fluid.layers.log_loss(prob, to_variable(target)))
            loss = fluid.layers.cond(loss > 10.0, lambda: loss * 0.0, lambda: loss)
            loss.backward()
            sgd.minimize(loss)
            model.clear_gradients()
            losses.append(loss.numpy()[0])
        assert prob.shape == [3, 1] and sgd.current_step_lr() == pytest.approx(0.05)
    assert losses[-1] < losses[0]


def test_functional_math_shapes_and_indexing_as_paddle_programs_use_them():
    with fluid.dygraph.guard():
        scores = to_variable(np.array([[0.1, 0.7, 0.2], [0.5, 0.4, 0.1]], "float32"))
        label = to_variable(np.array([[1], [2]], "int64"))
        top = fluid.layers.cumsum(scores, axis=1, reverse=True)
        np.testing.assert_allclose(top.numpy(), [[1.0, 0.9, 0.2], [1.0, 0.5, 0.1]], rtol=1e-6)
        hit = fluid.layers.equal(fluid.layers.argmax(scores, axis=1),
                                 fluid.layers.squeeze(label, axes=[1]))
        assert hit.numpy().tolist() == [True, False]
        assert fluid.layers.reduce_any(hit).numpy().tolist() == [True]
        where = fluid.layers.where(hit)
        assert where.dtype == np.int64 and where.numpy().tolist() == [[0]]
        padded = fluid.layers.pad(scores, paddings=[0, 1, 1, 0], pad_value=-1.0)
        assert padded.shape == [3, 4] and padded.numpy()[2].tolist() == [-1.0] * 4
        pixels = fluid.layers.pixel_shuffle(to_variable(np.arange(8, dtype="float32")
                                                         .reshape(1, 4, 1, 2)), 2)
        # out[c, h*r + i, w*r + j] = x[c*r*r + i*r + j, h, w]
        assert pixels.numpy()[0, 0].tolist() == [[0.0, 2.0, 1.0, 3.0], [4.0, 6.0, 5.0, 7.0]]


# -- the input pipeline: fluid.io -----------------------------------------------------------------


def test_a_data_loader_feeds_a_training_loop_and_reader_errors_reach_it():
    rng = np.random.RandomState(2)
    features = rng.rand(20, 3).astype("float32")
    targets = (features.sum(axis=1, keepdims=True) > 1.5).astype("float32")

    def reader():
        for f, t in zip(features, targets):
            yield f, t

    with fluid.dygraph.guard():
        model = Linear(3, 1)
        adam = fluid.optimizer.Adam(learning_rate=0.05, parameter_list=model.parameters())
        loader = fluid.io.DataLoader.from_generator(capacity=4, return_list=True)
        loader.set_sample_list_generator(fluid.io.batch(reader, batch_size=5),
                                         places=fluid.cpu_places())
        epoch_losses = []
        for epoch in range(10):
            losses = []
            for x, t in loader():
                assert x.shape == [5, 3] and t.shape == [5, 1]
                loss = fluid.layers.mean(fluid.layers.sigmoid_cross_entropy_with_logits(
                    model(x), t))
                loss.backward()
                adam.minimize(loss)
                model.clear_gradients()
                losses.append(loss.numpy()[0])
            assert len(losses) == 4
            epoch_losses.append(np.mean(losses))
        assert epoch_losses[-1] < epoch_losses[0]

        def broken():
            yield features[0], targets[0]
            raise IOError("disk went away")
        failing = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
        failing.set_sample_generator(broken, batch_size=1)
        with pytest.raises(IOError, match="disk went away"):
            for _ in failing():
                pass
