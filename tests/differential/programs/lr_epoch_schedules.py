# The schedules moved on per epoch (ReduceLROnPlateau, StepDecay, MultiStepDecay, LambdaDecay):
# rates per epoch, current_step_lr in a training loop, state, save/load, bad arguments.
import numpy as np
import paddle.fluid as fluid
from diffreport import catch, report

rng = np.random.RandomState(7)
w = rng.uniform(-1, 1, (3, 1)).astype("float32")
x_np = rng.uniform(-1, 1, (6, 3)).astype("float32")
y_np = rng.uniform(-1, 1, (6, 1)).astype("float32")


def value(rate):
    return float(rate.numpy()[0])


def epoch_rates(schedule, count):
    rates = []
    for _ in range(count):
        rates.append(value(schedule()))
        schedule.epoch()
    return rates


def loss_var(loss):
    return fluid.dygraph.to_variable(np.array([loss], "float32"))


def plateau_trace(schedule, losses):
    trace = []
    for loss in losses:
        schedule.step(loss_var(loss))
        trace.append([value(schedule()), schedule.cooldown_counter, schedule.num_bad_epochs,
                      schedule.epoch_num])
    return trace


def make_model():
    return fluid.dygraph.Linear(3, 1, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(w)))


def train(model, opt, schedule, epochs, batches, end_epoch):
    """current_step_lr after each update and after each end of epoch, and the epoch losses."""
    lrs, epoch_losses = [], []
    x, y = fluid.dygraph.to_variable(x_np), fluid.dygraph.to_variable(y_np)
    for _ in range(epochs):
        total = 0
        for _ in range(batches):
            loss = fluid.layers.reduce_mean(fluid.layers.square(model(x) - y))
            loss.backward()
            opt.minimize(loss)
            model.clear_gradients()
            total = total + loss
            lrs.append(opt.current_step_lr())
        epoch_loss = total / batches
        epoch_losses.append(value(epoch_loss))
        end_epoch(schedule, epoch_loss)
        lrs.append(opt.current_step_lr())
    return lrs, epoch_losses


def next_epoch(schedule, loss):
    schedule.epoch()


def plateau_step(schedule, loss):
    schedule.step(loss)


