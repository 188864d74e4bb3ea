"""Variable: an ndarray that may remember the op that made it.

`stop_gradient` follows Paddle: `to_variable` gives True, parameters False, and an op's output is
False exactly when some input is False (and grad mode is on).
"""
import numbers

import numpy as np

from minigrad.core import naming
from minigrad.core.tape import _state, require_dygraph

__all__ = ["Variable", "Parameter", "to_variable"]


class Variable:
    """A value in dygraph mode, with its gradient.

        x = fluid.dygraph.to_variable(np.ones((2, 3), "float32"))
        y = (x * 2).sum()
    """

    __slots__ = ("data", "grad", "stop_gradient", "persistable", "_name", "creator", "_cleared",
                 "__weakref__")
    # Make `ndarray + Variable` call Variable.__radd__ instead of broadcasting element by element.
    __array_ufunc__ = None

    def __init__(self, data, stop_gradient=True, name=None, persistable=False):
        if not _state.tapes:
            require_dygraph("Creating a Variable")
        self.data = data
        self.grad = None
        self._cleared = False
        self.stop_gradient = stop_gradient
        self.persistable = persistable
        self._name = name
        self.creator = None

    # -- Paddle's accessors -------------------------------------------------------------------
    @property
    def name(self):
        if self._name is None:
            self._name = naming.unique_name("generated_var")
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    @property
    def shape(self):
        return list(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def numpy(self):
        """A copy of the value as an ndarray, as in Paddle 1.8: a snapshot that later training
        (optimizers update parameters in place) does not change, and whose edits do not reach
        the Variable. `set_value` writes into the Variable."""
        return self.data.copy()

    def item(self):
        """The value of a one-element Variable as a Python number (PyTorch's and Paddle 2's)."""
        return self._scalar(lambda v: v.item(), "item()")

    def tolist(self):
        """The value as nested Python lists."""
        return self.data.tolist()

    def gradient(self):
        """The accumulated gradient as an ndarray; None if backward has not reached it, zeros
        after `clear_gradient()` (as Paddle 1.8.5)."""
        grad = self.grad
        if grad is None:
            return np.zeros_like(self.data) if self._cleared else None
        return grad.data if isinstance(grad, Variable) else grad

    def clear_gradient(self):
        """Drop the gradient; `gradient()` then reads zeros until backward reaches it again
        (an optimizer then steps with a zero gradient, as in Paddle 1.8.5: Adam's moments still
        move the parameter)."""
        if self.grad is not None:
            self._cleared = True
        self.grad = None

    def backward(self, backward_strategy=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) into every reachable Variable, seeding with ones.

        `backward_strategy` is Paddle 1.8's `fluid.dygraph.BackwardStrategy` (accepted, first
        as in 1.8, so `loss.backward(strategy)` works); `retain_graph=True` keeps the records
        for another backward.
        """
        from minigrad.core import engine
        from minigrad.core.tape import BackwardStrategy
        if backward_strategy is not None and not isinstance(backward_strategy, BackwardStrategy):
            raise TypeError(f"backward: backward_strategy must be a fluid.dygraph."
                            f"BackwardStrategy or None, got {type(backward_strategy).__name__} "
                            f"(pass retain_graph= by keyword)")
        engine.backward(self, retain_graph=retain_graph)

    def detach(self):
        """The same value, cut from the graph (shares memory, like Paddle and PyTorch)."""
        return Variable(self.data, stop_gradient=True)

    def set_value(self, value):
        """Overwrite the value in place; `value` must have this Variable's shape and dtype."""
        value = value.data if isinstance(value, Variable) else np.asarray(value)
        if value.shape != self.data.shape:
            raise ValueError(f"set_value of '{self.name}': shape {list(value.shape)} does not "
                             f"match the variable's shape {self.shape}")
        if value.dtype != self.data.dtype:
            raise ValueError(f"set_value of '{self.name}': dtype {value.dtype} does not match the "
                             f"variable's dtype {self.data.dtype}")
        self.data[...] = value

    def astype(self, dtype):
        return _math.cast(self, dtype)

    def __len__(self):
        return len(self.data)

    def _scalar(self, kind, what=None):
        if self.data.size != 1:
            raise ValueError(f"only a one-element Variable converts to {what or kind.__name__}; "
                             f"'{self.name}' has shape {self.shape}")
        return kind(self.data.reshape(()))

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __bool__(self):
        return self._scalar(bool)

    def __index__(self):
        return self._scalar(int)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self):
        grad = "" if self.stop_gradient else ", needs grad"
        with np.printoptions(precision=4, threshold=20, edgeitems=2):
            body = np.array2string(self.data, prefix="  ")
        return (f"Variable(name={self.name}, shape={self.shape}, dtype={self.data.dtype}, "
                f"stop_gradient={self.stop_gradient}{grad})\n  {body}")

    def _repr_html_(self):
        from minigrad.viz import variable_html
        return variable_html(self)

    # -- Operators: one visible place, each a call into minigrad.ops ---------------------------
    def __neg__(self): return _math.neg(self)
    def __pos__(self): return self
    def __abs__(self): return _math.abs(self)
    def __add__(self, other): return _math.add(self, other)
    def __radd__(self, other): return _math.add(other, self)
    def __sub__(self, other): return _math.sub(self, other)
    def __rsub__(self, other): return _math.sub(other, self)
    def __mul__(self, other): return _math.mul(self, other)
    def __rmul__(self, other): return _math.mul(other, self)
    def __truediv__(self, other): return _math.div(self, other)
    def __rtruediv__(self, other): return _math.div(other, self)
    def __pow__(self, other): return _math.pow(self, other)
    def __rpow__(self, other): return _math.pow(other, self)
    def __floordiv__(self, other): return _math.floor_divide(self, other)
    def __rfloordiv__(self, other): return _math.floor_divide(other, self)
    def __mod__(self, other): return _math.mod(self, other)
    def __rmod__(self, other): return _math.mod(other, self)
    def __matmul__(self, other): return _math.matmul(self, other)
    def __rmatmul__(self, other): return _math.matmul(other, self)
    def __lt__(self, other): return _math.less_than(self, other)
    def __le__(self, other): return _math.less_equal(self, other)
    def __gt__(self, other): return _math.greater_than(self, other)
    def __ge__(self, other): return _math.greater_equal(self, other)
    def __eq__(self, other): return _math.equal(self, other)
    def __ne__(self, other): return _math.not_equal(self, other)
    __hash__ = object.__hash__

    def __getitem__(self, index): return _shape.getitem(self, index)

    # A few conveniences PyTorch users reach for; Paddle spells them as fluid.layers functions.
    def sum(self, dim=None, keep_dim=False): return _math.reduce_sum(self, dim, keep_dim)
    def mean(self, dim=None, keep_dim=False): return _math.reduce_mean(self, dim, keep_dim)
    def reshape(self, shape): return _shape.reshape(self, shape)
    def transpose(self, perm): return _shape.transpose(self, perm)

    @property
    def T(self):
        return _shape.transpose(self, list(range(self.data.ndim))[::-1])


