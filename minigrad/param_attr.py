"""`ParamAttr`: how a layer should create one parameter (name, initializer, lr multiplier...).

Layers accept `param_attr=` / `bias_attr=` as a ParamAttr or a shorthand, normalised by
`ParamAttr._to_attr` exactly as in Paddle 1.x:
  None or True -> ParamAttr(); a str -> ParamAttr(name=...); an Initializer ->
  ParamAttr(initializer=...); a regularizer -> ParamAttr(regularizer=...); False -> no parameter.

    fc = fluid.dygraph.Linear(4, 2, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.Constant(0.1), learning_rate=0.5))
"""
import numbers

from minigrad.initializer import Initializer

__all__ = ["ParamAttr"]


def _is_regularizer(value):
    # The regularizer module belongs to the optimizer stack and imports nothing from here, so a
    # late import keeps `param_attr` usable on its own.
    try:
        from minigrad import regularizer
    except ImportError:
        return False
    base = getattr(regularizer, "WeightDecayRegularizer", None)
    return base is not None and isinstance(value, base)


class ParamAttr:
    """Attributes of one parameter.

    name:             the parameter's name (default: `<layer full name>.w_<k>` / `.b_<k>`).
    initializer:      an `fluid.initializer` object; default: the layer's, then Xavier (weights)
                      or Constant(0) (biases).
    learning_rate:    multiplier of the optimizer's learning rate for this parameter (>= 0).
    regularizer:      L1Decay / L2Decay; overrides the optimizer's `regularization`.
    trainable:        False freezes the parameter (optimizers skip it, no gradient is kept).
    do_model_average: False keeps the parameter out of ExponentialMovingAverage (default True,
                      as in Paddle 1.8).
    need_clip:        False exempts the parameter from gradient clipping.
    Raises TypeError for arguments of the wrong type, ValueError for a negative learning_rate.

        attr = fluid.ParamAttr(name="fc.w", initializer=fluid.initializer.Normal(0, 0.01))
    """

    def __init__(self, name=None, initializer=None, learning_rate=1.0, regularizer=None,
                 trainable=True, do_model_average=True, need_clip=True):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"ParamAttr: name must be a str or None, got {type(name).__name__} "
                            f"({name!r})")
        if initializer is not None and not isinstance(initializer, Initializer):
            raise TypeError(f"ParamAttr: initializer must be a fluid.initializer object (e.g. "
                            f"Constant, Xavier), got {type(initializer).__name__}")
        if not isinstance(learning_rate, numbers.Real) or isinstance(learning_rate, bool):
            raise TypeError(f"ParamAttr: learning_rate must be a number, got "
                            f"{type(learning_rate).__name__} ({learning_rate!r})")
        if learning_rate < 0:
            raise ValueError(f"ParamAttr: learning_rate must be >= 0, got {learning_rate}")
        if not isinstance(trainable, bool):
            raise TypeError(f"ParamAttr: trainable must be a bool, got {trainable!r}")
        self.name = name
        self.initializer = initializer
        self.learning_rate = float(learning_rate)
        self.regularizer = regularizer
        self.trainable = trainable
        self.do_model_average = do_model_average
        self.need_clip = need_clip

    @staticmethod
    def _to_attr(arg):
        """Normalise a `param_attr` / `bias_attr` argument (see the module docstring)."""
        if arg is None or arg is True:
            return ParamAttr()
        if arg is False:
            return False
        if isinstance(arg, ParamAttr):
            return arg
        if isinstance(arg, str):
            return ParamAttr(name=arg)
        if isinstance(arg, Initializer):
            return ParamAttr(initializer=arg)
        if _is_regularizer(arg):
            return ParamAttr(regularizer=arg)
        if isinstance(arg, (list, tuple)):
            return [ParamAttr._to_attr(a) for a in arg]
        raise TypeError(f"param_attr/bias_attr must be None, a bool, a str, an initializer, a "
                        f"regularizer or a fluid.ParamAttr, got {type(arg).__name__} ({arg!r})")

    def _copy(self):
        copy = ParamAttr.__new__(ParamAttr)
        copy.__dict__.update(self.__dict__)
        return copy

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"ParamAttr({fields})"


class WeightNormParamAttr(ParamAttr):
    """A ParamAttr whose parameter is weight-normalised: `w = g * v / ||v||` (see
    `minigrad/nn/weight_norm.py`), the norm taken over every dim except `dim` (None: all dims,
    so `g` is one number).

        conv = fluid.dygraph.Conv2D(3, 8, 3, param_attr=fluid.WeightNormParamAttr(dim=0))
    """

    def __init__(self, dim=None, name=None, initializer=None, learning_rate=1.0,
                 regularizer=None, trainable=True, do_model_average=True, need_clip=True):
        if dim is not None and (not isinstance(dim, numbers.Integral) or isinstance(dim, bool)):
            raise TypeError(f"WeightNormParamAttr: dim must be an int or None, got {dim!r}")
        super().__init__(name, initializer, learning_rate, regularizer, trainable,
                         do_model_average, need_clip)
        self.dim = None if dim is None else int(dim)

    def _copy(self):
        copy = WeightNormParamAttr.__new__(WeightNormParamAttr)
        copy.__dict__.update(self.__dict__)
        return copy
