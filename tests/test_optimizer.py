"""Optimizers: update rules against hand-written formulas, the minimize pipeline, state, errors.

The reference updates below are written from the published formulas (Paddle 1.8's operator
docs), in float64, step by step; they share no code with minigrad/optimizer.
"""
import math
import warnings

import numpy as np
import pytest

import minigrad as fluid
from minigrad.core.variable import Parameter

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.25, 0.75, 1.5]), np.array([1.0, 0.1, -3.0])]
START = np.array([1.0, -2.0, 0.5])


@pytest.fixture(autouse=True)
def dygraph(request):
    if getattr(request.function, "outside_guard", False):    # the test opens its own guards
        yield
        return
    with fluid.dygraph.guard():
        yield


def outside_guard(test):
    test.outside_guard = True
    return test


def param(values=START, dtype=np.float64, name="linear_0.w_0", **kwargs):
    return Parameter(np.array(values, dtype=dtype), name=name, **kwargs)


def run(opt, params, grads_per_step):
    """One minimize per step, with the given gradient set directly on each parameter."""
    loss = fluid.dygraph.to_variable(np.zeros(1))
    for grads in grads_per_step:
        for p, g in zip(params, grads):
            p.grad = None if g is None else np.array(g, dtype=p.data.dtype)
        opt.minimize(loss)
        for p in params:
            p.clear_gradient()


def steps(opt_factory, grads=GRADS, dtype=np.float64):
    p = param(dtype=dtype)
    opt = opt_factory([p])
    run(opt, [p], [[g] for g in grads])
    return p.data


# -- update rules -----------------------------------------------------------------------------


def test_sgd_matches_formula():
    lr = 0.1
    expected = START.copy()
    for g in GRADS:
        expected = expected - lr * g
    got = steps(lambda ps: fluid.optimizer.SGD(lr, parameter_list=ps))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_formula(nesterov):
    lr, mu = 0.1, 0.9
    p, v = START.copy(), np.zeros(3)
    for g in GRADS:
        v = mu * v + g
        p = p - (lr * (g + mu * v) if nesterov else lr * v)
    got = steps(lambda ps: fluid.optimizer.Momentum(lr, momentum=mu, parameter_list=ps,
                                                    use_nesterov=nesterov))
    np.testing.assert_allclose(got, p, rtol=1e-12)


def test_momentum_two_steps_by_hand():
    # x = 1, g = 1 twice, lr = 0.1, mu = 0.5: v1 = 1, x1 = 0.9; v2 = 1.5, x2 = 0.75.
    # Nesterov: x1 = 1 - 0.1 * (1 + 0.5 * 1) = 0.85; x2 = 0.85 - 0.1 * (1 + 0.5 * 1.5) = 0.675.
    for nesterov, x2 in [(False, 0.75), (True, 0.675)]:
        p = param([1.0])
        opt = fluid.optimizer.Momentum(0.1, 0.5, parameter_list=[p], use_nesterov=nesterov)
        run(opt, [p], [[[1.0]], [[1.0]]])
        np.testing.assert_allclose(p.data, [x2], rtol=1e-12)


def test_adagrad_matches_formula():
    lr, eps, init = 0.2, 1e-6, 0.1
    p, m = START.copy(), np.full(3, init)
    for g in GRADS:
        m = m + g ** 2
        p = p - lr * g / (np.sqrt(m) + eps)
    got = steps(lambda ps: fluid.optimizer.Adagrad(lr, epsilon=eps, parameter_list=ps,
                                                   initial_accumulator_value=init))
    np.testing.assert_allclose(got, p, rtol=1e-12)


