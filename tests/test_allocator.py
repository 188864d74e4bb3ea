"""The malloc policy of `minigrad.core.allocator`: freed step memory stays mapped (glibc)."""
import os
import subprocess
import sys
import textwrap

import pytest

from minigrad.core import allocator

glibc_only = pytest.mark.skipif(allocator._glibc_mallopt() is None,
                                reason="the policy exists only for glibc's malloc")

# A step in miniature: eight 4 MB arrays live at once (8,192 pages), then all freed; repeated.
# The peak is above twice the largest block, which is what makes glibc's default trim them.
PROGRAM = textwrap.dedent("""
    import resource
    import numpy as np
    import minigrad as fluid

    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    with fluid.dygraph.guard():
        def step():
            arrays = [np.ones(2 ** 20, np.float32) for _ in range(8)]
            del arrays
        step()
        before = faults()
        for _ in range(5):
            step()
        print((faults() - before) / 5)
""")


def faults_per_round(switch):
    env = dict(os.environ, **{allocator.ENV_SWITCH: switch})
    result = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True,
                            text=True, check=True)
    return float(result.stdout.strip())


@glibc_only
def test_guard_keeps_freed_memory_mapped_between_steps():
    assert faults_per_round("1") < 100


@glibc_only
def test_the_switch_leaves_malloc_alone_and_then_every_step_faults_again():
    # The control: without the policy most of the 8,192 pages are mapped afresh every step.
    assert faults_per_round("0") > 2000


def test_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv(allocator.ENV_SWITCH, "0")
    assert allocator.keep_freed_memory(force=True) is False


@glibc_only
def test_applied_once_and_reported(monkeypatch):
    monkeypatch.setenv(allocator.ENV_SWITCH, "1")
    assert allocator.keep_freed_memory(force=True) is True
    monkeypatch.setenv(allocator.ENV_SWITCH, "0")
    assert allocator.keep_freed_memory() is True      # read once: later changes do not undo it
