"""Paddle's dtype names (`fluid.core.VarDesc.VarType.FP32`, `convert_dtype`) over numpy's.

A minigrad Variable's `dtype` is a numpy dtype (`x.dtype == np.float32`; `str(x.dtype)` is
'float32' where Paddle 1.8 printed 'VarType.FP32'). Paddle's VarType members *are* those numpy
dtypes here, so `x.dtype == fluid.core.VarDesc.VarType.FP32` holds as it does in Paddle.
"""
import numpy as np

__all__ = ["VarDesc", "convert_dtype"]


class VarDesc:
    class VarType:
        BOOL = np.dtype("bool")
        INT8 = np.dtype("int8")
        UINT8 = np.dtype("uint8")
        INT16 = np.dtype("int16")
        INT32 = np.dtype("int32")
        INT64 = np.dtype("int64")
        FP16 = np.dtype("float16")
        FP32 = np.dtype("float32")
        FP64 = np.dtype("float64")


def convert_dtype(dtype):
    """A dtype (numpy, VarType or a name such as 'float32') as Paddle's name string."""
    try:
        return np.dtype(dtype).name
    except TypeError:
        raise TypeError(f"convert_dtype: {dtype!r} is not a dtype") from None
