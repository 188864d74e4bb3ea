"""The schedules moved on per epoch (Paddle 1.8's ReduceLROnPlateau, StepDecay, MultiStepDecay,
LambdaDecay): rates against hand-computed sequences, training loops, state, errors."""
import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter
from minigrad.dygraph.learning_rate_scheduler import _LearningRateEpochDecay


@pytest.fixture(autouse=True)
def dygraph():
    with fluid.dygraph.guard():
        yield


def epoch_rates(schedule, n):
    """The rate of epochs 0 .. n-1: read by calling the schedule, then epoch()."""
    rates = []
    for _ in range(n):
        rates.append(float(schedule().numpy()[0]))
        schedule.epoch()
    return rates


def plateau_rates(schedule, losses):
    """The rate after each step(loss)."""
    rates = []
    for loss in losses:
        schedule.step(fluid.dygraph.to_variable(np.array([loss], "float32")))
        rates.append(float(schedule().numpy()[0]))
    return rates


# -- the epoch schedules -------------------------------------------------------------------------


def test_step_decay_matches_paddles_documented_sequence():
    # Paddle 1.8's StepDecay docstring: 0.5, step_size=3.
    rates = epoch_rates(fluid.dygraph.StepDecay(0.5, step_size=3), 9)
    np.testing.assert_allclose(rates, [0.5, 0.5, 0.5, 0.05, 0.05, 0.05, 0.005, 0.005, 0.005],
                               rtol=1e-6)


def test_multi_step_decay_matches_paddles_documented_sequence():
    rates = epoch_rates(fluid.dygraph.MultiStepDecay(0.5, milestones=[3, 5]), 7)
    np.testing.assert_allclose(rates, [0.5, 0.5, 0.5, 0.05, 0.05, 0.005, 0.005], rtol=1e-6)


def test_multi_step_decay_edges():
    # A milestone counts from the epoch it names; no milestones: a constant rate.
    rates = epoch_rates(fluid.dygraph.MultiStepDecay(1.0, (1, 2), 0.5), 4)
    assert rates == [1.0, 0.5, 0.25, 0.25]
    assert epoch_rates(fluid.dygraph.MultiStepDecay(0.3, []), 3) == pytest.approx([0.3] * 3)


def test_lambda_decay_matches_paddles_documented_sequence():
    rates = epoch_rates(fluid.dygraph.LambdaDecay(0.5, lr_lambda=lambda e: 0.95 ** e), 3)
    np.testing.assert_allclose(rates, [0.5, 0.475, 0.45125], rtol=1e-6)


def test_lambda_decay_sees_the_epoch_numbers():
    seen = []
    schedule = fluid.dygraph.LambdaDecay(2, lambda e: seen.append(e) or 1.0 / (e + 1))
    schedule.epoch()
    schedule.epoch(5)
    assert seen == [0, 1, 5]
    assert schedule.epoch_num == 5 and float(schedule().numpy()[0]) == pytest.approx(2 / 6)


def test_calling_an_epoch_schedule_reads_without_advancing():
    schedule = fluid.dygraph.StepDecay(0.5, step_size=1)
    first, second = schedule(), schedule()
    assert first.shape == [1] and first.dtype == np.float32 and first.stop_gradient
    assert first.numpy().tolist() == second.numpy().tolist() == [0.5]
    assert schedule.epoch_num == 0 and not hasattr(schedule, "step_num")


def test_epoch_sets_the_epoch():
    schedule = fluid.dygraph.StepDecay(1.0, step_size=2, decay_rate=0.5)
    schedule.epoch(5)                         # 5 // 2 = 2 decays
    assert schedule.epoch_num == 5 and float(schedule().numpy()[0]) == 0.25
    schedule.epoch()
    assert schedule.epoch_num == 6 and float(schedule().numpy()[0]) == 0.125
    schedule.epoch(np.int64(0))
    assert float(schedule().numpy()[0]) == 1.0


def test_custom_epoch_schedule():
    class Halving(_LearningRateEpochDecay):
        def get_lr(self):
            return self.base_lr / 2 ** self.epoch_num

    assert epoch_rates(Halving(1.0), 3) == [1.0, 0.5, 0.25]


# -- ReduceLROnPlateau ---------------------------------------------------------------------------


