"""conv2d / conv2d_transpose: fast path vs direct loops, the adjoint identity, first and second
order gradients by finite differences, PyTorch as an extra oracle, and the bad-input table."""
import tracemalloc

import numpy as np
import pytest

import minigrad
import minigrad as fluid
from minigrad.ops import conv as C

import reference

# (N, C, F, H, W, kernel, stride, padding, dilation, groups): C -> F for conv2d, and the
# transposed op maps F -> C over the same geometry.
CASES = [
    (2, 3, 4, 7, 6, 3, 1, 0, 1, 1),
    (2, 4, 6, 7, 8, 3, 2, 1, 1, 2),
    (1, 4, 4, 9, 7, (3, 2), (2, 3), (1, 2), (2, 1), 4),
    (1, 2, 3, 1, 1, 1, 1, 0, 1, 1),           # 1x1 input and kernel, batch 1
    (3, 2, 2, 8, 8, 4, 2, 1, 1, 1),           # DCGAN-like 4/2/1
    (2, 3, 2, 8, 6, 2, 2, 0, 1, 1),           # kernel == stride (U-Net up)
    (1, 2, 2, 9, 9, 3, 3, 2, 2, 1),           # stride > 1 with dilation
    (2, 4, 4, 10, 10, 3, 1, 2, 2, 4),         # grouped, dilated, stride 1
    (1, 2, 3, 5, 12, (1, 5), (1, 2), (0, 2), (1, 1), 1),  # non-square everything
    (2, 2, 2, 6, 6, 3, 4, 1, 1, 1),           # stride > kernel: cells no tap reaches
]


def _ids(case):
    return "N{}C{}F{}_{}x{}_k{}s{}p{}d{}g{}".format(*case).replace(" ", "")


def _kernel(case):
    k = case[5]
    return k if isinstance(k, tuple) else (k, k)


def _arrays(case, dtype=np.float64, seed=0):
    n, c, f, h, w, _, stride, padding, dilation, groups = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    weight = rng.standard_normal((f, c // groups) + _kernel(case)).astype(dtype)
    return x, weight, rng.standard_normal(f).astype(dtype), rng.standard_normal(c).astype(dtype)


def _geometry_kwargs(case):
    return dict(stride=case[6], padding=case[7], dilation=case[8], groups=case[9])


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_matches_direct_loops(case, dtype):
    x, w, b, _ = _arrays(case, dtype)
    kwargs = _geometry_kwargs(case)
    with fluid.dygraph.guard():
        y = C.conv2d(fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(w),
                     fluid.dygraph.to_variable(b), **kwargs)
    assert y.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), reference.conv2d(x, w, b, **kwargs), rtol=tolerance,
                               atol=tolerance)


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("extra", [0, -1], ids=["default_size", "largest_output_size"])
def test_conv2d_transpose_matches_scatter_loops(case, dtype, extra):
    n, c, f, h, w, _, stride, padding, dilation, groups = case
    _, weight, _, bias = _arrays(case, dtype)
    oh, ow = (C.conv_output_size(size, k, s, p, d) for size, k, s, p, d in zip(
        (h, w), _kernel(case), C.pair("t", "s", stride), C.pair("t", "p", padding),
        C.pair("t", "d", dilation)))
    if min(oh, ow) < 1:
        pytest.skip("kernel larger than the padded input")
    x = np.random.default_rng(1).standard_normal((n, f, oh, ow)).astype(dtype)
    kwargs = _geometry_kwargs(case)
    output_size = None
    if extra:
        low_high = [C.output_size_range(size, k, s, p, d) for size, k, s, p, d in zip(
            (oh, ow), _kernel(case), C.pair("t", "s", stride), C.pair("t", "p", padding),
            C.pair("t", "d", dilation))]
        output_size = [high - 1 for _, high in low_high]
    with fluid.dygraph.guard():
        y = C.conv2d_transpose(fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(weight),
                               fluid.dygraph.to_variable(bias), output_size=output_size,
                               **kwargs)
    assert y.dtype == dtype
    expected = reference.conv2d_transpose(x, weight, bias, output_size=output_size, **kwargs)
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_adjoint_identity(case):
    """<conv2d(x, w), y> == <x, conv2d_transpose(y, w)> for every input size the transposed op
    can produce, in float64 to ~1e-12."""
    n, c, f, h, w, *_ = case
    x, weight, _, _ = _arrays(case)
    kwargs = _geometry_kwargs(case)
    conv = C.conv2d(x, weight, **kwargs)
    y = np.random.default_rng(2).standard_normal(conv.shape)
    back = C.conv2d_transpose(y, weight, output_size=(h, w), **kwargs)
    lhs, rhs = np.vdot(conv, y), np.vdot(x, back)
    assert abs(lhs - rhs) <= 1e-12 * max(1.0, abs(lhs)) * 10


