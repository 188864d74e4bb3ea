"""Forward + backward (input and weight gradients) of conv2d_transpose and conv2d, minigrad vs
PyTorch CPU in the same process, on the shapes of the convolution issue (fp32, NCHW).

    python benchmarks/bench_conv.py              # 7 timed runs per case
    python benchmarks/bench_conv.py --repeats 3  # quicker
    python benchmarks/bench_conv.py --only dcgan --ops transpose
    python benchmarks/bench_conv.py --rounds 3   # three blocks each, order alternating

Each case: minigrad and PyTorch each in their own block (pause, warm-up, then the median of
`--repeats` timed runs; see timing.py for why not step by step in alternation); with
`--rounds R` every case gets R pairs of blocks and the medians are reported (`ratio` is the
median of the per-round ratios). `ratio` is minigrad's time over
PyTorch's (below 1.0 means minigrad is faster); GFLOP/s counts the three GEMM-sized products
(forward, input gradient, weight gradient). `peak MB` is the peak of numpy allocations during
one forward+backward (tracemalloc) beyond the inputs, next to the size of one im2col buffer
and of the outputs (output, its all-ones gradient that backward() seeds, and the input, weight
and bias gradients) for comparison. The machine is
shared, so compare ratios measured together rather than absolute times across runs.
"""
import argparse
import statistics
import time
import tracemalloc

import numpy as np

import minigrad as fluid
from minigrad.ops.conv import conv2d, conv2d_transpose, conv_output_size, deconv_output_size
from timing import ratio, time_blocks

try:
    import torch
except ImportError:     # the benchmark still runs minigrad alone
    torch = None

SAMPLE_S = 0.02

# name, N, C_in, C_out, H, W, kernel, stride, padding, dilation, groups
SHAPES = [
    ("dcgan-8to16", 64, 256, 128, 8, 8, 4, 2, 1, 1, 1),
    ("dcgan-16to32", 64, 128, 64, 16, 16, 4, 2, 1, 1, 1),
    ("unet-up", 8, 128, 64, 32, 32, 2, 2, 0, 1, 1),
    ("mnist-decoder", 128, 32, 16, 7, 7, 3, 2, 1, 1, 1),
    ("grouped-dilated", 16, 64, 64, 16, 16, 3, 1, 2, 2, 4),
    ("seed-example", 3, 32, 2, 32, 5, 3, 1, 0, 1, 1),
]