def test_plateau_with_patience_and_cooldown_by_hand():
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=0.5, patience=1, cooldown=1)
    # epoch 1: best 5; 2: best 4; 3: bad 1; 4: bad 2 > patience -> 0.5, cooldown 1;
    # 5: cooldown (not compared); 6: best 3; 7: bad 1; 8: bad 2 -> 0.25; 9: cooldown; 10: bad 1.
    losses = [5, 4, 4, 4, 4, 3, 3.5, 3.5, 3.5, 3.5]
    counters = []
    rates = []
    for loss in losses:
        rates += plateau_rates(schedule, [loss])
        counters.append((schedule.cooldown_counter, schedule.num_bad_epochs))
    assert rates == [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    assert counters == [(0, 0), (0, 0), (0, 1), (1, 0), (0, 0), (0, 0), (0, 1), (1, 0),
                        (0, 0), (0, 1)]
    assert schedule.epoch_num == 10 and schedule.best_loss == 3.0


def test_plateau_relative_threshold():
    # Better means below best * (1 - threshold): 0.99995 is not, 0.9998 is.
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0, patience=5, threshold=1e-4)
    schedule.step(1.0)
    schedule.step(0.99995)
    assert schedule.num_bad_epochs == 1 and schedule.best_loss == 1.0
    schedule.step(0.9998)
    assert schedule.num_bad_epochs == 0 and schedule.best_loss == 0.9998


def test_plateau_absolute_threshold_and_max_mode():
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0, patience=0, threshold=0.5,
                                               threshold_mode="abs")
    # 3 best; 2.6 is not below 2.5 -> reduce to 0.1; 2.4 is.
    assert plateau_rates(schedule, [3, 2.6, 2.4]) == pytest.approx([1.0, 0.1, 0.1])
    assert schedule.best_loss == pytest.approx(2.4)
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0, mode="MAX", patience=0, decay_rate=0.5)
    assert plateau_rates(schedule, [1, 2, 2, 1.5, 3]) == [1.0, 1.0, 0.5, 0.25, 0.25]


def test_plateau_min_lr_and_eps():
    schedule = fluid.dygraph.ReduceLROnPlateau(2, patience=0, min_lr=0.5)
    assert plateau_rates(schedule, [1, 1, 1]) == [2.0, 0.5, 0.5]
    # A reduction by eps or less is not made.
    schedule = fluid.dygraph.ReduceLROnPlateau(1e-8, patience=0)
    assert plateau_rates(schedule, [3, 3, 3]) == pytest.approx([1e-8] * 3)


def test_plateau_verbose_prints_each_reduction(capsys):
    schedule = fluid.dygraph.ReduceLROnPlateau(2.0, patience=0, min_lr=0.5, verbose=True)
    plateau_rates(schedule, [1, 1, 1])
    assert capsys.readouterr().out == "Epoch 2: reducing learning rate from 2.0 to 0.5.\n"


def test_plateau_takes_numbers_arrays_and_a_variable_rate():
    start = fluid.dygraph.to_variable(np.array([0.4], "float32"))
    schedule = fluid.dygraph.ReduceLROnPlateau(start, patience=0, decay_rate=0.5,
                                               dtype="float64")
    schedule.step(2.0)
    schedule.step(np.array([2], "int64"))
    rate = schedule()
    assert rate.dtype == np.float64 and float(rate.numpy()[0]) == pytest.approx(0.2)


def test_plateau_call_does_not_advance():
    schedule = fluid.dygraph.ReduceLROnPlateau(0.3)
    schedule(), schedule()
    assert schedule.epoch_num == 0 and schedule.best_loss is None
    assert schedule.step_num == 0


# -- with an optimizer ---------------------------------------------------------------------------


def sgd_epochs(schedule, batches, epochs, end_epoch):
    """SGD on one parameter with gradient 1, `batches` updates per epoch; `end_epoch(e)` moves
    the schedule on. Returns current_step_lr() before training, then after each update, and
    after each end of epoch; and the parameter."""
    p = Parameter(np.zeros(1, "float32"), name="p")
    opt = fluid.optimizer.SGD(schedule, parameter_list=[p])
    log = [("start", opt.current_step_lr())]
    loss = fluid.dygraph.to_variable(np.zeros(1, "float32"))
    for e in range(epochs):
        for _ in range(batches):
            p.grad = np.ones(1, "float32")
            opt.minimize(loss)
            log.append(("update", opt.current_step_lr()))
        end_epoch(e)
        log.append(("epoch end", opt.current_step_lr()))
    return log, p


def test_training_loop_with_step_decay():
    schedule = fluid.dygraph.StepDecay(0.5, step_size=2)
    log, p = sgd_epochs(schedule, 2, 3, lambda e: schedule.epoch())
    lr = [v for _, v in log]
    assert all(type(v) is np.float32 for v in lr)
    # Updates of epochs 0-1 use 0.5, of epoch 2 0.05; an end of epoch changes the reported rate
    # only from the next update on.
    np.testing.assert_allclose(lr, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.05, 0.05, 0.05],
                               rtol=1e-6)
    np.testing.assert_allclose(p.numpy(), [-(4 * 0.5 + 2 * 0.05)], rtol=1e-6)
    assert schedule.epoch_num == 3


def test_training_loop_with_reduce_lr_on_plateau():
    losses = [3.0, 3.0, 3.0, 2.0]
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=0.5, patience=1)
    log, p = sgd_epochs(schedule, 2, 4, lambda e: schedule.step(
        fluid.dygraph.to_variable(np.array([losses[e]], "float32"))))
    lr = [v for _, v in log]
    assert all(type(v) is np.float32 for v in lr)
    # Ends of epochs: 0 sets best 3; 1 and 2 are bad, the second one more than patience -> 0.5,
    # used by epoch 3's updates; 3 improves.
    assert lr == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    assert float(schedule().numpy()[0]) == 0.5 and schedule.best_loss == 2.0
    np.testing.assert_allclose(p.numpy(), [-(6 * 1.0 + 2 * 0.5)])


def test_real_model_trains_with_plateau_steps_each_epoch():
    rng = np.random.RandomState(0)
    x = fluid.dygraph.to_variable(rng.uniform(-1, 1, (8, 3)).astype("float32"))
    y = fluid.dygraph.to_variable(rng.uniform(-1, 1, (8, 1)).astype("float32"))
    model = fluid.dygraph.Linear(3, 1)
    schedule = fluid.dygraph.ReduceLROnPlateau(0.1, decay_rate=0.5, patience=0)
    adam = fluid.optimizer.Adam(learning_rate=schedule, parameter_list=model.parameters())
    used = []
    for _ in range(4):
        total = 0
        for _ in range(3):
            loss = fluid.layers.reduce_mean(fluid.layers.square(model(x) - y))
            loss.backward()
            adam.minimize(loss)
            model.clear_gradients()
            total = total + loss
            used.append(float(adam.current_step_lr()))
        expected = float(schedule().numpy()[0])
        assert used[-3:] == [expected] * 3
        schedule.step(total / 3)
    assert schedule.epoch_num == 4


def test_linear_warmup_around_epoch_schedules():
    # Warm-up counts updates; afterwards the wrapped schedule's current rate, moved per epoch.
    inner = fluid.dygraph.StepDecay(0.5, step_size=1)
    warmup = fluid.dygraph.LinearLrWarmup(inner, warmup_steps=2, start_lr=0.0, end_lr=0.5)
    rates = []
    for i in range(5):
        rates.append(float(warmup().numpy()[0]))
        if i == 2:
            inner.epoch()
    np.testing.assert_allclose(rates, [0.25, 0.5, 0.5, 0.05, 0.05], rtol=1e-6)
    plateau = fluid.dygraph.ReduceLROnPlateau(0.5, patience=0)
    warmup = fluid.dygraph.LinearLrWarmup(plateau, warmup_steps=1, start_lr=0.0, end_lr=0.5)
    plateau.step(1.0)
    plateau.step(1.0)
    np.testing.assert_allclose(float(warmup().numpy()[0]), 0.05, rtol=1e-6)


def test_set_lr_refuses_these_schedules():
    p = Parameter(np.zeros(1), name="p")
    opt = fluid.optimizer.SGD(fluid.dygraph.StepDecay(0.1, 2), parameter_list=[p])
    with pytest.raises(RuntimeError, match="schedule"):
        opt.set_lr(0.2)


# -- state ---------------------------------------------------------------------------------------


def test_state_dict_keys_and_types():
    plateau = fluid.dygraph.ReduceLROnPlateau(1.0, patience=0, decay_rate=0.5)
    assert plateau.state_dict() == {"cooldown_counter": 0, "best_loss": None,
                                    "num_bad_epochs": 0, "epoch_num": 0, "learning_rate": 1.0}
    plateau_rates(plateau, [2, 2])
    state = plateau.state_dict()
    assert list(state) == ["cooldown_counter", "best_loss", "num_bad_epochs", "epoch_num",
                           "learning_rate"]
    assert type(state["best_loss"]) is np.float32 and type(state["learning_rate"]) is np.float32
    assert state == {"cooldown_counter": 0, "best_loss": 2.0, "num_bad_epochs": 0,
                     "epoch_num": 2, "learning_rate": 0.5}
    step = fluid.dygraph.StepDecay(0.5, 1)
    step.epoch()
    state = step.state_dict()
    assert list(state) == ["epoch_num", "learning_rate"] and state["epoch_num"] == 1
    assert type(state["learning_rate"]) is np.float32 and state["learning_rate"] == np.float32(0.05)