@pytest.mark.parametrize("mode", C.ROW_MODES)
def test_im2col_col2im_are_adjoint(mode, monkeypatch):
    monkeypatch.setattr(C, "FORCE_ROW_MODE", mode)
    geo = C._Geometry(2, 3, 4, 9, 8, (3, 2), (2, 3), (1, 1), (2, 1), 1)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 8))
    cols = rng.standard_normal((1, 6, 3, 2, geo.RH, geo.RW))
    cols[..., geo.OW:] = 0      # padding columns and rows carry no data
    cols[..., geo.OH:, :] = 0
    assert np.isclose(np.vdot(C.im2col(x, geo), cols), np.vdot(x, C.col2im(cols, geo)),
                      rtol=1e-12)


# -- every layout and path the cost model can pick -----------------------------------------

VARIANTS = {
    "compact_rows": dict(FORCE_ROW_MODE="compact"),
    "row_flat_rows": dict(FORCE_ROW_MODE="row-flat"),
    "image_flat_rows": dict(FORCE_ROW_MODE="image-flat"),
    "batch_minor_rows": dict(FORCE_ROW_MODE="batch-minor"),
    "one_piece": dict(PIECE_ELEMENTS=float("inf")),
    "piece_per_phase": dict(PIECE_ELEMENTS=0),
    # Every convolution split into up to 3 batch parts (uneven ones too), each on a thread.
    "batch_parts": dict(SPLIT_MIN_FLOPS=0, WORKERS=3),
    # Forward and weight-gradient GEMMs in column blocks of 5 (the last one shorter).
    "gemm_blocks": dict(GEMM_BLOCK_COLUMNS=5),
    # One GEMM per image wherever the rows are whole images (compact rows, one piece).
    "per_image_gemms": dict(FORCE_ROW_MODE="compact", PER_IMAGE_MAX_K_OVER_P=float("inf")),
}


INPUT_GRAD_PATHS = ["subpixel", "col2im", "col2im_own_rows", "batch_minor_subpixel",
                    "batch_minor_col2im"]