class Case:
    """One benchmark row: the arrays, the FLOP count and a callable per framework."""

    def __init__(self, op, name, n, c_in, c_out, h, w, k, s, p, d, g, rng):
        self.op, self.name = op, name
        self.x = rng.standard_normal((n, c_in, h, w)).astype(np.float32)
        if op == "transpose":
            self.w = rng.standard_normal((c_in, c_out // g, k, k)).astype(np.float32) * 0.05
            oh, ow = (deconv_output_size(size, k, s, p, d) for size in (h, w))
            # im2col happens on the conv's input side, here the transposed op's output.
            col_elems = c_out * k * k * n * conv_output_size(oh, k, s, p, d) * \
                conv_output_size(ow, k, s, p, d)
            self.flops = 3 * 2 * n * c_in * (c_out // g) * k * k * h * w
        else:
            self.w = rng.standard_normal((c_out, c_in // g, k, k)).astype(np.float32) * 0.05
            oh, ow = (conv_output_size(size, k, s, p, d) for size in (h, w))
            col_elems = c_in * k * k * n * oh * ow
            self.flops = 3 * 2 * n * c_out * (c_in // g) * k * k * oh * ow
        self.b = rng.standard_normal(c_out).astype(np.float32)
        self.out_shape = (n, c_out, oh, ow)
        self.args = dict(stride=s, padding=p, dilation=d, groups=g)
        self.col_mb = col_elems * 4 / 2 ** 20
        # The output, its all-ones gradient (backward's seed) and the three gradients.
        out_elems = 2 * n * c_out * oh * ow + self.x.size + self.w.size + self.b.size
        self.out_mb = out_elems * 4 / 2 ** 20

    def minigrad_step(self):
        x = fluid.dygraph.to_variable(self.x, zero_copy=True)
        w = fluid.dygraph.to_variable(self.w, zero_copy=True)
        b = fluid.dygraph.to_variable(self.b, zero_copy=True)
        for v in (x, w, b):
            v.stop_gradient = False
        function = conv2d_transpose if self.op == "transpose" else conv2d
        y = function(x, w, b, **self.args)
        y.backward()
        return x.gradient(), w.gradient()

    def torch_step(self):
        x = torch.from_numpy(self.x).requires_grad_()
        w = torch.from_numpy(self.w).requires_grad_()
        b = torch.from_numpy(self.b).requires_grad_()
        function = (torch.nn.functional.conv_transpose2d if self.op == "transpose"
                    else torch.nn.functional.conv2d)
        y = function(x, w, b, **self.args)
        y.backward(torch.ones_like(y))
        return x.grad, w.grad


def peak_mb(step):
    """Peak numpy allocation (MB) during one call, beyond what was allocated before it."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / 2 ** 20


def matmul_peak_gflops(size=2048, repeats=5):
    """numpy's float32 GEMM speed on a large square product: the ceiling for im2col GEMMs."""
    a = np.random.default_rng(1).standard_normal((size, size)).astype(np.float32)
    best = min(time_blocks({"matmul": lambda: a @ a}, repeats, warmup=1)["matmul"])
    return 2 * size ** 3 / best / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per case (median)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every case this many times, round-robin, and report "
                             "the median (steadier on a shared machine)")
    parser.add_argument("--only", default="", help="run shapes whose name contains this")
    parser.add_argument("--ops", choices=["both", "transpose", "conv"], default="both")
    parser.add_argument("--no-torch", action="store_true", help="time minigrad alone")
    options = parser.parse_args()
    use_torch = torch is not None and not options.no_torch
    rng = np.random.default_rng(0)
    ops = ["transpose", "conv"] if options.ops == "both" else [options.ops]
    print(f"numpy {np.__version__}" + (f", torch {torch.__version__} "
                                        f"({torch.get_num_threads()} threads)" if use_torch else
                                        ", torch not used"))
    print(f"numpy float32 matmul peak (2048 x 2048): {matmul_peak_gflops():.0f} GFLOP/s")
    header = (f"{'op':<17} {'shape':<16} {'minigrad ms':>11} {'torch ms':>9} {'ratio':>6} "
              f"{'GFLOP/s':>8} {'torch GF/s':>10} {'peak MB':>8} {'im2col MB':>9} "
              f"{'outputs MB':>10}")
    with fluid.dygraph.guard():
        cases = [Case(op, *shape, rng=rng) for op in ops for shape in SHAPES
                 if options.only in shape[0]]
        times = {}
        for number, case in enumerate(cases):
            steps = {"minigrad": case.minigrad_step}
            if use_torch:
                steps["torch"] = case.torch_step
            print(f"  {number + 1}/{len(cases)}: {case.op} {case.name}", flush=True, end="\r")
            # Fast cases time several steps per sample (at least SAMPLE_S of work), so a sample
            # outlasts a scheduler hiccup; slow ones one step each.
            start = time.perf_counter()
            case.minigrad_step()
            per_sample = max(1, int(SAMPLE_S / (time.perf_counter() - start)))
            times[id(case)] = time_blocks(steps, options.repeats, per_sample=per_sample,
                                          rounds=options.rounds)
        print(header + " " * 8)
        print("-" * len(header))
        for case in cases:
            measured = times[id(case)]
            ms = statistics.median(measured["minigrad"])
            peak = peak_mb(case.minigrad_step)
            if use_torch:
                torch_ms = statistics.median(measured["torch"])
                speed_ratio = ratio(measured["minigrad"], measured["torch"])
                torch_text = f"{torch_ms:>9.2f} {speed_ratio:>6.2f}"
                torch_gf = f"{case.flops / torch_ms / 1e6:>10.1f}"
            else:
                torch_text, torch_gf = f"{'-':>9} {'-':>6}", f"{'-':>10}"
            name = "conv2d_transpose" if case.op == "transpose" else "conv2d"
            print(f"{name:<17} {case.name:<16} {ms:>11.2f} {torch_text} "
                  f"{case.flops / ms / 1e6:>8.1f} {torch_gf} {peak:>8.1f} "
                  f"{case.col_mb:>9.1f} {case.out_mb:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