def test_optimizer_state_entries():
    p = Parameter(np.zeros(1, "float32"), name="p")
    epoch_state = fluid.optimizer.Adam(fluid.dygraph.MultiStepDecay(0.1, [1]),
                                       parameter_list=[p]).state_dict()
    assert "global_step" not in epoch_state
    assert epoch_state["LR_Scheduler"] == {"epoch_num": 0, "learning_rate": np.float32(0.1)}
    plateau_state = fluid.optimizer.SGD(fluid.dygraph.ReduceLROnPlateau(0.1),
                                        parameter_list=[p]).state_dict()
    assert set(plateau_state) == {"LR_Scheduler", "global_step"}
    assert plateau_state["global_step"].numpy().tolist() == [0]
    assert plateau_state["global_step"].dtype == np.int32


PLATEAU_LOSSES = [5, 4, 4, 4, 4, 3]


@pytest.mark.parametrize("make, end_epoch", [
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=0.5, patience=1, cooldown=1),
     lambda s, e: s.step(fluid.dygraph.to_variable(np.array([PLATEAU_LOSSES[e]], "float32")))),
    (lambda: fluid.dygraph.StepDecay(0.5, 2), lambda s, e: s.epoch()),
    (lambda: fluid.dygraph.MultiStepDecay(0.5, [1, 4]), lambda s, e: s.epoch()),
    (lambda: fluid.dygraph.LambdaDecay(0.5, lambda e: 1 / (1 + e)), lambda s, e: s.epoch()),
])
def test_save_load_resumes_the_schedule(tmp_path, make, end_epoch):
    def run(schedule, opt, p, epochs):
        rates = []
        for e in epochs:
            p.grad = np.ones(1, "float32")
            opt.minimize(fluid.dygraph.to_variable(np.zeros(1, "float32")))
            rates.append(float(opt.current_step_lr()))
            end_epoch(schedule, e)
        return rates

    def fresh():
        schedule = make()
        p = Parameter(np.zeros(1, "float32"), name="p")
        return schedule, fluid.optimizer.Adam(schedule, parameter_list=[p]), p

    straight = run(*fresh(), range(6))
    schedule, opt, p = fresh()
    run(schedule, opt, p, range(3))
    fluid.save_dygraph(opt.state_dict(), str(tmp_path / "ckpt"))
    _, loaded = fluid.load_dygraph(str(tmp_path / "ckpt"))
    resumed, opt2, p2 = fresh()
    p2.set_value(p.numpy())
    opt2.set_dict(loaded)
    assert resumed.state_dict() == schedule.state_dict()
    assert opt2.current_step_lr() == schedule().numpy()[0]
    assert run(resumed, opt2, p2, range(3, 6)) == straight[3:]


def test_set_dict_accepts_paddle_values_and_rejects_bad_ones():
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0)
    schedule.set_dict({"cooldown_counter": np.int64(1), "best_loss": np.array([2.5], "float32"),
                       "num_bad_epochs": 2, "epoch_num": 7, "learning_rate": 0.25, "extra": 1})
    assert (schedule.cooldown_counter, schedule.best_loss, schedule.num_bad_epochs,
            schedule.epoch_num, schedule.learning_rate) == (1, 2.5, 2, 7, 0.25)
    before = schedule.state_dict()
    with pytest.raises(KeyError, match="best_loss"):
        schedule.set_dict({"cooldown_counter": 0, "num_bad_epochs": 0, "epoch_num": 0,
                           "learning_rate": 0.1})
    with pytest.raises(TypeError, match="epoch_num"):
        schedule.set_dict({**before, "epoch_num": 1.5, "learning_rate": 0.1})
    assert schedule.state_dict() == before          # nothing half-loaded
    step = fluid.dygraph.StepDecay(0.5, 2)
    with pytest.raises(KeyError, match="learning_rate"):
        step.set_dict({"epoch_num": 1})


