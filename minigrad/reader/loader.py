"""`fluid.io.DataLoader` and `fluid.io.PyReader`: batches as Variables, read ahead.

Two ways to make a loader, as in Paddle 1.8:

    loader = fluid.io.DataLoader.from_generator(capacity=10, return_list=True)
    loader.set_sample_list_generator(fluid.io.batch(reader, batch_size=4))
    for image, label in loader():            # each a Variable, batch dimension first
        ...

    loader = fluid.io.DataLoader(MyDataset(), batch_size=4, shuffle=True, return_list=True)

Batches are read in a background thread (or, with `use_multiprocess` / `num_workers`, in forked
processes) into a queue bounded by `capacity`; numpy conversion happens there, and the
Variables are made in the training loop's thread, which is in dygraph mode. The loop re-raises a
reader's exception, and a loop that breaks early stops the reader (see `prefetch.py`).

What a batch is, as Paddle 1.8.5's dygraph loaders give it: a list with one Variable per field,
`stop_gradient=True`, dtype kept from numpy (Python floats become float64, ints int64), the
batch dimension first (a scalar label per sample gives shape [batch_size]). In dygraph Paddle
always returns a list and is always iterable: `return_list=False` and `iterable=False` are
accepted and change nothing, here as there.

Where minigrad differs from 1.8.5:
- a reader's exception reaches the loop as itself, after the batches made before it (1.8 lost
  those batches and raised "Blocking queue is killed because the data reader raises");
- breaking out of the loop stops the reader thread (1.8 left it blocked until the next epoch);
- `DataLoader(dataset, places=None)` is allowed (1.8 required places); a Dataset only needs
  `__getitem__` and `__len__`;
- a sample must be a list or tuple of fields (1.8 split a bare ndarray into its rows), and a
  batch generator may yield one bare ndarray as a one-field batch (1.8 split it too);
- capacity must be an int >= 1 (1.8 took any truthy value).
"""
import numbers

from minigrad.core.tape import require_dygraph
from minigrad.core.variable import to_variable
from minigrad.reader.dataset import BatchSampler, default_collate_fn, fields_of, to_slot_arrays
from minigrad.reader.decorators import batch as batch_reader
from minigrad.reader.prefetch import read_ahead, read_in_processes

__all__ = ["DataLoader", "GeneratorLoader", "PyReader"]


def _check_places(where, places):
    """None, one place, or a list/tuple of one place: minigrad computes on the CPU."""
    if isinstance(places, (list, tuple)) and len(places) != 1:
        raise ValueError(f"{where}: places must be one place in dygraph mode, got "
                         f"{len(places)} places ({places!r})")
    return places


def _check_reader(where, reader):
    if not callable(reader):
        hint = (" (pass the generator function itself, not the generator it returns)"
                if hasattr(reader, "__next__") else "")
        raise TypeError(f"{where}: reader must be a callable that returns an iterable, got "
                        f"{type(reader).__name__}{hint}")


class _Batches:
    """One epoch's iterator: lists of Variables made from the arrays `source` yields.

    Dropping it (the loop ends or breaks) drops `source`, whose closing stops the readers.
    """

    def __init__(self, source, length=None):
        self._source = source
        self._length = length

    def __iter__(self):
        return self

    def __next__(self):
        # The arrays were made in the background; the Variables are made here, in dygraph mode.
        return [to_variable(array, zero_copy=True) for array in next(self._source)]

    next = __next__

    def __len__(self):
        if self._length is None:
            raise TypeError("a DataLoader.from_generator epoch has no length (its generator "
                            "decides when it ends)")
        return self._length


def _not_iterable_only(where):
    return RuntimeError(f"{where}: dygraph loaders are iterable only (as in Paddle 1.8, which "
                        "switches them to iterable mode); write `for data in loader():` "
                        "instead of start()/reset()")


