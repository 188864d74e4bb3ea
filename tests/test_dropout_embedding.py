"""Dropout (both Paddle conventions, seeds, modes, gradients) and Embedding (lookup, padding)."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.ops.dropout import dropout


def ones(shape, dtype="float32"):
    return fluid.dygraph.to_variable(np.ones(shape, dtype))


def test_downgrade_in_infer():
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.full((100, 100), 3.0, "float32"))
        out = fluid.layers.dropout(x, 0.3, seed=5).numpy()
        assert out.dtype == np.float32
        assert set(np.unique(out)) <= {0.0, 3.0}
        dropped = np.mean(out == 0)
        assert abs(dropped - 0.3) < 5 * np.sqrt(0.3 * 0.7 / out.size)
        np.testing.assert_allclose(fluid.layers.dropout(x, 0.3, is_test=True).numpy(),
                                   np.full((100, 100), 2.1), rtol=1e-6)


def test_upscale_in_train():
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.full((100, 100), 3.0, "float32"))
        out = fluid.layers.dropout(x, 0.25, dropout_implementation="upscale_in_train").numpy()
        assert set(np.unique(out)) <= {0.0, np.float32(4.0)}
        assert abs(np.mean(out == 0) - 0.25) < 5 * np.sqrt(0.25 * 0.75 / out.size)
        same = fluid.layers.dropout(x, 0.25, is_test=True,
                                    dropout_implementation="upscale_in_train")
        np.testing.assert_array_equal(same.numpy(), x.numpy())


@pytest.mark.parametrize("implementation", ["downgrade_in_infer", "upscale_in_train"])
def test_probability_zero_and_one(implementation):
    with fluid.dygraph.guard():
        x = ones((4, 5))
        np.testing.assert_array_equal(
            dropout(x, 0.0, dropout_implementation=implementation).numpy(), np.ones((4, 5)))
        np.testing.assert_array_equal(
            dropout(x, 1.0, dropout_implementation=implementation).numpy(), np.zeros((4, 5)))


def test_seeds():
    with fluid.dygraph.guard():
        x = ones((20, 20))
        a = dropout(x, 0.5, seed=7).numpy()
        np.testing.assert_array_equal(a, dropout(x, 0.5, seed=7).numpy())   # fixed seed, fixed mask
        assert not np.array_equal(a, dropout(x, 0.5, seed=8).numpy())
        b, c = dropout(x, 0.5).numpy(), dropout(x, 0.5).numpy()
        assert not np.array_equal(b, c)
        minigrad.seed(3)
        d = dropout(x, 0.5).numpy()
        minigrad.seed(3)
        np.testing.assert_array_equal(d, dropout(x, 0.5).numpy())


def test_gradient_is_the_mask_and_checks_pass():
    rng = np.random.default_rng(0)
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(rng.uniform(1, 2, (6, 7)).astype("float32"))
        x.stop_gradient = False
        out = dropout(x, 0.4, seed=11, dropout_implementation="upscale_in_train")
        fluid.layers.reduce_sum(out).backward()
        mask = out.numpy() / x.numpy()
        np.testing.assert_allclose(x.gradient(), mask, rtol=1e-6)
        assert x.gradient().dtype == np.float32

    def fn(x):
        return dropout(x * x, 0.5, seed=3, dropout_implementation="upscale_in_train")

    inputs = [rng.standard_normal((3, 4))]
    assert minigrad.gradcheck(fn, inputs)
    assert minigrad.gradgradcheck(fn, inputs)


def test_dropout_layer_follows_train_and_eval():
    with fluid.dygraph.guard():
        x = ones((50, 50))
        layer = fluid.dygraph.Dropout(p=0.5)
        assert np.any(layer(x).numpy() == 0)
        layer.eval()
        np.testing.assert_allclose(layer(x).numpy(), np.full((50, 50), 0.5))
        up = fluid.dygraph.Dropout(p=0.5, dropout_implementation="upscale_in_train")
        up.eval()
        np.testing.assert_array_equal(up(x).numpy(), x.numpy())
        fixed = fluid.dygraph.Dropout(p=0.5, is_test=True)
        np.testing.assert_allclose(fixed(x).numpy(), np.full((50, 50), 0.5))
        seeded = fluid.dygraph.Dropout(p=0.5, seed=4)
        np.testing.assert_array_equal(seeded(x).numpy(), seeded(x).numpy())


def test_dropout_bad_arguments():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match=r"must lie in \[0, 1\], got 1.5"):
            fluid.dygraph.Dropout(p=1.5)
        with pytest.raises(ValueError, match="dropout_implementation must be one of"):
            fluid.dygraph.Dropout(dropout_implementation="upscale")
        with pytest.raises(ValueError, match="seed must be None or a non-negative int"):
            fluid.layers.dropout(ones((2,)), 0.5, seed=-1)
        with pytest.raises(TypeError, match="floating point"):
            fluid.layers.dropout(fluid.dygraph.to_variable(np.ones(3, "int64")), 0.5)
        with pytest.raises(TypeError, match="probability must be a number"):
            fluid.layers.dropout(ones((2,)), "0.5")


# -- Embedding -------------------------------------------------------------------------------


def test_embedding_lookup_and_gradient_counts():
    with fluid.dygraph.guard():
        emb = fluid.dygraph.Embedding(size=[6, 3])
        table = emb.weight.numpy()
        ids = np.array([[1], [4], [1]], "int64")
        out = emb(fluid.dygraph.to_variable(ids))
        assert out.shape == [3, 1, 3] and out.dtype == np.float32
        for i, row in enumerate(ids[:, 0]):
            np.testing.assert_array_equal(out.numpy()[i, 0], table[row])
        fluid.layers.reduce_sum(out).backward()
        expected = np.zeros((6, 3))
        expected[1] = 2
        expected[4] = 1
        np.testing.assert_array_equal(emb.weight.gradient(), expected)
        assert emb.weight.name == "embedding_0.w_0"


def test_embedding_padding_idx():
    with fluid.dygraph.guard():
        emb = fluid.dygraph.Embedding(size=[5, 2], padding_idx=-1)   # id 4
        ids = fluid.dygraph.to_variable(np.array([[4, 0], [4, 2]], "int64"))
        out = emb(ids)
        assert out.shape == [2, 2, 2]
        np.testing.assert_array_equal(out.numpy()[:, 0], np.zeros((2, 2)))
        np.testing.assert_array_equal(out.numpy()[1, 1], emb.weight.numpy()[2])
        fluid.layers.reduce_sum(out).backward()
        np.testing.assert_array_equal(emb.weight.gradient()[4], [0, 0])
        np.testing.assert_array_equal(emb.weight.gradient()[0], [1, 1])


def test_embedding_bad_input():
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match=r"size must be \[vocab_size, embedding_dim\]"):
            fluid.dygraph.Embedding(size=[5])
        with pytest.raises(ValueError, match=r"padding_idx must be None or an int in \[-5, 5\)"):
            fluid.dygraph.Embedding(size=[5, 2], padding_idx=5)
        emb = fluid.dygraph.Embedding(size=[5, 2])
        with pytest.raises(ValueError, match=r"ids must lie in \[0, 5\), got values in \[0, 7\]"):
            emb(fluid.dygraph.to_variable(np.array([0, 7], "int64")))
        with pytest.raises(TypeError, match="integer"):
            emb(fluid.dygraph.to_variable(np.array([0.0, 1.0], "float32")))
