"""affine_grid and grid_sampler: values against direct loops written from Paddle 1.8's rules
(corners aligned, zero padding), gradients of both inputs (first and second order), dtypes and
bad input; torch's align_corners=True / zeros-padding modes as an extra oracle."""
import math

import numpy as np
import pytest

import minigrad as fluid
from op_helpers import check_grads, uniform, var

L = fluid.layers


def reference_affine_grid(theta, height, width):
    def points(n):
        return [-1.0 + 2.0 * i / (n - 1) if n > 1 else -1.0 for i in range(n)]
    out = np.zeros((theta.shape[0], height, width, 2))
    for b in range(theta.shape[0]):
        for h, y in enumerate(points(height)):
            for w, x in enumerate(points(width)):
                for k in range(2):
                    out[b, h, w, k] = theta[b, k, 0] * x + theta[b, k, 1] * y + theta[b, k, 2]
    return out


def reference_grid_sampler(x, grid):
    n, c, height, width = x.shape
    out = np.zeros((n, c) + grid.shape[1:3])
    for b, i, j in np.ndindex(n, *grid.shape[1:3]):
        px = (grid[b, i, j, 0] + 1) / 2 * (width - 1)
        py = (grid[b, i, j, 1] + 1) / 2 * (height - 1)
        x0, y0 = math.floor(px), math.floor(py)
        for row, col in ((y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1)):
            weight = (1 - abs(px - col)) * (1 - abs(py - row))
            if 0 <= row < height and 0 <= col < width:     # zero padding outside
                out[b, :, i, j] += weight * x[b, :, row, col]
    return out


def _away_from_pixels(shape, height, width, seed, low=-1.3, high=1.3):
    """Grid points in [low, high] whose pixel coordinates stay 0.1 from integers (no kinks)."""
    g = uniform(shape, low, high, seed=seed)
    for k, size in ((0, width), (1, height)):
        pixel = (g[..., k] + 1) / 2 * (size - 1)
        frac = pixel - np.floor(pixel)
        pixel = np.floor(pixel) + np.clip(frac, 0.1, 0.9)
        g[..., k] = pixel / max(size - 1, 1) * 2 - 1
    return g


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 2, 1, 3), (1, 1, 3, 1), (1, 2, 5, 5)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sampler_matches_the_direct_loop(shape, dtype):
    x = uniform(shape, seed=1).astype(dtype)
    grid = uniform((shape[0], 3, 4, 2), -1.5, 1.5, seed=2).astype(dtype)
    grid[0, 0, :4] = [[-1, -1], [1, 1], [1, -1], [-1, 1]]           # the four corners
    with fluid.dygraph.guard():
        y = L.grid_sampler(fluid.dygraph.to_variable(x), fluid.dygraph.to_variable(grid))
    assert y.dtype == dtype and y.shape == [shape[0], shape[1], 3, 4]
    np.testing.assert_allclose(y.numpy(), reference_grid_sampler(x.astype(np.float64),
                                                                 grid.astype(np.float64)),
                               atol=1e-5)


def test_grid_sampler_corners_and_zero_padding():
    x = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    grid = np.array([[[[-1, -1], [1, 1], [0, 0], [-2, -1], [1 + 1.0 / 2, 1]]]])  # W - 1 = 2
    with fluid.dygraph.guard():
        y = L.grid_sampler(var(x), var(grid)).numpy()[0, 0, 0]
    # the corners' centres, the centre, fully outside, half a pixel past the right edge
    np.testing.assert_allclose(y, [1, 6, 3.5, 0, 6 * 0.5])


def test_identity_theta_samples_the_input_back():
    x = uniform((2, 3, 4, 5), seed=3)
    theta = np.tile(np.array([[1.0, 0, 0], [0, 1, 0]]), (2, 1, 1))
    with fluid.dygraph.guard():
        grid = L.affine_grid(var(theta), [2, 3, 4, 5])
        y = L.grid_sampler(var(x), grid)
    np.testing.assert_allclose(y.numpy(), x, atol=1e-12)


