"""Adamax, Adadelta, DecayedAdagrad, Ftrl, Lamb, LarsMomentum, Dpsgd: 10-step trajectories on
fixed gradients against numpy implementations of the documented rules written here (float64,
sharing no code with minigrad/optimizer), PyTorch where its rule is the same, state round trips,
bad hyper-parameters, and a classifier trained with Lamb.
"""
import inspect

import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.core.variable import Parameter

RNG = np.random.RandomState(7)
W0 = RNG.uniform(-1, 1, (2, 3))
B0 = RNG.uniform(-0.5, 0.5, (3,))
GRADS = [(RNG.uniform(-1, 1, (2, 3)), RNG.uniform(-1, 1, (3,))) for _ in range(10)]


@pytest.fixture(autouse=True)
def dygraph():
    with fluid.dygraph.guard():
        yield


def params(dtype=np.float64):
    return [Parameter(W0.astype(dtype), name="linear_0.w_0"),
            Parameter(B0.astype(dtype), name="linear_0.b_0")]


def run(opt, ps, grads):
    loss = fluid.dygraph.to_variable(np.zeros(1))
    for step_grads in grads:
        for p, g in zip(ps, step_grads):
            p.grad = np.array(g, dtype=p.data.dtype)
        opt.minimize(loss)
        for p in ps:
            p.clear_gradient()


def norm(a):
    return np.sqrt(np.sum(a * a))


# -- the documented rules, one parameter at a time (p, g float64 arrays; state a dict) ---------

