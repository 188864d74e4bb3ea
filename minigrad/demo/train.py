"""`python -m minigrad.demo`: train the digit autoencoder and write what it learned.

Steps: draw training and test digits in code (`data.py`), train `DigitAutoencoder` with Adam on
the mean squared reconstruction error while a progress bar shows the loss, then write to the
output folder (default ./minigrad-output):

    loss_curve.png        the training loss per step (needs matplotlib)
    reconstructions.png   test digits above their reconstructions (needs matplotlib)
    graph.svg             the drawn tape of one training step (needs graphviz and its `dot`)

Anything that cannot be written for lack of an optional package is named, with how to install
it; the training itself needs only numpy. `--quick` trains briefly, `--steps N` sets the length.
"""
import argparse
import os
import time

import numpy as np

import minigrad as fluid
from minigrad import viz
from minigrad.demo.data import make_digits
from minigrad.demo.model import DigitAutoencoder

__all__ = ["main", "train"]

DEFAULT_STEPS = 3000
QUICK_STEPS = 300
IMAGE_SIZE = 28
_INSTALL_PLOTS = ('matplotlib is not installed: pip install matplotlib '
                  '(or pip install "minigrad[demo]")')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m minigrad.demo",
        description="Train a small autoencoder (Conv2DTranspose decoder) on digits drawn in code "
                    "and write the loss curve, reconstructions and the drawn graph.")
    parser.add_argument("--out", default="minigrad-output",
                        help="output folder (default: ./minigrad-output)")
    parser.add_argument("--steps", type=int, default=None,
                        help=f"training steps (default {DEFAULT_STEPS})")
    parser.add_argument("--quick", action="store_true",
                        help=f"train for {QUICK_STEPS} steps only, e.g. to try things out")
    parser.add_argument("--batch-size", type=int, default=32, help="images per step (default 32)")
    parser.add_argument("--images", type=int, default=4096,
                        help="how many training digits to draw (default 4096)")
    parser.add_argument("--lr", type=float, default=0.003, help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=0, help="random seed (data and weights)")
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = QUICK_STEPS if args.quick else DEFAULT_STEPS
    if args.steps < 1 or args.batch_size < 1 or args.images < 1:
        parser.error("--steps, --batch-size and --images must be positive")
    return args