def test_adagrad_first_step_is_lr_times_sign():
    # With a zero accumulator, the first step is lr * g / |g| (up to epsilon).
    p = param([1.0, 1.0])
    run(fluid.optimizer.Adagrad(0.1, epsilon=0.0, parameter_list=[p]), [p], [[[3.0, -0.5]]])
    np.testing.assert_allclose(p.data, [0.9, 1.1], rtol=1e-12)


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop_matches_formula(centered, momentum):
    lr, rho, eps = 0.05, 0.9, 1e-6
    p = START.copy()
    ms, mg, mom = np.zeros(3), np.zeros(3), np.zeros(3)
    for g in GRADS:
        ms = rho * ms + (1 - rho) * g * g
        if centered:
            mg = rho * mg + (1 - rho) * g
            mom = momentum * mom + lr * g / np.sqrt(ms - mg ** 2 + eps)
        else:
            mom = momentum * mom + lr * g / np.sqrt(ms + eps)
        p = p - mom
    got = steps(lambda ps: fluid.optimizer.RMSProp(lr, rho=rho, epsilon=eps, momentum=momentum,
                                                   centered=centered, parameter_list=ps))
    np.testing.assert_allclose(got, p, rtol=1e-12)


def test_rmsprop_first_step_by_hand():
    # g = 2, rho = 0.75, eps = 0: ms = 0.25 * 4 = 1, step = lr * 2 / 1 = 0.2 (lr = 0.1).
    # Centered: mg = 0.25 * 2 = 0.5, ms - mg^2 = 0.75, step = 0.2 / sqrt(0.75).
    for centered, step in [(False, 0.2), (True, 0.2 / math.sqrt(0.75))]:
        p = param([1.0])
        opt = fluid.optimizer.RMSProp(0.1, rho=0.75, epsilon=0.0, centered=centered,
                                      parameter_list=[p])
        run(opt, [p], [[[2.0]]])
        np.testing.assert_allclose(p.data, [1.0 - step], rtol=1e-12)


def test_adam_matches_formula_with_bias_correction():
    lr, b1, b2, eps = 0.01, 0.8, 0.9, 1e-8
    p, m1, m2 = START.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        m1 = b1 * m1 + (1 - b1) * g
        m2 = b2 * m2 + (1 - b2) * g * g
        lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        p = p - lr_t * m1 / (np.sqrt(m2) + eps)
    got = steps(lambda ps: fluid.optimizer.Adam(lr, beta1=b1, beta2=b2, epsilon=eps,
                                                parameter_list=ps))
    np.testing.assert_allclose(got, p, rtol=1e-12)


def test_adam_first_step_is_lr_times_sign():
    # Bias correction makes the first step lr * m1_hat / sqrt(m2_hat) = lr * sign(g).
    p = param([0.0, 0.0, 0.0])
    opt = fluid.optimizer.Adam(0.1, epsilon=0.0, parameter_list=[p])
    run(opt, [p], [[[5.0, -0.01, 300.0]]])
    np.testing.assert_allclose(p.data, [-0.1, 0.1, -0.1], rtol=1e-12)


def test_adam_defaults_are_paddles():
    p = param()
    opt = fluid.optimizer.Adam(parameter_list=[p])
    assert opt.current_step_lr() == 0.001
    state = opt.state_dict()
    assert state["linear_0.w_0_beta1_pow_acc_0"].numpy()[0] == pytest.approx(0.9)
    assert state["linear_0.w_0_beta2_pow_acc_0"].numpy()[0] == pytest.approx(0.999)


@pytest.mark.parametrize("name, cls", [("SGDOptimizer", "SGD"), ("MomentumOptimizer", "Momentum"),
                                       ("AdagradOptimizer", "Adagrad"), ("AdamOptimizer", "Adam"),
                                       ("RMSPropOptimizer", "RMSProp")])
def test_paddle_long_names(name, cls):
    assert getattr(fluid.optimizer, name) is getattr(fluid.optimizer, cls)