@pytest.fixture(params=sorted(VARIANTS) + INPUT_GRAD_PATHS)
def variant(request, monkeypatch):
    """Force one layout (flat/compact/batch-minor rows), im2col chunking or input-gradient
    path."""
    monkeypatch.setattr(C, "_geometries", {})      # cached geometries predate the patches
    for name, value in VARIANTS.get(request.param, {}).items():
        monkeypatch.setattr(C, name, value)
    if request.param.startswith("batch_minor_"):
        monkeypatch.setattr(C, "FORCE_ROW_MODE", "batch-minor")
    if request.param == "col2im_own_rows":
        # Forward and weight gradient on compact rows, GEMM + col2im on image-flat rows.
        monkeypatch.setattr(C._Geometry, "_gemm_cost", lambda geo, columns: float(columns))
        monkeypatch.setattr(C._Geometry, "_col2im_cost", lambda geo, columns, loops: -columns)
    if request.param in INPUT_GRAD_PATHS:
        wanted = request.param.endswith("subpixel")
        monkeypatch.setattr(C._Geometry, "_subpixel_is_cheaper",
                            lambda geo: wanted)
    return request.param


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_variant_matches_reference(case, variant):
    x, w, b, b_t = _arrays(case)
    kwargs = _geometry_kwargs(case)
    y = C.conv2d(x, w, b, **kwargs)
    np.testing.assert_allclose(y, reference.conv2d(x, w, b, **kwargs), atol=1e-12)
    gy = np.random.default_rng(9).standard_normal(y.shape)
    back = C.conv2d_transpose(gy, w, b_t, output_size=case[3:5], **kwargs)
    np.testing.assert_allclose(back, reference.conv2d_transpose(gy, w, b_t, output_size=case[3:5],
                                                                **kwargs), atol=1e-12)
    # Weight gradient by its definition: d<conv2d(x, w), gy>/dw is bilinear, so exact here.
    expected = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        unit = np.zeros_like(w)
        unit[index] = 1
        expected[index] = np.vdot(reference.conv2d(x, unit, **kwargs), gy)
    np.testing.assert_allclose(C.conv2d_weight_grad(x, gy, w.shape, **kwargs), expected,
                               atol=1e-10)
    # Both gradients of conv2d_transpose from one pass over gy's im2col pieces.
    geo = C._Geometry(*x.shape[:2], w.shape[0], *x.shape[2:], w.shape[2:],
                      *(C.pair("t", "a", kwargs[k]) for k in ("stride", "padding", "dilation")),
                      kwargs["groups"])
    both = C._forward_and_weight_grad(x, w, gy, geo)
    np.testing.assert_allclose(both[0], reference.conv2d(x, w, **kwargs), atol=1e-12)
    np.testing.assert_allclose(both[1], expected, atol=1e-10)


# -- gradients -------------------------------------------------------------------------------

GRAD_CASES = [
    (1, 2, 2, 4, 3, 2, 1, 0, 1, 1),
    (1, 2, 4, 5, 5, 3, 2, 1, 1, 2),
    (2, 2, 2, 4, 5, (2, 3), (1, 2), (1, 0), (2, 1), 1),
]


@pytest.mark.parametrize("case", GRAD_CASES, ids=_ids)
@pytest.mark.parametrize("transpose", [False, True], ids=["conv2d", "conv2d_transpose"])
def test_gradcheck_input_weight_bias(case, transpose):
    x, w, b, b_t = _arrays(case)
    kwargs = _geometry_kwargs(case)
    if transpose:
        x = np.random.default_rng(4).standard_normal(C.conv2d(x, w, **kwargs).shape)
        inputs = [x, w, b_t]

        def fn(x, w, b):
            return C.conv2d_transpose(x, w, b, output_size=case[3:5], **kwargs)
    else:
        inputs = [x, w, b]

        def fn(x, w, b):
            return C.conv2d(x, w, b, **kwargs)
    assert minigrad.gradcheck(fn, inputs)


@pytest.mark.parametrize("case", GRAD_CASES[:2], ids=_ids)
@pytest.mark.parametrize("transpose", [False, True], ids=["conv2d", "conv2d_transpose"])
def test_gradgradcheck_input_weight_bias(case, transpose):
    x, w, b, b_t = _arrays(case)
    kwargs = _geometry_kwargs(case)
    if transpose:
        x = np.random.default_rng(5).standard_normal(C.conv2d(x, w, **kwargs).shape)
        inputs = [x, w, b_t]

        def fn(x, w, b):
            # tanh makes the second derivative depend on more than the bilinear part.
            return fluid.layers.tanh(C.conv2d_transpose(x, w, b, output_size=case[3:5],
                                                        **kwargs))
    else:
        inputs = [x, w, b]

        def fn(x, w, b):
            return fluid.layers.tanh(C.conv2d(x, w, b, **kwargs))
    assert minigrad.gradgradcheck(fn, inputs)


