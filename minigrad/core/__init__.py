"""The engine: Variable, Op, the tape and reverse-mode replay.

Also Paddle's `fluid.core` names that dygraph programs touch (places, `VarBase`).
"""
from minigrad.core.tape import (Tape, guard, enable_dygraph, disable_dygraph, in_dygraph_mode,
                                no_grad, enable_grad, is_grad_enabled, current_tape)
from minigrad.core.variable import Variable, Parameter, to_variable
from minigrad.core.op import Op
from minigrad.core.engine import backward, grad
from minigrad.core.places import (  # noqa: F401
    CPUPlace, CUDAPlace, CUDAPinnedPlace, is_compiled_with_cuda, get_cuda_device_count)

from minigrad.core.dtypes import VarDesc  # noqa: F401,E402

VarBase = Variable     # Paddle 1.8's dygraph tensor class (`isinstance(x, fluid.core.VarBase)`)
