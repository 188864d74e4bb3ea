"""`Conv2D` and `Conv2DTranspose`: Paddle 1.x's convolution layers over `minigrad.ops.conv`.

Both compute `act(conv + bias)`; the weight layout is the one the functional ops take, so a
Conv2DTranspose and a Conv2D with swapped channel counts hold weights of the same shape.
"""
import math
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, pair
from minigrad.initializer import Normal
from minigrad.nn.layer import Layer
from minigrad.ops.activation import apply_act, check_act
from minigrad.ops.conv import conv2d, conv2d_transpose, resolve_output_size

__all__ = ["Conv2D", "Conv2DTranspose"]


def _positive_int(where, argument, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where}: {argument} must be a positive int, got {value!r}")
    return int(value)


def _groups(where, groups, channels, filters):
    groups = 1 if groups is None else _positive_int(where, "groups", groups)
    if channels % groups or filters % groups:
        raise ValueError(f"{where}: groups={groups} must divide both num_channels={channels} "
                         f"and num_filters={filters}")
    return groups


def _check_bool(where, argument, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {argument} must be a bool, got {type(value).__name__} "
                        f"({value!r})")
    return bool(value)


def _check_dtype(where, dtype):
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"{where}: dtype must be 'float32' or 'float64', got {dtype!r}")


def _check_input(where, layer, input, channels):
    check_tensor(where, "input", input, ndim=4, dtypes="f")
    if input.shape[1] != channels:
        raise ValueError(f"{where}: input has {input.shape[1]} channels (shape "
                         f"{list(input.shape)}) but the layer was built with "
                         f"num_channels={channels}")
    if input.dtype != layer._dtype:
        raise TypeError(f"{where}: input has dtype {input.dtype} but the layer's parameters are "
                        f"{layer._dtype}; cast the input (or build the layer with "
                        f"dtype='{input.dtype}')")


def _read_conv_args(layer, where, num_channels, num_filters, filter_size, stride, padding,
                    dilation, groups, use_cudnn, act):
    """Validate and store the arguments Conv2D and Conv2DTranspose share."""
    layer._num_channels = _positive_int(where, "num_channels", num_channels)
    layer._num_filters = _positive_int(where, "num_filters", num_filters)
    layer._filter_size = pair(where, "filter_size", filter_size, minimum=1)
    layer._stride = pair(where, "stride", stride, minimum=1)
    layer._padding = pair(where, "padding", padding, minimum=0)
    layer._dilation = pair(where, "dilation", dilation, minimum=1)
    layer._groups = _groups(where, groups, layer._num_channels, layer._num_filters)
    layer._use_cudnn = _check_bool(where, "use_cudnn", use_cudnn)
    layer._act = check_act(act, where)


