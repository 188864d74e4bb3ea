# fluid.layers padding and rearrangement added for 1.8 compatibility: pad, pad2d (each mode and
# layout), pad_constant_like, space_to_depth, pixel_shuffle, shuffle_channel, temporal_shift,
# unfold.
import numpy as np
import paddle.fluid as fluid
from diffreport import report_op

rng = np.random.RandomState(33)
L = fluid.layers


def u(*shape):
    return rng.uniform(-1, 1, shape).astype("float32")


image = u(2, 3, 4, 5)

with fluid.dygraph.guard():
    report_op("pad", lambda x: L.pad(x, paddings=[0, 1, 2, 3]), u(2, 3))
    report_op("pad_value", lambda x: L.pad(x, paddings=[1, 0, 0, 2, 1, 1], pad_value=-2.5),
              u(2, 3, 2))
    report_op("pad_int", lambda x: L.pad(x, paddings=[1, 1], pad_value=7),
              np.arange(3, dtype="int64"), grad=False)

    report_op("pad2d_constant", lambda x: L.pad2d(x, paddings=[1, 2, 0, 3]), image)
    report_op("pad2d_constant_value", lambda x: L.pad2d(x, paddings=[2, 0, 1, 1],
                                                        pad_value=0.5), image)
    report_op("pad2d_reflect", lambda x: L.pad2d(x, paddings=[1, 2, 3, 4], mode="reflect"),
              image)
    report_op("pad2d_reflect_widest", lambda x: L.pad2d(x, paddings=[3, 3, 4, 4],
                                                        mode="reflect"), image)
    report_op("pad2d_edge", lambda x: L.pad2d(x, paddings=[2, 1, 0, 3], mode="edge"), image)
    report_op("pad2d_nhwc_reflect", lambda x: L.pad2d(
        x, paddings=[1, 1, 2, 0], mode="reflect", data_format="NHWC"), u(2, 4, 3, 3))
    report_op("pad2d_nhwc_edge", lambda x: L.pad2d(
        x, paddings=[0, 2, 1, 1], mode="edge", data_format="NHWC"), u(1, 3, 4, 2))

    report_op("pad_constant_like", lambda x, y: L.pad_constant_like(x, y), u(2, 3, 2, 3),
              u(1, 3, 1, 2))
    report_op("pad_constant_like_value", lambda x, y: L.pad_constant_like(x, y, pad_value=1.5),
              u(3, 4), u(2, 4))

    report_op("space_to_depth", lambda x: L.space_to_depth(x, blocksize=2), u(1, 4, 2, 2))
    report_op("space_to_depth_larger", lambda x: L.space_to_depth(x, blocksize=2),
              u(2, 8, 4, 6))
    report_op("space_to_depth_b3", lambda x: L.space_to_depth(x, blocksize=3), u(1, 9, 3, 6))

    report_op("pixel_shuffle", lambda x: L.pixel_shuffle(x, upscale_factor=2), u(2, 8, 3, 2))
    report_op("pixel_shuffle_r3", lambda x: L.pixel_shuffle(x, upscale_factor=3),
              u(1, 9, 2, 2))

    report_op("shuffle_channel", lambda x: L.shuffle_channel(x, group=2), u(2, 6, 2, 3))
    # With group ** 2 == C the shuffle is its own inverse, so 1.8.5's backward is right there.
    report_op("shuffle_channel_square", lambda x: L.shuffle_channel(x, group=2), u(2, 4, 2, 2))
    report_op("shuffle_channel_g3", lambda x: L.shuffle_channel(x, group=3), u(1, 6, 3, 1))

    report_op("temporal_shift", lambda x: L.temporal_shift(x, seg_num=2), u(4, 8, 2, 2))
    report_op("temporal_shift_ratio", lambda x: L.temporal_shift(x, seg_num=3, shift_ratio=0.2),
              u(6, 10, 1, 2))
    report_op("temporal_shift_small_c", lambda x: L.temporal_shift(x, seg_num=2), u(2, 3, 2, 2))

    report_op("unfold", lambda x: L.unfold(x, kernel_sizes=2), image)
    report_op("unfold_stride_pad", lambda x: L.unfold(x, kernel_sizes=[2, 3], strides=2,
                                                      paddings=1), image)
    report_op("unfold_four_paddings", lambda x: L.unfold(
        x, kernel_sizes=3, strides=[1, 2], paddings=[1, 0, 2, 1], dilations=1), image)
    report_op("unfold_dilation", lambda x: L.unfold(x, kernel_sizes=2, dilations=[2, 1]), image)