ALL_OPTIMIZERS = {
    "sgd": lambda ps, lr=0.1: fluid.optimizer.SGD(lr, parameter_list=ps),
    "momentum": lambda ps, lr=0.1: fluid.optimizer.Momentum(lr, 0.9, parameter_list=ps),
    "nesterov": lambda ps, lr=0.1: fluid.optimizer.Momentum(lr, 0.9, parameter_list=ps,
                                                            use_nesterov=True),
    "adagrad": lambda ps, lr=0.1: fluid.optimizer.Adagrad(lr, parameter_list=ps),
    "adam": lambda ps, lr=0.1: fluid.optimizer.Adam(lr, parameter_list=ps),
    "rmsprop": lambda ps, lr=0.1: fluid.optimizer.RMSProp(lr, parameter_list=ps),
    "rmsprop_centered": lambda ps, lr=0.1: fluid.optimizer.RMSProp(lr, momentum=0.5,
                                                                    centered=True,
                                                                    parameter_list=ps),
}


@pytest.mark.parametrize("kind", sorted(ALL_OPTIMIZERS))
def test_float32_stays_float32_and_matches_float64(kind):
    p32 = param(dtype=np.float32)
    p64 = param(dtype=np.float64)
    opt32 = ALL_OPTIMIZERS[kind]([p32])
    opt64 = ALL_OPTIMIZERS[kind]([p64])
    run(opt32, [p32], [[g] for g in GRADS])
    run(opt64, [p64], [[g] for g in GRADS])
    assert p32.data.dtype == np.float32
    for value in opt32.state_dict().values():
        assert value.numpy().dtype == np.float32
    np.testing.assert_allclose(p32.data, p64.data, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(ALL_OPTIMIZERS))
def test_updates_in_place_and_never_touch_the_gradient(kind):
    p = param(dtype=np.float32)
    buffer = p.data
    g = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    p.grad = g
    ALL_OPTIMIZERS[kind]([p]).minimize(fluid.dygraph.to_variable(np.zeros(1)))
    assert p.data is buffer                      # same array, updated in place
    assert p.grad is g                           # gradient untouched (still there, same values)
    np.testing.assert_array_equal(g, [0.5, -1.0, 2.0])
    assert not np.array_equal(p.data, START.astype(np.float32))


# -- the minimize pipeline --------------------------------------------------------------------


def test_minimize_uses_backward_gradients_and_does_not_call_backward():
    p = param([1.0, 2.0])
    x = fluid.dygraph.to_variable(np.array([3.0, 4.0]))
    loss = (p * x).sum()                          # d loss / d p = x
    opt = fluid.optimizer.SGD(0.1, parameter_list=[p])
    with pytest.warns(UserWarning, match="backward"):
        opt.minimize(loss)                       # no backward yet: nothing happens
    np.testing.assert_array_equal(p.data, [1.0, 2.0])
    loss.backward()
    ops, params_grads = opt.minimize(loss)
    np.testing.assert_allclose(p.data, [1.0 - 0.3, 2.0 - 0.4])
    assert ops == []
    assert len(params_grads) == 1 and params_grads[0][0] is p
    np.testing.assert_array_equal(params_grads[0][1].numpy(), [3.0, 4.0])


def test_per_parameter_learning_rate_multiplier():
    a = param([1.0], name="a")
    b = param([1.0], name="b", learning_rate=0.5)
    c = param([1.0], name="c")
    c.optimize_attr["learning_rate"] = 0.0
    opt = fluid.optimizer.SGD(0.2, parameter_list=[a, b, c])
    run(opt, [a, b, c], [[[1.0], [1.0], [1.0]]])
    np.testing.assert_allclose([a.data[0], b.data[0], c.data[0]], [0.8, 0.9, 1.0])


def test_multiplier_applies_to_adam_rate():
    # Adam's first step is lr * sign(g); with a multiplier 0.25 it is 0.25 * lr.
    p = param([0.0], learning_rate=0.25)
    run(fluid.optimizer.Adam(0.4, epsilon=0.0, parameter_list=[p]), [p], [[[2.0]]])
    np.testing.assert_allclose(p.data, [-0.1], rtol=1e-12)


