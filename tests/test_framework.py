"""Paddle's places and default programs: a seeded Paddle-style program is reproducible."""
import numpy as np
import pytest

import minigrad as fluid


def run_seeded_program(seed):
    with fluid.dygraph.guard(fluid.CPUPlace()):
        fluid.default_startup_program().random_seed = seed
        fluid.default_main_program().random_seed = seed
        fc = fluid.dygraph.Linear(4, 3)
        x = fluid.dygraph.to_variable(np.ones((5, 4), "float32"))
        return fc.weight.numpy().copy(), fluid.layers.dropout(fc(x), 0.5).numpy()


def test_random_seed_makes_initialisation_and_dropout_reproducible():
    first, second = run_seeded_program(90), run_seeded_program(90)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], run_seeded_program(91)[0])
    assert fluid.default_main_program().random_seed == 91
    with pytest.raises(ValueError, match="non-negative int"):
        fluid.default_main_program().random_seed = -2


def test_places():
    assert not fluid.is_compiled_with_cuda()
    with pytest.warns(UserWarning, match="computes on the CPU"):
        place = fluid.CUDAPlace(0)
    with fluid.dygraph.guard(place):
        assert fluid.dygraph.to_variable(np.ones(2, "float32")).shape == [2]
