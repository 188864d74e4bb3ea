"""Run independent parts of one large numpy computation on all cores, BLAS held to one thread.

Why: numpy runs copies, adds and transposes on one core, and only its BLAS (OpenBLAS, MKL)
uses the others, inside a GEMM. A large convolution spends a third of its time moving data
between GEMMs, so splitting its batch in parts, one per core, runs that data movement in
parallel too (numpy releases the GIL inside each copy and each GEMM). Meanwhile BLAS must stay
on one thread per part: otherwise each part's GEMM starts its own BLAS threads and the cores
are oversubscribed, and OpenBLAS's idle threads spin for ~0.1 s on the cores the parts need.
threadpoolctl sets that limit for whichever BLAS numpy was built with, and restores it after.

`WORKERS` is the number of cores this process may use; MINIGRAD_NUM_THREADS overrides it (1 turns
splitting off). Callers decide what is worth splitting (small work loses to the hand-off).
"""
import os
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

__all__ = ["WORKERS", "run_parts"]

ENV_SWITCH = "MINIGRAD_NUM_THREADS"


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # not on Linux
        return os.cpu_count() or 1


def _workers():
    setting = os.environ.get(ENV_SWITCH, "")
    if setting.strip():
        try:
            count = int(setting)
        except ValueError:
            raise ValueError(f"{ENV_SWITCH} must be a positive integer, got {setting!r}") from None
        if count < 1:
            raise ValueError(f"{ENV_SWITCH} must be a positive integer, got {setting!r}")
        return count
    return _available_cores()


WORKERS = _workers()

_pool = None
_blas = None


def run_parts(function, count):
    """[function(0), ..., function(count - 1)], run in parallel with BLAS on one thread each.

    Part 0 runs in the calling thread. An exception in any part is raised here, after every
    part has finished.
    """
    global _pool, _blas
    if count == 1:
        return [function(0)]
    if _pool is None:
        _blas = ThreadpoolController().select(user_api="blas")
        _pool = ThreadPoolExecutor(max(WORKERS, count) - 1, thread_name_prefix="minigrad")
    with _blas.limit(limits=1):
        futures = [_pool.submit(function, part) for part in range(1, count)]
        try:
            first = function(0)
        finally:
            rest = [future.result() for future in futures]
    return [first] + rest
