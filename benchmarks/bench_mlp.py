"""One training step of a small MLP, three ways in one process: minigrad, numpy by hand, PyTorch.

Batch 16, 32 -> 64 -> 10, relu, mean squared error, plain SGD under no_grad. Prints microseconds
per step and the ratios. Run: `python benchmarks/bench_mlp.py [--steps N]`.
"""
import argparse

import numpy as np

import minigrad as fluid
from timing import time_blocks

BATCH, IN, HIDDEN, OUT, LR = 16, 32, 64, 10, 0.01


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((BATCH, IN)).astype(np.float32),
        "t": rng.standard_normal((BATCH, OUT)).astype(np.float32),
        "w1": (rng.standard_normal((IN, HIDDEN)) * 0.1).astype(np.float32),
        "b1": np.zeros(HIDDEN, np.float32),
        "w2": (rng.standard_normal((HIDDEN, OUT)) * 0.1).astype(np.float32),
        "b2": np.zeros(OUT, np.float32),
    }


def minigrad_step_fn(d):
    """The step as a Paddle 1.x dygraph user writes it."""
    layers = fluid.layers

    class MLP(fluid.dygraph.Layer):
        def __init__(self):
            super().__init__()
            self.fc1 = fluid.dygraph.Linear(IN, HIDDEN, act="relu")
            self.fc2 = fluid.dygraph.Linear(HIDDEN, OUT)

        def forward(self, x):
            return self.fc2(self.fc1(x))

    model = MLP()
    model.fc1.weight.set_value(d["w1"])
    model.fc2.weight.set_value(d["w2"])
    params = model.parameters()
    x = fluid.dygraph.to_variable(d["x"])
    t = fluid.dygraph.to_variable(d["t"])

    def step():
        loss = layers.reduce_mean(layers.square(model(x) - t))
        loss.backward()
        with fluid.dygraph.no_grad():
            for p in params:
                p.set_value(p.numpy() - LR * p.gradient())
                p.clear_gradient()
        return loss

    return step, lambda: float(step())


def numpy_step_fn(d):
    w1, b1, w2, b2 = (d[k].copy() for k in ("w1", "b1", "w2", "b2"))
    x, t = d["x"], d["t"]
    scale = np.float32(2.0 / (BATCH * OUT))

    def step():
        h_pre = x @ w1 + b1
        h = np.maximum(h_pre, 0)
        y = h @ w2 + b2
        diff = y - t
        loss = np.mean(diff * diff)
        gy = diff * scale
        gw2 = h.T @ gy
        gb2 = gy.sum(0)
        gh = gy @ w2.T
        gh[h_pre <= 0] = 0
        gw1 = x.T @ gh
        gb1 = gh.sum(0)
        w1[...] -= LR * gw1
        b1[...] -= LR * gb1
        w2[...] -= LR * gw2
        b2[...] -= LR * gb2
        return loss

    return step, lambda: float(step())


def torch_step_fn(d):
    import torch
    x, t = torch.from_numpy(d["x"]), torch.from_numpy(d["t"])
    model = torch.nn.Sequential(torch.nn.Linear(IN, HIDDEN), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN, OUT))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(d["w1"].T.copy()))
        model[0].bias.zero_()
        model[2].weight.copy_(torch.from_numpy(d["w2"].T.copy()))
        model[2].bias.zero_()
    params = list(model.parameters())

    def step():
        loss = torch.mean((model(x) - t) ** 2)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return loss

    return step, lambda: float(step().detach())


def time_per_step(step, steps):
    """Median µs per step, in a block of its own (see timing.py)."""
    (ms,) = time_blocks({"step": step}, per_sample=steps, warmup=max(steps // 10, 20))["step"]
    return ms * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=500, help="steps per timed repeat")
    args = parser.parse_args(argv)
    d = make_data()
    rows = []
    with fluid.dygraph.guard():
        step, first = minigrad_step_fn(d)
        first_losses = {"minigrad": first()}
        rows.append(("minigrad", time_per_step(step, args.steps)))
    step, first = numpy_step_fn(d)
    first_losses["numpy by hand"] = first()
    rows.append(("numpy by hand", time_per_step(step, args.steps)))
    try:
        import torch
        torch.manual_seed(0)
        step, first = torch_step_fn(d)
        first_losses["pytorch"] = first()
        rows.append((f"pytorch {torch.__version__} ({torch.get_num_threads()} threads)",
                     time_per_step(step, args.steps)))
    except ImportError:
        print("PyTorch not installed: pip install torch==2.13.0 (or '.[bench]') to compare")
    losses = list(first_losses.values())
    assert max(losses) - min(losses) < 1e-4 * max(1.0, abs(losses[0])), first_losses
    ours = rows[0][1]
    print(f"MLP training step: batch {BATCH}, {IN}->{HIDDEN}->{OUT}, relu, MSE, SGD (float32)")
    print(f"{'implementation':<34}{'us/step':>10}{'minigrad / this':>18}")
    for name, micros in rows:
        print(f"{name:<34}{micros:>10.1f}{ours / micros:>17.2f}x")


if __name__ == "__main__":
    main()
