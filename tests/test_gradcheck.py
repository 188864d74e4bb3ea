"""gradcheck / gradgradcheck themselves: they pass correct ops and catch wrong ones."""
import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.core.op import Op


class Cube(Op):
    """x**3 with a correct first derivative written on raw arrays, so its *second* derivative
    is lost (the backward is not recorded): gradcheck passes, gradgradcheck must not."""

    def forward(self, x):
        return x ** 3

    def backward(self, gy, x):
        x = x.data if isinstance(x, minigrad.Variable) else x
        return gy * 3 * x ** 2


class WrongSquare(Op):
    def forward(self, x):
        return x * x

    def backward(self, gy, x):
        return gy * 2.1 * x


def test_passes_correct_ops_and_does_not_touch_inputs():
    x = np.random.default_rng(0).uniform(0.5, 1.5, (3, 4))
    before = x.copy()
    assert minigrad.gradcheck(lambda v: fluid.layers.tanh(v) * v, [x])
    assert minigrad.gradgradcheck(lambda v: fluid.layers.tanh(v) * v, [x])
    np.testing.assert_array_equal(x, before)


def test_wrong_first_derivative_names_input_and_index():
    x = np.array([[0.5, -2.0], [1.0, 3.0]])
    y = np.ones(2)
    with pytest.raises(minigrad.GradcheckError) as info:
        minigrad.gradcheck(lambda a, b: WrongSquare()(a) + b, [x, y],
                           grad_outputs=[np.ones((2, 2))])
    message = str(info.value)
    assert "input 0" in message
    assert "(1, 1)" in message        # the largest |x| has the largest error
    assert "analytic" in message and "numeric" in message
    assert minigrad.gradcheck(lambda a: WrongSquare()(a), [x], raise_exception=False) is False


def test_gradgradcheck_catches_a_lost_second_derivative():
    x = np.array([0.5, 1.5])
    assert minigrad.gradcheck(lambda a: Cube()(a), [x])
    with pytest.raises(minigrad.GradcheckError):
        minigrad.gradgradcheck(lambda a: Cube()(a), [x])


def test_integer_inputs_are_not_differentiated():
    x = np.array([0.3, 0.7])
    index = np.array([1, 0, 1])
    assert minigrad.gradcheck(lambda a, i: fluid.layers.gather(a, i, overwrite=False) * 2.0,
                              [x, index])


def test_works_inside_a_guard_too():
    with fluid.dygraph.guard():
        assert minigrad.gradcheck(lambda a: a * a, [np.array([1.0, 2.0])])
        assert fluid.in_dygraph_mode()
