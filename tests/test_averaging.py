"""fluid.optimizer.LookaheadOptimizer and ExponentialMovingAverage, which Paddle 1.8 refuses in
dygraph and minigrad runs with 1.8's rules: trajectories against numpy written here."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter
from minigrad.optimizer.averaging import ExponentialMovingAverage, LookaheadOptimizer

GRADS = [np.array([0.5, -1.0]), np.array([1.5, 0.25]), np.array([-0.75, 2.0]),
         np.array([0.1, 0.3]), np.array([-1.0, -0.5]), np.array([2.0, 1.0]),
         np.array([0.3, -0.2])]


@pytest.fixture(autouse=True)
def dygraph():
    with fluid.dygraph.guard():
        yield


def step(opt, p, g):
    p.grad = np.array(g)
    opt.minimize(fluid.dygraph.to_variable(np.zeros(1)))


def test_lookahead_follows_paddles_rule_with_sgd_inside():
    start = np.array([1.0, -2.0])
    p = Parameter(start.copy(), name="p")
    opt = LookaheadOptimizer(fluid.optimizer.SGD(0.1, parameter_list=[p]), alpha=0.4, k=3)
    fast, slow = start.copy(), start.copy()
    for t, g in enumerate(GRADS, 1):
        step(opt, p, g)
        fast = fast - 0.1 * g
        if t % 3 == 0:
            slow = 0.4 * fast + 0.6 * slow
            fast = slow.copy()
        np.testing.assert_allclose(p.data, fast, rtol=1e-12)


def test_lookahead_state_round_trip_and_errors():
    p = Parameter(np.array([1.0, 2.0]), name="w")
    opt = LookaheadOptimizer(fluid.optimizer.Momentum(0.1, 0.9, parameter_list=[p]), k=2)
    for g in GRADS[:3]:
        step(opt, p, g)
    state = opt.state_dict()
    assert state["lookahead_step"].numpy().tolist() == [3] and "w@SLOW" in state
    q = Parameter(p.data.copy(), name="w")
    again = LookaheadOptimizer(fluid.optimizer.Momentum(0.1, 0.9, parameter_list=[q]), k=2)
    again.set_dict(state)
    for g in GRADS[3:]:
        step(opt, p, g)
        step(again, q, g)
    np.testing.assert_array_equal(p.data, q.data)
    with pytest.raises(ValueError, match="alpha"):
        LookaheadOptimizer(fluid.optimizer.SGD(0.1, parameter_list=[p]), alpha=1.5)
    with pytest.raises(ValueError, match="k must be a positive int"):
        LookaheadOptimizer(fluid.optimizer.SGD(0.1, parameter_list=[p]), k=0)
    with pytest.raises(TypeError, match="inner_optimizer"):
        LookaheadOptimizer(None)


def test_ema_update_apply_restore_with_bias_correction():
    p = Parameter(np.array([1.0, 2.0]), name="p")
    frozen = fluid.dygraph.Linear(2, 1, param_attr=fluid.ParamAttr(do_model_average=False),
                                  bias_attr=False).weight
    ema = ExponentialMovingAverage(0.9, parameter_list=[p, frozen])
    values, average = [], np.zeros(2)
    for t in range(4):
        p.data[...] = p.data * 0.5 + t
        ema.update()
        average = 0.9 * average + 0.1 * p.data
        values.append(p.data.copy())
    trained = p.data.copy()
    kept = frozen.data.copy()
    with ema.apply():
        np.testing.assert_allclose(p.data, average / (1 - 0.9 ** 4), rtol=1e-12)
        np.testing.assert_array_equal(frozen.data, kept)         # do_model_average=False
    np.testing.assert_array_equal(p.data, trained)
    with ema.apply(need_restore=False):
        pass
    assert not np.array_equal(p.data, trained)
    ema.restore()
    np.testing.assert_array_equal(p.data, trained)


def test_ema_thres_steps_schedules_the_decay():
    p = Parameter(np.array([4.0]), name="p")
    counter = fluid.dygraph.to_variable(np.array([0], np.int64))
    ema = ExponentialMovingAverage(0.999, thres_steps=counter, parameter_list=[p])
    average = np.zeros(1)
    for t in range(3):
        counter.set_value(np.array([t], np.int64))
        ema.update()
        decay = min(0.999, (1 + t) / (10 + t))
        average = decay * average + (1 - decay) * p.data
    with ema.apply():
        np.testing.assert_allclose(p.data, average / (1 - decay ** 3), rtol=1e-12)


def test_ema_needs_its_parameters_in_dygraph():
    with pytest.raises(ValueError, match="parameter_list"):
        ExponentialMovingAverage(0.99)
    with pytest.raises(ValueError, match="decay"):
        ExponentialMovingAverage(1.5, parameter_list=[])


def test_a_model_trained_with_lookahead_and_evaluated_with_its_average():
    rng = np.random.RandomState(0)
    x = rng.rand(32, 3).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
    model = fluid.dygraph.Linear(3, 1, param_attr=fluid.initializer.Constant(0.0))
    opt = LookaheadOptimizer(fluid.optimizer.Adam(0.05, parameter_list=model.parameters()), k=4)
    ema = ExponentialMovingAverage(0.9, parameter_list=model.parameters())

    def loss_now():
        return fluid.layers.mean(fluid.layers.square(model(fluid.dygraph.to_variable(x)) -
                                                     fluid.dygraph.to_variable(y)))
    first = loss_now().item()
    for _ in range(60):
        loss = loss_now()
        loss.backward()
        opt.minimize(loss)
        model.clear_gradients()
        ema.update()
    with ema.apply():
        averaged = loss_now().item()
    assert loss_now().item() < first * 0.2 and averaged < first * 0.5
