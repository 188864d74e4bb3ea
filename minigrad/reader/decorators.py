"""Paddle's reader decorators: `fluid.io.batch`, `shuffle`, `buffered`, `compose`, ...

A *reader* is a callable with no arguments that returns an iterable of samples; a decorator takes
readers and returns a new reader. Nothing is read until the returned reader is called and
iterated, except by `cache`, which reads everything at once (as in Paddle).

    def reader():
        for i in range(10):
            yield np.full([3], i, "float32"), i
    train_reader = fluid.io.batch(fluid.io.shuffle(reader, buf_size=100), batch_size=4)
    for samples in train_reader():      # a list of 4 (image, label) tuples
        ...

Where minigrad differs from Paddle 1.8.5 (which it otherwise follows exactly):
- readers and sizes are checked when the decorator is called, with errors naming the decorator;
- `compose` tells a reader that ended from one that yielded None (1.8 called both "not aligned");
- `buffered` compares with its end marker by identity (1.8's `!=` failed on numpy samples);
- `buffered`, `xmap_readers` and `multiprocess_reader` re-raise a reader's exception in the loop
  and stop their threads/processes when the loop breaks (1.8 hung, or left them blocked);
- `multiprocess_reader(use_pipe=True)` sends samples by pickle, so numpy arrays and tuples pass
  (1.8 sent JSON: it refused arrays and turned tuples into lists).
"""
import itertools
import numbers
import queue
import random
import threading

from minigrad.reader.prefetch import (END, Failure, get_unless_stopped, put_unless_stopped,
                                      read_ahead, read_in_processes, stop_threads)

__all__ = ["batch", "shuffle", "buffered", "cache", "chain", "compose", "ComposeNotAligned",
           "firstn", "map_readers", "xmap_readers", "multiprocess_reader"]


# -- argument checks ---------------------------------------------------------------------------


def _check_reader(where, reader, argument="reader"):
    if not callable(reader):
        hint = (" (pass the reader function itself, not the generator it returns)"
                if hasattr(reader, "__next__") else "")
        raise TypeError(f"{where}: {argument} must be a reader, a callable with no arguments "
                        f"that returns an iterable of samples; got {type(reader).__name__}{hint}")


def _check_count(where, argument, value, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{where}: {argument} must be an int, got {type(value).__name__} "
                        f"({value!r})")
    if value < minimum:
        raise ValueError(f"{where}: {argument} must be >= {minimum}, got {value!r}")
    return int(value)


# -- the decorators ----------------------------------------------------------------------------


def batch(reader, batch_size, drop_last=False):
    """Group a reader's samples into lists of `batch_size` (`paddle.batch`, `fluid.io.batch`).

    reader:     a reader of samples.
    batch_size: the samples per batch, an int >= 1.
    drop_last:  drop a last batch shorter than `batch_size` (default False: keep it).
    Raises TypeError for a non-reader or a non-int size, ValueError for a size < 1.

        list(fluid.io.batch(lambda: iter(range(5)), 2)())    # [[0, 1], [2, 3], [4]]
    """
    _check_reader("fluid.io.batch", reader)
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool):
        raise TypeError(f"fluid.io.batch: batch_size must be an int, got "
                        f"{type(batch_size).__name__} ({batch_size!r})")
    if batch_size <= 0:
        raise ValueError("batch_size should be a positive integeral value, but got "
                         f"batch_size={batch_size}")
    batch_size = int(batch_size)

    def batch_reader():
        samples = []
        for sample in reader():
            samples.append(sample)
            if len(samples) == batch_size:
                yield samples
                samples = []
        if samples and not drop_last:
            yield samples

    return batch_reader


def shuffle(reader, buf_size):
    """Shuffle within consecutive windows of `buf_size` samples, with Python's `random`.

    reader:   a reader of samples.
    buf_size: the window, an int >= 1: `buf_size` samples are read, shuffled and yielded, then
              the next `buf_size`; a larger window mixes more and holds more in memory.
    As in Paddle, the order comes from the `random` module: `random.seed(s)` makes it repeat.

        shuffled = fluid.io.shuffle(reader, buf_size=1000)
    """
    _check_reader("fluid.io.shuffle", reader)
    buf_size = _check_count("fluid.io.shuffle", "buf_size", buf_size, 1)

    def shuffled_reader():
        window = []
        for sample in reader():
            window.append(sample)
            if len(window) >= buf_size:
                random.shuffle(window)
                yield from window
                window = []
        if window:
            random.shuffle(window)
            yield from window

    return shuffled_reader


