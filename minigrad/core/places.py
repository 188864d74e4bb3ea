"""Paddle's places. minigrad computes on the CPU with numpy: every place means the CPU.

`fluid.CUDAPlace(0)` is accepted (with a warning) so a GPU program runs unchanged, on the CPU.
"""
import warnings

__all__ = ["CPUPlace", "CUDAPlace", "CUDAPinnedPlace", "is_compiled_with_cuda",
           "get_cuda_device_count"]


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


def get_cuda_device_count():
    """0: minigrad has no GPU."""
    return 0