def test_gradient_penalty_through_conv2d_transpose():
    """WGAN-GP style: d/dw of ||d out / d x||^2 runs, and matches finite differences."""
    rng = np.random.default_rng(6)
    x0 = rng.standard_normal((1, 2, 3, 3))
    w0 = rng.standard_normal((2, 1, 3, 3))

    def penalty(w_value):
        with fluid.dygraph.guard():
            x = fluid.dygraph.to_variable(x0)
            x.stop_gradient = False
            w = fluid.dygraph.to_variable(w_value)
            w.stop_gradient = False
            out = fluid.layers.tanh(C.conv2d_transpose(x, w, stride=2, padding=1))
            (gx,) = fluid.dygraph.grad(out, [x], create_graph=True)
            loss = fluid.layers.reduce_sum(gx * gx)
            loss.backward()
            return float(loss.numpy()[0]), w.gradient()

    _, analytic = penalty(w0)
    eps = 1e-6
    index = (1, 0, 2, 1)
    plus, minus = w0.copy(), w0.copy()
    plus[index] += eps
    minus[index] -= eps
    numeric = (penalty(plus)[0] - penalty(minus)[0]) / (2 * eps)
    assert np.isclose(analytic[index], numeric, rtol=1e-5, atol=1e-7)


def test_frozen_weight_skips_its_gradient():
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.ones((1, 2, 4, 4)))
        x.stop_gradient = False
        w = fluid.dygraph.to_variable(np.ones((3, 2, 3, 3)))   # stop_gradient=True
        C.conv2d(x, w).backward()
        assert w.gradient() is None
        # Each input cell is seen by as many windows as cover it, each weight 1, 3 filters.
        expected = reference.conv2d_transpose(np.ones((1, 3, 2, 2)), np.ones((3, 2, 3, 3)))
        np.testing.assert_allclose(x.gradient(), expected)


def test_float32_stays_float32_in_gradients():
    with fluid.dygraph.guard():
        x = fluid.dygraph.to_variable(np.ones((1, 2, 5, 5), np.float32))
        x.stop_gradient = False
        w = fluid.dygraph.to_variable(np.ones((2, 3, 3, 3), np.float32))
        w.stop_gradient = False
        b = fluid.dygraph.to_variable(np.ones(3, np.float32))
        b.stop_gradient = False
        y = C.conv2d_transpose(x, w, b, stride=2)
        y.backward()
        assert y.dtype == np.float32
        assert {x.gradient().dtype, w.gradient().dtype, b.gradient().dtype} == {np.dtype("f4")}


def test_fluid_layers_forms_with_a_weight_are_the_ops():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((3, 2, 3, 3))
    with fluid.dygraph.guard():
        xv, wv = fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(w)
        np.testing.assert_array_equal(fluid.layers.conv2d(xv, wv, padding=1).numpy(),
                                      C.conv2d(xv, wv, padding=1).numpy())
        y = fluid.dygraph.to_variable(rng.standard_normal((1, 3, 4, 4)))
        np.testing.assert_array_equal(fluid.layers.conv2d_transpose(y, wv, stride=2).numpy(),
                                      C.conv2d_transpose(y, wv, stride=2).numpy())


# -- PyTorch as an extra oracle ---------------------------------------------------------------


@pytest.mark.parametrize("case", CASES[:6], ids=_ids)
def test_against_torch(case):
    torch = pytest.importorskip("torch")
    x, w, b, b_t = _arrays(case)
    kwargs = _geometry_kwargs(case)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, **kwargs)
    gy = np.random.default_rng(7).standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(gy))
    with fluid.dygraph.guard():
        mx, mw, mb = (fluid.dygraph.to_variable(a) for a in (x, w, b))
        for v in (mx, mw, mb):
            v.stop_gradient = False
        y = C.conv2d(mx, mw, mb, **kwargs)
        loss = fluid.layers.reduce_sum(y * fluid.dygraph.to_variable(gy))
        loss.backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-12)
        for mine, theirs in ((mx, tx), (mw, tw), (mb, tb)):
            np.testing.assert_allclose(mine.gradient(), theirs.grad.numpy(), atol=1e-11)
    # The transposed op, with the largest output_size.
    t_in = np.random.default_rng(8).standard_normal(tuple(ty.shape))
    n, c, f, h, w_, *_ = case
    theirs = torch.nn.functional.conv_transpose2d(
        torch.tensor(t_in), torch.tensor(w), torch.tensor(b_t), stride=kwargs["stride"],
        padding=kwargs["padding"], dilation=kwargs["dilation"], groups=kwargs["groups"],
        output_padding=_output_padding(case, (h, w_), ty.shape[2:]))
    mine = C.conv2d_transpose(t_in, w, b_t, output_size=(h, w_), **kwargs)
    np.testing.assert_allclose(mine, theirs.numpy(), atol=1e-12)


