"""The engine: Variable, Op, the tape and reverse-mode replay."""
from minigrad.core.tape import (Tape, guard, enable_dygraph, disable_dygraph, in_dygraph_mode,
                                no_grad, enable_grad, is_grad_enabled, current_tape)
from minigrad.core.variable import Variable, Parameter, to_variable
from minigrad.core.op import Op
from minigrad.core.engine import backward, grad