class Conv2D(Layer):
    """2-D convolution layer over NCHW input: `act(conv2d(input, weight) + bias)`.

    num_channels:  C, channels of the input.        num_filters: F, channels of the output.
    filter_size, stride, padding, dilation: int or pair (height, width).
    groups:        None (1) or an int dividing C and F.
    param_attr / bias_attr: ParamAttr (or shorthand) of weight [F, C // groups, KH, KW]
                   (default Normal(0, sqrt(2 / (KH KW C)))) and bias [F] (default zeros);
                   `bias_attr=False` means no bias (`layer.bias is None`).
    use_cudnn:     accepted for compatibility (must be a bool); no effect.
    act:           activation name applied after the bias, or None.
    dtype:         "float32" or "float64"; the input must have the same dtype.
    Raises at construction for bad sizes, groups not dividing the channels, a non-bool
    use_cudnn or an unknown act; at call time for an input of the wrong ndim, channels or dtype.

        conv = fluid.dygraph.Conv2D(num_channels=3, num_filters=8, filter_size=3, padding=1)
        y = conv(fluid.dygraph.to_variable(np.zeros((2, 3, 32, 32), "float32")))  # [2, 8, 32, 32]
    """

    def __init__(self, num_channels, num_filters, filter_size, stride=1, padding=0, dilation=1,
                 groups=None, param_attr=None, bias_attr=None, use_cudnn=True, act=None,
                 dtype="float32"):
        where = "Conv2D"
        _check_dtype(where, dtype)
        super().__init__(dtype=dtype)
        _read_conv_args(self, where, num_channels, num_filters, filter_size, stride, padding,
                        dilation, groups, use_cudnn, act)
        kh, kw = self._filter_size
        std = math.sqrt(2.0 / (kh * kw * self._num_channels))
        self.weight = self.create_parameter(
            [self._num_filters, self._num_channels // self._groups, kh, kw], attr=param_attr,
            dtype=self._dtype, default_initializer=Normal(0.0, std))
        self.bias = self.create_parameter([self._num_filters], attr=bias_attr, dtype=self._dtype,
                                          is_bias=True)

    def forward(self, input):
        _check_input("Conv2D", self, input, self._num_channels)
        out = conv2d(input, self.weight, self.bias, self._stride, self._padding, self._dilation,
                     self._groups)
        return apply_act(out, self._act)

    def extra_repr(self):
        return (f"num_channels={self._num_channels}, num_filters={self._num_filters}, "
                f"filter_size={list(self._filter_size)}, stride={list(self._stride)}, "
                f"padding={list(self._padding)}, dilation={list(self._dilation)}, "
                f"groups={self._groups}, act={self._act}, dtype={self._dtype}")


class Conv2DTranspose(Layer):
    """2-D transposed convolution ("deconvolution") layer over NCHW input:
    `act(conv2d_transpose(input, weight) + bias)`, the adjoint of a convolution.

    num_channels:  C_in, channels of the input.     num_filters: C_out, channels of the output.
    filter_size:   int or pair (KH, KW).
    output_size:   None, an int or a pair (list or tuple) (H_out, W_out). None gives
                   H' = (H - 1) stride - 2 padding + dilation (KH - 1) + 1; otherwise each size
                   must lie in [H', H' + stride), checked when the layer is called.
    padding, stride, dilation: int or pair (height, width).
    groups:        None (1) or an int dividing C_in and C_out.
    param_attr / bias_attr: ParamAttr (or shorthand) of weight [C_in, C_out // groups, KH, KW]
                   (default Xavier-uniform) and bias [C_out] (default zeros);
                   `bias_attr=False` means no bias (`layer.bias is None`).
    use_cudnn:     accepted for compatibility (must be a bool); no effect.
    act:           activation name applied after the bias, or None.
    dtype:         "float32" or "float64"; the input must have the same dtype.
    Raises at construction for bad sizes, groups not dividing the channels, a non-bool
    use_cudnn or an unknown act; at call time for an input of the wrong ndim, channels or
    dtype, or an output_size outside its valid range (the error names both).

        with fluid.dygraph.guard():
            data = np.random.random((3, 32, 32, 5)).astype('float32')
            deconv = fluid.dygraph.nn.Conv2DTranspose(num_channels=32, num_filters=2,
                                                      filter_size=3)
            ret = deconv(fluid.dygraph.base.to_variable(data))    # shape [3, 2, 34, 7]
    """

    def __init__(self, num_channels, num_filters, filter_size, output_size=None, padding=0,
                 stride=1, dilation=1, groups=None, param_attr=None, bias_attr=None,
                 use_cudnn=True, act=None, dtype="float32"):
        where = "Conv2DTranspose"
        _check_dtype(where, dtype)
        super().__init__(dtype=dtype)
        _read_conv_args(self, where, num_channels, num_filters, filter_size, stride, padding,
                        dilation, groups, use_cudnn, act)
        if output_size is not None:
            output_size = pair(where, "output_size", output_size, minimum=1)
        self._output_size = output_size
        kh, kw = self._filter_size
        # Default Xavier: fan_in = (C_out / groups) KH KW, fan_out = C_in KH KW (Paddle's rule).
        self.weight = self.create_parameter(
            [self._num_channels, self._num_filters // self._groups, kh, kw], attr=param_attr,
            dtype=self._dtype)
        self.bias = self.create_parameter([self._num_filters], attr=bias_attr, dtype=self._dtype,
                                          is_bias=True)

    def forward(self, input):
        where = "Conv2DTranspose"
        _check_input(where, self, input, self._num_channels)
        # Validate here too so the message names the layer, not the functional op.
        resolve_output_size(where, input.shape[2:], self._filter_size, self._stride,
                            self._padding, self._dilation, self._output_size)
        out = conv2d_transpose(input, self.weight, self.bias, self._stride, self._padding,
                               self._dilation, self._groups, self._output_size)
        return apply_act(out, self._act)

    def extra_repr(self):
        return (f"num_channels={self._num_channels}, num_filters={self._num_filters}, "
                f"filter_size={list(self._filter_size)}, output_size={self._output_size}, "
                f"stride={list(self._stride)}, padding={list(self._padding)}, "
                f"dilation={list(self._dilation)}, groups={self._groups}, act={self._act}, "
                f"dtype={self._dtype}")
