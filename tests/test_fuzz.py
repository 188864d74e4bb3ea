"""Randomised stress runs (marked slow). CI runs them at the default, bounded size; set
MINIGRAD_SLOW_BUDGET=10 (say) for a longer hunt.

- conv2d / conv2d_transpose on random geometries against the direct loops of tests/reference.py,
  plus the dot-product adjoint identity;
- random chains of elementwise ops and reductions checked with gradcheck.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import minigrad
import minigrad as fluid
from minigrad.ops.conv import conv2d, conv2d_transpose, deconv_output_size

import reference

BUDGET = float(os.environ.get("MINIGRAD_SLOW_BUDGET", "1"))
FUZZ = settings(max_examples=max(1, int(40 * BUDGET)), deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conv_geometry(draw):
    groups = draw(st.sampled_from([1, 2, 3]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 6))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 6))
    n = draw(st.integers(1, 2))
    return dict(n=n, c_in=c_in, c_out=c_out, k=(kh, kw), stride=(sh, sw), padding=(ph, pw),
                dilation=(dh, dw), groups=groups, hw=(h, w))


@pytest.mark.slow
@FUZZ
@given(g=conv_geometry(), seed=st.integers(0, 2**31 - 1), extra=st.data())
def test_conv_pair_matches_reference_and_is_adjoint(g, seed, extra):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((g["n"], g["c_in"]) + g["hw"])
    w = rng.standard_normal((g["c_out"], g["c_in"] // g["groups"]) + g["k"])
    b = rng.standard_normal(g["c_out"])
    geometry = dict(stride=g["stride"], padding=g["padding"], dilation=g["dilation"],
                    groups=g["groups"])
    with fluid.dygraph.guard():
        y = conv2d(x, w, b, **geometry)
        y = y.numpy() if isinstance(y, minigrad.Variable) else y
        np.testing.assert_allclose(y, reference.conv2d(x, w, b, **geometry), atol=1e-10)

        # conv2d_transpose with the same weight read as [C_in', F/g, kh, kw]: the adjoint.
        out_hw = y.shape[2:]
        extra_hw = tuple(extra.draw(st.integers(0, s - 1)) for s in g["stride"])
        full = tuple(deconv_output_size(out_hw[i], g["k"][i], g["stride"][i], g["padding"][i],
                                        g["dilation"][i]) for i in range(2))
        target = tuple(full[i] + extra_hw[i] for i in range(2))
        assume(min(target) > 0)
        cot = rng.standard_normal(y.shape)
        xt = conv2d_transpose(cot, w, None, output_size=list(target), **geometry)
        xt = xt.numpy() if isinstance(xt, minigrad.Variable) else xt
        np.testing.assert_allclose(
            xt, reference.conv2d_transpose(cot, w, None, output_size=list(target), **geometry),
            atol=1e-10)
        if target == g["hw"]:
            lhs = np.vdot(conv2d(x, w, None, **geometry), cot)
            rhs = np.vdot(x, xt)
            assert abs(lhs - rhs) <= 1e-12 * max(1.0, abs(lhs))


UNARY = {
    "tanh": fluid.layers.tanh,
    "sigmoid": fluid.layers.sigmoid,
    "softplus": fluid.layers.softplus,
    "square": fluid.layers.square,
    "exp_small": lambda v: fluid.layers.exp(v * 0.3),
    "scale": lambda v: fluid.layers.scale(v, scale=1.5, bias=0.25),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
}


@pytest.mark.slow
@FUZZ
@given(ops=st.lists(st.tuples(st.sampled_from(sorted(UNARY)), st.sampled_from(sorted(BINARY))),
                    min_size=1, max_size=5),
       reduce_dim=st.sampled_from([None, 0, 1, [0, 1]]),
       seed=st.integers(0, 2**31 - 1))
def test_random_op_chains_pass_gradcheck(ops, reduce_dim, seed):
    rng = np.random.default_rng(seed)

    def fn(x, y):
        h = x
        for unary, binary in ops:
            h = BINARY[binary](UNARY[unary](h), y)
        return fluid.layers.reduce_sum(h, dim=reduce_dim)

    inputs = [rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3,))]
    assert minigrad.gradcheck(fn, inputs, atol=1e-5, rtol=1e-4)