def adamax_ref(p, g, s, lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    s["t"] = s.get("t", 0) + 1
    s["moment"] = beta1 * s.get("moment", 0) + (1 - beta1) * g
    s["inf_norm"] = np.maximum(beta2 * s.get("inf_norm", 0) + epsilon, np.abs(g))
    return p - lr / (1 - beta1 ** s["t"]) * s["moment"] / s["inf_norm"]


def adadelta_ref(p, g, s, lr=None, epsilon=1e-6, rho=0.95):
    s["_avg_squared_grad"] = rho * s.get("_avg_squared_grad", 0) + (1 - rho) * g * g
    update = -np.sqrt((s.get("_avg_squared_update", 0) + epsilon)
                      / (s["_avg_squared_grad"] + epsilon)) * g
    s["_avg_squared_update"] = rho * s.get("_avg_squared_update", 0) + (1 - rho) * update ** 2
    return p + update


def decayed_adagrad_ref(p, g, s, lr, decay=0.95, epsilon=1e-6):
    s["moment"] = decay * s.get("moment", 0) + (1 - decay) * g * g
    return p - lr * g / (np.sqrt(s["moment"]) + epsilon)


def ftrl_ref(p, g, s, lr, l1=0.0, l2=0.0, lr_power=-0.5):
    squared = s.get("squared", np.zeros_like(p))
    new = squared + g * g
    s["linear"] = s.get("linear", 0) + g - (new ** -lr_power - squared ** -lr_power) / lr * p
    s["squared"] = new
    z = s["linear"]
    out = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        if abs(z[i]) > l1:
            out[i] = (l1 * np.sign(z[i]) - z[i]) / (new[i] ** -lr_power / lr + 2 * l2)
    return out


def lamb_ref(p, g, s, lr=0.001, lamb_weight_decay=0.01, beta1=0.9, beta2=0.999, epsilon=1e-6):
    s["moment1"] = beta1 * s.get("moment1", 0) + (1 - beta1) * g
    s["moment2"] = beta2 * s.get("moment2", 0) + (1 - beta2) * g * g
    r = s["moment1"] / (np.sqrt(s["moment2"]) + epsilon) + lamb_weight_decay * p
    ratio = norm(p) / norm(r) if norm(p) > 0 and norm(r) > 0 else 1.0
    return p - lr * ratio * r


def lars_ref(p, g, s, lr, momentum, lars_coeff=0.001, lars_weight_decay=0.0005):
    local_lr = lr
    if norm(p) > 0 and norm(g) > 0:
        local_lr = lr * lars_coeff * norm(p) / (norm(g) + lars_weight_decay * norm(p))
    s["velocity"] = momentum * s.get("velocity", 0) + local_lr * (g + lars_weight_decay * p)
    return p - s["velocity"]


def dpsgd_ref(p, g, s, lr, clip, batch_size, sigma=0.0):
    scale = norm(g) / clip if norm(g) > clip else 1.0
    return p - lr * g / scale


def reference(rule, grads, per_param_kwargs=(None, None), lr_at=None, **kwargs):
    """Both parameters' trajectories and states under `rule`."""
    ps, states = [W0.copy(), B0.copy()], [{}, {}]
    for step, step_grads in enumerate(grads):
        for i, g in enumerate(step_grads):
            extra = dict(kwargs, **(per_param_kwargs[i] or {}))
            if lr_at is not None:
                extra["lr"] = lr_at(step)
            ps[i] = rule(ps[i], g, states[i], **extra)
    return ps, states


# (minigrad constructor, reference rule, constructor kwargs, reference kwargs)
CASES = {
    "adamax": (fluid.optimizer.Adamax, adamax_ref, dict(learning_rate=0.1), dict(lr=0.1)),
    "adamax_options": (fluid.optimizer.Adamax, adamax_ref,
                       dict(learning_rate=0.05, beta1=0.8, beta2=0.9, epsilon=1e-3),
                       dict(lr=0.05, beta1=0.8, beta2=0.9, epsilon=1e-3)),
    "adadelta": (fluid.optimizer.Adadelta, adadelta_ref, dict(learning_rate=1.0), {}),
    "adadelta_options": (fluid.optimizer.Adadelta, adadelta_ref,
                         dict(learning_rate=0.5, epsilon=1e-3, rho=0.8),
                         dict(epsilon=1e-3, rho=0.8)),
    "decayed_adagrad": (fluid.optimizer.DecayedAdagrad, decayed_adagrad_ref,
                        dict(learning_rate=0.1), dict(lr=0.1)),
    "decayed_adagrad_options": (fluid.optimizer.DecayedAdagrad, decayed_adagrad_ref,
                                dict(learning_rate=0.2, decay=0.7, epsilon=1e-4),
                                dict(lr=0.2, decay=0.7, epsilon=1e-4)),
    "ftrl": (fluid.optimizer.Ftrl, ftrl_ref, dict(learning_rate=0.1), dict(lr=0.1)),
    "ftrl_l1_l2": (fluid.optimizer.Ftrl, ftrl_ref, dict(learning_rate=0.2, l1=0.05, l2=0.3),
                   dict(lr=0.2, l1=0.05, l2=0.3)),
    "ftrl_lr_power": (fluid.optimizer.Ftrl, ftrl_ref,
                      dict(learning_rate=0.2, l1=0.01, l2=0.02, lr_power=-0.7),
                      dict(lr=0.2, l1=0.01, l2=0.02, lr_power=-0.7)),
    "lamb": (fluid.optimizer.Lamb, lamb_ref, dict(learning_rate=0.05), dict(lr=0.05)),
    "lamb_options": (fluid.optimizer.Lamb, lamb_ref,
                     dict(learning_rate=0.05, lamb_weight_decay=0.1, beta1=0.8, beta2=0.95,
                          epsilon=1e-4),
                     dict(lr=0.05, lamb_weight_decay=0.1, beta1=0.8, beta2=0.95, epsilon=1e-4)),
    "lars": (fluid.optimizer.LarsMomentum, lars_ref, dict(learning_rate=0.5, momentum=0.9),
             dict(lr=0.5, momentum=0.9)),
    "lars_options": (fluid.optimizer.LarsMomentum, lars_ref,
                     dict(learning_rate=0.5, momentum=0.5, lars_coeff=0.01,
                          lars_weight_decay=0.05),
                     dict(lr=0.5, momentum=0.5, lars_coeff=0.01, lars_weight_decay=0.05)),
    "dpsgd": (fluid.optimizer.Dpsgd, dpsgd_ref,
              dict(learning_rate=0.1, clip=0.5, batch_size=8.0, sigma=0.0),
              dict(lr=0.1, clip=0.5, batch_size=8.0)),
    "dpsgd_unclipped": (fluid.optimizer.Dpsgd, dpsgd_ref,
                        dict(learning_rate=0.1, clip=100.0, batch_size=8.0, sigma=0.0),
                        dict(lr=0.1, clip=100.0, batch_size=8.0)),
}


def make(case, ps):
    cls, _, kwargs, _ = CASES[case]
    return cls(parameter_list=ps, **kwargs)


@pytest.mark.parametrize("case", sorted(CASES))
def test_ten_steps_match_the_documented_rule(case):
    _, rule, _, ref_kwargs = CASES[case]
    ps = params()
    opt = make(case, ps)
    run(opt, ps, GRADS)
    want, want_states = reference(rule, GRADS, **ref_kwargs)
    for p, w in zip(ps, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10, atol=1e-12)
    # The accumulators, under Paddle's names.
    state = opt.state_dict()
    for p, want_state in zip(ps, want_states):
        for name, value in want_state.items():
            if name == "t":
                continue
            np.testing.assert_allclose(state[f"{p.name}_{name}_0"].numpy(), value, rtol=1e-10,
                                       atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_float32_stays_float32(case):
    _, rule, _, ref_kwargs = CASES[case]
    ps = params(np.float32)
    opt = make(case, ps)
    run(opt, ps, GRADS)
    want, _ = reference(rule, GRADS, **ref_kwargs)
    for p, w in zip(ps, want):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, w, rtol=2e-4, atol=2e-5)
    for value in opt.state_dict().values():
        assert value.numpy().dtype == np.float32


EXPECTED_STATE = {
    "adamax": ["beta1_pow_acc", "inf_norm", "moment"],
    "adadelta": ["_avg_squared_grad", "_avg_squared_update"],
    "decayed_adagrad": ["moment"],
    "ftrl": ["linear", "squared"],
    "lamb": ["beta1_pow_acc", "beta2_pow_acc", "moment1", "moment2"],
    "lars": ["velocity"],
    "dpsgd": [],
}


@pytest.mark.parametrize("case", sorted(EXPECTED_STATE))
def test_state_names_are_paddles(case):
    ps = params()
    opt = make(case, ps)
    want = sorted(f"{p.name}_{name}_0" for p in ps for name in EXPECTED_STATE[case])
    assert sorted(opt.state_dict()) == want


def test_adamax_beta1_pow_advances_and_lamb_pows_stay():
    # Paddle 1.8.5: Adamax scales its beta1_pow_acc after every update; Lamb's lamb op never
    # writes its pow accumulators (and its documented rule has no bias correction).
    ps = params()
    adamax = fluid.optimizer.Adamax(0.1, beta1=0.8, parameter_list=ps)
    run(adamax, ps, GRADS[:3])
    assert adamax.state_dict()["linear_0.w_0_beta1_pow_acc_0"].numpy() == pytest.approx([0.8 ** 4])
    ps = params()
    lamb = fluid.optimizer.Lamb(0.1, beta1=0.8, beta2=0.9, parameter_list=ps)
    run(lamb, ps, GRADS[:3])
    state = lamb.state_dict()
    assert state["linear_0.b_0_beta1_pow_acc_0"].numpy() == pytest.approx([0.8])
    assert state["linear_0.b_0_beta2_pow_acc_0"].numpy() == pytest.approx([0.9])


def test_lamb_exclude_from_weight_decay_fn():
    seen = []

    def exclude(param):
        seen.append(param.name)
        return param.name.endswith(".b_0")

    ps = params()
    opt = fluid.optimizer.Lamb(0.05, lamb_weight_decay=0.2, parameter_list=ps,
                               exclude_from_weight_decay_fn=exclude)
    run(opt, ps, GRADS)
    want, _ = reference(lamb_ref, GRADS, per_param_kwargs=(None, dict(lamb_weight_decay=0.0)),
                        lr=0.05, lamb_weight_decay=0.2)
    for p, w in zip(ps, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10)
    assert seen[:2] == ["linear_0.w_0", "linear_0.b_0"] and len(seen) == 20
    # Without the function, the bias decays too: a different trajectory.
    plain, _ = reference(lamb_ref, GRADS, lr=0.05, lamb_weight_decay=0.2)
    assert not np.allclose(plain[1], ps[1].data)


def test_adadelta_learning_rate_does_not_scale_the_step():
    # As Paddle 1.8.5's kernel (which has no learning-rate input) and its documented formula.
    a, b = params(), params()
    run(fluid.optimizer.Adadelta(1.0, parameter_list=a), a, GRADS)
    run(fluid.optimizer.Adadelta(0.01, parameter_list=b), b, GRADS)
    np.testing.assert_array_equal(a[0].data, b[0].data)


def test_regularization_clip_schedule_and_param_lr():
    # grad_clip -> regularization -> rule, with the schedule's rate times ParamAttr's multiplier.
    ps = params()
    ps[1].optimize_attr["learning_rate"] = 0.5
    schedule = fluid.dygraph.ExponentialDecay(0.2, decay_steps=2, decay_rate=0.5)
    opt = fluid.optimizer.DecayedAdagrad(
        schedule, decay=0.8, parameter_list=ps, regularization=fluid.regularizer.L2Decay(0.1),
        grad_clip=fluid.clip.GradientClipByValue(max=0.3, min=-0.3))
    run(opt, ps, GRADS)
    want, states = [W0.copy(), B0.copy()], [{}, {}]
    for step, step_grads in enumerate(GRADS):
        lr = 0.2 * 0.5 ** (step / 2)
        for i, g in enumerate(step_grads):
            g = np.clip(g, -0.3, 0.3) + 0.1 * want[i]
            want[i] = decayed_adagrad_ref(want[i], g, states[i], lr * (0.5 if i else 1.0),
                                          decay=0.8)
    for p, w in zip(ps, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-6)     # the schedule's rate is float32


def test_lars_with_l1_regularizer_and_global_norm_clip():
    ps = params()
    opt = fluid.optimizer.LarsMomentumOptimizer(
        0.3, momentum=0.7, parameter_list=ps, regularization=fluid.regularizer.L1Decay(0.05),
        grad_clip=fluid.clip.GradientClipByGlobalNorm(0.5))
    run(opt, ps, GRADS)
    want, states = [W0.copy(), B0.copy()], [{}, {}]
    for step_grads in GRADS:
        total = np.sqrt(sum(np.sum(g * g) for g in step_grads))
        factor = 0.5 / max(total, 0.5)
        for i, g in enumerate(step_grads):
            g = g * factor + 0.05 * np.sign(want[i])
            want[i] = lars_ref(want[i], g, states[i], 0.3, 0.7)
    for p, w in zip(ps, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10)


def test_lars_and_lamb_with_zero_parameter_fall_back_to_plain_rates():
    p = Parameter(np.zeros(3), name="z")
    g = np.array([0.5, -1.0, 2.0])
    run(fluid.optimizer.LarsMomentum(0.1, momentum=0.0, lars_weight_decay=0.0,
                                     parameter_list=[p]), [p], [[g]])
    np.testing.assert_allclose(p.data, -0.1 * g)
    q = Parameter(np.zeros(3), name="z2")
    run(fluid.optimizer.Lamb(0.1, parameter_list=[q]), [q], [[g]])
    # No bias correction: r = 0.1 g / (sqrt(0.001 g^2) + 1e-6), and ratio 1 as ||p|| = 0.
    np.testing.assert_allclose(q.data, -0.1 * 0.1 * g / (np.sqrt(0.001) * np.abs(g) + 1e-6),
                               rtol=1e-10)


# -- PyTorch, where the rule is the same ------------------------------------------------------

def _torch_trajectory(torch_opt_cls, **kwargs):
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(W0, requires_grad=True), torch.tensor(B0, requires_grad=True)]
    opt = torch_opt_cls(torch, tensors, **kwargs)
    for step_grads in GRADS:
        for t, g in zip(tensors, step_grads):
            t.grad = torch.tensor(g)
        opt.step()
    return [t.detach().numpy() for t in tensors]


