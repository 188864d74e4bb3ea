# fluid.layers image ops: resizing (every mode, align_corners / align_mode, out_shape and scale),
# sampling grids, adaptive pooling and pool3d. Outputs and input gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, report_op, catch

rng = np.random.RandomState(42)
L = fluid.layers


def u(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape).astype("float32")


img = u(2, 3, 4, 5)                     # N, C, H, W
vol = u(1, 2, 3, 4, 5)                  # N, C, D, H, W

with fluid.dygraph.guard():
    # -- bilinear: up and down, every corner / mode choice, out_shape and scale --
    for shape_name, out_shape in (("up", [7, 9]), ("down", [3, 2]), ("one", [1, 3])):
        for align_corners in (True, False):
            for align_mode in (0, 1):
                report_op(f"bilinear_{shape_name}_ac{int(align_corners)}_am{align_mode}",
                          lambda x: L.resize_bilinear(x, out_shape=out_shape,
                                                      align_corners=align_corners,
                                                      align_mode=align_mode), img)
    for scale in (1.5, 0.6, 2.0):
        for align_corners in (True, False):
            report_op(f"bilinear_scale{scale}_ac{int(align_corners)}",
                      lambda x: L.resize_bilinear(x, scale=scale, align_corners=align_corners,
                                                  align_mode=0), img)
    report_op("bilinear_nhwc", lambda x: L.resize_bilinear(
        x, out_shape=[6, 3], align_corners=False, align_mode=0, data_format="NHWC"), img)
    report_op("bilinear_out_shape_variable", lambda x: L.resize_bilinear(
        x, out_shape=fluid.dygraph.to_variable(np.array([5, 7], "int32"))), img)
    report_op("bilinear_out_shape_mixed", lambda x: L.resize_bilinear(
        x, out_shape=[fluid.dygraph.to_variable(np.array([6], "int32")), 4]), img)

    # -- nearest --
    for shape_name, out_shape in (("up", [7, 9]), ("down", [3, 2])):
        for align_corners in (True, False):
            report_op(f"nearest_{shape_name}_ac{int(align_corners)}",
                      lambda x: L.resize_nearest(x, out_shape=out_shape,
                                                 align_corners=align_corners), img)
    for scale in (1.5, 0.6):
        for align_corners in (True, False):
            report_op(f"nearest_scale{scale}_ac{int(align_corners)}",
                      lambda x: L.resize_nearest(x, scale=scale, align_corners=align_corners),
                      img)
    report_op("nearest_nhwc", lambda x: L.resize_nearest(
        x, out_shape=[6, 3], align_corners=False, data_format="NHWC"), img)

    # -- trilinear --
    for shape_name, out_shape in (("up", [4, 6, 7]), ("down", [2, 3, 2])):
        for align_corners in (True, False):
            for align_mode in (0, 1):
                report_op(f"trilinear_{shape_name}_ac{int(align_corners)}_am{align_mode}",
                          lambda x: L.resize_trilinear(x, out_shape=out_shape,
                                                       align_corners=align_corners,
                                                       align_mode=align_mode), vol)
    report_op("trilinear_scale", lambda x: L.resize_trilinear(x, scale=1.5, align_corners=False,
                                                              align_mode=1), vol)
    report_op("trilinear_ndhwc", lambda x: L.resize_trilinear(
        x, out_shape=[2, 5, 3], align_corners=False, align_mode=0, data_format="NDHWC"), vol)

    # -- image_resize (the dispatcher) and image_resize_short --
    report_op("image_resize_default", lambda x: L.image_resize(x, out_shape=[6, 8]), img)
    report_op("image_resize_nearest", lambda x: L.image_resize(
        x, out_shape=[6, 8], resample="NEAREST", align_corners=False), img)
    report_op("image_resize_bilinear_mode0", lambda x: L.image_resize(
        x, scale=0.5, resample="BILINEAR", align_corners=False, align_mode=0), img)
    report_op("image_resize_trilinear", lambda x: L.image_resize(
        x, out_shape=[5, 2, 3], resample="TRILINEAR", align_corners=True,
        data_format="NCDHW"), vol)
    # image_resize's data_format defaults to NCHW, which a 5-D input refuses.
    report_op("image_resize_5d_default_format", lambda x: L.image_resize(
        x, out_shape=[5, 2, 3], resample="TRILINEAR"), vol)
    report_op("image_resize_short", lambda x: L.image_resize_short(x, out_short_len=6), img)
    report_op("image_resize_short_down", lambda x: L.image_resize_short(x, out_short_len=3),
              u(1, 2, 7, 4))
    report_op("image_resize_short_nearest", lambda x: L.image_resize_short(
        x, out_short_len=5, resample="NEAREST"), img)

    # -- affine_grid and grid_sampler --
    theta = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.2]],
                      [[1.2, 0.4, 0.0], [-0.1, 0.7, 0.3]]], "float32")
    report_op("affine_grid", lambda t: L.affine_grid(t, out_shape=[2, 3, 4, 5]), theta)
    report_op("affine_grid_square", lambda t: L.affine_grid(t, out_shape=[2, 1, 3, 3]), theta)
    report_op("affine_grid_shape_variable", lambda t: L.affine_grid(
        t, out_shape=fluid.dygraph.to_variable(np.array([2, 3, 5, 4], "int32"))), theta)
    grid_in = u(2, 4, 5, 2, low=-0.95, high=0.95)     # inside the image
    grid_out = u(2, 4, 5, 2, low=-1.4, high=1.4)      # partly outside: zero padding
    report_op("grid_sampler", L.grid_sampler, img, grid_in)
    report_op("grid_sampler_outside", L.grid_sampler, img, grid_out)
    # theta * 0.83 keeps every sampling point off the pixel lattice, where the derivative of
    # bilinear sampling jumps (so either one-sided value would be right). Paddle 1.8.5 crashes
    # (SIGSEGV) in grid_sampler's backward when x needs no gradient, so x always needs one.
    report_op("affine_grid_then_sampler", lambda x, t: L.grid_sampler(
        x, L.affine_grid(t, out_shape=[2, 3, 4, 5])), img, theta * 0.83)

    # -- adaptive pooling (windows [floor(o*I/O), ceil((o+1)*I/O))) --
    feat = u(2, 3, 7, 5)
    for pool_type in ("max", "avg"):
        report_op(f"adaptive_pool2d_{pool_type}", lambda x: L.adaptive_pool2d(
            x, pool_size=[3, 2], pool_type=pool_type), feat)
        report_op(f"adaptive_pool2d_{pool_type}_int", lambda x: L.adaptive_pool2d(
            x, pool_size=4, pool_type=pool_type), feat)
        report_op(f"adaptive_pool3d_{pool_type}", lambda x: L.adaptive_pool3d(
            x, pool_size=[2, 3, 2], pool_type=pool_type), vol)
        report_op(f"adaptive_pool3d_{pool_type}_int", lambda x: L.adaptive_pool3d(
            x, pool_size=1, pool_type=pool_type), vol)
    report_op("adaptive_pool2d_max_index", lambda x: L.adaptive_pool2d(
        x, pool_size=[3, 2], pool_type="max", require_index=True), feat)
    report_op("adaptive_pool2d_upsample_index", lambda x: L.adaptive_pool2d(
        x, pool_size=[9, 6], pool_type="max", require_index=True), feat)
    report_op("adaptive_pool3d_max_index", lambda x: L.adaptive_pool3d(
        x, pool_size=[2, 3, 2], pool_type="max", require_index=True), vol)
    ties = np.zeros((1, 1, 4, 4), "float32")
    ties[0, 0, 1:3, 1:3] = 1.0
    report_op("adaptive_pool2d_ties_index", lambda x: L.adaptive_pool2d(
        x, pool_size=2, pool_type="max", require_index=True), ties)

    # -- pool3d (ceil_mode only where no window lies wholly in the padding) --
    cube = u(2, 2, 5, 6, 7)
    for pool_type in ("max", "avg"):
        report_op(f"pool3d_{pool_type}", lambda x: L.pool3d(
            x, pool_size=2, pool_type=pool_type, pool_stride=2), cube)
        report_op(f"pool3d_{pool_type}_pad", lambda x: L.pool3d(
            x, pool_size=[3, 2, 3], pool_type=pool_type, pool_stride=[2, 1, 2],
            pool_padding=[1, 0, 1]), cube)
        report_op(f"pool3d_{pool_type}_ceil", lambda x: L.pool3d(
            x, pool_size=2, pool_type=pool_type, pool_stride=2, ceil_mode=True), cube)
        report_op(f"pool3d_{pool_type}_global", lambda x: L.pool3d(
            x, pool_size=2, pool_type=pool_type, global_pooling=True), cube)
    # ceil_mode with padding: each last window still holds real entries.
    for exclusive in (True, False):
        report_op(f"pool3d_avg_ceil_pad_excl{int(exclusive)}", lambda x: L.pool3d(
            x, pool_size=3, pool_type="avg", pool_stride=2, pool_padding=1, ceil_mode=True,
            exclusive=exclusive), cube)
    report_op("pool3d_max_ceil_pad", lambda x: L.pool3d(
        x, pool_size=3, pool_type="max", pool_stride=2, pool_padding=1, ceil_mode=True), cube)
    report_op("pool3d_avg_inclusive", lambda x: L.pool3d(
        x, pool_size=3, pool_type="avg", pool_stride=2, pool_padding=1, exclusive=False), cube)
    report_op("pool3d_avg_exclusive", lambda x: L.pool3d(
        x, pool_size=3, pool_type="avg", pool_stride=2, pool_padding=1, exclusive=True), cube)
    report_op("pool3d_ndhwc", lambda x: L.pool3d(
        x, pool_size=2, pool_type="max", pool_stride=1, data_format="NDHWC"), cube)
    report_op("pool3d_pad_pairs", lambda x: L.pool3d(
        x, pool_size=2, pool_type="avg", pool_stride=2,
        pool_padding=[[0, 0], [0, 0], [1, 0], [0, 1], [1, 1]]), cube)
    report_op("pool3d_pad_same", lambda x: L.pool3d(
        x, pool_size=3, pool_type="max", pool_stride=2, pool_padding="SAME"), cube)
    report_op("pool3d_pad_valid", lambda x: L.pool3d(
        x, pool_size=3, pool_type="avg", pool_stride=2, pool_padding="VALID"), cube)

    # -- edge cases --
    report_op("bilinear_identity", lambda x: L.resize_bilinear(x, out_shape=[4, 5]), img)
    report_op("bilinear_identity_ac0", lambda x: L.resize_bilinear(
        x, out_shape=[4, 5], align_corners=False, align_mode=0), img)
    report_op("nearest_to_one", lambda x: L.resize_nearest(x, out_shape=[1, 1]), img)
    report_op("nearest_to_one_ac0", lambda x: L.resize_nearest(
        x, out_shape=[1, 1], align_corners=False), img)
    report_op("bilinear_from_one", lambda x: L.resize_bilinear(x, out_shape=[3, 4]),
              u(1, 2, 1, 1))
    report_op("bilinear_float64", lambda x: L.resize_bilinear(
        x, out_shape=[6, 7], align_corners=False, align_mode=0), img.astype("float64"))
    report_op("nearest_scale_variable", lambda x: L.resize_nearest(
        x, scale=fluid.dygraph.to_variable(np.array([1.5], "float32"))), img)
    report_op("bilinear_actual_shape", lambda x: L.resize_bilinear(
        x, out_shape=[8, 8], actual_shape=fluid.dygraph.to_variable(np.array([6, 3], "int32"))),
        img)
    report_op("adaptive_pool2d_avg_upsample", lambda x: L.adaptive_pool2d(
        x, pool_size=[9, 6], pool_type="avg"), feat)
    report_op("adaptive_pool2d_float64", lambda x: L.adaptive_pool2d(
        x, pool_size=[2, 3], pool_type="avg"), feat.astype("float64"))
    grid_edges = np.array([[[[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]],
                            [[1.0, -1.0], [0.0, 0.0], [0.5, -0.25]]]], "float32")
    report_op("grid_sampler_corners", L.grid_sampler, u(1, 2, 2, 3), grid_edges)
    report_op("affine_grid_identity", lambda t: L.affine_grid(t, out_shape=[1, 1, 3, 4]),
              np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], "float32"))
    report_op("pool3d_global_avg_ndhwc", lambda x: L.pool3d(
        x, pool_type="avg", global_pooling=True, data_format="NDHWC"), cube)
    report_op("pool3d_float64", lambda x: L.pool3d(
        x, pool_size=2, pool_type="avg", pool_stride=2), cube.astype("float64"))

    report_op("bilinear_nhwc_scale", lambda x: L.resize_bilinear(
        x, scale=1.7, align_corners=True, data_format="NHWC"), img)
    report_op("nearest_nhwc_scale", lambda x: L.resize_nearest(
        x, scale=0.7, align_corners=True, data_format="NHWC"), img)
    report_op("trilinear_ndhwc_scale", lambda x: L.resize_trilinear(
        x, scale=0.8, align_corners=True, data_format="NDHWC"), vol)
    report_op("grid_sampler_float64", L.grid_sampler, img.astype("float64"),
              grid_in.astype("float64"))
    report_op("affine_grid_float64", lambda t: L.affine_grid(t, out_shape=[2, 3, 3, 4]),
              theta.astype("float64"))
    report_op("adaptive_pool3d_max_nondivisible", lambda x: L.adaptive_pool3d(
        x, pool_size=[3, 2, 4], pool_type="max"), u(1, 2, 5, 5, 7))
    report_op("pool3d_stride_bigger_than_kernel", lambda x: L.pool3d(
        x, pool_size=2, pool_type="max", pool_stride=3), cube)
    report_op("pool3d_list_sizes", lambda x: L.pool3d(
        x, pool_size=[1, 2, 3], pool_type="avg", pool_stride=[1, 2, 2],
        pool_padding=[0, 1, 1]), cube)

    # -- bad input: both must raise --
    as_var = fluid.dygraph.to_variable
    with catch("resize_bilinear_on_5d"):
        L.resize_bilinear(as_var(vol), out_shape=[2, 2])
    with catch("resize_trilinear_on_4d"):
        L.resize_trilinear(as_var(img), out_shape=[2, 2, 2])
    with catch("resize_no_shape_or_scale"):
        L.resize_bilinear(as_var(img))
    with catch("resize_bad_resample"):
        L.image_resize(as_var(img), out_shape=[2, 2], resample="BICUBIC")
    with catch("resize_align_mode_bad"):
        L.resize_bilinear(as_var(img), out_shape=[2, 2], align_mode=2).numpy()
    with catch("resize_out_shape_wrong_length"):
        L.resize_bilinear(as_var(img), out_shape=[2, 2, 2])
    with catch("resize_scale_not_positive"):
        L.resize_bilinear(as_var(img), scale=0.0)
    with catch("adaptive_pool2d_avg_require_index"):
        L.adaptive_pool2d(as_var(feat), pool_size=2, pool_type="avg", require_index=True)
    with catch("adaptive_pool2d_bad_type"):
        L.adaptive_pool2d(as_var(feat), pool_size=2, pool_type="min")
    with catch("adaptive_pool3d_on_4d"):
        L.adaptive_pool3d(as_var(feat), pool_size=2).numpy()
    with catch("pool3d_bad_type"):
        L.pool3d(as_var(cube), pool_size=2, pool_type="min")
    with catch("pool3d_on_4d"):
        L.pool3d(as_var(feat), pool_size=2).numpy()
    with catch("pool3d_bad_padding_string"):
        L.pool3d(as_var(cube), pool_size=2, pool_padding="FULL")
    with catch("affine_grid_theta_2d"):
        L.affine_grid(as_var(theta[0]), out_shape=[1, 1, 3, 3]).numpy()
    with catch("grid_sampler_grid_last_dim_3"):
        L.grid_sampler(as_var(img), as_var(u(2, 4, 5, 3))).numpy()
    report("done", True)