def test_skips_non_trainable_and_gradient_free_parameters():
    trained = param([1.0], name="trained")
    frozen = param([1.0], name="frozen", trainable=False)
    no_grad = param([1.0], name="no_grad")
    opt = fluid.optimizer.Momentum(0.1, 0.9, parameter_list=[trained, frozen, no_grad])
    frozen.grad = np.array([1.0])
    trained.grad = np.array([1.0])
    _, params_grads = opt.minimize(fluid.dygraph.to_variable(np.zeros(1)))
    assert [p.name for p, _ in params_grads] == ["trained"]
    np.testing.assert_allclose(trained.data, [0.9])
    assert frozen.data[0] == 1.0 and no_grad.data[0] == 1.0
    # The frozen parameter has no optimizer state.
    assert not any(k.startswith("frozen") for k in opt.state_dict())


def test_no_grad_set_by_parameter_or_name():
    a, b, c = param([1.0], name="a"), param([1.0], name="b"), param([1.0], name="c")
    opt = fluid.optimizer.SGD(0.5, parameter_list=[a, b, c])
    for p in (a, b, c):
        p.grad = np.array([1.0])
    opt.minimize(fluid.dygraph.to_variable(np.zeros(1)), no_grad_set={a, "b"})
    assert [a.data[0], b.data[0], c.data[0]] == [1.0, 1.0, 0.5]


def test_minimize_parameter_list_overrides():
    a, b = param([1.0], name="a"), param([1.0], name="b")
    opt = fluid.optimizer.SGD(0.5, parameter_list=[a, b])
    a.grad = np.array([1.0])
    b.grad = np.array([1.0])
    opt.minimize(fluid.dygraph.to_variable(np.zeros(1)), parameter_list=[b])
    assert [a.data[0], b.data[0]] == [1.0, 0.5]


def test_parameter_list_from_generator_and_duplicates_updated_once():
    a, b = param([1.0], name="a"), param([1.0], name="b")
    opt = fluid.optimizer.SGD(0.5, parameter_list=(p for p in [a, b, a]))
    run(opt, [a, b], [[[1.0], [2.0]]])
    assert [a.data[0], b.data[0]] == [0.5, 0.0]


def test_clear_gradients():
    a, b = param([1.0], name="a"), param([1.0], name="b")
    a.grad, b.grad = np.array([1.0]), np.array([1.0])
    fluid.optimizer.Adam(parameter_list=[a, b]).clear_gradients()
    assert a.grad is None and b.grad is None
    assert a.gradient().tolist() == [0.0] and b.gradient().tolist() == [0.0]    # as 1.8.5


def test_order_is_clip_then_regularize_then_update():
    # Clip to [-0.1, 0.1] first, then add the L2 term 1.0 * p (not clipped), then SGD.
    p = param([2.0, -3.0])
    opt = fluid.optimizer.SGD(0.1, parameter_list=[p],
                              regularization=fluid.regularizer.L2Decay(1.0),
                              grad_clip=fluid.clip.GradientClipByValue(0.1))
    run(opt, [p], [[[5.0, 0.05]]])
    expected = np.array([2.0, -3.0]) - 0.1 * (np.array([0.1, 0.05]) + np.array([2.0, -3.0]))
    np.testing.assert_allclose(p.data, expected, rtol=1e-12)


def test_current_step_lr_and_set_lr():
    p = param()
    opt = fluid.optimizer.SGD(0.25, parameter_list=[p])
    assert opt.current_step_lr() == 0.25
    opt.set_lr(0.5)
    run(opt, [p], [[GRADS[0]]])
    np.testing.assert_allclose(p.data, START - 0.5 * GRADS[0])
    assert opt.current_step_lr() == 0.5
    with pytest.raises(TypeError, match="int"):
        opt.set_lr(1)
    scheduled = fluid.optimizer.SGD(fluid.dygraph.PiecewiseDecay([1], [0.1, 0.2], 0),
                                    parameter_list=[p])
    with pytest.raises(RuntimeError, match="schedule"):
        scheduled.set_lr(0.3)


