"""The demo: `python -m minigrad.demo [--out DIR] [--steps N | --quick]`.

Trains a convolutional autoencoder whose decoder is Conv2DTranspose on digits drawn in code, with
a progress bar, and writes the loss curve, reconstructions and the drawn graph to ./minigrad-output.

    data.py   make_digits: handwriting-like digits drawn with numpy (no download)
    model.py  DigitAutoencoder: Conv2D encoder, Linear bottleneck, Conv2DTranspose decoder
    train.py  the training loop, the plots and the command line
"""
from minigrad.demo.train import main  # noqa: F401
