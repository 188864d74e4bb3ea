"""Layer: Paddle 1.x's dygraph `fluid.dygraph.Layer` (PyTorch's `nn.Module`).

A Layer owns parameters, persistable buffers (BatchNorm's running statistics) and sublayers, each
kept in insertion order. Assigning a Parameter or a Layer as an attribute registers it:

    class MLP(fluid.dygraph.Layer):
        def __init__(self):
            super().__init__()
            self.hidden = fluid.dygraph.Linear(4, 8, act="relu")   # sublayer "hidden"
            self.out = fluid.dygraph.Linear(8, 2)

        def forward(self, x):
            return self.out(self.hidden(x))

    MLP().state_dict().keys()   # hidden.weight, hidden.bias, out.weight, out.bias

Names: each Layer gets `full_name()` = `<scope>_<k>` (scope from the class name, Linear ->
"linear", Conv2DTranspose -> "conv2d_transpose"), and its parameters `<full_name>.w_<k>` /
`.b_<k>`, counted within the innermost `guard()`.
"""
import collections
import collections.abc
import numbers
import re
import warnings
import weakref

import numpy as np

from minigrad.core import naming
from minigrad.core import op as _op
from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Parameter, Variable
from minigrad.initializer import Constant, Initializer, Xavier
from minigrad.nn.weight_norm import WeightNorm, norm_except_dim
from minigrad.param_attr import ParamAttr, WeightNormParamAttr

__all__ = ["Layer", "HookRemoveHelper", "StateDictError", "new_parameter"]


class StateDictError(ValueError, RuntimeError):
    """`set_dict` / `load_dict` got a dict that does not fit the layer (missing key, wrong shape or
    dtype). A ValueError like every bad-input error in minigrad, and a RuntimeError as in Paddle."""


class HookRemoveHelper:
    """Handle returned by `register_forward_*_hook`; `remove()` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks_ref = weakref.ref(hooks)
        self._hook_id = HookRemoveHelper._next_id
        HookRemoveHelper._next_id += 1

    def remove(self):
        hooks = self._hooks_ref()
        if hooks is not None:
            hooks.pop(self._hook_id, None)


_FIRST_CAP = re.compile(r"(.)([A-Z][a-z]+)")
_ALL_CAP = re.compile(r"([a-z0-9])([A-Z])")
_DIGIT_D = re.compile(r"(\d)_d(?=_|$)")


def scope_name(class_name):
    """Paddle's camel-to-snake rule, keeping "2d" whole: Conv2DTranspose -> conv2d_transpose."""
    snake = _ALL_CAP.sub(r"\1_\2", _FIRST_CAP.sub(r"\1_\2", class_name)).lower()
    return _DIGIT_D.sub(r"\1d", snake)


_NAME_TABLE_KEY = "StructuredToParameterName@@"

# Layers whose forward is running, innermost last, each with the structured path its sublayers'
# paths extend ("" for the outermost layer, so paths read "decoder.up1" as in state_dict keys).
_calling = []


def _child_path(parent, child):
    for name, layer in parent._sub_layers.items():
        if layer is child:
            return name
    # Called through a container (LayerList, Sequential) the parent holds.
    for path, layer in parent.named_sublayers():
        if layer is child:
            return path
    return None


def _init_first_error(layer, name, what):
    return ValueError(f"{type(layer).__name__}: cannot assign the {what} '{name}' before "
                      f"super().__init__() has run; call super().__init__() first in __init__")


