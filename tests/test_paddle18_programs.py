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
