"""Paddle's `fluid.layers` functions that create their own parameters (fc, prelu, layer_norm...).

Each calls an op of `minigrad/ops/` with parameters made by `minigrad.layer_helper.LayerHelper`;
in dygraph mode, as in Paddle 1.8, every call makes fresh parameters. One module per area.
"""
