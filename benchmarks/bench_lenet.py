"""One LeNet training step, minigrad vs PyTorch CPU in one process, same weights and data.

Batch 64 of 1x28x28 float32 images, 10 classes:
    Conv2D(1->6, 5, padding 2) + relu, Pool2D max 2, Conv2D(6->16, 5) + relu, Pool2D max 2,
    Linear 400->120 relu, 120->84 relu, 84->10, softmax_with_cross_entropy, mean, Adam.
A step is forward, backward, Adam update, clear gradients. PyTorch gets minigrad's initial
weights (Linear weights transposed: minigrad's are [in, out]); the first step's losses must agree.

Each framework runs in its own block of 7 repeats of `--steps` steps, after a pause (see
timing.py for why not in alternation); `--rounds` pairs of blocks, order alternating. The table
shows the median ms/step and the median of the per-round ratios of minigrad's time to each.

    python benchmarks/bench_lenet.py                 # 3 rounds of 7 repeats of 20 steps
    python benchmarks/bench_lenet.py --profile       # also cProfile 50 minigrad steps
    python benchmarks/bench_lenet.py --ops           # also ms per step in each op, both sides
    python benchmarks/bench_lenet.py --layers        # also each layer alone, both sides

`--layers` times each layer's forward + backward (and the Adam update) on its own, each framework
in its own settled block like the steps: the fair per-layer comparison. (`--ops` shows PyTorch's
profiler, which adds its own overhead, and minigrad's op times inside the step.)
"""
import argparse
import collections
import cProfile
import pstats
import statistics
import time

import numpy as np

import minigrad as fluid
from timing import ratio, time_blocks

BATCH, CLASSES, LR = 64, 10, 0.001


class LeNet(fluid.dygraph.Layer):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = fluid.dygraph.Conv2D(1, 6, 5, padding=2, act="relu")
        self.pool1 = fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2)
        self.conv2 = fluid.dygraph.Conv2D(6, 16, 5, act="relu")
        self.pool2 = fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2)
        self.fc1 = fluid.dygraph.Linear(400, 120, act="relu")
        self.fc2 = fluid.dygraph.Linear(120, 84, act="relu")
        self.fc3 = fluid.dygraph.Linear(84, CLASSES)

    def forward(self, x):
        x = self.pool2(self.conv2(self.pool1(self.conv1(x))))
        x = fluid.layers.reshape(x, [-1, 400])
        return self.fc3(self.fc2(self.fc1(x)))


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, CLASSES, size=(BATCH, 1)).astype(np.int64)
    return images, labels


def minigrad_loss(logits, label):
    """The step's loss, as a Paddle 1.x user writes it (PyTorch's is its cross_entropy)."""
    return fluid.layers.mean(fluid.layers.softmax_with_cross_entropy(logits, label))


def minigrad_step_fn(images, labels):
    """The step as a Paddle 1.x dygraph user writes it; returns (step, model, optimizer)."""
    model = LeNet()
    adam = fluid.optimizer.Adam(learning_rate=LR, parameter_list=model.parameters())
    img = fluid.dygraph.to_variable(images)
    label = fluid.dygraph.to_variable(labels)

    def step():
        logits = model(img)
        loss = minigrad_loss(logits, label)
        loss.backward()
        adam.minimize(loss)
        model.clear_gradients()
        return loss

    return step, model, adam


