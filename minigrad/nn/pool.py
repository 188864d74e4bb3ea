"""`Pool2D`: Paddle 1.x's pooling layer over `minigrad.ops.pool.pool2d`."""
from minigrad.core.checks import pair
from minigrad.nn.layer import Layer
from minigrad.ops.pool import pool2d

__all__ = ["Pool2D"]


class Pool2D(Layer):
    """Max or average pooling of NCHW input (no parameters).

    pool_size:      int or pair; -1 (the default) only with global_pooling=True.
    pool_type:      "max" or "avg".
    pool_stride, pool_padding: int or pair.
    global_pooling: pool each whole plane to 1 x 1 (pool_size, stride and padding ignored).
    use_cudnn:      accepted for compatibility (must be a bool); no effect.
    ceil_mode:      round the output size up.
    exclusive:      "avg" divides by the unpadded cells of each window (else by its area).
    data_format:    "NCHW" (the only layout supported).
    Raises at construction for a bad pool_type, sizes, or non-bool flags.

        pool = fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2)
        y = pool(x)          # [N, C, H // 2, W // 2]
    """

    def __init__(self, pool_size=-1, pool_type="max", pool_stride=1, pool_padding=0,
                 global_pooling=False, use_cudnn=True, ceil_mode=False, exclusive=True,
                 data_format="NCHW"):
        super().__init__()
        where = "Pool2D"
        if data_format != "NCHW":
            raise ValueError(f"{where}: only data_format='NCHW' is supported, got "
                             f"{data_format!r}")
        if pool_type not in ("max", "avg"):
            raise ValueError(f"{where}: pool_type must be 'max' or 'avg', got {pool_type!r}")
        for argument, value in (("global_pooling", global_pooling), ("use_cudnn", use_cudnn),
                                ("ceil_mode", ceil_mode), ("exclusive", exclusive)):
            if not isinstance(value, bool):
                raise TypeError(f"{where}: {argument} must be a bool, got {value!r}")
        if not global_pooling:
            if pool_size == -1:
                raise ValueError(f"{where}: pool_size=-1 is only allowed with "
                                 "global_pooling=True; give the window size")
            pair(where, "pool_size", pool_size, minimum=1)
            pair(where, "pool_stride", pool_stride, minimum=1)
            pair(where, "pool_padding", pool_padding, minimum=0)
        self._options = dict(pool_size=pool_size, pool_type=pool_type, pool_stride=pool_stride,
                             pool_padding=pool_padding, global_pooling=global_pooling,
                             use_cudnn=use_cudnn, ceil_mode=ceil_mode, exclusive=exclusive,
                             data_format=data_format)

    def forward(self, input):
        return pool2d(input, **self._options)

    def extra_repr(self):
        hidden = ("use_cudnn", "data_format")
        return ", ".join(f"{k}={v}" for k, v in self._options.items() if k not in hidden)