def test_adamax_matches_pytorch():
    # PyTorch adds epsilon to |g| inside the max, Paddle to beta2 * u: the same with epsilon=0.
    want = _torch_trajectory(lambda torch, ts, **kw: torch.optim.Adamax(ts, **kw),
                             lr=0.05, betas=(0.8, 0.9), eps=0.0)
    ps = params()
    run(fluid.optimizer.Adamax(0.05, beta1=0.8, beta2=0.9, epsilon=0.0, parameter_list=ps), ps,
        GRADS)
    for p, w in zip(ps, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10)


def test_adadelta_matches_pytorch():
    want = _torch_trajectory(lambda torch, ts, **kw: torch.optim.Adadelta(ts, **kw),
                             lr=1.0, rho=0.8, eps=1e-3)
    ps = params()
    run(fluid.optimizer.Adadelta(1.0, epsilon=1e-3, rho=0.8, parameter_list=ps), ps, GRADS)
    for p, w in zip(ps, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10)


# -- Dpsgd's noise ------------------------------------------------------------------------------

def test_dpsgd_noise_is_seeded_and_has_sigma_over_batch_size_spread():
    def noisy_step():
        p = Parameter(np.zeros(20000), name="big")
        opt = fluid.optimizer.Dpsgd(learning_rate=1.0, clip=1.0, batch_size=4.0, sigma=2.0,
                                    parameter_list=[p])
        run(opt, [p], [[np.zeros(20000)]])
        return p.data.copy()

    minigrad.seed(5)
    first = noisy_step()
    minigrad.seed(5)
    np.testing.assert_array_equal(noisy_step(), first)
    assert not np.array_equal(noisy_step(), first)      # the generator moved on
    # p = -lr * sigma * n / batch_size with n ~ N(0, 1): mean 0, standard deviation 0.5.
    assert abs(first.mean()) < 4 * 0.5 / np.sqrt(first.size)
    assert first.std() == pytest.approx(0.5, rel=0.03)
    # Independent across elements (Paddle 1.8.5 adds one number to all of them).
    assert abs(np.corrcoef(first[:-1], first[1:])[0, 1]) < 0.05


