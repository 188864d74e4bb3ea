"""Whole programs written the way Paddle 1.x dygraph users write them, run on minigrad.

Nothing here is minigrad-specific beyond `import minigrad as fluid` (where a Paddle program says
`import paddle.fluid as fluid`): the seed example, a LeNet classifier that learns, saves and
restores (model and Adam state), a DCGAN-style generator with a WGAN-GP gradient penalty
checked against finite differences, and the mistakes users make, each a clear error.
"""
import os
import pickle

import numpy as np
import pytest

import minigrad as fluid


def test_seed_example_verbatim():
    # /work/shared/seed/README.md, only the import changed.
    with fluid.dygraph.guard():
        data = np.random.random((3, 32, 32, 5)).astype('float32')
        conv2DTranspose = fluid.dygraph.nn.Conv2DTranspose(num_channels=32, num_filters=2, filter_size=3)  # noqa: E501
        ret = conv2DTranspose(fluid.dygraph.base.to_variable(data))   # shape [3, 2, 34, 7]
    assert ret.shape == [3, 2, 34, 7]
    assert ret.dtype == np.float32


# -- LeNet on procedurally drawn strokes ----------------------------------------------------------

IMAGE_SIZE = 16
CLASSES = 4          # horizontal, vertical, diagonal, anti-diagonal stroke


def draw_strokes(count, rng):
    """`count` noisy 16x16 images of a stroke of random length and place; labels int64 [N, 1]."""
    images = np.zeros((count, 1, IMAGE_SIZE, IMAGE_SIZE), "float32")
    labels = rng.integers(0, CLASSES, size=(count, 1)).astype("int64")
    for image, (label,) in zip(images[:, 0], labels):
        length = rng.integers(7, 12)
        top, left = rng.integers(2, IMAGE_SIZE - length - 1, size=2)
        steps = np.arange(length)
        if label == 0:
            image[top + length // 2, left + steps] = 1.0
        elif label == 1:
            image[top + steps, left + length // 2] = 1.0
        elif label == 2:
            image[top + steps, left + steps] = 1.0
        else:
            image[top + steps, left + length - 1 - steps] = 1.0
    images += rng.normal(0.0, 0.3, images.shape).astype("float32")
    return images, labels


class LeNet(fluid.dygraph.Layer):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = fluid.dygraph.Conv2D(num_channels=1, num_filters=6, filter_size=5,
                                          padding=2, act="relu")
        self.pool1 = fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2)
        self.conv2 = fluid.dygraph.Conv2D(num_channels=6, num_filters=16, filter_size=5,
                                          act="relu")
        self.pool2 = fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2)
        self.fc = fluid.dygraph.Linear(16 * 2 * 2, CLASSES, act="softmax")

    def forward(self, x):
        x = self.pool2(self.conv2(self.pool1(self.conv1(x))))
        x = fluid.layers.reshape(x, shape=[-1, 16 * 2 * 2])
        return self.fc(x)


def train_step(model, optimizer, images, labels):
    img = fluid.dygraph.to_variable(images)
    label = fluid.dygraph.to_variable(labels)
    prediction = model(img)
    loss = fluid.layers.mean(fluid.layers.cross_entropy(prediction, label))
    loss.backward()
    optimizer.minimize(loss)
    model.clear_gradients()
    return loss


def predict(model, images):
    model.eval()
    with fluid.dygraph.no_grad():
        prediction = model(fluid.dygraph.to_variable(images))
    model.train()
    return prediction