def _output_padding(case, size, in_size):
    kernel = _kernel(case)
    stride, padding, dilation = (C.pair("t", "a", v) for v in case[6:9])
    return tuple(size[i] - C.deconv_output_size(in_size[i], kernel[i], stride[i], padding[i],
                                                dilation[i]) for i in range(2))


# -- bad input --------------------------------------------------------------------------------


def _bad_conv_calls():
    x = np.zeros((1, 4, 6, 6))
    w = np.zeros((2, 4, 3, 3))
    return [
        ("ndim", lambda: C.conv2d(np.zeros((4, 6, 6)), w), ValueError, "4-D"),
        ("channels", lambda: C.conv2d(np.zeros((1, 3, 6, 6)), w), ValueError, "channels"),
        ("groups divide", lambda: C.conv2d(x, np.zeros((3, 2, 3, 3)), groups=2), ValueError,
         "groups=2 must divide"),
        ("zero stride", lambda: C.conv2d(x, w, stride=0), ValueError, "stride must be >= 1"),
        ("negative stride", lambda: C.conv2d(x, w, stride=(1, -2)), ValueError, "stride"),
        ("zero dilation", lambda: C.conv2d(x, w, dilation=0), ValueError, "dilation"),
        ("negative padding", lambda: C.conv2d(x, w, padding=-1), ValueError, "padding"),
        ("zero groups", lambda: C.conv2d(x, w, groups=0), ValueError, "groups"),
        ("kernel too big", lambda: C.conv2d(np.zeros((1, 4, 2, 2)), w), ValueError,
         "larger than the padded input"),
        ("dtype mismatch", lambda: C.conv2d(x.astype(np.float32), w), TypeError, "dtype"),
        ("integer input", lambda: C.conv2d(x.astype(np.int64), w), TypeError, "floating"),
        ("bias shape", lambda: C.conv2d(x, w, np.zeros(3)), ValueError, "bias must have shape"),
        ("not a tensor", lambda: C.conv2d([[1.0]], w), TypeError, "Variable"),
        ("zero-size weight", lambda: C.conv2d(x, np.zeros((0, 4, 3, 3))), ValueError,
         "zero-sized"),
        ("transpose channels", lambda: C.conv2d_transpose(np.zeros((1, 3, 4, 4)), w),
         ValueError, "channels"),
        ("transpose groups", lambda: C.conv2d_transpose(np.zeros((1, 2, 4, 4)),
                                                        np.zeros((2, 1, 3, 3)), groups=4),
         ValueError, "groups=4"),
        ("output_size low", lambda: C.conv2d_transpose(np.zeros((1, 2, 4, 4)), w, stride=2,
                                                       output_size=8),
         ValueError, "output_size height 8"),
        ("output_size high", lambda: C.conv2d_transpose(np.zeros((1, 2, 4, 4)), w, stride=2,
                                                        output_size=(9, 11)),
         ValueError, "[9, 11)"),
        ("output_size type", lambda: C.conv2d_transpose(np.zeros((1, 2, 4, 4)), w,
                                                        output_size="9"),
         TypeError, "output_size"),
        ("non-positive output", lambda: C.conv2d_transpose(np.zeros((1, 2, 1, 1)),
                                                           np.zeros((2, 4, 1, 1)), padding=1),
         ValueError, "not positive"),
    ]


@pytest.mark.parametrize("name, call, error, text", _bad_conv_calls(),
                         ids=[c[0] for c in _bad_conv_calls()])