def test_dpsgd_clips_before_the_noise_float32():
    minigrad.seed(3)
    p = Parameter(np.zeros(4, np.float32), name="p")
    g = np.array([3.0, 4.0, 0.0, 0.0], np.float32)       # norm 5, clipped to norm 1
    run(fluid.optimizer.Dpsgd(learning_rate=1.0, clip=1.0, batch_size=2.0, sigma=0.5,
                              parameter_list=[p]), [p], [[g]])
    minigrad.seed(3)
    noise = minigrad.random.global_generator().standard_normal(4)
    assert p.data.dtype == np.float32
    np.testing.assert_allclose(p.data, -(g / 5 + 0.25 * noise), rtol=1e-5)


# -- state ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(CASES))
def test_state_round_trip_gives_identical_later_steps(case, tmp_path):
    ps = params()
    opt = make(case, ps)
    run(opt, ps, GRADS[:4])
    saved = opt.state_dict()
    stateful = bool(saved)                      # Dpsgd keeps no state
    if stateful:
        fluid.dygraph.save_dygraph(saved, str(tmp_path / "opt"))
    copies = [Parameter(p.data.copy(), name=p.name) for p in ps]
    copies2 = [Parameter(p.data.copy(), name=p.name) for p in ps]
    run(opt, ps, GRADS[4:])
    restored = make(case, copies)
    restored.set_dict(saved)
    run(restored, copies, GRADS[4:])
    from_file = make(case, copies2)
    if stateful:
        _, loaded = fluid.dygraph.load_dygraph(str(tmp_path / "opt"))
        from_file.set_dict(loaded)
    run(from_file, copies2, GRADS[4:])
    for p, a, b in zip(ps, copies, copies2):
        np.testing.assert_array_equal(a.data, p.data)
        np.testing.assert_array_equal(b.data, p.data)


