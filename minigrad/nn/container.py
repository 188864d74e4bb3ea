"""Containers: `Sequential`, `LayerList`, `ParameterList` (Paddle 1.x `fluid.dygraph` names).

Their members are registered under the keys "0", "1", ... so `state_dict()` keys read
`blocks.0.weight`, and the parameters of every member reach the optimizer.
"""
import numbers

from minigrad.core.variable import Parameter
from minigrad.nn.layer import Layer

__all__ = ["Sequential", "LayerList", "ParameterList"]


def _position(container, index, size, inserting=False):
    """A valid non-negative position for `index` (negative counts from the end)."""
    if not isinstance(index, numbers.Integral) or isinstance(index, bool):
        raise TypeError(f"{type(container).__name__}: index must be an int or a slice, got "
                        f"{type(index).__name__} ({index!r})")
    limit = size + 1 if inserting else size
    if not -size <= index < limit:
        raise IndexError(f"{type(container).__name__}: index {index} is out of range for "
                         f"{size} entries")
    return int(index) + size if index < 0 else int(index)


def _check_layer(container, layer):
    if not isinstance(layer, Layer):
        raise TypeError(f"{type(container).__name__}: entries must be Layers, got "
                        f"{type(layer).__name__}")
    return layer


class Sequential(Layer):
    """Layers applied one after another: `forward(x)` returns `layers[-1](...layers[0](x))`.

    Give the layers positionally (named "0", "1", ...) or as (name, layer) pairs.

        model = fluid.dygraph.Sequential(
            fluid.dygraph.Linear(784, 64, act="relu"), fluid.dygraph.Linear(64, 10))
        model = fluid.dygraph.Sequential(("hidden", fluid.dygraph.Linear(784, 64)))
    """

    def __init__(self, *layers):
        name_scope = None
        if layers and isinstance(layers[0], str):
            # Paddle 1.7 took a name_scope first: Sequential("model", layer1, layer2).
            name_scope, layers = layers[0], layers[1:]
        super().__init__(name_scope)
        if layers and isinstance(layers[0], (tuple, list)):
            for entry in layers:
                if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
                    raise TypeError(f"Sequential: give all layers positionally or all as "
                                    f"(name, layer) pairs, got {entry!r}")
                name, layer = entry
                self.add_sublayer(name, _check_layer(self, layer))
        else:
            for index, layer in enumerate(layers):
                self.add_sublayer(str(index), _check_layer(self, layer))

    def __getitem__(self, index):
        layers = list(self._sub_layers.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        if isinstance(index, str):
            return self._sub_layers[index]
        return layers[_position(self, index, len(layers))]

    def __setitem__(self, index, layer):
        keys = list(self._sub_layers)
        key = index if isinstance(index, str) else keys[_position(self, index, len(keys))]
        self._sub_layers[key] = _check_layer(self, layer)

    def __delitem__(self, index):
        keys = list(self._sub_layers)
        key = index if isinstance(index, str) else keys[_position(self, index, len(keys))]
        del self._sub_layers[key]

    def __len__(self):
        return len(self._sub_layers)

    def __iter__(self):
        return iter(self._sub_layers.values())

    def forward(self, input):
        for layer in self._sub_layers.values():
            input = layer(input)
        return input


class LayerList(Layer):
    """A list of sublayers, registered so their parameters are found; it has no forward.

        self.blocks = fluid.dygraph.LayerList([fluid.dygraph.Linear(8, 8) for _ in range(3)])
        for block in self.blocks:
            x = block(x)
    """

    def __init__(self, sublayers=None):
        super().__init__()
        if sublayers is not None:
            self.extend(sublayers)

    def _renumber(self, layers):
        self._sub_layers.clear()
        for index, layer in enumerate(layers):
            self._sub_layers[str(index)] = layer

    def __getitem__(self, index):
        layers = list(self._sub_layers.values())
        if isinstance(index, slice):
            return LayerList(layers[index])
        return layers[_position(self, index, len(layers))]

    def __setitem__(self, index, layer):
        position = _position(self, index, len(self._sub_layers))
        self._sub_layers[str(position)] = _check_layer(self, layer)

    def __delitem__(self, index):
        layers = list(self._sub_layers.values())
        if isinstance(index, slice):
            del layers[index]
        else:
            del layers[_position(self, index, len(layers))]
        self._renumber(layers)

    def __len__(self):
        return len(self._sub_layers)

    def __iter__(self):
        return iter(list(self._sub_layers.values()))

    def append(self, sublayer):
        """Add `sublayer` at the end; returns self."""
        self._sub_layers[str(len(self._sub_layers))] = _check_layer(self, sublayer)
        return self

    def insert(self, index, sublayer):
        """Insert `sublayer` before position `index` (negative counts from the end)."""
        layers = list(self._sub_layers.values())
        layers.insert(_position(self, index, len(layers), inserting=True),
                      _check_layer(self, sublayer))
        self._renumber(layers)

    def extend(self, sublayers):
        """Append every layer of an iterable; returns self."""
        if isinstance(sublayers, Layer) and not isinstance(sublayers, (LayerList, Sequential)):
            raise TypeError("LayerList.extend: expected an iterable of Layers, got a single "
                            f"{type(sublayers).__name__}; use append")
        for layer in list(sublayers):
            self.append(layer)
        return self

    def forward(self, *inputs):
        raise NotImplementedError("LayerList has no forward: iterate over it and call its layers")


class ParameterList(Layer):
    """A list of Parameters registered on the layer (found by `parameters()` and the optimizer).

        self.weights = fluid.dygraph.ParameterList(
            [self.create_parameter([4, 4]) for _ in range(3)])
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            for parameter in parameters:
                self.append(parameter)

    def _check(self, parameter):
        if not isinstance(parameter, Parameter):
            raise TypeError(f"ParameterList: entries must be Parameters (from create_parameter), "
                            f"got {type(parameter).__name__}")
        return parameter

    def __getitem__(self, index):
        parameters = list(self._parameters.values())
        if isinstance(index, slice):
            return parameters[index]
        return parameters[_position(self, index, len(parameters))]

    def __setitem__(self, index, parameter):
        position = _position(self, index, len(self._parameters))
        self._parameters[str(position)] = self._check(parameter)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(list(self._parameters.values()))

    def append(self, parameter):
        """Add `parameter` at the end; returns self."""
        self._parameters[str(len(self._parameters))] = self._check(parameter)
        return self

    def forward(self, *inputs):
        raise NotImplementedError("ParameterList has no forward: use its parameters in yours")