def test_bad_input_is_a_clear_error(name, call, error, text):
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)
    assert str(info.value).startswith(("conv2d", "conv2d_transpose"))


def test_output_size_error_names_received_size_and_range():
    with pytest.raises(ValueError) as info:
        C.conv2d_transpose(np.zeros((1, 2, 4, 4)), np.zeros((2, 4, 3, 3)), stride=3, padding=1,
                           output_size=[20, 10])
    message = str(info.value)
    # H' = 3 * 3 - 2 + 2 + 1 = 10: valid heights are 10, 11, 12.
    assert "20" in message and "[10, 13)" in message


def test_output_sizes_in_one_place():
    assert C.conv_output_size(32, 3, 1, 0, 1) == 30
    assert C.deconv_output_size(32, 3, 1, 0, 1) == 34
    assert C.deconv_output_size(8, 4, 2, 1, 1) == 16
    assert C.output_size_range(8, 4, 2, 1, 1) == (16, 18)
    for size in range(*C.output_size_range(7, 3, 3, 1, 2)):
        assert C.conv_output_size(size, 3, 3, 1, 2) == 7


def test_kernel_equal_to_stride_uses_the_phase_grid_as_im2col():
    geo = C._Geometry(2, 3, 2, 8, 6, (2, 2), (2, 2), (0, 0), (1, 1), 1)
    assert geo.phases_are_cols
    x = np.random.default_rng(10).standard_normal((2, 3, 8, 6))
    cols = C.im2col(x, geo)
    # Tap (kh, kw) of output (oh, ow) is input pixel (2 oh + kh, 2 ow + kw).
    for kh, kw in np.ndindex(2, 2):
        np.testing.assert_array_equal(cols[0, kh * 2 + kw],
                                      x[:, :, kh::2, kw::2].transpose(1, 0, 2, 3))


def test_batch_minor_grids_are_views_with_the_batch_innermost(monkeypatch):
    monkeypatch.setattr(C, "FORCE_ROW_MODE", "batch-minor")
    geo = C._Geometry(5, 3, 2, 7, 6, (3, 2), (2, 1), (1, 0), (1, 2), 1)
    x = np.random.default_rng(12).standard_normal((5, 3, 7, 6))
    cols = C.im2col(x, geo)
    assert cols.strides[3] == x.itemsize        # the batch axis is the contiguous one
    # Tap (kh, kw) of output (oh, ow) is input pixel (2 oh + kh - 1, ow + 2 kw).
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    for kh, kw in np.ndindex(3, 2):
        np.testing.assert_array_equal(
            cols[0, kh * 2 + kw],
            padded[:, :, kh:kh + 2 * geo.OH - 1:2, 2 * kw:2 * kw + geo.OW].transpose(1, 0, 2, 3))


def test_cost_model_keeps_batch_minor_for_batches_that_give_long_rows():
    # LeNet's second convolution: 10x10 outputs, 64 images -> rows of 64 instead of 10.
    assert C._Geometry(64, 6, 16, 14, 14, (5, 5), (1, 1), (0, 0), (1, 1), 1).batch_minor
    # One image: a row of 1 is never cheaper, whatever the image size.
    for size in (4, 7, 14, 28):
        assert not C._Geometry(1, 6, 16, size, size, (3, 3), (1, 1), (1, 1), (1, 1), 1).batch_minor


def test_memory_bound_gemms_run_in_column_blocks_with_the_same_result(monkeypatch):
    # LeNet's first convolution ([6, 25] x [25, N 28 28]) is memory-bound; DCGAN's is not.
    assert C._Geometry(64, 1, 6, 28, 28, (5, 5), (1, 1), (2, 2), (1, 1), 1).block_gemms
    assert not C._Geometry(64, 128, 64, 16, 16, (4, 4), (2, 2), (1, 1), (1, 1), 1).block_gemms
    monkeypatch.setattr(C, "GEMM_BLOCK_COLUMNS", 4)
    rng = np.random.default_rng(2)
    a, b, c = rng.random((2, 3, 5)), rng.random((2, 5, 23)), rng.random((2, 3, 23))
    np.testing.assert_allclose(C._matmul_blocks(a, b), a @ b, rtol=1e-14)
    np.testing.assert_allclose(C._matmul_transposed_blocks(b, c), b @ c.transpose(0, 2, 1),
                               rtol=1e-14)