with fluid.dygraph.guard():
    # -- rates per epoch ----------------------------------------------------------------------
    report("step_call", fluid.dygraph.StepDecay(0.5, step_size=2)())
    report("step", epoch_rates(fluid.dygraph.StepDecay(0.5, step_size=2), 7))
    report("step_rate", epoch_rates(fluid.dygraph.StepDecay(2, step_size=1, decay_rate=0.5), 4))
    report("multi_step", epoch_rates(fluid.dygraph.MultiStepDecay(0.5, [2, 4], 0.5), 7))
    report("multi_step_tuple", epoch_rates(fluid.dygraph.MultiStepDecay(1.0, (1, 2)), 4))
    report("lambda", epoch_rates(fluid.dygraph.LambdaDecay(0.5, lambda e: 0.9 ** e), 5))
    jump = fluid.dygraph.StepDecay(1.0, step_size=2, decay_rate=0.5)
    jump.epoch(5)
    report("epoch_given", [jump.epoch_num, value(jump())])
    jump.epoch()
    report("epoch_after_given", [jump.epoch_num, value(jump())])
    lam = fluid.dygraph.LambdaDecay(0.5, lambda e: 1.0 / (e + 1))
    lam.epoch(3)
    report("lambda_epoch_given", value(lam()))

    # -- ReduceLROnPlateau --------------------------------------------------------------------
    report("plateau_call", fluid.dygraph.ReduceLROnPlateau(0.3)())
    report("plateau_call_float64", fluid.dygraph.ReduceLROnPlateau(0.3, dtype="float64")())
    report("plateau_cooldown", plateau_trace(
        fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=0.5, patience=1, cooldown=1),
        [5, 4, 4, 4, 4, 3, 3.5, 3.5, 3.5, 3.5]))
    report("plateau_rel_threshold", plateau_trace(
        fluid.dygraph.ReduceLROnPlateau(1.0, patience=0, decay_rate=0.5),
        [1.0, 0.99995, 0.9998]))
    report("plateau_abs", plateau_trace(
        fluid.dygraph.ReduceLROnPlateau(1.0, patience=0, threshold=0.5, threshold_mode="abs"),
        [3, 2.6, 2.4, 1.0]))
    report("plateau_max", plateau_trace(
        fluid.dygraph.ReduceLROnPlateau(1.0, mode="MAX", patience=0, decay_rate=0.5),
        [1, 2, 2, 1.5, 3]))
    report("plateau_min_lr", plateau_trace(
        fluid.dygraph.ReduceLROnPlateau(2, patience=0, min_lr=0.5, verbose=True), [1, 1, 1]))
    report("plateau_eps", plateau_trace(fluid.dygraph.ReduceLROnPlateau(1e-8, patience=0),
                                        [3, 3, 3]))
    plateau_from_var = fluid.dygraph.ReduceLROnPlateau(
        fluid.dygraph.to_variable(np.array([0.4], "float32")), patience=0)
    report("plateau_variable_rate", plateau_trace(plateau_from_var, [1, 1]))

    warmup_inner = fluid.dygraph.StepDecay(0.5, step_size=1)
    warmup = fluid.dygraph.LinearLrWarmup(warmup_inner, warmup_steps=2, start_lr=0.0, end_lr=0.5)
    warmup_rates = []
    for i in range(5):
        warmup_rates.append(value(warmup()))
        if i == 2:
            warmup_inner.epoch()
    report("linear_warmup_of_step_decay", warmup_rates)

    # -- training loops -----------------------------------------------------------------------
    for name, make_schedule, end_epoch, make_opt in [
            ("train_step", lambda: fluid.dygraph.StepDecay(0.1, step_size=2), next_epoch,
             fluid.optimizer.SGD),
            ("train_multi_step", lambda: fluid.dygraph.MultiStepDecay(0.1, [1, 3], 0.5),
             next_epoch, fluid.optimizer.Adam),
            ("train_lambda", lambda: fluid.dygraph.LambdaDecay(0.1, lambda e: 0.8 ** e),
             next_epoch, fluid.optimizer.Momentum),
            ("train_plateau", lambda: fluid.dygraph.ReduceLROnPlateau(
                0.1, decay_rate=0.5, patience=0, threshold=0.2), plateau_step,
             fluid.optimizer.SGD)]:
        model = make_model()
        schedule = make_schedule()
        if make_opt is fluid.optimizer.Momentum:
            opt = make_opt(learning_rate=schedule, momentum=0.9,
                           parameter_list=model.parameters())
        else:
            opt = make_opt(learning_rate=schedule, parameter_list=model.parameters())
        if name != "train_plateau":   # 1.8.5 fails on ReduceLROnPlateau here (step needs a loss)
            report(name + ".lr_before", opt.current_step_lr())
        lrs, losses = train(model, opt, schedule, 4, 2, end_epoch)
        report(name + ".lrs", lrs)
        report(name + ".losses", losses)
        report(name + ".weight", model.weight.numpy())
        schedule()    # 1.8.5 keeps LambdaDecay's rate a float from epoch() until the next call
        state = opt.state_dict()
        report(name + ".state_keys", sorted(key for key in state if "_0" not in key))
        report(name + ".scheduler_state", state["LR_Scheduler"])

