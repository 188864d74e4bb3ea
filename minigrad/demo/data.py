"""Small images drawn in code: handwriting-like digits 0-9, so the demo needs no download.

Each digit is a few strokes (polylines) in a unit box. An image is drawn by giving the strokes a
random slant, scale, rotation, offset and pen width, then shading every pixel by its distance to
the nearest stroke (anti-aliased with a one-pixel ramp). Everything is vectorised numpy: drawing
a thousand 28x28 digits takes about a second.

    images, labels = make_digits(256, size=16, seed=0)   # [256, 1, 16, 16] float32 in [0, 1]
"""
import numpy as np

__all__ = ["make_digits", "DIGIT_STROKES"]


def _arc(cx, cy, rx, ry, start, stop, points=9):
    """Points on an elliptic arc, angles in degrees (0 = right, 90 = up)."""
    angles = np.radians(np.linspace(start, stop, points))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


# Strokes per digit in a unit box: x to the right, y up, the glyph within [0.2, 0.8] x [0.1, 0.9].
DIGIT_STROKES = {
    0: [_arc(0.5, 0.5, 0.27, 0.38, 0, 360, 17)],
    1: [[(0.35, 0.72), (0.52, 0.9), (0.52, 0.1)]],
    2: [_arc(0.5, 0.66, 0.26, 0.22, 160, -40) + [(0.22, 0.1), (0.8, 0.1)]],
    3: [_arc(0.5, 0.7, 0.24, 0.19, 150, -90), _arc(0.5, 0.31, 0.28, 0.21, 90, -150)],
    4: [[(0.62, 0.1), (0.62, 0.9), (0.2, 0.35), (0.82, 0.35)]],
    5: [[(0.76, 0.9), (0.3, 0.9), (0.27, 0.55)] + _arc(0.5, 0.34, 0.28, 0.24, 130, -150)],
    6: [_arc(0.5, 0.32, 0.26, 0.22, 0, 360, 13),
        [(0.24, 0.35), (0.33, 0.68), (0.62, 0.9)]],
    7: [[(0.2, 0.9), (0.8, 0.9), (0.42, 0.1)]],
    8: [_arc(0.5, 0.71, 0.21, 0.19, 0, 360, 13), _arc(0.5, 0.3, 0.27, 0.21, 0, 360, 13)],
    9: [_arc(0.5, 0.68, 0.26, 0.22, 0, 360, 13),
        [(0.76, 0.65), (0.67, 0.32), (0.38, 0.1)]],
}


def _segments(digit):
    """[k, 2, 2] array of the digit's stroke segments (start, end) in the unit box."""
    segments = []
    for stroke in DIGIT_STROKES[digit]:
        points = np.asarray(stroke, dtype=np.float64)
        segments.append(np.stack([points[:-1], points[1:]], axis=1))
    return np.concatenate(segments)


def _distance_to_segments(points, segments):
    """Distance from each point [p, 2] to the nearest of each image's segments [n, k, 2, 2]: [n, p].

    x and y are handled as separate arrays: numpy is much faster on [n, p, k] arrays than on
    [n, p, k, 2] ones reduced over their short last axis.
    """
    sx, sy = segments[:, None, :, 0, 0], segments[:, None, :, 0, 1]      # [n, 1, k]
    dx = segments[:, None, :, 1, 0] - sx
    dy = segments[:, None, :, 1, 1] - sy
    length2 = np.maximum(dx * dx + dy * dy, 1e-12)
    ox = points[None, :, None, 0] - sx                                  # [n, p, k]
    oy = points[None, :, None, 1] - sy
    t = np.clip((ox * dx + oy * dy) / length2, 0.0, 1.0)
    gx = ox - t * dx
    gy = oy - t * dy
    return np.sqrt((gx * gx + gy * gy).min(axis=-1))


def make_digits(count, size=16, seed=0, digits=range(10)):
    """Draw `count` random digits.

    count:  number of images; size: their height and width in pixels (>= 8);
    seed:   the same seed draws the same images; digits: which digits to draw (cycled in order).
    returns (images, labels): float32 [count, 1, size, size] in [0, 1] (ink is 1) and int64
            [count, 1] labels.
    raises  ValueError for count < 1, size < 8 or a digit outside 0-9.
    """
    digits = list(digits)
    if count < 1 or size < 8:
        raise ValueError(f"make_digits: need count >= 1 and size >= 8, got count={count}, "
                         f"size={size}")
    if not digits or any(d not in DIGIT_STROKES for d in digits):
        raise ValueError(f"make_digits: digits must be a non-empty choice of 0-9, got {digits}")
    rng = np.random.default_rng(seed)
    labels = np.array([digits[i % len(digits)] for i in range(count)], dtype=np.int64)
    rng.shuffle(labels)
    # One random pen per image: rotation, scale, slant, offset and half the stroke width.
    angle = np.radians(rng.uniform(-12, 12, count))
    scale = rng.uniform(0.66, 0.86, (count, 2))
    slant = rng.uniform(-0.2, 0.2, count)
    shift = rng.uniform(-0.04, 0.04, (count, 2))
    pen = rng.uniform(0.055, 0.085, count)
    cos, sin = np.cos(angle), np.sin(angle)
    rotate = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shear = np.zeros((count, 2, 2))
    shear[:, 0, 0], shear[:, 0, 1], shear[:, 1, 1] = scale[:, 0], slant, scale[:, 1]
    transform = rotate @ shear                                          # [count, 2, 2]
    # Pixel centres in the unit box, y up (row 0 is the top of the image), centred on 0.
    coords = (np.arange(size) + 0.5) / size
    xs, ys = np.meshgrid(coords, coords[::-1])
    pixels = (np.stack([xs.ravel(), ys.ravel()], axis=1) - 0.5).astype(np.float32)
    images = np.empty((count, size * size), dtype=np.float32)
    # Images of one digit share their stroke count, so they are drawn together, a chunk at a time.
    chunk = max(1, 2_000_000 // (size * size * 40))
    for digit in sorted(set(labels.tolist())):
        (rows,) = np.nonzero(labels == digit)
        base = _segments(digit) - 0.5                                   # [k, 2, 2]
        for first in range(0, len(rows), chunk):
            index = rows[first:first + chunk]
            segments = np.einsum("kpj,nij->nkpi", base, transform[index])
            segments = (segments + shift[index, None, None, :]).astype(np.float32)
            distance = _distance_to_segments(pixels, segments)          # [n, p]
            # Ink 1 within the pen, fading to 0 over one pixel: anti-aliased strokes.
            ink = np.clip((pen[index, None] - distance) * size + 0.5, 0.0, 1.0)
            images[index] = ink
    return images.reshape(count, 1, size, size), labels.reshape(-1, 1)