def test_batch_parts_share_the_im2col_piece_budget(monkeypatch):
    monkeypatch.setattr(C, "WORKERS", 2)
    # DCGAN's 8 -> 16 transposed conv: one part alone would merge two phases (8 taps) per piece.
    geo = C._Geometry(64, 128, 256, 16, 16, (4, 4), (2, 2), (1, 1), (1, 1), 1)
    assert len(geo.parts) == 2
    alone = C._Geometry(32, 128, 256, 16, 16, (4, 4), (2, 2), (1, 1), (1, 1), 1, split=False)
    assert max(map(len, alone.chunks)) == 8
    for _, part in geo.parts:
        per_tap = part.C * part.N * part.RH * part.RW
        assert max(map(len, part.chunks)) == 4
        assert 4 * per_tap <= C.PIECE_ELEMENTS / 2


def test_im2col_pieces_build_the_phase_grid_phase_by_phase(monkeypatch):
    """With a piece per phase, a piece's phase is freed before the next is built: the pieces
    never sit next to the whole (zero-padded) phase grid."""
    monkeypatch.setattr(C, "PIECE_ELEMENTS", 0)
    x = np.random.default_rng(4).standard_normal((4, 8, 32, 32))
    geo = C._Geometry(4, 8, 6, 32, 32, (4, 4), (2, 2), (1, 1), (1, 1), 1, split=False)
    assert [len(chunk) for chunk in geo.chunks] == [4, 4, 4, 4]
    phase_bytes = 8 * 4 * geo.HQ * geo.WQ * 8
    piece_bytes = 4 * 8 * 4 * geo.RH * geo.RW * 8
    expected = C.im2col(x, geo)
    pieces, peaks = C._im2col_pieces(x, geo), []
    tracemalloc.start()
    try:
        while True:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            piece = next(pieces, None)
            if piece is None:
                break
            peaks.append(tracemalloc.get_traced_memory()[1] - before)    # making this piece
            taps, cols = piece
            np.testing.assert_array_equal(
                cols.reshape(4, 8, -1), expected[0, taps].reshape(4, 8, -1))
    finally:
        tracemalloc.stop()
    assert len(peaks) == 4
    assert max(peaks) < piece_bytes + 1.5 * phase_bytes       # the whole grid is 4 phases


def test_per_image_gemms_where_rows_are_whole_images():
    # U-Net's up-sampling (kernel == stride, one piece) and LeNet's first layer: yes.
    assert C._Geometry(8, 64, 128, 64, 64, (2, 2), (2, 2), (0, 0), (1, 1), 1).rows_are_images
    assert C._Geometry(64, 1, 6, 28, 28, (5, 5), (1, 1), (2, 2), (1, 1), 1).rows_are_images
    # Batch-minor rows (LeNet's second layer), and DCGAN's 4 pieces: no.
    assert not C._Geometry(64, 6, 16, 14, 14, (5, 5), (1, 1), (0, 0), (1, 1), 1).rows_are_images
    assert not C._Geometry(64, 128, 256, 16, 16, (4, 4), (2, 2), (1, 1), (1, 1), 1,
                           split=False).rows_are_images


def test_geometries_are_built_once_per_shape_and_tuning(monkeypatch):
    monkeypatch.setattr(C, "_geometries", {})
    args = (8, 3, 4, 9, 9, (3, 3), (1, 1), (1, 1), (1, 1), 1)
    assert C._geometry(*args) is C._geometry(*args)
    monkeypatch.setattr(C, "FORCE_ROW_MODE", "image-flat")
    assert C._geometry(*args).row_mode == "image-flat"