# -- save, then load in a new guard (parameter names start again at linear_0) and continue ----
for name, make_schedule, end_epoch in [
        ("resume_step", lambda: fluid.dygraph.StepDecay(0.1, step_size=2), next_epoch),
        ("resume_plateau", lambda: fluid.dygraph.ReduceLROnPlateau(
            0.1, decay_rate=0.5, patience=0, threshold=0.2), plateau_step)]:
    with fluid.dygraph.guard():
        model, schedule = make_model(), make_schedule()
        opt = fluid.optimizer.Momentum(learning_rate=schedule, momentum=0.9,
                                       parameter_list=model.parameters())
        train(model, opt, schedule, 2, 2, end_epoch)
        fluid.save_dygraph(model.state_dict(), name)
        fluid.save_dygraph(opt.state_dict(), name)
        report(name + ".straight", train(model, opt, schedule, 2, 2, end_epoch))
        report(name + ".straight_weight", model.weight.numpy())
    with fluid.dygraph.guard():
        model, schedule = make_model(), make_schedule()
        opt = fluid.optimizer.Momentum(learning_rate=schedule, momentum=0.9,
                                       parameter_list=model.parameters())
        params, opt_state = fluid.load_dygraph(name)
        report(name + ".loaded_scheduler", opt_state["LR_Scheduler"])
        model.set_dict(params)
        opt.set_dict(opt_state)
        if name == "resume_step":    # 1.8.5 fails on ReduceLROnPlateau here
            report(name + ".lr_after_load", opt.current_step_lr())
        report(name + ".resumed", train(model, opt, schedule, 2, 2, end_epoch))
        report(name + ".resumed_weight", model.weight.numpy())

with fluid.dygraph.guard():
    # -- bad input -------------------------------------------------------------------------------
    with catch("plateau_bad_mode"):
        fluid.dygraph.ReduceLROnPlateau(1.0, mode="avg")
    with catch("plateau_bad_threshold_mode"):
        fluid.dygraph.ReduceLROnPlateau(1.0, threshold_mode="x")
    with catch("plateau_decay_rate_1"):
        fluid.dygraph.ReduceLROnPlateau(1.0, decay_rate=1.0)
    with catch("plateau_lr_str"):
        fluid.dygraph.ReduceLROnPlateau("a")
    plateau = fluid.dygraph.ReduceLROnPlateau(1.0)
    with catch("plateau_loss_shape"):
        plateau.step(fluid.dygraph.to_variable(np.ones((2,), "float32")))
    with catch("plateau_loss_2d"):
        plateau.step(fluid.dygraph.to_variable(np.ones((1, 1), "float32")))
    with catch("plateau_no_loss"):
        plateau.step()
    report("plateau_after_bad_steps", plateau.epoch_num)
    with catch("step_decay_lr_str"):
        fluid.dygraph.StepDecay("a", 2)
    with catch("step_decay_lr_negative"):
        fluid.dygraph.StepDecay(-0.1, 2)
    with catch("step_decay_size_float"):
        fluid.dygraph.StepDecay(0.1, 2.0)
    with catch("step_decay_size_0"):
        fluid.dygraph.StepDecay(0.1, 0)
    with catch("step_decay_rate_1"):
        fluid.dygraph.StepDecay(0.1, 2, 1.0)
    with catch("multi_step_not_list"):
        fluid.dygraph.MultiStepDecay(0.1, 3)
    with catch("multi_step_not_increasing"):
        fluid.dygraph.MultiStepDecay(0.1, [3, 2])
    with catch("multi_step_rate"):
        fluid.dygraph.MultiStepDecay(0.1, [2], 1.5)
    with catch("lambda_not_callable"):
        fluid.dygraph.LambdaDecay(0.1, 3)
    with catch("epoch_schedule_step"):
        fluid.dygraph.StepDecay(0.1, 2).step()
    linear = make_model()
    opt = fluid.optimizer.SGD(learning_rate=fluid.dygraph.StepDecay(0.1, 2),
                              parameter_list=linear.parameters())
    with catch("set_dict_without_scheduler"):
        opt.set_dict({})
    with catch("set_dict_scheduler_missing_key"):
        opt.set_dict({"LR_Scheduler": {"epoch_num": 3}})
