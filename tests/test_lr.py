"""Learning-rate schedules: values against closed forms and hand-computed numbers, stepping
once per minimize (Paddle 1.8's LearningRateDecay), state, errors."""
import math

import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter


@pytest.fixture(autouse=True)
def dygraph():
    with fluid.dygraph.guard():
        yield


def values(schedule, n):
    """The rates of n successive calls (what n optimizer updates use), read in float64 from
    step() before each call advances the schedule."""
    rates = []
    for _ in range(n):
        rates.append(float(schedule.step()))
        schedule()
    return rates


def test_calling_a_schedule_gives_a_rate_variable_and_advances():
    schedule = fluid.dygraph.PiecewiseDecay([1], [0.5, 0.25], 0)
    first, second = schedule(), schedule()
    assert first.shape == [1] and first.dtype == np.float32 and first.stop_gradient
    assert first.numpy().tolist() == [0.5] and second.numpy().tolist() == [0.25]
    assert schedule.step_num == 2


def optimizer_rates(schedule, n):
    """current_step_lr() before any update, then after each of n SGD updates."""
    p = Parameter(np.zeros(1), name="p")
    opt = fluid.optimizer.SGD(schedule, parameter_list=[p])
    rates = [opt.current_step_lr()]
    loss = fluid.dygraph.to_variable(np.zeros(1))
    for _ in range(n):
        p.grad = np.ones(1)
        opt.minimize(loss)
        rates.append(opt.current_step_lr())
    return rates, p


def test_piecewise_decay_matches_paddles_documented_sequence():
    # From Paddle 1.8's Optimizer.current_step_lr docstring.
    bd, value = [2, 4, 6, 8], [0.2, 0.4, 0.6, 0.8, 1.0]
    rates, _ = optimizer_rates(fluid.dygraph.PiecewiseDecay(bd, value, 0), 12)
    assert rates[0] == 0.2
    np.testing.assert_allclose(rates[1:], [0.2, 0.2, 0.4, 0.4, 0.6, 0.6, 0.8, 0.8, 1.0, 1.0,
                                           1.0, 1.0])


def test_updates_use_the_scheduled_rate():
    # SGD with g = 1: the parameter moves by the sum of the rates used: 0.2 + 0.2 + 0.4.
    _, p = optimizer_rates(fluid.dygraph.PiecewiseDecay([2], [0.2, 0.4], 0), 3)
    np.testing.assert_allclose(p.data, [-0.8])


def test_begin_and_step():
    schedule = fluid.dygraph.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5, begin=3,
                                              step=2)
    np.testing.assert_allclose(values(schedule, 3), [0.5 ** 3, 0.5 ** 5, 0.5 ** 7])
    assert schedule.step_num == 9


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    lr, ds, rate = 0.1, 3, 0.6
    got = values(fluid.dygraph.ExponentialDecay(lr, ds, rate, staircase=staircase), 8)
    ratio = [(math.floor(n / ds) if staircase else n / ds) for n in range(8)]
    np.testing.assert_allclose(got, [lr * rate ** r for r in ratio], rtol=1e-12)
    if staircase:
        np.testing.assert_allclose(got[:4], [0.1, 0.1, 0.1, 0.06])


@pytest.mark.parametrize("staircase", [False, True])
def test_natural_exp_decay(staircase):
    lr, ds, rate = 0.1, 3, 0.6
    got = values(fluid.dygraph.NaturalExpDecay(lr, ds, rate, staircase=staircase), 8)
    ratio = [(math.floor(n / ds) if staircase else n / ds) for n in range(8)]
    np.testing.assert_allclose(got, [lr * math.exp(-rate * r) for r in ratio], rtol=1e-12)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    lr, ds, rate = 0.1, 3, 0.5
    got = values(fluid.dygraph.InverseTimeDecay(lr, ds, rate, staircase=staircase), 8)
    ratio = [(math.floor(n / ds) if staircase else n / ds) for n in range(8)]
    np.testing.assert_allclose(got, [lr / (1 + rate * r) for r in ratio], rtol=1e-12)
    if not staircase:
        assert got[6] == pytest.approx(0.05)      # 0.1 / (1 + 0.5 * 2)