def buffered(reader, size):
    """Read up to `size` samples ahead in a background thread.

    reader: a reader of samples.
    size:   the most samples waiting, an int >= 1.
    A reader's exception is re-raised in the loop; a loop that stops early stops the thread.

        fast = fluid.io.buffered(slow_reader, size=64)
    """
    _check_reader("fluid.io.buffered", reader)
    size = _check_count("fluid.io.buffered", "size", size, 1)

    def buffered_reader():
        return read_ahead(reader, size, name="minigrad-buffered")

    return buffered_reader


def cache(reader):
    """Read all of `reader` now, into memory; the returned reader replays it.

        cached = fluid.io.cache(reader)     # reader() runs once, here
    """
    _check_reader("fluid.io.cache", reader)
    samples = tuple(reader())

    def cached_reader():
        return iter(samples)

    return cached_reader


def chain(*readers):
    """The samples of each reader in turn.

        list(fluid.io.chain(lambda: iter([1, 2]), lambda: iter([3]))())    # [1, 2, 3]
    """
    for i, reader in enumerate(readers):
        _check_reader("fluid.io.chain", reader, f"readers[{i}]")

    def chained_reader():
        return itertools.chain.from_iterable(reader() for reader in readers)

    return chained_reader


class ComposeNotAligned(ValueError):
    """Raised by a `compose`d reader when its readers yield different numbers of samples."""


_MISSING = object()


def compose(*readers, check_alignment=True):
    """Join the readers' samples side by side into one tuple per step.

    A tuple sample contributes its fields, anything else (a list, an array) contributes itself:
    samples (1, 2), 3 and [4] compose to (1, 2, 3, [4]).
    check_alignment: True raises ComposeNotAligned when one reader ends before the others;
                     False stops at the shortest reader.

        list(fluid.io.compose(lambda: iter([1, 2]), lambda: iter([(3, 4), (5, 6)]))())
        # [(1, 3, 4), (2, 5, 6)]
    """
    for i, reader in enumerate(readers):
        _check_reader("fluid.io.compose", reader, f"readers[{i}]")

    def fields(sample):
        return sample if isinstance(sample, tuple) else (sample,)

    def composed_reader():
        iterables = [reader() for reader in readers]
        if not check_alignment:
            steps = zip(*iterables)
        else:
            steps = itertools.zip_longest(*iterables, fillvalue=_MISSING)
        for step in steps:
            if any(sample is _MISSING for sample in step):
                ended = [i for i, sample in enumerate(step) if sample is _MISSING]
                raise ComposeNotAligned(f"outputs of readers are not aligned: readers {ended} "
                                        "ended before the others")
            yield sum((fields(sample) for sample in step), ())

    return composed_reader


def firstn(reader, n):
    """At most the first `n` samples of `reader` (an int n >= 0).

        list(fluid.io.firstn(lambda: iter(range(100)), 3)())    # [0, 1, 2]
    """
    _check_reader("fluid.io.firstn", reader)
    n = _check_count("fluid.io.firstn", "n", n, 0)

    def firstn_reader():
        return itertools.islice(reader(), n)

    return firstn_reader


def map_readers(func, *readers):
    """`func(a, b, ...)` for each step's samples a, b, ... of the readers; ends with the shortest.

        list(fluid.io.map_readers(lambda x, y: x * y, r1, r2)())
    """
    if not callable(func):
        raise TypeError(f"fluid.io.map_readers: func must be callable, got "
                        f"{type(func).__name__}")
    for i, reader in enumerate(readers):
        _check_reader("fluid.io.map_readers", reader, f"readers[{i}]")

    def mapped_reader():
        return map(func, *(reader() for reader in readers))

    return mapped_reader


