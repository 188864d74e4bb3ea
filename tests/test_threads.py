"""minigrad.core.threads: parts run in parallel, in order, errors surface, the switch is checked."""
import os
import subprocess
import sys
import threading

import pytest
from threadpoolctl import threadpool_info

from minigrad.core import threads


def test_run_parts_returns_results_in_part_order():
    assert threads.run_parts(lambda part: part * part, 4) == [0, 1, 4, 9]


def test_parts_run_on_other_threads_with_blas_on_one_thread():
    seen = threads.run_parts(
        lambda part: (threading.get_ident(),
                      [api["num_threads"] for api in threadpool_info()
                       if api["user_api"] == "blas"]), 2)
    assert seen[0][0] == threading.get_ident() != seen[1][0]
    assert all(counts == [1] * len(counts) for _, counts in seen)


def test_an_error_in_a_part_is_raised_after_all_parts_finish():
    finished = []

    def part(number):
        if number == 1:
            raise ValueError("part 1 failed")
        finished.append(number)
        return number

    with pytest.raises(ValueError, match="part 1 failed"):
        threads.run_parts(part, 3)
    assert sorted(finished) == [0, 2]


@pytest.mark.parametrize("setting, expected", [("1", "1"), ("3", "3"), ("zero", "ValueError"),
                                               ("0", "ValueError")])
def test_worker_count_comes_from_the_environment(setting, expected):
    code = ("from minigrad.core import threads\n"
            "print(threads.WORKERS)")
    env = dict(os.environ, MINIGRAD_NUM_THREADS=setting)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True)
    if expected == "ValueError":
        assert result.returncode != 0
        assert "MINIGRAD_NUM_THREADS must be a positive integer" in result.stderr
        assert repr(setting) in result.stderr
    else:
        assert result.stdout.strip() == expected