def test_polynomial_decay_without_cycle_by_hand():
    got = values(fluid.dygraph.PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0), 7)
    np.testing.assert_allclose(got, [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0], atol=1e-15)


def test_polynomial_decay_with_cycle_by_hand():
    # The horizon grows to the next multiple of decay_steps: step 5 -> 8, step 9 -> 12.
    schedule = fluid.dygraph.PolynomialDecay(1.0, 4, end_learning_rate=0.0, cycle=True)
    got = values(schedule, 10)
    expected = [1.0, 0.75, 0.5, 0.25, 0.0, 1 - 5 / 8, 1 - 6 / 8, 1 - 7 / 8, 0.0, 1 - 9 / 12]
    np.testing.assert_allclose(got, expected, atol=1e-15)


def test_polynomial_decay_power_and_end_rate():
    lr, end, ds, power = 0.5, 0.1, 5, 2.0
    got = values(fluid.dygraph.PolynomialDecay(lr, ds, end, power=power), 7)
    expected = [(lr - end) * (1 - min(n, ds) / ds) ** power + end for n in range(7)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_cosine_decay():
    got = values(fluid.dygraph.CosineDecay(0.1, step_each_epoch=2, epochs=4), 9)
    half = 0.1 * 0.5 * (math.cos(math.pi / 4) + 1)
    np.testing.assert_allclose(got[:4], [0.1, 0.1, half, half], rtol=1e-12)
    np.testing.assert_allclose(got[4], 0.05, rtol=1e-12)          # epoch 2 of 4: cos(pi/2) = 0
    assert got[8] == pytest.approx(0.0, abs=1e-15)                 # epoch 4: cos(pi) = -1


def test_noam_decay_by_hand():
    # d_model = 4 -> 4^-0.5 = 0.5; warmup 2 -> 2^-1.5 = 0.353553...; begin = 1.
    got = values(fluid.dygraph.NoamDecay(d_model=4, warmup_steps=2), 4)
    expected = [0.5 * min(n ** -0.5, n * 2 ** -1.5) for n in (1, 2, 3, 4)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got[0], 0.5 * 0.35355339059327373, rtol=1e-12)
    np.testing.assert_allclose(got[3], 0.25, rtol=1e-12)
    scaled = values(fluid.dygraph.NoamDecay(4, 2, learning_rate=2.0), 2)
    np.testing.assert_allclose(scaled, [2 * v for v in got[:2]], rtol=1e-12)
    assert fluid.dygraph.NoamDecay(4, 2, begin=0).step() == 0.0


def test_linear_warmup_to_a_float():
    # begin = 1: 0 + 0.4 / 4 * n for n = 1, 2, 3, then the rate 0.3.
    got = values(fluid.dygraph.LinearLrWarmup(0.3, warmup_steps=4, start_lr=0.0, end_lr=0.4), 6)
    np.testing.assert_allclose(got, [0.1, 0.2, 0.3, 0.3, 0.3, 0.3], rtol=1e-12)


def test_linear_warmup_wraps_a_schedule_that_advances_throughout():
    inner = fluid.dygraph.PiecewiseDecay([3], [1.0, 0.5], begin=0)
    warm = fluid.dygraph.LinearLrWarmup(inner, warmup_steps=2, start_lr=0.0, end_lr=0.2)
    # call k: outer step 1 + k, inner step k. Warm-up while 1 + k < 2, then inner's value at k.
    np.testing.assert_allclose(values(warm, 5), [0.1, 1.0, 1.0, 0.5, 0.5], rtol=1e-12)
    assert inner.step_num == 5


def test_current_step_lr_peeks_without_advancing():
    inner = fluid.dygraph.PiecewiseDecay([1], [1.0, 0.5], begin=0)
    warm = fluid.dygraph.LinearLrWarmup(inner, warmup_steps=2, start_lr=0.0, end_lr=0.2)
    p = Parameter(np.zeros(1), name="p")
    opt = fluid.optimizer.SGD(warm, parameter_list=[p])
    for _ in range(3):
        assert opt.current_step_lr() == pytest.approx(0.1)
    assert (warm.step_num, inner.step_num) == (1, 0)


def test_custom_schedule_subclass():
    class Halving(fluid.dygraph.LearningRateDecay):
        def step(self):
            return self.create_lr_var(1.0 / 2 ** self.step_num)

    rates, p = optimizer_rates(Halving(), 3)
    np.testing.assert_allclose(rates, [1.0, 1.0, 0.5, 0.25])
    np.testing.assert_allclose(p.data, [-1.75])


def test_paddle_module_path():
    from minigrad.dygraph.learning_rate_scheduler import LearningRateDecay, NoamDecay
    assert NoamDecay is fluid.dygraph.NoamDecay
    assert issubclass(NoamDecay, LearningRateDecay)


def test_schedule_state_round_trip():
    inner = fluid.dygraph.CosineDecay(0.1, 1, 10)
    warm = fluid.dygraph.LinearLrWarmup(inner, 3, 0.0, 0.1)
    values(warm, 4)
    state = warm.state_dict()
    assert state == {"step_num": 5, "learning_rate.step_num": 4}
    fresh = fluid.dygraph.LinearLrWarmup(fluid.dygraph.CosineDecay(0.1, 1, 10), 3, 0.0, 0.1)
    fresh.set_dict(state)
    assert values(fresh, 3) == values(warm, 3)
    with pytest.raises(KeyError, match="step_num"):
        fresh.set_dict({"learning_rate.step_num": 1})
    assert fresh.step_num == 8                    # nothing half-loaded


def test_optimizer_state_holds_a_wrapped_schedule():
    def make(ps):
        inner = fluid.dygraph.PiecewiseDecay([4], [1.0, 0.5], begin=0)
        return fluid.optimizer.SGD(fluid.dygraph.LinearLrWarmup(inner, 2, 0.0, 0.2),
                                   parameter_list=ps)
    p = Parameter(np.zeros(1), name="p")
    opt = make([p])
    loss = fluid.dygraph.to_variable(np.zeros(1))
    for _ in range(3):
        p.grad = np.ones(1)
        opt.minimize(loss)
    state = opt.state_dict()
    assert state["global_step"].numpy().tolist() == [4]
    assert state["LR_Scheduler"] == {"step_num": 4, "learning_rate.step_num": 3}
    restored = make([Parameter(np.zeros(1), name="p")])
    restored.set_dict(state)
    assert restored._learning_rate.learning_rate.step_num == 3
    # files written before "LR_Scheduler" was a dict keep loading
    older = make([Parameter(np.zeros(1), name="p")])
    older.set_dict({"global_step": np.array([4]),
                    "LR_Scheduler.learning_rate.step_num": np.array([3])})
    assert older._learning_rate.learning_rate.step_num == 3


@pytest.mark.parametrize("factory, error, match", [
    (lambda: fluid.dygraph.PiecewiseDecay([1, 2], [0.1, 0.2], 0), ValueError, "one more"),
    (lambda: fluid.dygraph.PiecewiseDecay([2, 1], [0.1, 0.2, 0.3], 0), ValueError, "increase"),
    (lambda: fluid.dygraph.ExponentialDecay(0.1, 0, 0.5), ValueError, "decay_steps"),
    (lambda: fluid.dygraph.ExponentialDecay("0.1", 10, 0.5), TypeError, "learning_rate.*str"),
    (lambda: fluid.dygraph.CosineDecay(0.1, 10, 0), ValueError, "epochs"),
    (lambda: fluid.dygraph.NoamDecay(512, -1), ValueError, "warmup_steps"),
    (lambda: fluid.dygraph.LinearLrWarmup(0.1, 10, 0.5, 0.1), ValueError, "end_lr"),
    (lambda: fluid.dygraph.LinearLrWarmup([0.1], 10, 0.0, 0.1), TypeError,
     "learning_rate.*schedule.*list"),
    (lambda: fluid.dygraph.PolynomialDecay(0.1, 10, begin=1.5), TypeError, "begin"),
])
def test_bad_arguments(factory, error, match):
    with pytest.raises(error, match=match):
        factory()
