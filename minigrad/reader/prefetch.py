"""Reading ahead: a background thread or forked processes fill a bounded queue.

Every reader in the input pipeline that reads ahead (the DataLoaders, `buffered`, `xmap_readers`,
`multiprocess_reader`) is a generator built here, with the same three promises:

- the queue is bounded, so a fast producer waits for the training loop instead of filling memory;
- an exception raised while producing is re-raised in the consuming loop, after the items made
  before it (Paddle 1.8 killed its queue instead: the loop got "Blocking queue is killed", or
  hung forever for `buffered` and `xmap_readers`);
- a loop that stops early (a `break`, an exception in the step) leaves nothing running: closing
  the generator, which CPython does as soon as the loop drops it, stops and joins the threads
  and terminates the processes. A producer never holds a reference to its consumer.

Threads suit readers that wait on files or numpy (both release the GIL); processes suit readers
that spend their time in Python. Processes are forked, so readers may be closures (spawned
processes would need picklable readers); where `fork` does not exist (Windows) the same
generators run the readers in one background thread instead.
"""
import multiprocessing
# Samples cross from minigrad's own forked reader processes to the training loop as pickles (as
# every multiprocessing queue sends them); nothing here reads a file or another program's bytes.
# Checkpoints are another matter: io.py loads them without pickle.
import pickle
import queue
import threading
import time
import traceback

__all__ = ["read_ahead", "read_in_processes", "stop_threads", "put_unless_stopped",
           "get_unless_stopped", "Failure", "END"]

# A blocked thread wakes this often (seconds) to see whether its consumer has stopped; while
# data flows, puts and gets return at once and this never matters.
_POLL_SECONDS = 0.05
# A producer can be stuck inside the user's reader (waiting on a socket, say), where it cannot be
# interrupted; a stopping loop waits this long for it, then leaves the daemon thread to end at
# its next item.
_JOIN_SECONDS = 5.0


class _End:
    def __repr__(self):
        return "END"


END = _End()


class Failure:
    """What a producer sends instead of an item when its reader raised."""

    def __init__(self, error):
        self.error = error


def put_unless_stopped(items, item, stop):
    """Put `item`, waiting while the queue is full; False (item dropped) once `stop` is set."""
    while not stop.is_set():
        try:
            items.put(item, timeout=_POLL_SECONDS)
            return True
        except queue.Full:
            pass
    return False


def get_unless_stopped(items, stop):
    """(True, item) once an item arrives; (False, None) once `stop` is set."""
    while not stop.is_set():
        try:
            return True, items.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            pass
    return False, None


def stop_threads(stop, threads, queues):
    """Tell producers to stop, free the slots they may be waiting for, and join them."""
    stop.set()
    for items in queues:
        _drain(items)
    deadline = time.monotonic() + _JOIN_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def _drain(items):
    while True:
        try:
            items.get_nowait()
        except queue.Empty:
            return


def read_ahead(make_iterable, capacity, name="minigrad-read-ahead"):
    """Yield the items of `make_iterable()`, produced up to `capacity` items ahead in a thread.

    make_iterable: called once, in the background thread, when iteration starts.
    capacity:      the most items waiting in the queue (an int >= 1).
    Raises whatever `make_iterable()` or its iteration raised, after yielding the earlier items.

        for batch in read_ahead(lambda: map(load, files), capacity=4):
            train(batch)
    """
    items = queue.Queue(maxsize=capacity)
    stop = threading.Event()

    def produce():
        try:
            for item in make_iterable():
                if not put_unless_stopped(items, item, stop):
                    return
            put_unless_stopped(items, END, stop)
        except BaseException as error:  # noqa: B036 -- anything raised belongs to the consumer
            put_unless_stopped(items, Failure(error), stop)

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is END:
                return
            if isinstance(item, Failure):
                raise item.error
            yield item
    finally:
        stop_threads(stop, [thread], [items])


# -- processes ---------------------------------------------------------------------------------


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in a reader process, attached as its __cause__."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text

    def __str__(self):
        return self.text