@pytest.mark.parametrize("keep", [True, False], ids=["kept_im2col", "recomputed_im2col"])
def test_batch_parts_train_like_one_part(keep, monkeypatch):
    """Forward (keeping its im2col per part, or not) and backward through the recorded ops."""
    x0, w0, b0, _ = _arrays((5, 4, 6, 9, 8, 3, 2, 1, 1, 2), dtype=np.float32)
    if not keep:
        monkeypatch.setattr(C, "KEEP_COLS_BYTES", 0)

    def gradients():
        with fluid.dygraph.guard():
            x, w, b = (fluid.dygraph.to_variable(a) for a in (x0, w0, b0))
            for v in (x, w, b):
                v.stop_gradient = False
            y = C.conv2d(x, w, b, stride=2, padding=1, groups=2)
            fluid.layers.reduce_sum(y * y).backward()
            return [v.gradient() for v in (y, x, w, b)]

    whole = gradients()
    monkeypatch.setattr(C, "SPLIT_MIN_FLOPS", 0)
    monkeypatch.setattr(C, "WORKERS", 2)
    assert len(C._Geometry(5, 4, 6, 9, 8, (3, 3), (2, 2), (1, 1), (1, 1), 2).parts) == 2
    for split, one in zip(gradients(), whole):
        np.testing.assert_allclose(split, one, rtol=1e-5, atol=1e-5)


def _random_geometries(count, seed=11):
    """Small random geometries (every knob varied) whose conv output is non-empty."""
    rng = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        groups = int(rng.choice([1, 1, 2, 3]))
        kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
        stride = tuple(int(s) for s in rng.integers(1, 4, 2))
        dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
        padding = tuple(int(p) for p in rng.integers(0, 3, 2))
        size = tuple(int(v) for v in rng.integers(1, 9, 2))
        if any(d * (k - 1) + 1 > n + 2 * p for d, k, n, p in zip(dilation, kernel, size, padding)):
            continue
        n = int(rng.integers(1, 3))
        found.append((n, groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3)),
                      *size, kernel, stride, padding, dilation, groups))
    return found


@pytest.mark.parametrize("case", _random_geometries(40), ids=_ids)
def test_random_geometries_against_direct_loops(case):
    x, w, b, b_t = _arrays(case)
    kwargs = _geometry_kwargs(case)
    y = C.conv2d(x, w, b, **kwargs)
    np.testing.assert_allclose(y, reference.conv2d(x, w, b, **kwargs), atol=1e-12)
    gy = np.random.default_rng(12).standard_normal(y.shape)
    np.testing.assert_allclose(
        C.conv2d_transpose(gy, w, b_t, output_size=case[3:5], **kwargs),
        reference.conv2d_transpose(gy, w, b_t, output_size=case[3:5], **kwargs), atol=1e-12)
    assert np.isclose(np.vdot(C.conv2d(x, w, **kwargs), gy),
                      np.vdot(x, C.conv2d_transpose(gy, w, output_size=case[3:5], **kwargs)),
                      rtol=1e-12, atol=1e-12)


def test_output_size_when_the_default_is_not_positive():
    """Input height 1, kernel 2, stride 2, padding 1: H' = 0, yet 1 is in [H', H' + 2) and
    conv2d maps height 1 back to 1, so output_size=1 must work (and the default must not)."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((1, 2, 1, 3))
    w = rng.standard_normal((2, 3, 2, 1))
    kwargs = dict(stride=(2, 1), padding=(1, 0))
    y = C.conv2d_transpose(x, w, output_size=(1, 3), **kwargs)
    np.testing.assert_allclose(y, reference.conv2d_transpose(x, w, output_size=(1, 3), **kwargs),
                               atol=1e-12)
    back = rng.standard_normal((1, 3, 1, 3))
    assert np.isclose(np.vdot(C.conv2d(back, w, **kwargs), x), np.vdot(back, y))
    with pytest.raises(ValueError, match=r"valid output_size per dim: \[1, 2\)"):
        C.conv2d_transpose(x, w, **kwargs)
