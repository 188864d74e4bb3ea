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
import contextlib
import numbers
import os
import re
import warnings

from minigrad import random as _random
from minigrad.core.places import (  # noqa: F401  (fluid.CPUPlace... are framework names too)
    CPUPlace, CUDAPlace, CUDAPinnedPlace, is_compiled_with_cuda)
from minigrad.core.tape import in_dygraph_mode  # noqa: F401  (fluid.framework.in_dygraph_mode)
from minigrad.core.variable import Parameter, Variable  # noqa: F401  (fluid.framework names)

__all__ = ["CPUPlace", "CUDAPlace", "CUDAPinnedPlace", "is_compiled_with_cuda", "Program",
           "default_main_program", "default_startup_program", "cpu_places", "cuda_places",
           "cuda_pinned_places", "device_guard", "name_scope", "require_version", "set_flags",
           "get_flags", "in_dygraph_mode", "Variable", "Parameter", "ParamBase"]

ParamBase = Parameter     # Paddle 1.8's dygraph parameter class is framework.ParamBase


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


# -- places ------------------------------------------------------------------------------------


def cpu_places(device_count=None):
    """`device_count` CPUPlaces (default: the CPU_NUM environment variable, else 1), as Paddle."""
    if device_count is None:
        device_count = int(os.environ.get("CPU_NUM", 1))
    if not isinstance(device_count, numbers.Integral) or device_count < 1:
        raise ValueError(f"cpu_places: device_count must be a positive int, got {device_count!r}")
    return [CPUPlace() for _ in range(device_count)]


def cuda_places(device_ids=None):
    """CUDAPlaces for `device_ids` (default [0]); minigrad computes on the CPU for each of them.

    Paddle 1.8 without CUDA raises here; minigrad accepts the places (as it accepts CUDAPlace) so
    a GPU program runs unchanged, on the CPU.
    """
    if device_ids is None:
        device_ids = [0]
    elif isinstance(device_ids, numbers.Integral):
        device_ids = [device_ids]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        places = [CUDAPlace(int(i)) for i in device_ids]
    warnings.warn("cuda_places: minigrad computes on the CPU with numpy; the program runs there",
                  stacklevel=2)
    return places


def cuda_pinned_places(device_count=None):
    return [CUDAPinnedPlace() for _ in range(len(cpu_places(device_count)))]


@contextlib.contextmanager
def device_guard(device=None):
    """Paddle's op placement scope ("cpu", "gpu", "gpu:0"); minigrad computes everything on the
    CPU, so the block simply runs."""
    if device is not None and not (isinstance(device, str)
                                   and re.fullmatch(r"cpu|gpu(:\d+)?", device)):
        raise ValueError(f"device_guard: device must be 'cpu', 'gpu' or 'gpu:N', got {device!r}")
    yield


@contextlib.contextmanager
def name_scope(prefix=None):
    """Paddle's name scope for drawing static programs; in dygraph (and minigrad) it changes no
    names, so the block simply runs."""
    if prefix is not None and not isinstance(prefix, str):
        raise TypeError(f"name_scope: prefix must be a str, got {type(prefix).__name__}")
    yield


# -- versions and flags ------------------------------------------------------------------------

PADDLE_VERSION = "1.8.5"     # the Paddle release whose API minigrad follows


def _version_tuple(where, argument, text):
    if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d+){0,3}", text):
        raise ValueError(f"{where}: {argument} must be a version string such as '1.8.0', got "
                         f"{text!r}")
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def require_version(min_version, max_version=None):
    """Raise if the Paddle API minigrad follows (1.8.5) is outside [min_version, max_version]."""
    have = _version_tuple("require_version", "installed", PADDLE_VERSION)
    low = _version_tuple("require_version", "min_version", min_version)
    high = None if max_version is None else \
        _version_tuple("require_version", "max_version", max_version)
    if have < low or (high is not None and have > high):
        wanted = (f"{min_version} or higher" if high is None
                  else f"in [{min_version}, {max_version}]")
        raise Exception(f"VersionError: PaddlePaddle version {wanted} is required, but minigrad "
                        f"follows Paddle {PADDLE_VERSION}")


# Paddle 1.8.5's public flags with their defaults. All are accepted and remembered so programs
# that set them run; none changes what minigrad computes (its kernels are deterministic, on the
# CPU, and free memory as they go).
_FLAGS = {
    "FLAGS_allocator_strategy": "auto_growth", "FLAGS_benchmark": False,
    "FLAGS_check_nan_inf": False, "FLAGS_cpu_deterministic": False,
    "FLAGS_eager_delete_tensor_gb": 0.0, "FLAGS_enable_parallel_graph": False,
    "FLAGS_enable_rpc_profiler": False, "FLAGS_fraction_of_cpu_memory_to_use": 1.0,
    "FLAGS_free_idle_chunk": False, "FLAGS_free_when_no_cache_hit": False,
    "FLAGS_fuse_parameter_groups_size": 1, "FLAGS_fuse_parameter_memory_size": -1.0,
    "FLAGS_init_allocated_mem": False, "FLAGS_initial_cpu_memory_in_mb": 500,
    "FLAGS_inner_op_parallelism": 0, "FLAGS_memory_fraction_of_eager_deletion": 1.0,
    "FLAGS_multiple_of_cupti_buffer_size": 1, "FLAGS_paddle_num_threads": 1,
    "FLAGS_pe_profile_fname": "", "FLAGS_print_sub_graph_dir": "",
    "FLAGS_reader_queue_speed_test_mode": False, "FLAGS_tracer_profile_fname": "xxgperf",
    "FLAGS_use_mkldnn": False, "FLAGS_use_pinned_memory": True, "FLAGS_use_system_allocator": False,
    # GPU flags that GPU programs set; accepted for the same reason.
    "FLAGS_fraction_of_gpu_memory_to_use": 0.92, "FLAGS_cudnn_deterministic": False,
    "FLAGS_cudnn_exhaustive_search": False, "FLAGS_conv_workspace_size_limit": 512,
    "FLAGS_sort_sum_gradient": False, "FLAGS_selected_gpus": "",
}


def set_flags(flags):
    """Set Paddle flags from a dict {"FLAGS_name": value}; an unknown name is a ValueError."""
    if not isinstance(flags, dict):
        raise TypeError(f"set_flags: flags must be a dict, got {type(flags).__name__}")
    for name in flags:
        if name not in _FLAGS:
            raise ValueError(f"Flag {name} cannot set its value through this function.")
    _FLAGS.update(flags)


def get_flags(flags):
    """{name: value} for a flag name or a list of them; an unknown name is a ValueError."""
    names = [flags] if isinstance(flags, str) else flags
    if not isinstance(names, (list, tuple)):
        raise TypeError(f"get_flags: flags must be a str or a list of str, got "
                        f"{type(flags).__name__}")
    for name in names:
        if name not in _FLAGS:
            raise ValueError(f"Flag {name} cannot get its value through this function.")
    return {name: _FLAGS[name] for name in names}
