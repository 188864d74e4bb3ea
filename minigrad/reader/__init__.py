"""Paddle 1.8's input pipeline (`fluid.io`): reader decorators, DataLoader, PyReader, Dataset.

    loader = fluid.io.DataLoader.from_generator(capacity=10, return_list=True)
    loader.set_sample_list_generator(fluid.io.batch(fluid.io.shuffle(reader, 1000), 32))
    for image, label in loader():
        ...

decorators.py  readers in, readers out: batch, shuffle, buffered, compose, xmap_readers, ...
dataset.py     map-style Dataset, BatchSampler, default_collate_fn
loader.py      DataLoader (from_generator, or over a Dataset) and PyReader: batches as Variables
prefetch.py    reading ahead in a thread or forked processes, with clean stops and errors
"""
from minigrad.reader.decorators import (  # noqa: F401
    batch, shuffle, buffered, cache, chain, compose, ComposeNotAligned, firstn, map_readers,
    xmap_readers, multiprocess_reader)
from minigrad.reader.dataset import Dataset, BatchSampler, default_collate_fn  # noqa: F401
from minigrad.reader.loader import DataLoader, PyReader  # noqa: F401

__all__ = ["batch", "shuffle", "buffered", "cache", "chain", "compose", "ComposeNotAligned",
           "firstn", "map_readers", "xmap_readers", "multiprocess_reader", "Dataset",
           "BatchSampler", "default_collate_fn", "DataLoader", "PyReader"]