def test_lenet_learns_saves_and_restores(tmp_path):
    rng = np.random.default_rng(0)
    train_images, train_labels = draw_strokes(1024, rng)
    test_images, test_labels = draw_strokes(256, rng)
    path = str(tmp_path / "lenet")

    with fluid.dygraph.guard():
        fluid.default_startup_program().random_seed = 7
        fluid.default_main_program().random_seed = 7
        model = LeNet()
        adam = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=model.parameters())
        first_loss = None
        for epoch in range(6):
            for start in range(0, len(train_images), 32):
                loss = train_step(model, adam, train_images[start:start + 32],
                                  train_labels[start:start + 32])
                if first_loss is None:
                    first_loss = float(loss)
        prediction = predict(model, test_images)
        acc = fluid.layers.accuracy(input=prediction, label=fluid.dygraph.to_variable(test_labels))
        # Independent count of the hits, from the probabilities.
        hits = np.mean(prediction.numpy().argmax(axis=1) == test_labels[:, 0])
        assert float(acc) == pytest.approx(hits)
        assert float(acc) > 0.9, f"test accuracy {float(acc):.3f} after training"
        assert float(loss) < first_loss / 4

        fluid.dygraph.save_dygraph(model.state_dict(), path)
        fluid.dygraph.save_dygraph(adam.state_dict(), path)
    assert sorted(os.listdir(tmp_path)) == ["lenet.pdopt", "lenet.pdparams"]

    # A fresh program (new guard, so the parameter names, and with them the optimizer's state
    # keys, are the same as when saving) restores the model and the optimizer.
    with fluid.dygraph.guard():
        fluid.default_startup_program().random_seed = 8
        restored = LeNet()
        restored_adam = fluid.optimizer.Adam(learning_rate=0.01,
                                             parameter_list=restored.parameters())
        assert not np.array_equal(restored.fc.weight.numpy(), model.fc.weight.numpy())
        param_state, opt_state = fluid.dygraph.load_dygraph(path)
        restored.set_dict(param_state)
        restored_adam.set_dict(opt_state)

        np.testing.assert_array_equal(predict(restored, test_images).numpy(), prediction.numpy())

        # A model restored without the optimizer state: its next step must differ, or the
        # comparison below would prove nothing.
        no_state = LeNet()
        no_state.set_dict(param_state)
        no_state_adam = fluid.optimizer.Adam(learning_rate=0.01,
                                             parameter_list=no_state.parameters())

        batch = train_images[:32], train_labels[:32]
        losses = [float(train_step(m, o, *batch)) for m, o in
                  ((model, adam), (restored, restored_adam), (no_state, no_state_adam))]
        assert losses[0] == losses[1] == losses[2]     # same parameters before the step
        for (name, p), q, r in zip(model.named_parameters(), restored.parameters(),
                                   no_state.parameters()):
            np.testing.assert_array_equal(q.numpy(), p.numpy(), err_msg=name)
        assert not np.array_equal(no_state.conv1.weight.numpy(), model.conv1.weight.numpy())
        after = {k: v.numpy() for k, v in adam.state_dict().items()}
        for key, value in restored_adam.state_dict().items():
            np.testing.assert_array_equal(value.numpy(), after[key], err_msg=key)


# -- a DCGAN-style generator and a WGAN-GP gradient penalty through it ---------------------------


class Generator(fluid.dygraph.Layer):
    """z [N, z_dim] -> images [N, 1, 16, 16] in (0, 1)."""

    def __init__(self, z_dim, channels, dtype="float32"):
        super(Generator, self).__init__()
        self.channels = channels
        self.fc = fluid.dygraph.Linear(z_dim, channels * 4 * 4, act="relu", dtype=dtype)
        self.up1 = fluid.dygraph.Conv2DTranspose(num_channels=channels,
                                                 num_filters=channels // 2, filter_size=4,
                                                 stride=2, padding=1, dtype=dtype)
        self.bn = fluid.dygraph.BatchNorm(channels // 2, act="relu", dtype=dtype)
        self.up2 = fluid.dygraph.Conv2DTranspose(num_channels=channels // 2, num_filters=1,
                                                 filter_size=4, stride=2, padding=1,
                                                 act="sigmoid", dtype=dtype)

    def forward(self, z):
        x = fluid.layers.reshape(self.fc(z), shape=[-1, self.channels, 4, 4])
        return self.up2(self.bn(self.up1(x)))


class Critic(fluid.dygraph.Layer):
    """images [N, 1, 16, 16] -> scores [N, 1]. tanh, not leaky_relu: with a piecewise-linear
    critic d(score)/d(image) would be piecewise constant, and the penalty's gradient with respect
    to the generator identically zero — nothing to check."""

    def __init__(self, dtype="float32"):
        super(Critic, self).__init__()
        self.conv = fluid.dygraph.Conv2D(num_channels=1, num_filters=4, filter_size=4, stride=2,
                                         padding=1, act="tanh", dtype=dtype)
        self.fc = fluid.dygraph.Linear(4 * 8 * 8, 1, dtype=dtype)

    def forward(self, x):
        h = self.conv(x)
        return self.fc(fluid.layers.reshape(h, shape=[-1, 4 * 8 * 8]))


def stripes(count):
    """`count` fixed 16x16 images of stripes at different angles, values in [0.1, 0.9]."""
    yy, xx = np.mgrid[0:16, 0:16] / 15.0
    angles = np.arange(count) * np.pi / count
    images = [0.5 + 0.4 * np.sin(6 * (np.cos(a) * xx + np.sin(a) * yy)) for a in angles]
    return np.array(images, "float32")[:, None]


def test_generator_fits_a_fixed_target_set():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((8, 8)).astype("float32")
    with fluid.dygraph.guard():
        fluid.default_startup_program().random_seed = 3
        generator = Generator(z_dim=8, channels=8)
        adam = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=generator.parameters())
        z, target = fluid.dygraph.to_variable(z), fluid.dygraph.to_variable(stripes(8))
        losses = []
        for step in range(150):
            loss = fluid.layers.reduce_mean(fluid.layers.square(generator(z) - target))
            loss.backward()
            adam.minimize(loss)
            generator.clear_gradients()
            losses.append(float(loss))
        assert generator(z).shape == [8, 1, 16, 16]
    assert losses[-1] < losses[0] / 20, losses[::30]
    assert loss.dtype == np.float32