class Layer:
    """Base class of every layer and model (Paddle's `fluid.dygraph.Layer`).

    name_scope: prefix of `full_name()` and parameter names (default: the class name in
                snake_case); dtype: the default dtype of parameters ("float32" or "float64").
    Subclasses call `super().__init__()` first, then assign Parameters (from
    `create_parameter`) and sublayers as attributes, and implement `forward`.

        layer = fluid.dygraph.Linear(3, 2)
        layer.full_name()                          # 'linear_0'
        [p.name for p in layer.parameters()]       # ['linear_0.w_0', 'linear_0.b_0']
    """

    def __init__(self, name_scope=None, dtype="float32"):
        if name_scope is None:
            name_scope = scope_name(type(self).__name__)
        elif not isinstance(name_scope, str):
            raise TypeError(f"{type(self).__name__}: name_scope must be a str or None, got "
                            f"{type(name_scope).__name__} ({name_scope!r})")
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{type(self).__name__}: dtype {dtype!r} is not a numpy dtype "
                            "name") from None
        self.training = True
        self._full_name = naming.unique_name(name_scope)
        self._dtype = dtype
        self._parameters = collections.OrderedDict()
        self._sub_layers = collections.OrderedDict()
        self._buffers = collections.OrderedDict()
        self._non_persistable_buffer_names = set()
        self._forward_pre_hooks = collections.OrderedDict()
        self._forward_post_hooks = collections.OrderedDict()

    def full_name(self):
        """`<name_scope>_<k>`, unique within the current guard, e.g. 'linear_0'."""
        return self._full_name

    # -- calling -------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *inputs, **kwargs):
        pre_hooks = self.__dict__.get("_forward_pre_hooks")
        if pre_hooks is None:
            raise RuntimeError(f"{type(self).__name__}: super().__init__() was not called in "
                               "__init__")
        for hook in list(pre_hooks.values()):
            result = hook(self, inputs)
            if result is not None:
                inputs = result if isinstance(result, tuple) else (result,)
        path = None
        if _calling:
            parent, parent_path = _calling[-1]
            name = _child_path(parent, self)
            if name is not None:
                path = f"{parent_path}.{name}" if parent_path else name
        # Tape records made inside are labelled with this path (the outermost layer: full_name).
        _op._layer_stack.append(path if path is not None else self._full_name)
        _calling.append((self, path or ""))
        try:
            outputs = self.forward(*inputs, **kwargs)
        finally:
            _calling.pop()
            _op._layer_stack.pop()
        for hook in list(self._forward_post_hooks.values()):
            result = hook(self, inputs, outputs)
            if result is not None:
                outputs = result
        return outputs

    def register_forward_pre_hook(self, hook):
        """Call `hook(layer, inputs)` before forward; a non-None result replaces the inputs.
        Returns a handle whose `remove()` unregisters the hook."""
        return self._register_hook(self._forward_pre_hooks, hook, "register_forward_pre_hook")

    def register_forward_post_hook(self, hook):
        """Call `hook(layer, inputs, outputs)` after forward; a non-None result replaces the
        outputs. Returns a handle whose `remove()` unregisters the hook."""
        return self._register_hook(self._forward_post_hooks, hook, "register_forward_post_hook")

    def _register_hook(self, hooks, hook, where):
        if not callable(hook):
            raise TypeError(f"{type(self).__name__}.{where}: hook must be callable, got "
                            f"{type(hook).__name__}")
        handle = HookRemoveHelper(hooks)
        hooks[handle._hook_id] = hook
        return handle

    # -- attribute registration ----------------------------------------------------------------
    def __setattr__(self, name, value):
        state = self.__dict__
        params = state.get("_parameters")
        layers = state.get("_sub_layers")
        buffers = state.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise _init_first_error(self, name, "Parameter")
            self._forget(name)
            params[name] = value
        elif isinstance(value, WeightNorm):
            # `self.weight = <weight-normalised parameter>`: g and v are the parameters, and
            # reading self.weight computes g * v / ||v|| (see nn/weight_norm.py).
            if params is None:
                raise _init_first_error(self, name, "Parameter")
            self._forget(name)
            params[name + "_g"] = value.g
            params[name + "_v"] = value.v
            state["_weight_norms"] = dict(state.get("_weight_norms", {}), **{name: value})
        elif isinstance(value, Layer):
            if layers is None:
                raise _init_first_error(self, name, "Layer")
            self._forget(name)
            layers[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: '{name}' is a Parameter; assign a "
                                f"Parameter or None, got {type(value).__name__}")
            params[name] = None
        elif layers is not None and name in layers:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: '{name}' is a sublayer; assign a Layer "
                                f"or None, got {type(value).__name__}")
            layers[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Variable):
                raise TypeError(f"{type(self).__name__}: '{name}' is a buffer; assign a "
                                f"Variable or None, got {type(value).__name__}")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._sub_layers, self._buffers):
            store.pop(name, None)
        self._non_persistable_buffer_names.discard(name)

    def __getattr__(self, name):
        # Only called when ordinary lookup fails: parameters, sublayers and buffers live here.
        state = self.__dict__
        weight_norms = state.get("_weight_norms")
        if weight_norms is not None and name in weight_norms:
            return weight_norms[name].weight()
        for key in ("_parameters", "_sub_layers", "_buffers"):
            store = state.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        state = self.__dict__
        for key in ("_parameters", "_sub_layers", "_buffers"):
            store = state.get(key)
            if store is not None and name in store:
                del store[name]
                self._non_persistable_buffer_names.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        names = list(super().__dir__())
        names += list(self._parameters) + list(self._sub_layers) + list(self._buffers)
        return sorted(set(names))

    def _check_new_name(self, name, where):
        if "_parameters" not in self.__dict__:
            raise ValueError(f"{type(self).__name__}.{where}: call super().__init__() first")
        if not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}.{where}: name must be a str, got "
                            f"{type(name).__name__} ({name!r})")
        if not name or "." in name:
            raise ValueError(f"{type(self).__name__}.{where}: name must be non-empty and contain "
                             f"no '.', got {name!r}")

    def add_sublayer(self, name, sublayer):
        """Register `sublayer` under `name` (as `self.<name> = sublayer` does); returns it."""
        self._check_new_name(name, "add_sublayer")
        if not isinstance(sublayer, Layer):
            raise TypeError(f"{type(self).__name__}.add_sublayer: sublayer must be a Layer, got "
                            f"{type(sublayer).__name__}")
        self._forget(name)
        self._sub_layers[name] = sublayer
        return sublayer

    def add_parameter(self, name, parameter):
        """Register `parameter` (a Parameter, or None) under `name`; returns it."""
        self._check_new_name(name, "add_parameter")
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"{type(self).__name__}.add_parameter: parameter must be a Parameter "
                            f"(from create_parameter) or None, got {type(parameter).__name__}")
        if name in self.__dict__ or name in self._sub_layers or name in self._buffers:
            raise KeyError(f"{type(self).__name__}.add_parameter: '{name}' is already an "
                           "attribute of the layer")
        self._parameters[name] = parameter
        return parameter

    def register_buffer(self, name, variable, persistable=True):
        """Register a Variable that is state but not a parameter (e.g. running statistics).

        Persistable buffers appear in `state_dict()` and are restored by `set_dict`; they get no
        gradient and optimizers never see them.
        """
        self._check_new_name(name, "register_buffer")
        if variable is not None and not isinstance(variable, Variable):
            raise TypeError(f"{type(self).__name__}.register_buffer: variable must be a Variable "
                            f"or None, got {type(variable).__name__}")
        if isinstance(variable, Parameter):
            raise TypeError(f"{type(self).__name__}.register_buffer: '{name}' is a Parameter; "
                            "use add_parameter")
        self._forget(name)
        self._buffers[name] = variable
        if variable is not None:
            variable.persistable = bool(persistable)
        if not persistable:
            self._non_persistable_buffer_names.add(name)
        return variable

    # -- parameter creation ----------------------------------------------------------------------
    def create_parameter(self, shape, attr=None, dtype="float32", is_bias=False,
                         default_initializer=None):
        """A new Parameter of `shape`, named `<full_name>.w_<k>` (`.b_<k>` when `is_bias`).

        attr:                a ParamAttr or shorthand (see `ParamAttr._to_attr`); False -> None.
        default_initializer: used when `attr` has no initializer; without either, Xavier
                             (weights) or Constant(0) (biases).
        Raises TypeError for a bad shape, attr or initializer.

            self.weight = self.create_parameter([4, 3])
        """
        return new_parameter(f"{type(self).__name__}.create_parameter", self._full_name, shape,
                             attr, self._dtype if dtype is None else dtype, is_bias,
                             default_initializer)

    # -- traversal -------------------------------------------------------------------------------
    def named_sublayers(self, prefix="", include_sublayers=True, include_self=False,
                        layers_set=None):
        """(structured name, layer) pairs, depth first in insertion order, each layer once.

        include_self: also yield (prefix, self) first. include_sublayers=False yields no
        sublayers at all (Paddle's rule; `named_children()` gives the direct ones).
        """
        if layers_set is None:
            layers_set = set()
        if include_self and id(self) not in layers_set:
            layers_set.add(id(self))
            yield prefix, self
        if not include_sublayers:
            return
        for name, layer in self._sub_layers.items():
            if layer is None:
                continue
            yield from layer.named_sublayers(f"{prefix}.{name}" if prefix else name, True, True,
                                             layers_set)

    def sublayers(self, include_sublayers=True):
        """Sublayers (not self), depth first; only the direct ones if include_sublayers=False."""
        if not include_sublayers:
            return self.children()
        return [layer for _, layer in self.named_sublayers()]

    def named_children(self):
        """(name, layer) for each direct sublayer, each layer once."""
        seen = set()
        for name, layer in self._sub_layers.items():
            if layer is not None and id(layer) not in seen:
                seen.add(id(layer))
                yield name, layer

    def children(self):
        return [layer for _, layer in self.named_children()]

    def named_parameters(self, prefix="", include_sublayers=True):
        """(structured name, Parameter) pairs: own first, then sublayers'; shared ones once."""
        seen = set()
        for layer_prefix, layer in self.named_sublayers(prefix, include_sublayers,
                                                        include_self=True):
            for name, parameter in layer._parameters.items():
                if parameter is None or id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{layer_prefix}.{name}" if layer_prefix else name), parameter

    def parameters(self, include_sublayers=True):
        """All Parameters, depth first in insertion order, without duplicates (a list)."""
        return [p for _, p in self.named_parameters(include_sublayers=include_sublayers)]

    def named_buffers(self, prefix="", include_sublayers=True):
        seen = set()
        for layer_prefix, layer in self.named_sublayers(prefix, include_sublayers,
                                                        include_self=True):
            for name, buffer in layer._buffers.items():
                if buffer is None or id(buffer) in seen:
                    continue
                seen.add(id(buffer))
                yield (f"{layer_prefix}.{name}" if layer_prefix else name), buffer

    def buffers(self, include_sublayers=True):
        return [b for _, b in self.named_buffers(include_sublayers=include_sublayers)]

    def apply(self, fn):
        """Call `fn(layer)` on every sublayer, then on self; returns self."""
        for layer in self.children():
            layer.apply(fn)
        fn(self)
        return self

    # -- modes and gradients -----------------------------------------------------------------------
    def train(self):
        """Training mode for this layer and its sublayers (Dropout drops, BatchNorm uses batch
        statistics). Other layer trees are not affected."""
        self._set_training(True)

    def eval(self):
        """Evaluation mode for this layer and its sublayers only."""
        self._set_training(False)

    def _set_training(self, mode):
        self.training = mode
        for layer in self.sublayers():
            layer.training = mode

    def clear_gradients(self):
        """Reset the gradient of every parameter (call after each optimizer step)."""
        for parameter in self.parameters():
            parameter.clear_gradient()

    # -- state -----------------------------------------------------------------------------------
    def state_dict(self, destination=None, include_sublayers=True, structured_name_prefix=""):
        """Parameters and persistable buffers by structured name (`up1.weight`, `bn._mean`).

        The values are the Parameters / Variables themselves (save them with `save_dygraph`).
        """
        if destination is None:
            destination = collections.OrderedDict()
        for name, parameter in self._parameters.items():
            if parameter is not None:
                destination[structured_name_prefix + name] = parameter
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistable_buffer_names:
                destination[structured_name_prefix + name] = buffer
        if include_sublayers:
            for name, layer in self._sub_layers.items():
                if layer is not None:
                    layer.state_dict(destination, True, f"{structured_name_prefix}{name}.")
        return destination

    def set_dict(self, stat_dict, include_sublayers=True, use_structured_name=True):
        """Copy values from `stat_dict` into the parameters and persistable buffers.

        stat_dict: name -> Parameter, Variable or ndarray (what `state_dict()` or `load_dygraph`
                   returns). Keys are structured names, or parameter names
                   (`linear_0.w_0`) when `use_structured_name=False`.
        Raises StateDictError (a ValueError) naming every missing key and every shape or dtype
        mismatch — and then changes nothing. Keys the layer does not have only give a warning.

            model.set_dict(fluid.load_dygraph("model")[0])
        """
        where = f"{type(self).__name__}.set_dict"
        if not isinstance(stat_dict, collections.abc.Mapping):
            raise TypeError(f"{where}: stat_dict must be a dict of name -> value, got "
                            f"{type(stat_dict).__name__}")
        own = self.state_dict(include_sublayers=include_sublayers)
        problems = []
        plan = []
        used = set()
        for key, target in own.items():
            lookup = key if use_structured_name else target.name
            if lookup not in stat_dict:
                problems.append(f"missing key '{lookup}' (shape {target.shape})")
                continue
            used.add(lookup)
            value = stat_dict[lookup]
            if isinstance(value, Variable):
                value = value.data
            if not isinstance(value, np.ndarray):
                problems.append(f"'{lookup}' must be a Parameter, Variable or ndarray, got "
                                f"{type(value).__name__}")
                continue
            if value.shape != target.data.shape:
                problems.append(f"'{lookup}' has shape {list(value.shape)} but the layer "
                                f"expects shape {target.shape}")
            elif value.dtype != target.data.dtype:
                problems.append(f"'{lookup}' has dtype {value.dtype} but the layer expects "
                                f"dtype {target.data.dtype} (shape {target.shape})")
            else:
                plan.append((target, value))
        if problems:
            shown = "; ".join(problems[:10])
            more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
            raise StateDictError(f"{where}: nothing was loaded: {shown}{more}")
        # Everything checked: only now is anything overwritten.
        for target, value in plan:
            if value is not target.data:
                np.copyto(target.data, value)
        # Paddle's name table (load_dygraph(..., keep_name_table=True)) is not a value.
        unused = [k for k in stat_dict if k not in used and k != _NAME_TABLE_KEY]
        if unused:
            warnings.warn(f"{where}: entries not used because the layer has no such parameter "
                          f"or buffer: {', '.join(map(str, unused))}", stacklevel=2)

    load_dict = set_dict

    # -- display -----------------------------------------------------------------------------------
    def extra_repr(self):
        """Constructor arguments shown by repr (override in subclasses)."""
        return ""

    def __repr__(self):
        # The tree with parameter shapes and counts, like a PyTorch module print.
        from minigrad.viz import layer_summary
        return layer_summary(self)

    def _repr_html_(self):
        from minigrad.viz import layer_html
        return layer_html(self)