def test_set_dict_rejects_a_wrong_shape_and_a_missing_entry():
    ps = params()
    opt = fluid.optimizer.Ftrl(0.1, parameter_list=ps)
    state = {k: v.numpy() for k, v in opt.state_dict().items()}
    state["linear_0.w_0_linear_0"] = np.zeros((3, 2))
    with pytest.raises(ValueError, match="linear_0.w_0_linear_0.*shape"):
        opt.set_dict(state)
    del state["linear_0.w_0_linear_0"]
    with pytest.raises(KeyError, match="linear_0.w_0_linear_0"):
        opt.set_dict(state)


# -- names, signatures, errors ------------------------------------------------------------------

ALIASES = ["Adamax", "Adadelta", "DecayedAdagrad", "Ftrl", "Lamb", "LarsMomentum", "Dpsgd"]


@pytest.mark.parametrize("name", ALIASES)
def test_long_names(name):
    assert getattr(fluid.optimizer, name + "Optimizer") is getattr(fluid.optimizer, name)
    assert name in fluid.optimizer.__all__ and name + "Optimizer" in fluid.optimizer.__all__


# Paddle 1.8.5's signatures (paddle/fluid/optimizer.py), in order, with their defaults.
SIGNATURES = {
    "Adamax": "learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, parameter_list=None, "
              "regularization=None, grad_clip=None, name=None",
    "Adadelta": "learning_rate, epsilon=1e-06, rho=0.95, parameter_list=None, "
                "regularization=None, grad_clip=None, name=None",
    "DecayedAdagrad": "learning_rate, decay=0.95, epsilon=1e-06, parameter_list=None, "
                      "regularization=None, grad_clip=None, name=None",
    "Ftrl": "learning_rate, l1=0.0, l2=0.0, lr_power=-0.5, parameter_list=None, "
            "regularization=None, grad_clip=None, name=None",
    "Lamb": "learning_rate=0.001, lamb_weight_decay=0.01, beta1=0.9, beta2=0.999, "
            "epsilon=1e-06, parameter_list=None, regularization=None, grad_clip=None, "
            "exclude_from_weight_decay_fn=None, name=None",
    "LarsMomentum": "learning_rate, momentum, lars_coeff=0.001, lars_weight_decay=0.0005, "
                    "parameter_list=None, regularization=None, grad_clip=None, name=None",
    "Dpsgd": "learning_rate=0.001, clip=0.9, batch_size=0.999, sigma=1e-08, "
             "parameter_list=None",
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signature_is_paddles(name):
    assert str(inspect.signature(getattr(fluid.optimizer, name)))[1:-1] == SIGNATURES[name]


BAD = [
    (lambda ps: fluid.optimizer.Adamax(0.1, beta1=1.0, parameter_list=ps), ValueError,
     "Adamax: beta1 must be .* < 1.0, got 1.0"),
    (lambda ps: fluid.optimizer.Adamax(0.1, beta2=-0.1, parameter_list=ps), ValueError,
     "Adamax: beta2"),
    (lambda ps: fluid.optimizer.Adamax(0.1, epsilon="small", parameter_list=ps), TypeError,
     "Adamax: epsilon must be a number, got str"),
    (lambda ps: fluid.optimizer.Adadelta(0.1, rho=1.5, parameter_list=ps), ValueError,
     "Adadelta: rho must be .* <= 1.0, got 1.5"),
    (lambda ps: fluid.optimizer.Adadelta(0.1, epsilon=-1.0, parameter_list=ps), ValueError,
     "Adadelta: epsilon"),
    (lambda ps: fluid.optimizer.DecayedAdagrad(0.1, decay=2.0, parameter_list=ps), ValueError,
     "DecayedAdagrad: decay"),
    (lambda ps: fluid.optimizer.DecayedAdagrad(0.1, epsilon=None, parameter_list=ps), TypeError,
     "DecayedAdagrad: epsilon must be a number, got NoneType"),
    (lambda ps: fluid.optimizer.Ftrl(0.1, l1=-0.1, parameter_list=ps), ValueError, "Ftrl: l1"),
    (lambda ps: fluid.optimizer.Ftrl(0.1, l2=float("nan"), parameter_list=ps), ValueError,
     "Ftrl: l2"),
    (lambda ps: fluid.optimizer.Ftrl(0.1, lr_power=0.5, parameter_list=ps), ValueError,
     "Ftrl: lr_power must be <= 0"),
    (lambda ps: fluid.optimizer.Lamb(0.1, lamb_weight_decay=-0.01, parameter_list=ps),
     ValueError, "Lamb: lamb_weight_decay"),
    (lambda ps: fluid.optimizer.Lamb(0.1, beta1=1.0, parameter_list=ps), ValueError,
     "Lamb: beta1"),
    (lambda ps: fluid.optimizer.Lamb(0.1, exclude_from_weight_decay_fn="bias",
                                     parameter_list=ps), TypeError,
     "Lamb: exclude_from_weight_decay_fn must be a function"),
    (lambda ps: fluid.optimizer.LarsMomentum(0.1, momentum=-0.9, parameter_list=ps), ValueError,
     "LarsMomentum: momentum"),
    (lambda ps: fluid.optimizer.LarsMomentum(0.1, momentum=None, parameter_list=ps), TypeError,
     "LarsMomentum: momentum must be a number"),
    (lambda ps: fluid.optimizer.LarsMomentum(0.1, 0.9, lars_coeff=-1.0, parameter_list=ps),
     ValueError, "LarsMomentum: lars_coeff"),
    (lambda ps: fluid.optimizer.Dpsgd(0.1, clip=0.0, parameter_list=ps), ValueError,
     "Dpsgd: clip must be > 0"),
    (lambda ps: fluid.optimizer.Dpsgd(0.1, batch_size=-8.0, parameter_list=ps), ValueError,
     "Dpsgd: batch_size"),
    (lambda ps: fluid.optimizer.Dpsgd(0.1, sigma=-1.0, parameter_list=ps), ValueError,
     "Dpsgd: sigma"),
    (lambda ps: fluid.optimizer.Adamax(1, parameter_list=ps), TypeError,
     "learning_rate must be a float"),
    (lambda ps: fluid.optimizer.Ftrl(0.1), ValueError, "parameter_list is required"),
]


@pytest.mark.parametrize("factory, error, match", BAD)
def test_bad_hyperparameters_are_clear_errors(factory, error, match):
    with pytest.raises(error, match=match):
        factory(params())


def test_dpsgd_takes_no_regularization_like_paddle():
    with pytest.raises(TypeError):
        fluid.optimizer.Dpsgd(0.1, parameter_list=params(),
                              regularization=fluid.regularizer.L2Decay(0.1))


# -- training -----------------------------------------------------------------------------------

class Classifier(fluid.dygraph.Layer):
    def __init__(self):
        super().__init__()
        self.hidden = fluid.dygraph.Linear(4, 16, act="relu")
        self.out = fluid.dygraph.Linear(16, 3)

    def forward(self, x):
        return self.out(self.hidden(x))


def test_classifier_trained_with_lamb_learns():
    fluid.seed(11)
    rng = np.random.default_rng(11)
    centers = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]], np.float32)
    labels = rng.integers(0, 3, 96)
    data = (centers[labels] + rng.normal(scale=0.7, size=(96, 4))).astype(np.float32)
    model = Classifier()
    opt = fluid.optimizer.Lamb(learning_rate=0.05, parameter_list=model.parameters(),
                               exclude_from_weight_decay_fn=lambda p: p.name.endswith(".b_0"))
    x = fluid.dygraph.to_variable(data)
    y = fluid.dygraph.to_variable(labels.reshape(-1, 1).astype(np.int64))
    losses = []
    for _ in range(60):
        logits = model(x)
        loss = fluid.layers.reduce_mean(fluid.layers.softmax_with_cross_entropy(logits, y))
        loss.backward()
        opt.minimize(loss)
        model.clear_gradients()
        losses.append(float(loss.numpy()[0]))
    accuracy = (model(x).numpy().argmax(axis=1) == labels).mean()
    assert losses[-1] < 0.5 * losses[0], losses[::10]
    assert accuracy > 0.9
