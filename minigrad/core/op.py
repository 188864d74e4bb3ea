"""Op: one primitive's forward and backward, and the record it leaves on the tape.

Calling an op is a short template (DeZero's `Function.__call__`):
unwrap the Variables -> `forward` on ndarrays -> wrap the outputs -> record if a gradient is needed.

When no argument is a Variable the op returns `forward`'s ndarrays directly and records nothing.
That is what lets every `backward` be written *once*, in terms of minigrad's own functions: during
an ordinary backward those functions receive ndarrays and run at numpy speed; during
`grad(..., create_graph=True)` they receive Variables and are recorded, so the gradient can be
differentiated again.
"""
import weakref

from minigrad.core.tape import _state, next_sequence
from minigrad.core.variable import Variable

__all__ = ["Op", "NoGradient", "will_need_grad"]


class Op:
    """Base of every primitive.

    Subclasses implement
      - `forward(self, *xs)`: ndarrays (or Python constants) in, an ndarray or a tuple out;
      - `backward(self, gy, *xs)`: the cotangent of the output (a tuple for multi-output ops)
        and the inputs, all ndarrays or all Variables; returns one gradient per input (or None
        where the input is a constant or needs none). `self.output()` is the forward's output in
        the same kind, `self.needs_grad(i)` tells whether input i wants a gradient.
    Attributes given to the constructor are kept on the instance and shown by `attrs()`.
    """

    __slots__ = ("inputs", "xs", "outputs", "seq", "released", "layer", "layer_root",
                 "__weakref__", "__dict__")
    multiple_outputs = False
    differentiable = True    # False for comparisons, argmax...: outputs never need a gradient

    def __call__(self, *args):
        xs = []
        any_variable = False
        needs_grad = False
        for arg in args:
            if isinstance(arg, Variable):
                any_variable = True
                xs.append(arg.data)
                if not arg.stop_gradient:
                    needs_grad = True
            else:
                xs.append(arg)
        ys = self.forward(*xs)
        if not any_variable:
            return ys
        record = needs_grad and _state.grad_enabled and self.differentiable
        if self.multiple_outputs:
            outputs = tuple(Variable(y, stop_gradient=not record) for y in ys)
        else:
            outputs = (Variable(ys, stop_gradient=not record),)
        if record:
            self.inputs = args
            self.xs = xs
            self.seq = next_sequence()
            self.released = False
            self.layer = _current_layer_path()
            self.layer_root = _layer_stack[0] if _layer_stack else None
            self.outputs = tuple(weakref.ref(out) for out in outputs)
            for out in outputs:
                out.creator = self
            tape = _state.tapes[-1]
            tape.add(self)
        return outputs if self.multiple_outputs else outputs[0]

    # -- for backward implementations ----------------------------------------------------------
    def output(self, index=0):
        """Forward output `index`: a Variable in a differentiable backward, else its ndarray."""
        out = self.outputs[index]()
        if out is None:
            raise RuntimeError(f"{self.type}: output {index} was freed before backward")
        return out if _state.differentiable_backward else out.data

    def needs_grad(self, index):
        arg = self.inputs[index]
        return isinstance(arg, Variable) and not arg.stop_gradient

    def release(self):
        """Drop the references backward needed; a second backward through here is an error."""
        self.inputs = ()
        self.xs = ()
        self.released = True

    # -- inspection ----------------------------------------------------------------------------
    @property
    def type(self):
        return _snake_case(type(self).__name__)

    def attrs(self):
        """The op's attributes (stride, padding, axis...), for drawing and repr."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def input_variables(self):
        return [arg for arg in self.inputs if isinstance(arg, Variable)]

    def output_variables(self):
        return [out for out in (ref() for ref in self.outputs) if out is not None]

    def describe(self):
        ins = ", ".join(v.name for v in self.input_variables())
        outs = ", ".join(v.name for v in self.output_variables())
        attrs = ", ".join(f"{k}={v}" for k, v in self.attrs().items())
        attrs = f" [{attrs}]" if attrs else ""
        return f"#{self.seq} {self.type}({ins}) -> {outs}{attrs}"

    def __repr__(self):
        if not hasattr(self, "seq"):
            return f"<{self.type} (not recorded)>"
        return f"<{self.describe()}>"


class NoGradient(Op):
    """`function(*values)` as an op whose outputs never need a gradient: comparisons, indices,
    counts and other functions that are constant almost everywhere or integer-valued."""
    differentiable = False

    def __init__(self, function):
        self._function = function

    def forward(self, *xs):
        return self._function(*xs)


def will_need_grad(value):
    """Will an op called now on `value` record it for a gradient? For ops whose forward keeps
    extra state only a backward uses (conv2d's im2col, max-pool's winners)."""
    return isinstance(value, Variable) and not value.stop_gradient and _state.grad_enabled


def _snake_case(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out).replace("2_d", "2d")


# The Layer being called, so records can be grouped by sublayer in drawings; set by nn.Layer.
# The first entry is the outermost Layer's full_name, under which drawings nest the rest.
_layer_stack = []


def _current_layer_path():
    return _layer_stack[-1] if _layer_stack else None