class _Progress:
    """tqdm's bar when tqdm is installed, else a line every ~5% of the steps."""

    def __init__(self, total):
        self.total = total
        self.start = time.perf_counter()
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
            self.every = max(1, total // 20)
            print("(pip install tqdm for a progress bar)")
        else:
            self.bar = tqdm(total=total, desc="training", unit="step", dynamic_ncols=True)

    def update(self, step, loss):
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        elif step % self.every == 0 or step == self.total:
            elapsed = time.perf_counter() - self.start
            print(f"step {step:>{len(str(self.total))}}/{self.total}  loss {loss:.4f}  "
                  f"({elapsed:.1f} s)", flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def reconstruction_loss(model, images):
    """Mean squared error between `images` (a Variable [N, 1, H, W]) and the model's output, and
    the output."""
    recon = model(images)
    return fluid.layers.mean(fluid.layers.square_error_cost(recon, images)), recon


def train(model, images, steps, batch_size=32, lr=0.003, seed=0, progress=True):
    """Train `model` on `images` (ndarray [N, 1, H, W]) with Adam; returns the loss per step.

    Must run inside `fluid.dygraph.guard()`.
    """
    optimizer = fluid.optimizer.Adam(learning_rate=lr, parameter_list=model.parameters())
    rng = np.random.default_rng(seed)
    bar = _Progress(steps) if progress else None
    losses = []
    model.train()
    try:
        for step in range(1, steps + 1):
            batch = images[rng.integers(0, len(images), size=batch_size)]
            loss, _ = reconstruction_loss(model, fluid.dygraph.to_variable(batch))
            loss.backward()
            optimizer.minimize(loss)
            model.clear_gradients()
            losses.append(float(loss))
            if bar is not None:
                bar.update(step, losses[-1])
    finally:
        if bar is not None:
            bar.close()
    return losses


def _moving_average(values, window):
    window = max(1, min(window, len(values)))
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid"), window


def plot_loss(losses, path):
    from matplotlib.figure import Figure   # no pyplot: no GUI backend, safe in any process
    figure = Figure(figsize=(6, 3.5), dpi=100)
    ax = figure.add_subplot()
    steps = np.arange(1, len(losses) + 1)
    ax.plot(steps, losses, color="#9aa0a6", linewidth=0.8, label="loss per step")
    smooth, window = _moving_average(np.asarray(losses), 20)
    ax.plot(steps[window - 1:], smooth, color="#1a73e8", linewidth=2,
            label=f"mean of {window} steps")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("mean squared error")
    ax.set_title("Training loss")
    ax.legend()
    figure.tight_layout()
    figure.savefig(path)


def plot_reconstructions(images, recons, path):
    from matplotlib.figure import Figure
    count = len(images)
    figure = Figure(figsize=(count * 0.8, 1.9), dpi=100)
    axes = figure.subplots(2, count, squeeze=False)
    for column in range(count):
        for row, source in enumerate((images, recons)):
            ax = axes[row, column]
            ax.imshow(source[column, 0], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("input", fontsize=8)
    axes[1, 0].set_ylabel("output", fontsize=8)
    figure.suptitle("Test digits (top) and their reconstructions (bottom)", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)


def write_graph(model, images, out, report):
    """Draw one training step's tape to graph.svg (or graph.gv when `dot` is missing)."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        report["skipped"].append('graph.svg (the graphviz package is not installed: pip install '
                                 'graphviz, or pip install "minigrad[demo]")')
        return
    loss, _ = reconstruction_loss(model, fluid.dygraph.to_variable(images))
    graph = viz.draw(loss)
    try:
        report["files"]["graph"] = viz.render(graph, os.path.join(out, "graph.svg"))
    except RuntimeError as exc:
        source = os.path.join(out, "graph.gv")
        with open(source, "w", encoding="utf-8") as f:
            f.write(graph.source)
        report["files"]["graph_source"] = source
        report["skipped"].append(f"graph.svg ({exc}); wrote its DOT text to {source}")


def main(argv=None):
    """Run the demo; returns a report: losses, test errors, files written, what was skipped."""
    args = parse_args(argv)
    started = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    report = {"files": {}, "skipped": []}
    train_images, _ = make_digits(args.images, size=IMAGE_SIZE, seed=args.seed)
    test_images, test_labels = make_digits(10, size=IMAGE_SIZE, seed=args.seed + 1)
    test_images = test_images[np.argsort(test_labels[:, 0], kind="stable")]
    with fluid.dygraph.guard():
        fluid.seed(args.seed)
        model = DigitAutoencoder(size=IMAGE_SIZE)
        print(model)
        with fluid.dygraph.no_grad():
            before, _ = reconstruction_loss(model, fluid.dygraph.to_variable(test_images))
        print(f"Training for {args.steps} steps on {len(train_images)} digits drawn in code...")
        losses = train(model, train_images, args.steps, args.batch_size, args.lr, args.seed)
        model.eval()
        with fluid.dygraph.no_grad():
            after, recon = reconstruction_loss(model, fluid.dygraph.to_variable(test_images))
        write_graph(model, test_images[:2], args.out, report)
    report.update(losses=losses, test_loss_before=float(before), test_loss_after=float(after))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        report["skipped"].append(f"loss_curve.png and reconstructions.png ({_INSTALL_PLOTS})")
    else:
        report["files"]["loss_curve"] = os.path.join(args.out, "loss_curve.png")
        plot_loss(losses, report["files"]["loss_curve"])
        report["files"]["reconstructions"] = os.path.join(args.out, "reconstructions.png")
        plot_reconstructions(test_images, recon.numpy(), report["files"]["reconstructions"])
    report["seconds"] = time.perf_counter() - started
    print(f"Test reconstruction error: {report['test_loss_before']:.4f} before training, "
          f"{report['test_loss_after']:.4f} after ({report['seconds']:.1f} s in all).")
    for path in report["files"].values():
        print(f"wrote {path}")
    for what in report["skipped"]:
        print(f"skipped {what}")
    return report