def torch_step_fn(images, labels, model):
    """The same network in PyTorch, starting from `model`'s (minigrad's) weights; returns
    (step, network, optimizer)."""
    import torch
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, CLASSES))
    ours = [model.conv1, model.conv2, model.fc1, model.fc2, model.fc3]
    theirs = [m for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        for mine, other in zip(ours, theirs):
            weight = mine.weight.numpy()
            if isinstance(other, nn.Linear):
                weight = weight.T
            other.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            other.bias.copy_(torch.from_numpy(mine.bias.numpy()))
    adam = torch.optim.Adam(net.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    x = torch.from_numpy(images)
    t = torch.from_numpy(labels[:, 0])

    def step():
        loss = nn.functional.cross_entropy(net(x), t)
        loss.backward()
        adam.step()
        adam.zero_grad(set_to_none=True)
        return loss.detach()

    return step, net, adam


def profile(step, n=50, top=25):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
    print(f"\ncProfile of {n} minigrad steps, by own time (tottime):")
    stats.print_stats(top)


def minigrad_op_times(step, n=100):
    """{(op class, "forward" or "backward"): ms per step}, over `n` steps.

    Inclusive: an op's backward that calls other ops (conv2d's calls conv2d_transpose and the
    weight-gradient op) counts their time too, and so do they.
    """
    from minigrad.core.op import Op

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    totals = collections.defaultdict(float)
    patched = []
    for cls in set(subclasses(Op)):
        for kind in ("forward", "backward"):
            if kind not in cls.__dict__:
                continue
            original = cls.__dict__[kind]

            def timed(self, *args, _original=original, _key=(cls.__name__, kind)):
                start = time.perf_counter()
                try:
                    return _original(self, *args)
                finally:
                    totals[_key] += time.perf_counter() - start
            setattr(cls, kind, timed)
            patched.append((cls, kind, original))
    try:
        for _ in range(n):
            step()
    finally:
        for cls, kind, original in patched:
            setattr(cls, kind, original)
    return {key: seconds / n * 1e3 for key, seconds in totals.items()}


def torch_op_times(step, n=100):
    """{aten op: self CPU ms per step} from PyTorch's profiler, over `n` steps."""
    from torch.profiler import ProfilerActivity, profile as torch_profile
    with torch_profile(activities=[ProfilerActivity.CPU]) as profiler:
        for _ in range(n):
            step()
    return {event.key: event.self_cpu_time_total / n / 1e3
            for event in profiler.key_averages()}


def op_times_report(minigrad_step, torch_step, top=14):
    """Where each framework's step goes, op by op, as printable lines (run after the timed
    blocks, so both are warm)."""
    for _ in range(20):
        minigrad_step()
    ours = minigrad_op_times(minigrad_step)
    lines = ["", "minigrad, ms per step in each op (inclusive: a backward that calls other ops "
                 "counts them too):"]
    lines += [f"  {name + '.' + kind:<36}{ms:>8.3f}"
              for (name, kind), ms in sorted(ours.items(), key=lambda item: -item[1])[:top]]
    if torch_step is not None:
        time.sleep(0.3)     # let OpenBLAS's threads go idle (see timing.py)
        for _ in range(20):
            torch_step()
        theirs = torch_op_times(torch_step)
        lines.append("PyTorch, self CPU ms per step by its profiler (which adds its own overhead):")
        lines += [f"  {name:<50}{ms:>8.3f}"
                  for name, ms in sorted(theirs.items(), key=lambda item: -item[1])[:top]]
    return "\n".join(lines)


def layer_steps(model, images, labels, net=None):
    """{(label, framework): one forward + backward of that layer alone} for minigrad's `model`
    (and PyTorch's `net`, an nn.Sequential of the same layers), on the activations a step sees.
    A layer's backward starts from a fixed random cotangent g, through sum(y * g); the last
    entry is the loss (softmax cross entropy and mean) on the logits."""
    ours = [("conv1 + relu", model.conv1), ("pool1", model.pool1), ("conv2 + relu", model.conv2),
            ("pool2", model.pool2), ("fc1 + relu", model.fc1), ("fc2 + relu", model.fc2),
            ("fc3", model.fc3)]
    theirs = None if net is None else [net[0:2], net[2], net[3:5], net[5], net[7:9], net[9:11],
                                       net[11]]
    rng = np.random.default_rng(1)
    steps = {}
    x = images
    for index, (label, layer) in enumerate(ours):
        if label == "fc1 + relu":
            x = x.reshape(len(x), -1)
        with fluid.dygraph.no_grad():
            y = layer(fluid.dygraph.to_variable(x)).numpy()
        cotangent = rng.standard_normal(y.shape).astype(np.float32)
        steps[label, "minigrad"] = _minigrad_layer_step(layer, x, cotangent, index > 0)
        if theirs is not None:
            steps[label, "pytorch"] = _torch_layer_step(theirs[index], x, cotangent, index > 0)
        x = y
    steps["softmax cross entropy + mean", "minigrad"] = _minigrad_loss_step(x, labels)
    if net is not None:
        steps["softmax cross entropy + mean", "pytorch"] = _torch_loss_step(x, labels)
    return steps


def update_steps(model, adam, images, labels, net=None, torch_adam=None):
    """{("Adam update", framework): the optimizer's update alone}, from the gradients of one
    backward of the whole network (kept: every call updates from the same gradients)."""
    loss = minigrad_loss(model(fluid.dygraph.to_variable(images)),
                         fluid.dygraph.to_variable(labels))
    loss.backward()
    steps = {("Adam update", "minigrad"): lambda: adam.minimize(loss)}
    if net is not None:
        import torch
        torch.nn.functional.cross_entropy(net(torch.from_numpy(images)),
                                          torch.from_numpy(labels[:, 0])).backward()
        steps["Adam update", "pytorch"] = torch_adam.step
    return steps


def layers_report(model, adam, images, labels, net=None, torch_adam=None, repeats=7, rounds=3):
    """Each layer's forward + backward alone, then the update alone, as printable lines: ms
    (medians over rounds of settled blocks, see timing.py) side by side, and their sums."""
    rows = collections.OrderedDict()
    # The update steps are made after the layer steps have run: those clear the gradients.
    for make_steps in (lambda: layer_steps(model, images, labels, net),
                       lambda: update_steps(model, adam, images, labels, net, torch_adam)):
        measured = time_blocks(make_steps(), repeats, per_sample=20, warmup=5, rounds=rounds)
        for (label, framework), values in measured.items():
            rows.setdefault(label, {})[framework] = statistics.median(values)
    frameworks = ["minigrad"] + (["pytorch"] if net is not None else [])
    rows["sum"] = {name: sum(times[name] for times in rows.values()) for name in frameworks}
    lines = ["", "Each layer alone (forward + backward; ms, medians of settled blocks):",
             f"  {'layer':<30}" + "".join(f"{name:>10}" for name in frameworks)
             + ("  minigrad - pytorch" if net is not None else "")]
    for label, times in rows.items():
        line = f"  {label:<30}" + "".join(f"{times[name]:>10.3f}" for name in frameworks)
        if net is not None:
            line += f"{times['minigrad'] - times['pytorch']:>+19.3f}"
        lines.append(line)
    return "\n".join(lines)


def _minigrad_layer_step(layer, x, cotangent, input_grad):
    x, g = fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(cotangent)
    x.stop_gradient = not input_grad

    def run():
        fluid.layers.reduce_sum(layer(x) * g).backward()
        layer.clear_gradients()
        x.clear_gradient()
    return run


def _torch_layer_step(module, x, cotangent, input_grad):
    import torch
    x = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(input_grad)
    g = torch.from_numpy(cotangent)

    def run():
        (module(x) * g).sum().backward()
        module.zero_grad(set_to_none=True)
        x.grad = None
    return run


def _minigrad_loss_step(logits, labels):
    logits, label = fluid.dygraph.to_variable(logits), fluid.dygraph.to_variable(labels)
    logits.stop_gradient = False

    def run():
        minigrad_loss(logits, label).backward()
        logits.clear_gradient()
    return run


def _torch_loss_step(logits, labels):
    import torch
    logits = torch.from_numpy(logits).requires_grad_(True)
    target = torch.from_numpy(labels[:, 0])

    def run():
        torch.nn.functional.cross_entropy(logits, target).backward()
        logits.grad = None
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="steps per timed repeat")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats (median shown)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="blocks per framework, order alternating (median shown)")
    parser.add_argument("--profile", action="store_true", help="cProfile minigrad steps too")
    parser.add_argument("--ops", action="store_true",
                        help="also print the time per step in each op, minigrad and PyTorch")
    parser.add_argument("--layers", action="store_true",
                        help="also time each layer alone (forward + backward), both frameworks")
    args = parser.parse_args(argv)
    images, labels = make_data()
    with fluid.dygraph.guard():
        fluid.default_startup_program().random_seed = 1
        step, model, adam = minigrad_step_fn(images, labels)
        steps = {"minigrad": step}
        net = torch_adam = None
        try:
            import torch
            torch.manual_seed(0)
            torch_step, net, torch_adam = torch_step_fn(images, labels, model)
            steps[f"pytorch {torch.__version__} ({torch.get_num_threads()} threads)"] = torch_step
        except ImportError:
            print("PyTorch not installed: pip install torch==2.13.0 (or '.[bench]') to compare")
        # Sanity: the same network from the same weights gives the same first loss.
        first = {name: float(s()) for name, s in steps.items()}
        values = list(first.values())
        assert max(values) - min(values) < 1e-4 * max(1.0, abs(values[0])), first
        measured = time_blocks(steps, args.repeats, per_sample=args.steps, warmup=5,
                               rounds=args.rounds)
        times = {name: statistics.median(values) for name, values in measured.items()}
        if args.profile:
            profile(step)
        reports = []
        if args.ops:
            others = [other for name, other in steps.items() if name != "minigrad"]
            reports.append(op_times_report(step, others[0] if others else None))
        if args.layers:     # last: its update blocks move the weights
            reports.append(layers_report(model, adam, images, labels, net, torch_adam,
                                         args.repeats, args.rounds))
    print(f"LeNet training step: batch {BATCH}, 1x28x28 float32, conv-pool-conv-pool-3 linear, "
          f"softmax cross entropy, Adam")
    print("first-step losses: " + ", ".join(f"{k.split()[0]} {v:.6f}" for k, v in first.items()))
    print(f"{'implementation':<34}{'ms/step':>10}{'minigrad / this':>18}")
    for name, ms in times.items():
        print(f"{name:<34}{ms:>10.2f}{ratio(measured['minigrad'], measured[name]):>17.2f}x")
    for report in reports:
        print(report)


if __name__ == "__main__":
    main()