def gradient_penalty(critic, real, fake, alpha):
    """WGAN-GP: mean over the batch of (||d critic / d x_hat||_2 - 1)^2."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    x_hat.stop_gradient = False      # Paddle's idiom: needed when fake is detached
    (g,) = fluid.dygraph.grad(critic(x_hat), x_hat, create_graph=True)
    norm = fluid.layers.sqrt(fluid.layers.reduce_sum(fluid.layers.square(g), dim=[1, 2, 3]))
    return fluid.layers.reduce_mean(fluid.layers.square(norm - 1.0))


def test_wgan_gp_penalty_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    with fluid.dygraph.guard():
        fluid.default_startup_program().random_seed = 4
        generator = Generator(z_dim=4, channels=4, dtype="float64")
        critic = Critic(dtype="float64")
        z = fluid.dygraph.to_variable(rng.standard_normal((3, 4)))
        real = fluid.dygraph.to_variable(rng.random((3, 1, 16, 16)))
        alpha = fluid.dygraph.to_variable(rng.random((3, 1, 1, 1)))

        def penalty():
            return gradient_penalty(critic, real, generator(z), alpha)

        value = penalty()
        assert value.dtype == np.float64 and value.shape == [1]
        value.backward()

        # Entries of both networks, including the generator's BatchNorm scale.
        checked = [(generator.fc.weight, (1, 2)), (generator.up1.weight, (0, 1, 2, 3)),
                   (generator.bn.weight, (1,)), (generator.up2.weight, (1, 0, 1, 1)),
                   (generator.up2.bias, (0,)), (critic.conv.weight, (2, 0, 1, 3)),
                   (critic.conv.bias, (1,)), (critic.fc.weight, (5, 0))]
        h = 1e-6
        for param, index in checked:
            analytic = param.gradient()[index]
            original = param.numpy()[index]
            values = []
            for shifted in (original + h, original - h):
                param.data[index] = shifted
                values.append(float(penalty()))
            param.data[index] = original
            numeric = (values[0] - values[1]) / (2 * h)
            assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-9), param.name
        # The generator's entries are not trivially zero (see Critic's docstring).
        assert abs(generator.up1.weight.gradient()[0, 1, 2, 3]) > 1e-6

        # One critic step of WGAN-GP with Adam: the critic loss, its penalty, minimize.
        generator.clear_gradients()
        critic.clear_gradients()
        lr = 1e-3
        adam = fluid.optimizer.Adam(learning_rate=lr, beta1=0.5, beta2=0.9,
                                    parameter_list=critic.parameters())
        fake = generator(z).detach()
        loss = (fluid.layers.mean(critic(fake)) - fluid.layers.mean(critic(real))
                + 10.0 * gradient_penalty(critic, real, fake, alpha))
        loss.backward()
        before = [(p.numpy().copy(), p.gradient().copy()) for p in critic.parameters()]
        generator_before = [p.numpy().copy() for p in generator.parameters()]
        adam.minimize(loss)
        # Adam's first step moves each entry by lr * g / (|g| + eps / sqrt(1 - beta2)).
        for p, (old, g) in zip(critic.parameters(), before):
            expected = old - lr * g / (np.abs(g) + 1e-8 / np.sqrt(1 - 0.9))
            np.testing.assert_allclose(p.numpy(), expected, rtol=1e-10, atol=1e-12,
                                       err_msg=p.name)
        for p, old in zip(generator.parameters(), generator_before):
            np.testing.assert_array_equal(p.numpy(), old)
        assert np.isfinite(float(gradient_penalty(critic, real, fake, alpha)))


# -- the mistakes users make: each a clear error, nothing half-done ------------------------------


def test_optimizer_rejects_a_parameter_list_of_arrays():
    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(3, 2)
        arrays = [p.numpy() for p in model.parameters()]
        with pytest.raises(TypeError, match=r"Adam: parameter_list must contain only Parameters"
                                            r".*entry 0 is ndarray"):
            fluid.optimizer.Adam(learning_rate=0.01, parameter_list=arrays)
        with pytest.raises(TypeError, match=r"parameter_list=model.parameters\(\)"):
            fluid.optimizer.Adam(learning_rate=0.01, parameter_list=model)
        with pytest.raises(ValueError, match="parameter_list is required"):
            fluid.optimizer.Adam(learning_rate=0.01)


def test_optimizer_rejects_an_int_learning_rate():
    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(3, 2)
        with pytest.raises(TypeError, match=r"SGD: learning_rate must be a float.*got int \(1\)"
                                            r".*write 1.0"):
            fluid.optimizer.SGD(learning_rate=1, parameter_list=model.parameters())


def _snapshot(model):
    return {name: p.numpy().copy() for name, p in model.state_dict().items()}


def _assert_unchanged(model, snapshot):
    for name, p in model.state_dict().items():
        np.testing.assert_array_equal(p.numpy(), snapshot[name], err_msg=name)


def test_set_dict_with_a_missing_entry_loads_nothing():
    with fluid.dygraph.guard():
        source, target = LeNet(), LeNet()
        state = {k: v.numpy() for k, v in source.state_dict().items()}
        del state["conv2.bias"]
        before = _snapshot(target)
        with pytest.raises(ValueError, match=r"nothing was loaded: missing key 'conv2.bias' "
                                             r"\(shape \[16\]\)"):
            target.set_dict(state)
        _assert_unchanged(target, before)     # conv1, fc... were not loaded either


def test_set_dict_with_a_misshaped_entry_loads_nothing():
    with fluid.dygraph.guard():
        source, target = LeNet(), LeNet()
        state = {k: v.numpy() for k, v in source.state_dict().items()}
        state["fc.weight"] = state["fc.weight"].T.copy()
        before = _snapshot(target)
        with pytest.raises(ValueError, match=r"'fc.weight' has shape \[4, 64\] but the layer "
                                             r"expects shape \[64, 4\]"):
            target.set_dict(state)
        _assert_unchanged(target, before)


def test_optimizer_set_dict_with_bad_entries_loads_nothing():
    with fluid.dygraph.guard():
        model = LeNet()
        adam = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=model.parameters())
        images, labels = draw_strokes(8, np.random.default_rng(3))
        train_step(model, adam, images, labels)
        good = {k: v.numpy() for k, v in adam.state_dict().items()}
        fresh = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=model.parameters())
        fresh_before = {k: v.numpy() for k, v in fresh.state_dict().items()}
        missing = dict(good)
        del missing["conv2d_1.w_0_moment2_0"]
        with pytest.raises(KeyError, match="conv2d_1.w_0_moment2_0"):
            fresh.set_dict(missing)
        misshaped = dict(good)
        misshaped["linear_0.w_0_moment1_0"] = np.zeros((4, 64), "float32")
        with pytest.raises(ValueError, match=r"'linear_0.w_0_moment1_0' has shape \[4, 64\], "
                                             r"but the optimizer needs shape \[64, 4\]"):
            fresh.set_dict(misshaped)
        for key, value in fresh.state_dict().items():
            np.testing.assert_array_equal(value.numpy(), fresh_before[key], err_msg=key)


def test_load_dygraph_refuses_a_corrupted_file(tmp_path):
    path = str(tmp_path / "model")
    with fluid.dygraph.guard():
        fluid.dygraph.save_dygraph(LeNet().state_dict(), path)
    data = open(path + ".pdparams", "rb").read()
    with open(str(tmp_path / "cut.pdparams"), "wb") as f:
        f.write(data[:len(data) // 2])                 # an interrupted copy
    with pytest.raises(ValueError, match=r"'.*cut.pdparams' is corrupted"):
        fluid.dygraph.load_dygraph(str(tmp_path / "cut"))
    with open(str(tmp_path / "notes.pdparams"), "wb") as f:
        f.write(b"these are not the weights you are looking for\n")
    with pytest.raises(ValueError, match=r"'.*notes.pdparams' is corrupted or not a minigrad "
                                         r"checkpoint"):
        fluid.dygraph.load_dygraph(str(tmp_path / "notes"))


class _RunsCodeWhenUnpickled:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_load_dygraph_refuses_a_pickle_without_running_it(tmp_path):
    # What a Paddle 1.x checkpoint (or a malicious file posing as one) is: a pickle.
    marker = str(tmp_path / "code_ran")
    state = {"fc.weight": np.zeros((64, 4), "float32"), "x": _RunsCodeWhenUnpickled(marker)}
    with open(str(tmp_path / "paddle.pdparams"), "wb") as f:
        pickle.dump(state, f)
    with fluid.dygraph.guard():
        model = LeNet()
        before = _snapshot(model)
        with pytest.raises(ValueError, match=r"'.*paddle.pdparams' holds pickled data"):
            params, _ = fluid.dygraph.load_dygraph(str(tmp_path / "paddle"))
            model.set_dict(params)
        _assert_unchanged(model, before)
    assert not os.path.exists(marker)
