"""Fair side-by-side timing of several frameworks in one process.

numpy's OpenBLAS worker threads busy-wait for about 0.1 s of CPU after each GEMM, and PyTorch's
OpenMP threads spin briefly too. Timing the frameworks step by step in alternation therefore
runs each one on cores the other is still spinning on, and on a 2-core machine that slows
PyTorch by up to 2x: an earlier version of these benchmarks did that and flattered minigrad.
Here each framework runs in its own block (warm-up, then the timed steps) after a pause long
enough for the other's threads to go idle, and blocks alternate their order round by round.
"""
import statistics
import time

SETTLE_S = 0.3      # longer than OpenBLAS's spin after its last GEMM (about 0.1 s of CPU)
# After that pause the first ~50 ms of work run up to 2x slower (cores waking up; seen with both
# frameworks on the 2-core VM), so each block warms up for at least this long.
WARMUP_S = 0.2


def time_blocks(steps, repeats=7, per_sample=1, warmup=2, rounds=1):
    """{name: [median ms per step, one per round]} for the callables in `steps` (a dict).

    Each round times every step in its own block: settle, `warmup` calls (and at least
    WARMUP_S of them), then `repeats` samples of `per_sample` calls each; the block order is
    reversed on every other round.
    """
    names = list(steps)
    result = {name: [] for name in names}
    for round_ in range(rounds):
        for name in (names if round_ % 2 == 0 else names[::-1]):
            step = steps[name]
            time.sleep(SETTLE_S)
            started, calls = time.perf_counter(), 0
            while calls < warmup or time.perf_counter() - started < WARMUP_S:
                step()
                calls += 1
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                for _ in range(per_sample):
                    step()
                samples.append((time.perf_counter() - start) / per_sample * 1e3)
            result[name].append(statistics.median(samples))
    return result


def ratio(ours, theirs):
    """Median over rounds of ours / theirs (each a list of per-round times)."""
    return statistics.median(a / b for a, b in zip(ours, theirs))