def new_parameter(where, prefix, shape, attr=None, dtype="float32", is_bias=False,
                  default_initializer=None):
    """A new Parameter named `<prefix>.w_<k>` (`.b_<k>` when `is_bias`), or None for attr=False.

    What `Layer.create_parameter` and `LayerHelper.create_parameter` share; `where` names the
    caller in errors.
    """
    require_dygraph(where)
    attr = ParamAttr._to_attr(attr)
    if attr is False:
        return None
    if not isinstance(attr, ParamAttr):
        raise TypeError(f"{where}: attr must describe one parameter, got {attr!r}")
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = [shape]
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"{where}: shape must be a list of ints, got {shape!r}")
    if any(n <= 0 for n in shape):
        raise ValueError(f"{where}: every dim of shape must be positive, got {list(shape)}")
    if default_initializer is not None and not isinstance(default_initializer, Initializer):
        raise TypeError(f"{where}: default_initializer must be a fluid.initializer object, "
                        f"got {type(default_initializer).__name__}")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: dtype {dtype!r} is not a numpy dtype name") from None
    initializer = attr.initializer or default_initializer or (
        Constant(0.0) if is_bias else Xavier())
    name = attr.name or naming.unique_name(f"{prefix}.{'b' if is_bias else 'w'}")
    shape = [int(n) for n in shape]

    def make(suffix, data):
        parameter = Parameter(data, name=name + suffix, trainable=attr.trainable,
                              learning_rate=attr.learning_rate, regularizer=attr.regularizer,
                              is_bias=is_bias)
        parameter.do_model_average = attr.do_model_average
        parameter.need_clip = attr.need_clip
        return parameter

    if isinstance(attr, WeightNormParamAttr):
        if attr.dim is not None and not -len(shape) <= attr.dim < len(shape):
            raise ValueError(f"{where}: WeightNormParamAttr dim={attr.dim} is out of range for "
                             f"a parameter of shape {shape}")
        dim = None if attr.dim is None else attr.dim % len(shape)
        v = initializer(shape, dtype)
        # g starts at ||v||, so the weight starts as the initializer drew it (as Paddle does).
        return WeightNorm(make("_g", norm_except_dim(v, dim).astype(dtype)), make("_v", v), dim)
    return make("", initializer(shape, dtype))