class Parameter(Variable):
    """A trainable Variable owned by a Layer: `stop_gradient=False`, persistable, named."""

    __slots__ = ("_trainable", "optimize_attr", "regularizer", "do_model_average", "need_clip",
                 "is_bias")

    def __init__(self, data, name=None, trainable=True, learning_rate=1.0, regularizer=None,
                 is_bias=False):
        super().__init__(data, stop_gradient=not trainable, name=name, persistable=True)
        self._trainable = bool(trainable)
        self.optimize_attr = {"learning_rate": learning_rate}
        self.regularizer = regularizer
        self.do_model_average = None
        self.need_clip = True
        self.is_bias = is_bias

    @property
    def trainable(self):
        """False freezes the parameter: no gradient is computed for it (stop_gradient=True) and
        optimizers skip it. Setting it sets stop_gradient to its opposite (Paddle 2.0's rule;
        1.8.5 computed the gradient of a frozen parameter and only skipped the update)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        if not isinstance(value, bool):
            raise TypeError(f"Parameter '{self.name}': trainable must be a bool, got {value!r}")
        self._trainable = value
        self.stop_gradient = not value

    def __repr__(self):
        return "Parameter" + super().__repr__()[len("Variable"):]


_FLOAT_DEFAULT = np.float32
_INT_DEFAULT = np.int64


def to_variable(value, name=None, zero_copy=None, dtype=None):
    """Wrap an ndarray (or a list, or a scalar) as a Variable with `stop_gradient=True`.

    A Variable is returned as it is. Python floats become float32 and ints int64 (Paddle's
    defaults) unless `dtype` says otherwise. An ndarray is shared, not copied, unless
    `zero_copy=False`: Paddle 1.8 on the CPU treats the default `zero_copy=None` as True, so
    later edits of the array show in the Variable (and `set_value` writes into the array).

        x = fluid.dygraph.to_variable(np.zeros((2, 3), "float32"))
    """
    require_dygraph("to_variable")
    if isinstance(value, Variable):
        return value if dtype is None else value.astype(dtype)
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (list, tuple, numbers.Number, np.generic)):
        array = np.asarray(value)
        if dtype is None and array.dtype.kind == "f":
            array = array.astype(_FLOAT_DEFAULT)
        elif dtype is None and array.dtype.kind in "iu" and not isinstance(value, np.generic):
            array = array.astype(_INT_DEFAULT)
        elif array.dtype.kind not in "biuf":
            raise TypeError(f"to_variable: value {value!r} is not numeric (numpy dtype "
                            f"{array.dtype}); expected numbers")
    else:
        raise TypeError(f"to_variable: expected a numpy.ndarray, Variable, list or number, got "
                        f"{type(value).__name__}")
    if dtype is not None:
        array = array.astype(np.dtype(dtype), copy=False)
    if zero_copy is False and array is value:
        array = array.copy()
    return Variable(array, stop_gradient=True, name=name)


from minigrad.ops import math as _math  # noqa: E402  (operators above resolve these at call time)
from minigrad.ops import shape as _shape  # noqa: E402