# -- state_dict / set_dict ----------------------------------------------------------------------


EXPECTED_KEYS = {
    "sgd": set(),
    "momentum": {"velocity"},
    "nesterov": {"velocity"},
    "adagrad": {"moment"},
    "adam": {"moment1", "moment2", "beta1_pow_acc", "beta2_pow_acc"},
    "rmsprop": {"momentum", "mean_square"},
    "rmsprop_centered": {"momentum", "mean_square", "mean_grad"},
}


@pytest.mark.parametrize("kind", sorted(ALL_OPTIMIZERS))
def test_state_dict_names_follow_paddle(kind):
    w = param(name="linear_0.w_0")
    b = param([0.0], name="linear_0.b_0")
    state = ALL_OPTIMIZERS[kind]([w, b]).state_dict()
    expected = {f"{p}_{acc}_0" for p in ("linear_0.w_0", "linear_0.b_0")
                for acc in EXPECTED_KEYS[kind]}
    assert set(state) == expected
    for key, value in state.items():
        assert isinstance(value, fluid.Variable)
        shape = [1] if "pow_acc" in key else ([3] if "w_0" in key else [1])
        assert value.shape == shape


def _fresh_copy(p):
    return Parameter(p.data.copy(), name=p.name)


@pytest.mark.parametrize("kind", sorted(ALL_OPTIMIZERS))
def test_state_round_trip_gives_identical_later_steps(kind):
    w, b = param(name="linear_0.w_0"), param([0.5], name="linear_0.b_0")
    opt = ALL_OPTIMIZERS[kind]([w, b])
    run(opt, [w, b], [[GRADS[0], [1.0]], [GRADS[1], [-2.0]]])
    saved_state = opt.state_dict()
    w2, b2 = _fresh_copy(w), _fresh_copy(b)
    later = [[GRADS[2], [0.5]], [GRADS[0], [3.0]]]
    run(opt, [w, b], later)                      # the original goes on
    restored = ALL_OPTIMIZERS[kind]([w2, b2])
    restored.set_dict(saved_state)               # saved values were copies: not moved since
    run(restored, [w2, b2], later)
    np.testing.assert_array_equal(w2.data, w.data)
    np.testing.assert_array_equal(b2.data, b.data)


def test_round_trip_with_schedule_restores_step_and_accepts_ndarrays():
    def make(ps):
        lr = fluid.dygraph.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
        return fluid.optimizer.Adam(lr, parameter_list=ps)
    w = param()
    opt = make([w])
    run(opt, [w], [[g] for g in GRADS[:2]])
    state = {k: v if k == "LR_Scheduler" else v.numpy()      # as load_dygraph gives
             for k, v in opt.state_dict().items()}
    assert state["global_step"].tolist() == [2] and state["global_step"].dtype == np.int32
    assert state["LR_Scheduler"] == {"step_num": 2}                  # Paddle 1.8.5's entries
    w2 = _fresh_copy(w)
    restored = make([w2])
    restored.set_dict(state)
    assert restored.current_step_lr() == pytest.approx(0.1 * 0.5 ** (2 / 2))
    run(opt, [w], [[GRADS[2]]])
    run(restored, [w2], [[GRADS[2]]])
    np.testing.assert_array_equal(w2.data, w.data)
    assert restored.current_step_lr() == opt.current_step_lr()