def test_optimizer_set_dict_needs_the_scheduler_entry():
    p = Parameter(np.zeros(1, "float32"), name="p")
    schedule = fluid.dygraph.StepDecay(0.5, 2)
    opt = fluid.optimizer.SGD(schedule, parameter_list=[p])
    with pytest.raises(KeyError, match="LR_Scheduler"):
        opt.set_dict({})
    with pytest.raises(KeyError, match="learning_rate"):
        opt.set_dict({"LR_Scheduler": {"epoch_num": 3}})
    assert schedule.epoch_num == 0


# -- names and bad input -------------------------------------------------------------------------


def test_paddle_names():
    module = fluid.dygraph.learning_rate_scheduler
    for name in ["ReduceLROnPlateau", "StepDecay", "MultiStepDecay", "LambdaDecay"]:
        assert getattr(module, name) is getattr(fluid.dygraph, name)
        assert issubclass(getattr(module, name), fluid.dygraph.LearningRateDecay)
    assert not issubclass(fluid.dygraph.ReduceLROnPlateau, _LearningRateEpochDecay)
    assert issubclass(fluid.dygraph.LambdaDecay, _LearningRateEpochDecay)


@pytest.mark.parametrize("factory, error, match", [
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, mode="avg"), ValueError, "mode"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, mode=1), TypeError, "mode"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, threshold_mode="x"), ValueError,
     "threshold_mode"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=1.0), ValueError, "decay_rate"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=-0.1), ValueError, "decay_rate"),
    (lambda: fluid.dygraph.ReduceLROnPlateau("a"), TypeError, "learning_rate"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(-1.0), ValueError, "learning_rate"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(fluid.dygraph.to_variable(np.ones(2, "float32"))),
     ValueError, "learning_rate"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, patience=1.5), TypeError, "patience"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, patience=-1), ValueError, "patience"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, cooldown=-1), ValueError, "cooldown"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, min_lr=-1), ValueError, "min_lr"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, eps=None), TypeError, "eps"),
    (lambda: fluid.dygraph.ReduceLROnPlateau(1.0, dtype="int32"), ValueError, "dtype"),
    (lambda: fluid.dygraph.StepDecay("a", 2), TypeError, "learning_rate"),
    (lambda: fluid.dygraph.StepDecay(-0.1, 2), ValueError, "learning_rate"),
    (lambda: fluid.dygraph.StepDecay(0.1, 2.0), TypeError, "step_size"),
    (lambda: fluid.dygraph.StepDecay(0.1, 0), ValueError, "step_size"),
    (lambda: fluid.dygraph.StepDecay(0.1, 2, 1.0), ValueError, "decay_rate"),
    (lambda: fluid.dygraph.MultiStepDecay(0.1, 3), TypeError, "milestones"),
    (lambda: fluid.dygraph.MultiStepDecay(0.1, [3, 3]), ValueError, "milestones"),
    (lambda: fluid.dygraph.MultiStepDecay(0.1, ["a"]), TypeError, "milestones"),
    (lambda: fluid.dygraph.MultiStepDecay(0.1, [2], 1.5), ValueError, "decay_rate"),
    (lambda: fluid.dygraph.LambdaDecay(0.1, 3), TypeError, "lr_lambda"),
    (lambda: fluid.dygraph.LambdaDecay(0.1, lambda e: "x"), TypeError, r"lr_lambda\(0\)"),
])
def test_bad_arguments(factory, error, match):
    with pytest.raises(error, match=match):
        factory()


@pytest.mark.parametrize("loss, error, match", [
    (np.ones((2,), "float32"), ValueError, r"shape \[1\].*got shape \[2\]"),
    (np.ones((1, 1), "float32"), ValueError, r"got shape \[1, 1\]"),
    ("3", TypeError, "loss"),
    (None, TypeError, "loss"),
    (np.array([True]), TypeError, "dtype"),
])
def test_plateau_step_bad_loss(loss, error, match):
    schedule = fluid.dygraph.ReduceLROnPlateau(1.0)
    with pytest.raises(error, match=match):
        schedule.step(fluid.dygraph.to_variable(loss) if isinstance(loss, np.ndarray) else loss)
    assert schedule.epoch_num == 0
    with pytest.raises(TypeError, match="loss"):
        schedule.step()


def test_bad_epoch_and_step_on_an_epoch_schedule():
    schedule = fluid.dygraph.StepDecay(0.1, 2)
    with pytest.raises(TypeError, match="epoch"):
        schedule.epoch(2.5)
    with pytest.raises(ValueError, match="epoch"):
        schedule.epoch(-3)
    with pytest.raises(NotImplementedError, match=r"epoch\(\)"):
        schedule.step()
    assert schedule.epoch_num == 0
