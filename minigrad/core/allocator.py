"""Keep freed memory mapped from one training step to the next (glibc's malloc only).

Why: a training step allocates megabytes of activations, im2col buffers and gradients and frees
them all by its end. With glibc's default policy the freed top of the heap (and every block over
the dynamic mmap threshold) goes back to the kernel, so the next step maps it again and pays a
page fault, and the kernel's zeroing, on every 4 KB it first touches: on a LeNet training step
that was ~2,100 faults and ~30% of the step's time (22 ms -> 15 ms once memory is kept).

`keep_freed_memory()` sets two glibc tunables, once per process: blocks up to MMAP_LIMIT come from
the heap instead of fresh mappings, and up to TRIM_LIMIT of freed heap stays mapped. Memory is
still freed and reused; only its return to the kernel waits. It is process-wide, like the
`MALLOC_MMAP_THRESHOLD_` / `MALLOC_TRIM_THRESHOLD_` environment variables it mirrors, and applied
by the first `guard()` or `enable_dygraph()`. Set MINIGRAD_KEEP_FREED_MEMORY=0 to leave malloc
alone. Elsewhere (macOS, Windows, musl) there is nothing to do and nothing is done.
"""
import ctypes
import ctypes.util
import os
import sys

__all__ = ["keep_freed_memory", "MMAP_LIMIT", "TRIM_LIMIT"]

MMAP_LIMIT = 64 * 2 ** 20       # an im2col kept from forward to backward fits (see ops/conv.py)
TRIM_LIMIT = 256 * 2 ** 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3      # from glibc's <malloc.h>
ENV_SWITCH = "MINIGRAD_KEEP_FREED_MEMORY"

_applied = None     # None: not tried yet; afterwards True or False


def keep_freed_memory(force=False):
    """Apply the policy above once; returns True when it is in effect in this process.

    The environment switch is read on the first call (`force=True` tries again, for tests).
    """
    global _applied
    if _applied is not None and not force:
        return _applied
    _applied = False
    if os.environ.get(ENV_SWITCH, "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    mallopt = _glibc_mallopt()
    if mallopt is None:
        return False
    # The trim threshold first: setting either turns glibc's dynamic thresholds off. Some glibc
    # builds refuse an mmap threshold over 32 MB (their own ceiling); then take that.
    _applied = bool(mallopt(_M_TRIM_THRESHOLD, TRIM_LIMIT) and
                    (mallopt(_M_MMAP_THRESHOLD, MMAP_LIMIT) or
                     mallopt(_M_MMAP_THRESHOLD, 32 * 2 ** 20)))
    return _applied


def _glibc_mallopt():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version        # only glibc has it (musl's mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt
