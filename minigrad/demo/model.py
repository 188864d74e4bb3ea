"""The demo's model: a small convolutional autoencoder whose decoder is Conv2DTranspose.

For 28x28 digits (size=28, width=16, code_size=32):

    encoder.down1  Conv2D 1->16, 3x3, stride 2, padding 1   [N, 1, 28, 28] -> [N, 16, 14, 14]
    encoder.down2  Conv2D 16->32, 3x3, stride 2, padding 1  -> [N, 32, 7, 7]
    to_code        Linear 1568->32: the bottleneck, 32 numbers per image
    from_code      Linear 32->1568, reshaped to [N, 32, 7, 7]
    decoder.up1    Conv2DTranspose 32->16, 3x3, stride 2, output_size 14   -> [N, 16, 14, 14]
    decoder.up2    Conv2DTranspose 16->1, 3x3, stride 2, output_size 28    -> [N, 1, 28, 28]

With a 3x3 filter, stride 2 and padding 1, a transposed convolution of a 7x7 input gives
(7 - 1) * 2 - 2 * 1 + 3 = 13 by the size formula, and any `output_size` in [13, 13 + stride) =
[13, 15) is allowed: asking for 14 undoes the encoder's halving exactly.

Written with the public Paddle-style API only (`import minigrad as fluid`).
"""
import minigrad as fluid

__all__ = ["Encoder", "Decoder", "DigitAutoencoder"]


class Encoder(fluid.dygraph.Layer):
    """[N, 1, size, size] images -> [N, 2 * width, size / 4, size / 4] feature maps."""

    def __init__(self, width=16):
        super().__init__()
        self.down1 = fluid.dygraph.Conv2D(1, width, 3, stride=2, padding=1, act="relu")
        self.down2 = fluid.dygraph.Conv2D(width, 2 * width, 3, stride=2, padding=1, act="relu")

    def forward(self, x):
        return self.down2(self.down1(x))


class Decoder(fluid.dygraph.Layer):
    """[N, 2 * width, size / 4, size / 4] feature maps -> [N, 1, size, size] images in (0, 1)."""

    def __init__(self, size=28, width=16):
        super().__init__()
        self.up1 = fluid.dygraph.Conv2DTranspose(2 * width, width, 3, output_size=size // 2,
                                                 padding=1, stride=2, act="relu")
        self.up2 = fluid.dygraph.Conv2DTranspose(width, 1, 3, output_size=size, padding=1,
                                                 stride=2, act="sigmoid")

    def forward(self, h):
        return self.up2(self.up1(h))


class DigitAutoencoder(fluid.dygraph.Layer):
    """Squeeze a size x size digit through `code_size` numbers and draw it again.

    size:  image height and width, a multiple of 4; width: channels of the first conv (the
    second has twice as many). Calling the model returns the reconstruction; `encode` and
    `decode` are its two halves. Raises ValueError when size is not a positive multiple of 4.

        model = DigitAutoencoder()
        recon = model(fluid.dygraph.to_variable(images))   # images [N, 1, 28, 28] float32
    """

    def __init__(self, size=28, code_size=32, width=16):
        super().__init__()
        if size < 4 or size % 4:
            raise ValueError(f"DigitAutoencoder: size must be a positive multiple of 4, got "
                             f"{size}")
        self._grid = [-1, 2 * width, size // 4, size // 4]
        self._features = 2 * width * (size // 4) ** 2
        self.encoder = Encoder(width)
        self.to_code = fluid.dygraph.Linear(self._features, code_size)
        self.from_code = fluid.dygraph.Linear(code_size, self._features, act="relu")
        self.decoder = Decoder(size, width)

    def encode(self, x):
        """[N, 1, size, size] images -> [N, code_size] codes."""
        h = self.encoder(x)
        return self.to_code(fluid.layers.reshape(h, [-1, self._features]))

    def decode(self, code):
        """[N, code_size] codes -> [N, 1, size, size] images."""
        h = fluid.layers.reshape(self.from_code(code), self._grid)
        return self.decoder(h)

    def forward(self, x):
        return self.decode(self.encode(x))