class GeneratorLoader:
    """What `DataLoader.from_generator` returns in dygraph mode (Paddle's DygraphGeneratorLoader).

    Give it a data source with one of the `set_*_generator` methods, then iterate it (or call
    it and iterate the result): each step yields a list of Variables, one per field.

        loader = fluid.io.DataLoader.from_generator(capacity=4)
        loader.set_sample_generator(samples, batch_size=8)     # samples yields (image, label)
        for image, label in loader():
            ...
    """

    def __init__(self, feed_list=None, capacity=None, use_double_buffer=True, iterable=True,
                 return_list=False, use_multiprocess=False, drop_last=True):
        where = "DataLoader.from_generator"
        if capacity is None:
            raise ValueError(f"{where}: Please give value to capacity (the number of batches "
                             "read ahead, an int >= 1)")
        if not isinstance(capacity, numbers.Integral) or isinstance(capacity, bool):
            raise TypeError(f"{where}: capacity must be an int, got {type(capacity).__name__} "
                            f"({capacity!r})")
        if capacity < 1:
            raise ValueError(f"{where}: capacity must be >= 1, got {capacity!r}")
        self._capacity = int(capacity)
        self._feed_list = feed_list
        self._use_double_buffer = use_double_buffer
        self._return_list = True       # dygraph always yields lists
        self._use_multiprocess = bool(use_multiprocess)
        self._drop_last = drop_last    # about devices in static graphs; nothing to drop here
        self._batch_reader = None
        self._places = None
        self._manual = None            # the iterator `next(loader)` reads from

    @property
    def iterable(self):
        return True

    @property
    def queue(self):
        return None

    # -- data sources ------------------------------------------------------------------------

    def set_sample_generator(self, reader, batch_size, drop_last=True, places=None):
        """Samples in, batches of `batch_size` out.

        reader:     a generator function yielding one sample per step, a list or tuple of
                    fields (e.g. `(image, label)`, numpy arrays or numbers).
        batch_size: samples per batch (an int >= 1).
        drop_last:  drop a last batch shorter than batch_size (default True, unlike
                    fluid.io.batch).
        places:     accepted for Paddle (one place at most); minigrad computes on the CPU.
        Returns the loader.
        """
        _check_reader("DataLoader.set_sample_generator", reader)
        return self.set_sample_list_generator(batch_reader(reader, batch_size, drop_last),
                                              places)

    def set_sample_list_generator(self, reader, places=None):
        """Lists of samples in (e.g. from `fluid.io.batch`): each list becomes one batch.

        reader: a generator function yielding lists of samples; each sample a list or tuple
                of fields. Field k of every sample is stacked into the batch's Variable k.
        Returns the loader.
        """
        where = "DataLoader.set_sample_list_generator"
        _check_reader(where, reader)

        def batches():
            for samples in reader():
                if not isinstance(samples, (list, tuple)) or not samples:
                    raise TypeError(f"{where}: the reader must yield non-empty lists of "
                                    f"samples (e.g. fluid.io.batch(reader, n)), got "
                                    f"{type(samples).__name__} ({samples!r:.60})")
                yield fields_of(where, samples)

        return self._set(batches, places, where)

    def set_batch_generator(self, reader, places=None):
        """Ready batches in: each step yields a list/tuple of arrays, one per field.

        reader: a generator function yielding (batch_image, batch_label, ...) with the batch
                dimension first, or a single ndarray for a one-field batch.
        Returns the loader.
        """
        where = "DataLoader.set_batch_generator"
        _check_reader(where, reader)
        return self._set(reader, places, where)

    def _set(self, batches, places, where):
        self._places = _check_places(where, places)
        self._batch_reader = batches
        self._manual = None
        return self

    # -- iteration ---------------------------------------------------------------------------

    def __call__(self):
        return self

    def __iter__(self):
        if self._batch_reader is None:
            raise RuntimeError("DataLoader: the data source has not been set; call "
                               "set_sample_generator, set_sample_list_generator or "
                               "set_batch_generator first")
        require_dygraph("Iterating a DataLoader")
        batches, where = self._batch_reader, "DataLoader"

        def arrays():
            for batch in batches():
                yield to_slot_arrays(where, batch)

        if self._use_multiprocess:
            source = read_in_processes([arrays], self._capacity, where=where)
        else:
            source = read_ahead(arrays, self._capacity, name="minigrad-DataLoader")
        return _Batches(source)

    def __next__(self):
        # Paddle reads with next(loader) after iter(loader); here next() alone also works.
        if self._manual is None:
            self._manual = iter(self)
        try:
            return next(self._manual)
        except StopIteration:
            self._manual = None
            raise

    next = __next__

    def start(self):
        raise _not_iterable_only("DataLoader.start()")

    def reset(self):
        raise _not_iterable_only("DataLoader.reset()")


