"""Paddle 1.8's `fluid.layers.conv2d` / `conv2d_transpose`, which create their own weights.

    y = fluid.layers.conv2d(x, num_filters=8, filter_size=3, padding=1, act="relu")

In dygraph mode each call makes fresh parameters, as in Paddle 1.8 (use `fluid.dygraph.Conv2D`
to train them). Called with a weight Variable instead of `num_filters`
(`conv2d(x, weight, bias, stride, ...)`), they are minigrad's parameter-free ops of
`minigrad/ops/conv.py`, which these functions and the layers all run on.
"""
import numbers

from minigrad.core.checks import check_tensor, pair, shape_of
from minigrad.core.variable import Variable
from minigrad.nn.conv import Conv2D, Conv2DTranspose
from minigrad.ops import conv as _conv
from minigrad.ops.shape import transpose

__all__ = ["conv2d", "conv2d_transpose"]


def _weight_given(second):
    return isinstance(second, Variable) or hasattr(second, "__array__") \
        and not isinstance(second, numbers.Integral)


def _nchw(op, input, data_format):
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError(f"{op}: data_format must be 'NCHW' or 'NHWC', got {data_format!r}")
    check_tensor(op, "input", input, ndim=4, dtypes="f")
    return input if data_format == "NCHW" else transpose(input, [0, 3, 1, 2])


def _back(out, data_format):
    return out if data_format == "NCHW" else transpose(out, [0, 2, 3, 1])


def conv2d(input, *args, **kwargs):
    """Paddle's `conv2d(input, num_filters, filter_size, stride=1, padding=0, dilation=1,
    groups=None, param_attr=None, bias_attr=None, use_cudnn=True, act=None, name=None,
    data_format="NCHW")`: `act(conv(input, W) + b)` with W [num_filters, C // groups, kh, kw]
    created here (default Normal(0, sqrt(2 / (kh * kw * C)))) and b [num_filters] (zeros).

    With a weight Variable in place of num_filters, `conv2d(x, weight, bias=None, stride=1,
    padding=0, dilation=1, groups=1)` is the parameter-free op of minigrad/ops/conv.py.
    """
    if _weight_given(args[0] if args else kwargs.get("weight")):
        return _conv.conv2d(input, *args, **kwargs)
    return _paddle_conv2d(input, *args, **kwargs)


def _paddle_conv2d(input, num_filters, filter_size, stride=1, padding=0, dilation=1, groups=None,
                   param_attr=None, bias_attr=None, use_cudnn=True, act=None, name=None,
                   data_format="NCHW"):
    x = _nchw("conv2d", input, data_format)
    layer = Conv2D(shape_of(x)[1], num_filters, filter_size, stride, padding, dilation, groups,
                   param_attr, bias_attr, use_cudnn, act, dtype=str(x.dtype))
    return _back(layer(x), data_format)


def conv2d_transpose(input, *args, **kwargs):
    """Paddle's `conv2d_transpose(input, num_filters, output_size=None, filter_size=None,
    padding=0, stride=1, dilation=1, groups=None, param_attr=None, bias_attr=None,
    use_cudnn=True, act=None, name=None, data_format="NCHW")`: the adjoint of conv2d, with
    W [C, num_filters // groups, kh, kw] created here (default Xavier) and b [num_filters]
    (zeros). When filter_size is None it is computed from output_size, as Paddle does.

    With a weight Variable in place of num_filters, `conv2d_transpose(x, weight, bias=None,
    stride=1, padding=0, dilation=1, groups=1, output_size=None)` is the parameter-free op.
    """
    if _weight_given(args[0] if args else kwargs.get("weight")):
        return _conv.conv2d_transpose(input, *args, **kwargs)
    return _paddle_conv2d_transpose(input, *args, **kwargs)


def _paddle_conv2d_transpose(input, num_filters, output_size=None, filter_size=None, padding=0,
                             stride=1, dilation=1, groups=None, param_attr=None, bias_attr=None,
                             use_cudnn=True, act=None, name=None, data_format="NCHW"):
    x = _nchw("conv2d_transpose", input, data_format)
    if filter_size is None:
        filter_size = _filter_size_for(output_size, shape_of(x)[2:], stride, padding, dilation)
    layer = Conv2DTranspose(shape_of(x)[1], num_filters, filter_size, output_size, padding,
                            stride, dilation, groups, param_attr, bias_attr, use_cudnn, act,
                            dtype=str(x.dtype))
    return _back(layer(x), data_format)


def _filter_size_for(output_size, in_size, stride, padding, dilation):
    """The kernel that makes conv2d_transpose's output exactly `output_size` (Paddle's rule)."""
    op = "conv2d_transpose"
    if output_size is None:
        raise ValueError(f"{op}: give filter_size or output_size (both are None)")
    (oh, ow), (sh, sw) = pair(op, "output_size", output_size, 1), pair(op, "stride", stride, 1)
    (ph, pw), (dh, dw) = pair(op, "padding", padding, 0), pair(op, "dilation", dilation, 1)
    (h, w) = in_size
    size = [(oh - (h - 1) * sh + 2 * ph - 1) // dh + 1, (ow - (w - 1) * sw + 2 * pw - 1) // dw + 1]
    if min(size) < 1:
        raise ValueError(f"{op}: output_size={output_size!r} is too small for an input of "
                         f"{h}x{w} with stride {stride!r}")
    return size