def test_set_dict_errors_and_nothing_half_loaded():
    w, b = param(name="linear_0.w_0"), param([0.5], name="linear_0.b_0")
    opt = fluid.optimizer.Adam(0.1, parameter_list=[w, b])
    run(opt, [w, b], [[GRADS[0], [1.0]]])
    good = opt.state_dict()
    before = {k: v.numpy().copy() for k, v in good.items()}

    def unchanged():
        for k, v in opt.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), before[k])

    missing = {k: v for k, v in good.items() if k != "linear_0.b_0_moment2_0"}
    missing["linear_0.w_0_moment1_0"] = np.full(3, 7.0)        # would load first, if allowed
    with pytest.raises(KeyError, match="linear_0.b_0_moment2_0"):
        opt.set_dict(missing)
    unchanged()
    shaped = dict(good, **{"linear_0.w_0_moment1_0": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"linear_0.w_0_moment1_0.*\[2, 2\].*\[3\]"):
        opt.set_dict(shaped)
    unchanged()
    typed = dict(good, **{"linear_0.w_0_moment2_0": np.zeros(3, np.float32)})
    with pytest.raises(ValueError, match="dtype float32.*float64"):
        opt.set_dict(typed)
    unchanged()
    with pytest.raises(TypeError, match="list"):
        opt.set_dict([1, 2])
    with pytest.raises(TypeError, match="linear_0.w_0_moment1_0.*str"):
        opt.set_dict(dict(good, **{"linear_0.w_0_moment1_0": "zeros"}))
    with pytest.warns(UserWarning, match="extra_entry"):
        opt.set_dict(dict(good, extra_entry=np.zeros(1)))


def test_set_dict_with_schedule_needs_global_step():
    w = param()
    opt = fluid.optimizer.SGD(fluid.dygraph.NoamDecay(4, 2), parameter_list=[w])
    with pytest.raises(KeyError, match="global_step"):
        opt.set_dict({})
    with pytest.raises(ValueError, match="global_step"):
        opt.set_dict({"global_step": np.array([1, 2])})
    opt.set_dict({"global_step": np.array([5], np.int32)})
    assert opt.state_dict()["global_step"].numpy().tolist() == [5]


def test_set_dict_before_first_minimize_and_for_late_trainable_parameter():
    w = param(name="w")
    frozen = param(name="f", trainable=False)
    source = fluid.optimizer.Momentum(0.1, 0.9, parameter_list=[w])
    state = source.state_dict()
    velocity = state["w_velocity_0"]
    velocity.set_value(np.ones(velocity.shape, velocity.dtype))
    state["f_velocity_0"] = np.full(3, 2.0)       # the frozen parameter's saved state loads too
    target = fluid.optimizer.Momentum(0.1, 0.9, parameter_list=[param(name="w"), frozen])
    target.set_dict(state)
    loaded = target.state_dict()
    np.testing.assert_array_equal(loaded["w_velocity_0"].numpy(), np.ones(3))
    np.testing.assert_array_equal(loaded["f_velocity_0"].numpy(), np.full(3, 2.0))


def test_duplicate_parameter_names_are_an_error_for_state():
    with fluid.dygraph.guard():
        a = param(name="same")
    b = param(name="same")
    opt = fluid.optimizer.Adam(parameter_list=[a, b])
    with pytest.raises(ValueError, match="'same'"):
        opt.state_dict()


# -- bad input ----------------------------------------------------------------------------------


def test_missing_parameter_list():
    with pytest.raises(ValueError, match="parameter_list"):
        fluid.optimizer.SGD(0.1)
    with pytest.raises(ValueError, match="parameter_list"):
        fluid.optimizer.Adam()


@pytest.mark.parametrize("bad, what", [(3, "int"), ("weights", "str"), ({"w": 1}, "dict")])
def test_parameter_list_of_wrong_type(bad, what):
    with pytest.raises(TypeError, match=f"parameter_list.*{what}"):
        fluid.optimizer.SGD(0.1, parameter_list=bad)


def test_parameter_list_entries_must_be_parameters():
    p = param()
    x = fluid.dygraph.to_variable(np.ones(3))
    with pytest.raises(TypeError, match=r"entry 1 is Variable"):
        fluid.optimizer.SGD(0.1, parameter_list=[p, x])
    with pytest.raises(TypeError, match=r"entry 0 is ndarray"):
        fluid.optimizer.SGD(0.1, parameter_list=[np.ones(3)])
    with pytest.raises(TypeError, match="single Parameter"):
        fluid.optimizer.SGD(0.1, parameter_list=p)


def test_empty_or_consumed_parameter_list():
    p = param()
    gen = (q for q in [p])
    list(gen)
    with pytest.raises(ValueError, match="empty"):
        fluid.optimizer.SGD(0.1, parameter_list=gen)


def test_int_learning_rate_is_a_type_error():
    with pytest.raises(TypeError, match=r"got int \(1\).*1\.0"):
        fluid.optimizer.SGD(1, parameter_list=[param()])
    with pytest.raises(TypeError, match="str"):
        fluid.optimizer.Adam("0.1", parameter_list=[param()])
    with pytest.raises(ValueError, match="finite"):
        fluid.optimizer.SGD(float("nan"), parameter_list=[param()])
    fluid.optimizer.SGD(np.float32(0.1), parameter_list=[param()])      # numpy floats are fine


def test_bad_regularization_and_grad_clip_types():
    with pytest.raises(TypeError, match="regularization.*str"):
        fluid.optimizer.SGD(0.1, parameter_list=[param()], regularization="l2")
    with pytest.raises(TypeError, match="grad_clip.*float"):
        fluid.optimizer.SGD(0.1, parameter_list=[param()], grad_clip=1.0)


@pytest.mark.parametrize("factory, error, match", [
    (lambda ps: fluid.optimizer.Adam(0.1, beta1=1.0, parameter_list=ps), ValueError, "beta1"),
    (lambda ps: fluid.optimizer.Adam(0.1, beta2=-0.1, parameter_list=ps), ValueError, "beta2"),
    (lambda ps: fluid.optimizer.Momentum(0.1, "0.9", parameter_list=ps), TypeError, "momentum"),
    (lambda ps: fluid.optimizer.Momentum(0.1, -1.0, parameter_list=ps), ValueError, "momentum"),
    (lambda ps: fluid.optimizer.RMSProp(0.1, rho=1.5, parameter_list=ps), ValueError, "rho"),
    (lambda ps: fluid.optimizer.Adagrad(0.1, epsilon=-1.0, parameter_list=ps), ValueError,
     "epsilon"),
])
def test_bad_hyperparameters(factory, error, match):
    with pytest.raises(error, match=match):
        factory([param()])


@outside_guard
def test_minimize_needs_a_variable_loss_and_dygraph():
    with fluid.dygraph.guard():
        p = param()
        opt = fluid.optimizer.SGD(0.1, parameter_list=[p])
        with pytest.raises(TypeError, match="loss must be a Variable"):
            opt.minimize(3.0)
        loss = fluid.dygraph.to_variable(np.zeros(1))
    with pytest.raises(RuntimeError, match=r"fluid\.dygraph\.guard\(\)"):
        opt.minimize(loss)
    with pytest.raises(RuntimeError, match=r"fluid\.dygraph\.guard\(\)"):
        opt.state_dict()


def test_gradient_of_wrong_shape_is_a_clear_error():
    p = param()
    p.grad = np.ones(4)
    with pytest.raises(ValueError, match=r"linear_0.w_0.*\[4\].*\[3\]"):
        fluid.optimizer.SGD(0.1, parameter_list=[p]).minimize(fluid.dygraph.to_variable(
            np.zeros(1)))


# -- end to end: a linear regression falls with every optimizer ---------------------------------


LEARNING_RATES = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "adam": 0.1,
                  "rmsprop": 0.05, "rmsprop_centered": 0.05}