class DataLoader:
    """Batches from a map-style `fluid.io.Dataset`, as lists of Variables.

    dataset:           a `fluid.io.Dataset` (anything with `__getitem__` and `__len__`).
    feed_list:         static-graph feed variables; not needed in dygraph (ignored).
    places:            one place, or None (minigrad computes on the CPU; 1.8 required it).
    return_list:       accepted; dygraph always yields a list of Variables per batch.
    batch_sampler:     a `fluid.io.BatchSampler` (or any iterable of index lists with a
                       len); when given, batch_size/shuffle/drop_last must keep their defaults.
    batch_size, shuffle, drop_last: build the default BatchSampler (shuffle draws from numpy's
                       global generator, as in Paddle).
    collate_fn:        list of samples -> list of per-field arrays; default `default_collate_fn`.
    num_workers:       0 reads in a background thread; n > 0 uses n forked worker processes,
                       worker w making batches w, w + n, ... (the order is kept).
    use_buffer_reader: with num_workers=0, read two batches ahead in a thread (default True);
                       False reads each batch in the loop itself.
    use_shared_memory: accepted (workers send batches by pickle).
    timeout:           seconds between checks that the workers are alive (0: the default).
    worker_init_fn:    called as worker_init_fn(worker_id) first in each worker process.
    `len(loader)` is the number of batches per epoch; each `for` over the loader is an epoch.

        loader = fluid.io.DataLoader(dataset, batch_size=16, shuffle=True, drop_last=True)
        for image, label in loader():
            loss = model(image, label)
    """

    def __init__(self, dataset, feed_list=None, places=None, return_list=False,
                 batch_sampler=None, batch_size=1, shuffle=False, drop_last=False,
                 collate_fn=None, num_workers=0, use_buffer_reader=True, use_shared_memory=True,
                 timeout=0, worker_init_fn=None):
        where = "fluid.io.DataLoader"
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"{where}: dataset must be a fluid.io.Dataset (with __getitem__ and "
                            f"__len__), got {type(dataset).__name__}")
        self.dataset = dataset
        self.feed_list = feed_list
        self.places = _check_places(where, places)
        self.return_list = return_list
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"{where}: collate_fn must be callable or None, got "
                            f"{type(collate_fn).__name__}")
        self.collate_fn = collate_fn
        if not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError(f"{where}: num_workers should be a non-negative int, got "
                             f"{num_workers!r}")
        self.num_workers = int(num_workers)
        self.use_buffer_reader = use_buffer_reader
        self.use_shared_memory = use_shared_memory and self.num_workers > 0
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError(f"{where}: timeout should be a non-negative number, got "
                             f"{timeout!r}")
        self.timeout = timeout
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"{where}: worker_init_fn must be callable or None, got "
                            f"{type(worker_init_fn).__name__}")
        self.worker_init_fn = worker_init_fn
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or drop_last:
                raise ValueError(f"{where}: batch_size/shuffle/drop_last should not be set when "
                                 "batch_sampler is given")
            if not hasattr(batch_sampler, "__iter__"):
                raise TypeError(f"{where}: batch_sampler must be a fluid.io.BatchSampler, got "
                                f"{type(batch_sampler).__name__}")
            self.batch_sampler = batch_sampler
        else:
            if batch_size is None:
                raise ValueError(f"{where}: batch_size should be a positive int when "
                                 "batch_sampler is not given, got None")
            self.batch_sampler = BatchSampler(dataset=dataset, batch_size=batch_size,
                                              shuffle=shuffle, drop_last=drop_last)

    def __len__(self):
        return len(self.batch_sampler)

    def __call__(self):
        return self.__iter__()

    def __iter__(self):
        require_dygraph("Iterating a DataLoader")
        # The epoch's batches are drawn here, in the loop's thread, so a shuffle consumes numpy's
        # global generator at a fixed point of the program (not racing the training step).
        index_batches = [list(indices) for indices in self.batch_sampler]
        dataset, collate = self.dataset, self.collate_fn or default_collate_fn
        where = "fluid.io.DataLoader"

        def arrays(batches):
            def make():
                for indices in batches:
                    yield to_slot_arrays(where, collate([dataset[i] for i in indices]))
            return make

        if self.num_workers > 0:
            workers = self.num_workers
            makers = [arrays(index_batches[w::workers]) for w in range(workers)]
            init = self.worker_init_fn
            prepares = [None] * workers if init is None else [
                (lambda w=w: init(w)) for w in range(workers)]
            source = read_in_processes(makers, 2, interleave=True, prepares=prepares,
                                       poll_seconds=self.timeout or None, where=where)
        elif self.use_buffer_reader:
            source = read_ahead(arrays(index_batches), 2, name="minigrad-DataLoader")
        else:
            source = arrays(index_batches)()
        return _Batches(source, len(index_batches))

    # -- Paddle's other constructors ---------------------------------------------------------

    @staticmethod
    def from_generator(feed_list=None, capacity=None, use_double_buffer=True, iterable=True,
                       return_list=False, use_multiprocess=False, drop_last=True):
        """A loader fed by a Python generator; see `GeneratorLoader`.

        capacity:         the most batches read ahead (required, an int >= 1).
        use_multiprocess: read in a forked process instead of a thread.
        feed_list, use_double_buffer, iterable, return_list, drop_last: accepted for Paddle;
        in dygraph the loader is always iterable and yields a list of Variables per batch.

            loader = fluid.io.DataLoader.from_generator(capacity=4, return_list=True)
            loader.set_batch_generator(batches)
        """
        return GeneratorLoader(feed_list, capacity, use_double_buffer, iterable, return_list,
                               use_multiprocess, drop_last)

    @staticmethod
    def from_dataset(dataset, places, drop_last=True):
        """Not available: Paddle's `fluid.DatasetFactory` datasets feed static-graph programs."""
        raise NotImplementedError(
            "DataLoader.from_dataset reads a fluid.DatasetFactory dataset (InMemoryDataset / "
            "QueueDataset), which feeds static-graph programs, and Paddle 1.8 refuses it in "
            "dygraph mode; minigrad runs dygraph programs only. Use "
            "DataLoader.from_generator(...) or DataLoader(fluid.io.Dataset subclass) instead")


