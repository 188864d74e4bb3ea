"""Forward + backward of three fluid.layers functions on realistic shapes, minigrad next to
PyTorch CPU in one process: layer_norm (a Transformer block's), resize_bilinear (a decoder's
2x upsampling, Paddle's default align_corners=True) and gather_nd (picking rows of a batch).

Each step computes the function, a weighted sum as the loss, and the input gradient (and the
layer-norm parameters' gradients). Prints ms per step, the ratio minigrad / PyTorch, and the
largest difference between the two frameworks' outputs and gradients.
Run: `python benchmarks/bench_functional.py [--rounds N]`.
"""
import argparse

import numpy as np

import minigrad as fluid
from minigrad.ops.norm import layer_norm
from timing import ratio, time_blocks


def cases(rng):
    ln_x = rng.standard_normal((16, 128, 512)).astype(np.float32)
    ln_w = rng.uniform(0.5, 1.5, 512).astype(np.float32)
    ln_b = rng.standard_normal(512).astype(np.float32)
    up_x = rng.standard_normal((16, 64, 32, 32)).astype(np.float32)
    g_x = rng.standard_normal((64, 128, 256)).astype(np.float32)
    g_index = np.stack([rng.integers(0, 64, 4096), rng.integers(0, 128, 4096)], 1)
    return {
        "layer_norm [16,128,512]": dict(
            arrays=[ln_x, ln_w, ln_b],
            minigrad=lambda x, w, b: layer_norm(x, w, b, begin_norm_axis=2),
            torch=lambda F, x, w, b: F.layer_norm(x, (512,), w, b, 1e-5)),
        "resize_bilinear [16,64,32,32]->64x64": dict(
            arrays=[up_x],
            minigrad=lambda x: fluid.layers.resize_bilinear(x, out_shape=[64, 64]),
            torch=lambda F, x: F.interpolate(x, size=(64, 64), mode="bilinear",
                                             align_corners=True)),
        "gather_nd [64,128,256] x 4096": dict(
            arrays=[g_x],
            minigrad=lambda x: fluid.layers.gather_nd(x, fluid.dygraph.to_variable(g_index)),
            torch=lambda F, x: x[tuple(__import__("torch").from_numpy(g_index).T)]),
    }


def minigrad_step(case, cotangent):
    variables = [fluid.dygraph.to_variable(a) for a in case["arrays"]]
    for v in variables:
        v.stop_gradient = False
    weight = fluid.dygraph.to_variable(cotangent)

    def step():
        for v in variables:
            v.clear_gradient()
        out = case["minigrad"](*variables)
        fluid.layers.reduce_sum(out * weight).backward()
        return out.numpy(), [v.gradient() for v in variables]
    return step


def torch_step(case, cotangent):
    import torch
    import torch.nn.functional as F
    tensors = [torch.from_numpy(a.copy()).requires_grad_() for a in case["arrays"]]
    weight = torch.from_numpy(cotangent)

    def step():
        for t in tensors:
            t.grad = None
        out = case["torch"](F, *tensors)
        (out * weight).sum().backward()
        return out.detach().numpy(), [t.grad.numpy() for t in tensors]
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{'case':38} {'minigrad ms':>12} {'PyTorch ms':>11} {'ratio':>6} {'max diff':>9}")
    with fluid.dygraph.guard():
        for name, case in cases(rng).items():
            with fluid.dygraph.no_grad():
                shape = case["minigrad"](*case["arrays"]).shape
            cotangent = rng.standard_normal(shape).astype(np.float32)
            ours, theirs = minigrad_step(case, cotangent), torch_step(case, cotangent)
            (o_out, o_grads), (t_out, t_grads) = ours(), theirs()
            diff = max(float(np.abs(a - b).max()) for a, b in zip([o_out] + o_grads,
                                                                   [t_out] + t_grads))
            times = time_blocks({"minigrad": ours, "torch": theirs}, repeats=7,
                                rounds=args.rounds)
            print(f"{name:38} {np.median(times['minigrad']):12.2f} "
                  f"{np.median(times['torch']):11.2f} "
                  f"{ratio(times['minigrad'], times['torch']):6.2f} {diff:9.1e}")


if __name__ == "__main__":
    main()
