"""Map-style datasets for `fluid.io.DataLoader`: `Dataset`, `BatchSampler`, `default_collate_fn`.

    class Squares(fluid.io.Dataset):
        def __getitem__(self, i):
            return np.array([i], "float32"), np.array([i * i], "float32")
        def __len__(self):
            return 10
    sampler = fluid.io.BatchSampler(Squares(), batch_size=4)   # [0..3], [4..7], [8, 9]
"""
import numbers

import numpy as np

from minigrad.core.variable import Variable

__all__ = ["Dataset", "BatchSampler", "default_collate_fn", "to_slot_arrays"]


class Dataset:
    """The base of a map-style dataset: `dataset[i]` is sample i, `len(dataset)` the count.

    A sample is a tuple (or list) of fields, such as `(image, label)`, or a single ndarray.
    Subclasses implement `__getitem__` and `__len__`.
    """

    def __init__(self):
        pass

    def __getitem__(self, idx):
        raise NotImplementedError(f"'__getitem__' not implement in class "
                                  f"{type(self).__name__}")

    def __len__(self):
        raise NotImplementedError(f"'__len__' not implement in class {type(self).__name__}")


def _check_flag(where, argument, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {argument} must be a bool, got {type(value).__name__} "
                        f"({value!r})")
    return bool(value)


class BatchSampler:
    """Yields lists of sample indices, one list per mini-batch.

    dataset:    a dataset (anything with `__len__`): indices are 0 .. len(dataset) - 1.
    indices:    instead of `dataset`, the list (or tuple) of indices to batch.
    shuffle:    shuffle the indices at the start of each epoch, with numpy's global generator
                (as in Paddle: `np.random.seed(s)` makes the order repeat).
    batch_size: indices per batch, an int >= 1.
    drop_last:  drop a last batch shorter than `batch_size`.
    `len(sampler)` is the number of batches. Give exactly one of `dataset` and `indices`.

        list(fluid.io.BatchSampler(indices=list(range(5)), batch_size=2))
        # [[0, 1], [2, 3], [4]]
    """

    def __init__(self, dataset=None, indices=None, shuffle=False, batch_size=1, drop_last=False):
        where = "fluid.io.BatchSampler"
        if dataset is None:
            if indices is None:
                raise ValueError(f"{where}: either dataset or indices should be set")
            if not isinstance(indices, (list, tuple)):
                raise TypeError(f"{where}: indices should be a list or tuple, got "
                                f"{type(indices).__name__}")
            # A copy: shuffling must not reorder the caller's list.
            self.indices = list(indices)
        else:
            if indices is not None:
                raise ValueError(f"{where}: should not set both dataset and indices")
            if not hasattr(dataset, "__len__"):
                raise TypeError(f"{where}: dataset must have a length (a fluid.io.Dataset), "
                                f"got {type(dataset).__name__}")
            self.indices = list(range(len(dataset)))
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool):
            raise TypeError(f"{where}: batch_size should be a positive integer, but got "
                            f"{type(batch_size).__name__} ({batch_size!r})")
        if batch_size <= 0:
            raise ValueError(f"{where}: batch_size should be a positive integer, but got "
                             f"{batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle = _check_flag(where, "shuffle", shuffle)
        self.drop_last = _check_flag(where, "drop_last", drop_last)

    def __iter__(self):
        if self.shuffle:
            np.random.shuffle(self.indices)
        batch = []
        for index in self.indices:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.indices) // self.batch_size
        return -(-len(self.indices) // self.batch_size)


def _stack(where, field, values):
    try:
        return np.stack([np.asarray(v) for v in values], axis=0)
    except ValueError:
        shapes = sorted({list(np.shape(v)).__repr__() for v in values})
        raise ValueError(f"{where}: field {field} has samples of different shapes "
                         f"({', '.join(shapes)}); samples in a batch must match") from None


def default_collate_fn(batch):
    """Stack a list of samples into one ndarray per field: the batch is a list of ndarrays.

    batch: a list of samples; each sample is a list/tuple of fields ([image, label]) or a
           single ndarray (one field).
    Returns [np.stack(field 0 of every sample), np.stack(field 1 ...), ...].
    Raises ValueError when samples have different numbers of fields or shapes.

        fluid.io.default_collate_fn([(np.zeros(3), 0), (np.ones(3), 1)])
        # [array of shape (2, 3), array([0, 1])]
    """
    where = "fluid.io.default_collate_fn"
    if not batch:
        raise ValueError(f"{where}: batch is empty")
    if isinstance(batch[0], np.ndarray):
        return [_stack(where, 0, batch)]
    fields = fields_of(where, batch)
    return [_stack(where, i, values) for i, values in enumerate(fields)]


def fields_of(where, samples):
    """Samples [(a0, b0), (a1, b1), ...] -> fields [[a0, a1, ...], [b0, b1, ...]]."""
    first = samples[0]
    if not isinstance(first, (list, tuple)):
        raise TypeError(f"{where}: each sample must be a list or tuple of fields such as "
                        f"(image, label), got {type(first).__name__}; yield (array,) for a "
                        "sample of one field")
    count = len(first)
    for i, sample in enumerate(samples):
        if not isinstance(sample, (list, tuple)) or len(sample) != count:
            got = (f"{len(sample)} fields" if isinstance(sample, (list, tuple))
                   else type(sample).__name__)
            raise ValueError(f"{where}: sample {i} of the batch has {got}; the first sample "
                             f"has {count} fields, and every sample must have the same")
    return [[sample[k] for sample in samples] for k in range(count)]


def to_slot_arrays(where, batch):
    """A batch (ndarray, or list/tuple of per-field arrays) -> a list of fresh ndarrays.

    Fresh copies, as Paddle copied into its tensors: a reader that refills one buffer in place
    must not change a batch that is waiting in the queue. Paddle 1.8 has no 0-d tensors, so a
    scalar field becomes shape [1].
    """
    if isinstance(batch, (np.ndarray, Variable)):
        batch = [batch]
    if not isinstance(batch, (list, tuple)):
        raise TypeError(f"{where}: a batch must be a list or tuple of fields (one array per "
                        f"field) or an ndarray, got {type(batch).__name__}")
    arrays = []
    for i, slot in enumerate(batch):
        if isinstance(slot, Variable):
            slot = slot.data
        try:
            array = np.array(slot)
        except ValueError:
            array = None
        if array is None or array.dtype.kind not in "biuf":
            raise TypeError(
                f"{where}: field {i} of a batch could not become a regular ndarray; usually "
                "it holds nested lists of different lengths (LoD data, which minigrad does not "
                "support) or non-numeric values")
        arrays.append(array.reshape(1) if array.ndim == 0 else array)
    return arrays
