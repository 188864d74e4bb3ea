"""Layers and optimizers of Paddle 1.8 next to PyTorch CPU in one process (settled blocks, see
timing.py): forward + backward of LayerNorm (64 x 128 tokens x 512) and GroupNorm (32 x 64 x 32 x
32, 8 groups), and one update of Adam and Adamax over about 1M parameters. (GRUUnit and Lamb have
no identical PyTorch counterpart: torch's GRUCell applies the reset gate after its matmul.)
Prints ms per step and the ratio minigrad / PyTorch. Run: `python benchmarks/bench_layers.py`.
"""
import argparse

import numpy as np

import minigrad as fluid
from timing import ratio, time_blocks


def layer_cases(rng):
    import torch
    cases = {}
    x = rng.standard_normal((64, 128, 512)).astype(np.float32)
    cases["LayerNorm [64,128,512]"] = (
        x, lambda: fluid.dygraph.LayerNorm([512]), lambda: torch.nn.LayerNorm(512))
    x = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)
    cases["GroupNorm [32,64,32,32] g=8"] = (
        x, lambda: fluid.dygraph.GroupNorm(64, 8), lambda: torch.nn.GroupNorm(8, 64))
    return cases


def time_layer(x, make_ours, make_theirs, rounds):
    import torch
    cot = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    layer = make_ours()
    xv, cv = fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(cot)
    xv.stop_gradient = False

    def ours():
        xv.clear_gradient()
        layer.clear_gradients()
        fluid.layers.reduce_sum(layer(xv) * cv).backward()

    module = make_theirs()
    xt, ct = torch.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(cot)

    def theirs():
        xt.grad = None
        module.zero_grad()
        (module(xt) * ct).sum().backward()
    return time_blocks({"minigrad": ours, "torch": theirs}, rounds=rounds)


def time_optimizer(name, rounds):
    import torch
    shapes = [(512, 1024), (1024,), (1024, 512), (512,)]          # ~1.05M parameters
    rng = np.random.default_rng(2)
    values = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    params = [fluid.dygraph.Parameter(v.copy(), name=f"p{i}") for i, v in enumerate(values)]
    ours_opt = getattr(fluid.optimizer, name)(learning_rate=0.001, parameter_list=params)
    loss = fluid.dygraph.to_variable(np.zeros(1, np.float32))

    def ours():
        for p, g in zip(params, grads):
            p.grad = g
        ours_opt.minimize(loss)

    tensors = [torch.from_numpy(v.copy()).requires_grad_() for v in values]
    theirs_opt = {"Adam": torch.optim.Adam, "Adamax": torch.optim.Adamax}[name](tensors, lr=0.001)
    torch_grads = [torch.from_numpy(g) for g in grads]

    def theirs():
        for t, g in zip(tensors, torch_grads):
            t.grad = g
        theirs_opt.step()
    return time_blocks({"minigrad": ours, "torch": theirs}, rounds=rounds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{'case':34} {'minigrad ms':>12} {'PyTorch ms':>11} {'ratio':>6}")
    with fluid.dygraph.guard():
        rows = [(name, time_layer(*case, args.rounds))
                for name, case in layer_cases(rng).items()]
        rows += [(f"{name} update, 1M parameters", time_optimizer(name, args.rounds))
                 for name in ("Adam", "Adamax")]
    for name, times in rows:
        print(f"{name:34} {np.median(times['minigrad']):12.2f} {np.median(times['torch']):11.2f} "
              f"{ratio(times['minigrad'], times['torch']):6.2f}")


if __name__ == "__main__":
    main()