@pytest.mark.parametrize("kind", sorted(ALL_OPTIMIZERS))
def test_linear_regression_loss_falls(kind):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3).astype(np.float32)
    w = Parameter(np.zeros((3, 1), np.float32), name="w")
    b = Parameter(np.zeros((1,), np.float32), name="b")
    opt = ALL_OPTIMIZERS[kind]([w, b], LEARNING_RATES[kind])
    xv, yv = fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(y)
    losses = []
    for _ in range(60):
        diff = fluid.layers.matmul(xv, w) + b - yv
        loss = fluid.layers.reduce_mean(diff * diff)
        loss.backward()
        opt.minimize(loss)
        opt.clear_gradients()
        losses.append(float(loss))
    assert w.data.dtype == np.float32
    assert losses[-1] < 0.05 * losses[0], losses[::10]


@outside_guard
def test_training_resumes_identically_after_save_and_load(tmp_path):
    """A Linear model + Adam with a schedule, saved with save_dygraph and resumed elsewhere."""
    rng = np.random.default_rng(1)
    batches = [(rng.normal(size=(4, 3)).astype(np.float32),
                rng.normal(size=(4, 2)).astype(np.float32)) for _ in range(4)]

    def train(model, opt, data):
        for x, y in data:
            diff = model(fluid.dygraph.to_variable(x)) - fluid.dygraph.to_variable(y)
            loss = fluid.layers.reduce_mean(diff * diff)
            loss.backward()
            opt.minimize(loss)
            model.clear_gradients()

    def make():
        model = fluid.dygraph.Linear(3, 2)
        schedule = fluid.dygraph.ExponentialDecay(0.05, decay_steps=1, decay_rate=0.9)
        return model, fluid.optimizer.Adam(schedule, parameter_list=model.parameters())

    with fluid.dygraph.guard():
        model, opt = make()
        train(model, opt, batches[:2])
        fluid.dygraph.save_dygraph(model.state_dict(), str(tmp_path / "ckpt"))
        fluid.dygraph.save_dygraph(opt.state_dict(), str(tmp_path / "ckpt"))
        train(model, opt, batches[2:])
        expected = [p.numpy().copy() for p in model.parameters()]
    with fluid.dygraph.guard():
        model, opt = make()
        params, opt_state = fluid.dygraph.load_dygraph(str(tmp_path / "ckpt"))
        model.set_dict(params)
        opt.set_dict(opt_state)
        train(model, opt, batches[2:])
        for got, want in zip(model.parameters(), expected):
            np.testing.assert_array_equal(got.numpy(), want)