def _child_loop(make_iterable, items, prepare):
    """Runs in a reader process: ("item", x) per item, then ("end",) or ("error", e, text)."""
    try:
        if prepare is not None:
            prepare()
        for item in make_iterable():
            # Pickled here, not in the queue's feeder thread, which would drop an unpicklable
            # item with a printed warning; here it becomes the reader's error.
            items.put(("item", pickle.dumps(item, pickle.HIGHEST_PROTOCOL)))
        items.put(("end",))
    except BaseException as error:  # noqa: B036 -- sent to the parent, which raises it
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        try:
            pickle.dumps(error)
        except Exception:  # an unpicklable exception travels as its text
            error = RuntimeError(f"{type(error).__name__}: {error}")
        items.put(("error", error, text))


def _fork_context():
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _round_robin(iterables):
    """One item from each iterable in turn, dropping each as it ends."""
    iterators = [iter(it) for it in iterables]
    while iterators:
        for it in list(iterators):
            try:
                yield next(it)
            except StopIteration:
                iterators.remove(it)


def read_in_processes(makers, capacity, interleave=True, prepares=None, poll_seconds=None,
                      where="reader"):
    """Yield the items of each `maker()`, each maker iterated in its own forked process.

    makers:       callables returning iterables; each runs in a separate process.
    capacity:     the most items waiting per process queue (interleave) or in the one queue.
    interleave:   True: one item from each process in turn, dropping each as it ends (a
                  deterministic order); False: items in the order they arrive.
    prepares:     optional callables, one per maker, run first in its process (worker_init_fn).
    poll_seconds: how often a waiting loop checks that the processes are still alive.
    Items cross the process boundary by pickle. Raises the reader's exception (its remote
    traceback as __cause__), or a RuntimeError when a process dies without a word (a crash).
    Without `fork` (Windows) the makers are iterated in one background thread instead.
    """
    prepares = list(prepares) if prepares is not None else [None] * len(makers)
    context = _fork_context()
    if context is None:
        def in_one_thread():
            for prepare in prepares:
                if prepare is not None:
                    prepare()
            return _round_robin([maker() for maker in makers])
        yield from read_ahead(in_one_thread, capacity)
        return
    poll = poll_seconds or _POLL_SECONDS * 10
    if interleave:
        queues = [context.Queue(capacity) for _ in makers]
    else:
        shared = context.Queue(capacity)
        queues = [shared] * len(makers)
    processes = [context.Process(target=_child_loop, args=(maker, items, prepare), daemon=True)
                 for maker, items, prepare in zip(makers, queues, prepares)]

    def receive(items, watched):
        while True:
            try:
                message = items.get(timeout=poll)
                break
            except queue.Empty:
                crashed = [p for p in watched if p.exitcode not in (None, 0)]
                if not crashed and any(p.exitcode is None for p in watched):
                    continue
                # A process that exited has flushed what it sent; read that before judging.
                try:
                    message = items.get(timeout=poll)
                    break
                except queue.Empty:
                    culprit = (crashed or watched)[0]
                    raise RuntimeError(
                        f"{where}: a reader process (pid {culprit.pid}) exited with code "
                        f"{culprit.exitcode} before finishing its reader") from None
        if message[0] == "error":
            error, text = message[1], message[2]
            raise error from _RemoteTraceback(f"\nin the reader process:\n{text}")
        return message

    try:
        for process in processes:
            process.start()
        if interleave:
            live = list(range(len(makers)))
            while live:
                for index in list(live):
                    message = receive(queues[index], [processes[index]])
                    if message[0] == "end":
                        live.remove(index)
                    else:
                        yield pickle.loads(message[1])
        else:
            finished = 0
            while finished < len(makers):
                message = receive(shared, processes)
                if message[0] == "end":
                    finished += 1
                else:
                    yield pickle.loads(message[1])
    finally:
        started = [process for process in processes if process.pid is not None]
        for process in started:
            if process.is_alive():
                process.terminate()
        for process in started:
            process.join(_JOIN_SECONDS)
        for items in set(queues):
            items.cancel_join_thread()
            items.close()
