"""Primitives: each module holds ops whose forward and backward sit side by side."""