class PyReader:
    """Paddle's older name for `DataLoader.from_generator`, with `decorate_*` methods.

        reader = fluid.io.PyReader(capacity=4, return_list=True)
        reader.decorate_sample_list_generator(fluid.io.batch(samples, batch_size=8))
        for image, label in reader():
            ...
    """

    def __init__(self, feed_list=None, capacity=None, use_double_buffer=True, iterable=True,
                 return_list=False):
        self._loader = DataLoader.from_generator(feed_list, capacity, use_double_buffer,
                                                 iterable, return_list)

    @property
    def iterable(self):
        return True

    @property
    def queue(self):
        return None

    def decorate_sample_generator(self, sample_generator, batch_size, drop_last=True,
                                  places=None):
        """See `GeneratorLoader.set_sample_generator`."""
        self._loader.set_sample_generator(sample_generator, batch_size, drop_last, places)

    def decorate_sample_list_generator(self, reader, places=None):
        """See `GeneratorLoader.set_sample_list_generator`."""
        self._loader.set_sample_list_generator(reader, places)

    def decorate_batch_generator(self, reader, places=None):
        """See `GeneratorLoader.set_batch_generator`."""
        self._loader.set_batch_generator(reader, places)

    def __call__(self):
        return self

    def __iter__(self):
        return iter(self._loader)

    def __next__(self):
        return next(self._loader)

    next = __next__

    def start(self):
        raise _not_iterable_only("PyReader.start()")

    def reset(self):
        raise _not_iterable_only("PyReader.reset()")
