# Adamax, Adadelta, DecayedAdagrad, Ftrl, Lamb, LarsMomentum and Dpsgd (sigma=0): 5 steps each on
# a Linear with fixed weights and data; final parameters and every accumulator.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(13)
w_np = rng.uniform(-1, 1, (3, 2)).astype("float32")
b_np = rng.uniform(-0.5, 0.5, (2,)).astype("float32")
x_np = rng.uniform(-1, 1, (8, 3)).astype("float32")
y_np = rng.uniform(-1, 1, (8, 2)).astype("float32")


def no_bias_decay(param):
    return param.name.endswith(".b_0")


CASES = [
    ("adamax", lambda p: fluid.optimizer.Adamax(learning_rate=0.1, parameter_list=p)),
    ("adamax_options", lambda p: fluid.optimizer.AdamaxOptimizer(
        learning_rate=0.05, beta1=0.8, beta2=0.9, epsilon=1e-3, parameter_list=p,
        regularization=fluid.regularizer.L2Decay(0.1),
        grad_clip=fluid.clip.GradientClipByValue(max=0.3, min=-0.3))),
    ("adadelta", lambda p: fluid.optimizer.Adadelta(learning_rate=1.0, parameter_list=p)),
    ("adadelta_options", lambda p: fluid.optimizer.AdadeltaOptimizer(
        learning_rate=0.5, epsilon=1e-3, rho=0.8, parameter_list=p,
        grad_clip=fluid.clip.GradientClipByGlobalNorm(0.5))),
    ("decayed_adagrad", lambda p: fluid.optimizer.DecayedAdagrad(learning_rate=0.1,
                                                                 parameter_list=p)),
    ("decayed_adagrad_options", lambda p: fluid.optimizer.DecayedAdagradOptimizer(
        learning_rate=fluid.dygraph.ExponentialDecay(0.2, decay_steps=2, decay_rate=0.5),
        decay=0.7, epsilon=1e-4, parameter_list=p,
        regularization=fluid.regularizer.L1Decay(0.05))),
    ("ftrl", lambda p: fluid.optimizer.Ftrl(learning_rate=0.1, parameter_list=p)),
    ("ftrl_l1_l2", lambda p: fluid.optimizer.FtrlOptimizer(
        learning_rate=0.2, l1=0.05, l2=0.05, parameter_list=p)),
    ("ftrl_l2_only", lambda p: fluid.optimizer.Ftrl(
        learning_rate=0.2, l1=0.0, l2=0.5, parameter_list=p)),
    ("ftrl_lr_power", lambda p: fluid.optimizer.Ftrl(
        learning_rate=0.2, l1=0.01, l2=0.01, lr_power=-0.7, parameter_list=p)),
    ("lamb", lambda p: fluid.optimizer.Lamb(learning_rate=0.05, parameter_list=p)),
    ("lamb_exclude", lambda p: fluid.optimizer.LambOptimizer(
        learning_rate=0.05, lamb_weight_decay=0.1, beta1=0.8, beta2=0.95, epsilon=1e-4,
        parameter_list=p, exclude_from_weight_decay_fn=no_bias_decay,
        grad_clip=fluid.clip.GradientClipByNorm(0.5))),
    ("lars", lambda p: fluid.optimizer.LarsMomentum(learning_rate=0.5, momentum=0.9,
                                                    parameter_list=p)),
    ("lars_options", lambda p: fluid.optimizer.LarsMomentumOptimizer(
        learning_rate=fluid.dygraph.PiecewiseDecay([2, 4], [1.0, 0.5, 0.2], 0), momentum=0.5,
        lars_coeff=0.01, lars_weight_decay=0.05, parameter_list=p,
        regularization=fluid.regularizer.L2Decay(0.01))),
    ("dpsgd_sigma0", lambda p: fluid.optimizer.Dpsgd(
        learning_rate=0.1, clip=0.5, batch_size=8.0, sigma=0.0, parameter_list=p)),
    ("dpsgd_unclipped", lambda p: fluid.optimizer.DpsgdOptimizer(
        learning_rate=0.1, clip=100.0, batch_size=8.0, sigma=0.0, parameter_list=p)),
]

with fluid.dygraph.guard():
    x, y = fluid.dygraph.to_variable(x_np), fluid.dygraph.to_variable(y_np)
    for case, make in CASES:
        linear = fluid.dygraph.Linear(
            3, 2,
            param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w_np)),
            bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(b_np)))
        opt = make(linear.parameters())
        losses = []
        for step in range(5):
            loss = fluid.layers.reduce_mean(fluid.layers.square_error_cost(linear(x), y))
            loss.backward()
            opt.minimize(loss)
            linear.clear_gradients()
            losses.append(loss.numpy())
        report(case + ".losses", np.concatenate(losses))
        report(case + ".weight", linear.weight.numpy())
        report(case + ".bias", linear.bias.numpy())
        # Accumulators by role (the parameter's name differs between cases).
        prefixes = {linear.weight.name: "weight", linear.bias.name: "bias"}
        for key, value in sorted(opt.state_dict().items()):
            if not hasattr(value, "numpy"):
                continue
            for pname, role in prefixes.items():
                if key.startswith(pname + "_"):
                    key = role + key[len(pname):]
            report(case + ".state." + key, value.numpy())

# Resume: Adamax's state (with the Linear's) through save_dygraph / load_dygraph, loaded back
# into the optimizer after two more steps, then one step. (1.8.5 names a second optimizer's
# accumulators "..._1", so the same optimizer takes the state back.)
with fluid.dygraph.guard():
    x, y = fluid.dygraph.to_variable(x_np), fluid.dygraph.to_variable(y_np)
    linear = fluid.dygraph.Linear(
        3, 2,
        param_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(w_np)),
        bias_attr=fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(b_np)))
    opt = fluid.optimizer.Adamax(learning_rate=0.1, parameter_list=linear.parameters())

    def step():
        loss = fluid.layers.reduce_mean(fluid.layers.square_error_cost(linear(x), y))
        loss.backward()
        opt.minimize(loss)
        linear.clear_gradients()

    for _ in range(3):
        step()
    fluid.dygraph.save_dygraph(linear.state_dict(), "i13_adamax")    # 1.8.5 loads both
    fluid.dygraph.save_dygraph(opt.state_dict(), "i13_adamax")
    for _ in range(2):
        step()
    params, loaded = fluid.dygraph.load_dygraph("i13_adamax")
    linear.set_dict(params)
    opt.set_dict(loaded)
    step()
    report("resume.weight", linear.weight.numpy())
    report("resume.bias", linear.bias.numpy())
    for key, value in sorted(opt.state_dict().items()):
        report("resume.state." + key, value.numpy())
