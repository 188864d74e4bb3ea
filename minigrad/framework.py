"""Paddle 1.x's places and programs, reduced to what a dygraph program touches.

Dygraph programs written for Paddle create a place and seed the default programs:

    place = fluid.CUDAPlace(0) if fluid.is_compiled_with_cuda() else fluid.CPUPlace()
    with fluid.dygraph.guard(place):
        fluid.default_startup_program().random_seed = 90
        fluid.default_main_program().random_seed = 90

minigrad computes on the CPU with numpy: every place means the CPU, and setting `random_seed` to
a non-zero value reseeds minigrad's global generator (`minigrad.seed`), which unseeded
initializers and dropout draw from — so such a program is reproducible here too.
"""
import numbers
import warnings

from minigrad import random as _random

__all__ = ["CPUPlace", "CUDAPlace", "CUDAPinnedPlace", "is_compiled_with_cuda", "Program",
           "default_main_program", "default_startup_program"]


class CPUPlace:
    """The CPU, where minigrad always computes."""

    def __repr__(self):
        return "CPUPlace"


class CUDAPlace(CPUPlace):
    """Accepted so Paddle programs run; minigrad has no GPU support and computes on the CPU."""

    def __init__(self, device_id=0):
        self.device_id = device_id
        warnings.warn(f"CUDAPlace({device_id}): minigrad computes on the CPU with numpy; the "
                      "program runs there", stacklevel=2)

    def __repr__(self):
        return f"CUDAPlace({self.device_id}) (computing on the CPU)"


class CUDAPinnedPlace(CPUPlace):
    def __repr__(self):
        return "CUDAPinnedPlace (computing on the CPU)"


def is_compiled_with_cuda():
    """False: minigrad runs on numpy."""
    return False


class Program:
    """Holds `random_seed`; a non-zero value reseeds minigrad's global generator."""

    def __init__(self):
        self._random_seed = 0

    @property
    def random_seed(self):
        return self._random_seed

    @random_seed.setter
    def random_seed(self, value):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise ValueError(f"Program.random_seed must be a non-negative int, got {value!r}")
        self._random_seed = int(value)
        if value:
            _random.seed(int(value))


_main_program = Program()
_startup_program = Program()


def default_main_program():
    return _main_program


def default_startup_program():
    return _startup_program