def xmap_readers(mapper, reader, process_num, buffer_size, order=False):
    """`mapper(sample)` for each sample, computed by `process_num` threads (as in Paddle).

    mapper:      a function of one sample.
    reader:      a reader of samples.
    process_num: the number of mapping threads, an int >= 1 (threads, despite the name).
    buffer_size: the most samples waiting to be mapped, and mapped samples waiting to be read.
    order:       True keeps the reader's order; False (default) yields as mapping finishes.
    An exception in the reader or the mapper is re-raised in the loop; a loop that stops early
    stops every thread.

        images = fluid.io.xmap_readers(decode, files_reader, process_num=4, buffer_size=64)
    """
    if not callable(mapper):
        raise TypeError(f"fluid.io.xmap_readers: mapper must be callable, got "
                        f"{type(mapper).__name__}")
    _check_reader("fluid.io.xmap_readers", reader)
    process_num = _check_count("fluid.io.xmap_readers", "process_num", process_num, 1)
    buffer_size = _check_count("fluid.io.xmap_readers", "buffer_size", buffer_size, 1)

    def xmapped_reader():
        to_map = queue.Queue(buffer_size)
        mapped = queue.Queue(buffer_size)
        stop = threading.Event()

        def read():
            count = 0      # a failure's index: with order=True it is raised after the others
            try:
                for sample in reader():
                    if not put_unless_stopped(to_map, (count, sample), stop):
                        return
                    count += 1
                for _ in range(process_num):
                    put_unless_stopped(to_map, END, stop)
            except BaseException as error:  # noqa: B036 -- the consumer raises it
                put_unless_stopped(mapped, (count, Failure(error)), stop)

        def work():
            while True:
                ok, job = get_unless_stopped(to_map, stop)
                if not ok:
                    return
                if job is END:
                    put_unless_stopped(mapped, END, stop)
                    return
                index, sample = job
                try:
                    result = mapper(sample)
                except BaseException as error:  # noqa: B036 -- the consumer raises it
                    put_unless_stopped(mapped, (index, Failure(error)), stop)
                    return
                if not put_unless_stopped(mapped, (index, result), stop):
                    return

        threads = [threading.Thread(target=read, name="minigrad-xmap-read", daemon=True)]
        threads += [threading.Thread(target=work, name=f"minigrad-xmap-{i}", daemon=True)
                    for i in range(process_num)]
        for thread in threads:
            thread.start()
        waiting = {}          # order=True: mapped samples that arrived before their turn
        next_index = 0
        try:
            finished = 0
            while finished < process_num:
                item = mapped.get()
                if item is END:
                    finished += 1
                    continue
                index, result = item
                if not order:
                    if isinstance(result, Failure):
                        raise result.error
                    yield result
                    continue
                waiting[index] = result
                while next_index in waiting:
                    result = waiting.pop(next_index)
                    if isinstance(result, Failure):
                        raise result.error
                    yield result
                    next_index += 1
        finally:
            stop_threads(stop, threads, [to_map, mapped])

    return xmapped_reader


def multiprocess_reader(readers, use_pipe=True, queue_size=1000):
    """Run each reader in its own process and merge their samples.

    readers:    a list of readers, each iterated in a separate (forked) process, so each must
                work on its own (its own file, its own shard).
    use_pipe:   True (default): one pipe per reader, read in turn, one sample from each, so the
                merged order is deterministic; False: one shared queue, samples in arrival order.
    queue_size: the most samples waiting (per reader with pipes, in total with the queue).
    Samples cross processes by pickle. A sample that is None is an error (as in Paddle); a
    reader's exception is re-raised in the loop with its traceback; a loop that stops early
    terminates the processes. Where `fork` is missing (Windows) the readers run in one
    background thread instead.

        merged = fluid.io.multiprocess_reader([shard_reader(0), shard_reader(1)])
    """
    if not isinstance(readers, list) or not readers:
        raise TypeError(f"fluid.io.multiprocess_reader: readers must be a non-empty list of "
                        f"readers, got {type(readers).__name__} ({readers!r})")
    for i, reader in enumerate(readers):
        _check_reader("fluid.io.multiprocess_reader", reader, f"readers[{i}]")
    queue_size = _check_count("fluid.io.multiprocess_reader", "queue_size", queue_size, 1)

    def checked(reader, i):
        def samples():
            for sample in reader():
                if sample is None:
                    raise ValueError(f"fluid.io.multiprocess_reader: readers[{i}] yielded None; "
                                     "a sample must not be None")
                yield sample
        return samples

    def merged_reader():
        makers = [checked(reader, i) for i, reader in enumerate(readers)]
        return read_in_processes(makers, queue_size, interleave=bool(use_pipe),
                                 where="fluid.io.multiprocess_reader")

    return merged_reader