def test_no_warning_when_no_grad_set_excludes_everything():
    p = param()
    p.grad = np.ones(3)
    opt = fluid.optimizer.SGD(0.1, parameter_list=[p])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.minimize(fluid.dygraph.to_variable(np.zeros(1)), no_grad_set={p})
    np.testing.assert_array_equal(p.data, START)


def test_failed_update_leaves_the_schedule_alone():
    p = param()
    p.grad = np.ones(4)
    schedule = fluid.dygraph.PiecewiseDecay([1], [0.1, 0.2], 0)
    opt = fluid.optimizer.SGD(schedule, parameter_list=[p])
    with pytest.raises(ValueError):
        opt.minimize(fluid.dygraph.to_variable(np.zeros(1)))
    assert schedule.step_num == 0


def test_a_cleared_parameter_that_backward_misses_steps_with_a_zero_gradient():
    """Paddle 1.8.5: after clear_gradients() a parameter the next loss does not reach has a
    zero gradient, and Adam's moments still move it; one never reached is skipped."""
    with fluid.dygraph.guard():
        a, b, never = (fluid.dygraph.Linear(2, 1) for _ in range(3))
        opt = fluid.optimizer.Adam(0.1, parameter_list=a.parameters() + b.parameters() +
                                   never.parameters())
        x = fluid.dygraph.to_variable(np.ones((1, 2), "float32"))
        loss = fluid.layers.reduce_sum(a(x) + b(x))
        loss.backward()
        opt.minimize(loss)
        a.clear_gradients()
        b.clear_gradients()
        w_b, w_never = b.weight.numpy(), never.weight.numpy()
        loss = fluid.layers.reduce_sum(a(x))
        loss.backward()
        opt.minimize(loss)
        assert not np.allclose(w_b, b.weight.numpy())
        np.testing.assert_array_equal(w_never, never.weight.numpy())