@pytest.mark.parametrize("out_shape", [[2, 1, 3, 4], (2, 5, 1, 1), [2, 1, 4, 1]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_grid_matches_the_direct_loop(out_shape, dtype):
    theta = uniform((2, 2, 3), seed=4).astype(dtype)
    with fluid.dygraph.guard():
        g = L.affine_grid(fluid.dygraph.to_variable(theta), out_shape)
        t = L.affine_grid(fluid.dygraph.to_variable(theta),
                          fluid.dygraph.to_variable(np.array(out_shape, dtype=np.int32)))
    assert g.dtype == dtype and g.shape == [2, out_shape[2], out_shape[3], 2]
    expected = reference_affine_grid(theta.astype(np.float64), *out_shape[2:])
    np.testing.assert_allclose(g.numpy(), expected, atol=1e-6)
    np.testing.assert_array_equal(t.numpy(), g.numpy())


def test_gradients_of_grid_sampler_in_x_and_grid():
    x = uniform((2, 2, 3, 4), seed=5)
    grid = _away_from_pixels((2, 3, 2, 2), 3, 4, seed=6)
    check_grads(lambda a, b: L.grid_sampler(a, b), x, grid)


def test_gradients_of_affine_grid_and_sampling_through_it():
    theta = np.array([[[0.9, 0.1, 0.05], [-0.2, 1.1, 0.1]]]) + uniform((1, 2, 3), seed=7) * 0.01
    x = uniform((1, 2, 4, 5), seed=8)
    check_grads(lambda t: L.affine_grid(t, [1, 2, 3, 4]), theta)

    def sampled(t, a):
        return L.grid_sampler(a, L.affine_grid(t, [1, 2, 3, 3]))
    check_grads(sampled, theta, x)


def test_torch_agrees():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = uniform((2, 3, 5, 6), seed=9)
    theta = uniform((2, 2, 3), seed=10)
    with fluid.dygraph.guard():
        grid = L.affine_grid(var(theta), [2, 3, 4, 7])
        y = L.grid_sampler(var(x), grid)
    t_grid = F.affine_grid(torch.from_numpy(theta), [2, 3, 4, 7], align_corners=True)
    np.testing.assert_allclose(grid.numpy(), t_grid.numpy(), atol=1e-12)
    t_y = F.grid_sample(torch.from_numpy(x), t_grid, mode="bilinear", padding_mode="zeros",
                        align_corners=True)
    np.testing.assert_allclose(y.numpy(), t_y.numpy(), atol=1e-12)


def test_bad_input():
    with fluid.dygraph.guard():
        x = var(np.ones((1, 2, 3, 4), dtype=np.float32))
        with pytest.raises(TypeError, match="grid_sampler: x and grid must have the same dtype"):
            L.grid_sampler(x, var(np.zeros((1, 3, 4, 2))))
        with pytest.raises(ValueError, match=r"grid_sampler: grid must have shape"):
            L.grid_sampler(x, var(np.zeros((1, 3, 4, 3), dtype=np.float32)))
        with pytest.raises(ValueError, match="grid_sampler: x must be 4-D"):
            L.grid_sampler(var(np.ones((2, 3, 4), dtype=np.float32)), x)
        with pytest.raises(TypeError, match="grid_sampler: x must have a floating point"):
            L.grid_sampler(var(np.ones((1, 2, 3, 4), dtype=np.int64)), x)
        theta = var(np.zeros((2, 2, 3), dtype=np.float32))
        with pytest.raises(TypeError, match="affine_grid: out_shape must be a list"):
            L.affine_grid(theta, 5)
        with pytest.raises(ValueError, match="affine_grid: out_shape"):
            L.affine_grid(theta, [2, 3, 4])
        with pytest.raises(ValueError, match="affine_grid: out_shape .* positive"):
            L.affine_grid(theta, [2, 1, 0, 4])
        assert L.affine_grid(theta, [3, 1, 4, 5]).shape == [2, 4, 5, 2]    # N comes from theta
        with pytest.raises(ValueError, match=r"affine_grid: theta must have shape \[N, 2, 3\]"):
            L.affine_grid(var(np.zeros((2, 3, 3))), [2, 1, 4, 4])
