"""The input pipeline (`fluid.io`): reader decorators, DataLoader, PyReader, Dataset, BatchSampler.

Programs are written as Paddle 1.8 users write them; expected values are written out by hand or
computed with plain loops here. Facts checked against Paddle 1.8.5 are marked "1.8.5:".
Reading ahead must stop cleanly: every test that reads in the background checks that the
thread count (or the child processes) is back to where it started once the loop is over.
"""
import multiprocessing
import os
import random
import threading

import numpy as np
import pytest

import minigrad as fluid


@pytest.fixture
def no_leaks():
    """Assert that a test leaves no reader thread or reader process behind."""
    threads = threading.active_count()
    yield
    assert threading.active_count() == threads
    assert multiprocessing.active_children() == []


def samples_reader(count=10):
    """(image float32 [3] filled with i, label int i) for i < count."""
    def reader():
        for i in range(count):
            yield np.full([3], i, "float32"), i
    return reader


def numbers(values):
    return lambda: iter(list(values))


# -- a training loop over DataLoader.from_generator ------------------------------------------


def test_training_loop_over_from_generator(no_leaks):
    rng = np.random.default_rng(0)
    true_w = np.array([[1.0], [-2.0], [0.5]], "float32")
    xs = rng.normal(size=(10, 3)).astype("float32")
    ys = xs @ true_w

    def reader():
        for x, y in zip(xs, ys):
            yield x, y

    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(3, 1)
        sgd = fluid.optimizer.SGD(learning_rate=0.1, parameter_list=model.parameters())
        loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
        loader.set_sample_list_generator(fluid.io.batch(reader, 4))
        losses = []
        for epoch in range(30):
            seen = []
            for batch_id, (x, y) in enumerate(loader()):
                seen.append(x.numpy())
                loss = fluid.layers.mean(fluid.layers.square_error_cost(model(x), y))
                loss.backward()
                sgd.minimize(loss)
                model.clear_gradients()
                losses.append(float(loss.numpy()[0]))
            # fluid.io.batch keeps the short last batch: 4 + 4 + 2 samples, in order.
            assert [s.shape for s in seen] == [(4, 3), (4, 3), (2, 3)]
            np.testing.assert_array_equal(np.concatenate(seen), xs)
    assert np.mean(losses[-3:]) < 0.05 * np.mean(losses[:3])


def test_batches_are_lists_of_variables_in_dygraph(no_leaks):
    # 1.8.5: in dygraph a batch is always a list of Variables (return_list=False included), one
    # per field, stop_gradient=True, the batch dimension first; a Python int field gives an
    # int64 [batch] Variable and a Python float a float64 one.
    def reader():
        for i in range(5):
            yield np.full([2, 2], i, "float32"), i, float(i), np.array([i])

    with fluid.dygraph.guard():
        for return_list in (True, False):
            loader = fluid.io.DataLoader.from_generator(capacity=3, return_list=return_list)
            loader.set_sample_list_generator(fluid.io.batch(reader, 2))
            batches = list(loader())
            assert len(batches) == 3
            first = batches[0]
            assert isinstance(first, list) and len(first) == 4
            assert all(isinstance(v, fluid.Variable) and v.stop_gradient for v in first)
            assert [v.shape for v in first] == [[2, 2, 2], [2], [2], [2, 1]]
            assert [v.dtype for v in first] == [np.float32, np.int64, np.float64, np.int64]
            assert [v.shape for v in batches[-1]] == [[1, 2, 2], [1], [1], [1, 1]]
            np.testing.assert_array_equal(batches[1][1].numpy(), [2, 3])


def test_set_sample_generator_drops_the_last_batch_by_default(no_leaks):
    # 1.8.5: set_sample_generator's drop_last defaults to True (fluid.io.batch's to False).
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=2)
        assert loader.set_sample_generator(samples_reader(10), 4) is loader
        assert [b[1].numpy().tolist() for b in loader()] == [[0, 1, 2, 3], [4, 5, 6, 7]]
        loader.set_sample_generator(samples_reader(10), 4, drop_last=False)
        assert [b[1].numpy().tolist() for b in loader()] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_set_batch_generator(no_leaks):
    batches = [(np.full([2, 3], k, "float64"), np.arange(2) + 2 * k) for k in range(3)]
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=1)
        loader.set_batch_generator(lambda: iter(batches), places=fluid.CPUPlace())
        got = list(loader())
        assert len(got) == 3
        for (image, label), (x, y) in zip(batches, got):
            np.testing.assert_array_equal(x.numpy(), image)
            np.testing.assert_array_equal(y.numpy(), label)
            assert x.dtype == np.float64
        # A bare ndarray is a one-field batch; a scalar field becomes shape [1] (1.8.5 made a
        # shape-[] tensor, though 1.8 has no 0-d tensors elsewhere).
        loader.set_batch_generator(lambda: iter([np.zeros([2, 3], "float32")]))
        assert [[v.shape for v in b] for b in loader()] == [[[2, 3]]]
        loader.set_batch_generator(lambda: iter([(np.float32(2.5),)]))
        assert [[v.shape for v in b] for b in loader()] == [[[1]]]


def test_batches_are_copies_of_a_reused_buffer(no_leaks):
    def batches():
        buffer = np.zeros([2], "float32")
        for k in range(4):
            buffer[:] = k          # a reader that refills one array in place
            yield (buffer,)

    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=4)
        loader.set_batch_generator(batches)
        assert [b[0].numpy().tolist() for b in loader()] == [[k, k] for k in range(4)]


def test_each_epoch_reads_the_reader_again_and_next_works(no_leaks):
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=2)
        loader.set_sample_list_generator(fluid.io.batch(samples_reader(4), 2))
        assert loader() is loader and loader.iterable   # 1.8.5: loader() returns the loader
        epochs = [[b[1].numpy().tolist() for b in loader] for _ in range(2)]
        assert epochs == [[[0, 1], [2, 3]]] * 2
        assert next(loader)[1].numpy().tolist() == [0, 1]
        assert next(loader)[1].numpy().tolist() == [2, 3]
        with pytest.raises(StopIteration):
            next(loader)


@pytest.mark.parametrize("data_format", ["sample_generator", "sample_list_generator",
                                         "batch_generator"])
def test_from_generator_documentation_example(no_leaks, data_format):
    # The dygraph part of 1.8.5's DataLoader.from_generator example, with the import changed and
    # fluid.cpu_places() written out as [fluid.CPUPlace()].
    BATCH_NUM = 3
    BATCH_SIZE = 16

    def get_random_images_and_labels(image_shape, label_shape):
        image = np.random.random(size=image_shape).astype('float32')
        label = np.random.random(size=label_shape).astype('int64')
        return image, label

    def sample_generator_creator():
        def __reader__():
            for _ in range(BATCH_NUM * BATCH_SIZE):
                image, label = get_random_images_and_labels([784], [1])
                yield image, label
        return __reader__

    def sample_list_generator_creator():
        def __reader__():
            for _ in range(BATCH_NUM):
                sample_list = []
                for _ in range(BATCH_SIZE):
                    image, label = get_random_images_and_labels([784], [1])
                    sample_list.append([image, label])
                yield sample_list
        return __reader__

    def batch_generator_creator():
        def __reader__():
            for _ in range(BATCH_NUM):
                batch_image, batch_label = get_random_images_and_labels([BATCH_SIZE, 784],
                                                                        [BATCH_SIZE, 1])
                yield batch_image, batch_label
        return __reader__

    def set_data_source(loader, places):
        if data_format == 'sample_generator':
            loader.set_sample_generator(sample_generator_creator(), batch_size=BATCH_SIZE,
                                        drop_last=True, places=places)
        elif data_format == 'sample_list_generator':
            loader.set_sample_list_generator(sample_list_generator_creator(), places=places)
        elif data_format == 'batch_generator':
            loader.set_batch_generator(batch_generator_creator(), places=places)

    places = [fluid.CPUPlace()]
    steps = 0
    with fluid.dygraph.guard(places[0]):
        loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
        set_data_source(loader, places[0])
        for image, label in loader():
            relu = fluid.layers.relu(image)
            assert image.shape == [BATCH_SIZE, 784]
            assert label.shape == [BATCH_SIZE, 1]
            assert relu.shape == [BATCH_SIZE, 784]
            steps += 1
    assert steps == BATCH_NUM


# -- errors, early stops, exceptions -------------------------------------------------------------


def failing_reader(count, fail_at, error):
    def reader():
        for i in range(count):
            if i == fail_at:
                raise error
            yield np.full([3], i, "float32"), np.array([i])
    return reader


def test_the_generators_exception_reaches_the_loop(no_leaks):
    error = KeyError("boom")
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
        loader.set_sample_list_generator(fluid.io.batch(failing_reader(10, 5, error), 2))
        got = []
        with pytest.raises(KeyError) as raised:
            for image, label in loader():
                got.append(label.numpy().ravel().tolist())
    # The batches made before the failure arrive first (1.8.5 lost them and raised
    # "Blocking queue is killed because the data reader raises an exception").
    assert raised.value is error
    assert got == [[0, 1], [2, 3]]


def test_breaking_out_of_the_loop_stops_the_reader_thread(no_leaks):
    def endless():
        i = 0
        while True:
            yield np.full([3], i, "float32"), i
            i += 1

    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=1)
        loader.set_sample_list_generator(fluid.io.batch(endless, 2))
        baseline = threading.active_count()
        for k, batch in enumerate(loader()):
            assert threading.active_count() == baseline + 1   # the reader is running
            if k == 2:
                break
        # The reader thread was blocked on the full queue; it is gone now (1.8.5 left it).
        assert threading.active_count() == baseline
        first, = [b[1].numpy().tolist() for _, b in zip(range(1), loader())]
        assert first == [0, 1]      # a new epoch starts from the beginning


def test_an_error_in_the_training_step_stops_the_reader_thread(no_leaks):
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=1)
        loader.set_sample_list_generator(fluid.io.batch(samples_reader(100), 2))
        with pytest.raises(ZeroDivisionError):
            for batch in loader():
                1 / 0


def test_from_generator_bad_arguments():
    with pytest.raises(ValueError, match="capacity"):
        fluid.io.DataLoader.from_generator()           # 1.8.5: "Please give value to capacity."
    with pytest.raises(ValueError, match="capacity"):
        fluid.io.DataLoader.from_generator(capacity=0)
    with pytest.raises(TypeError, match="capacity"):
        fluid.io.DataLoader.from_generator(capacity=2.5)
    loader = fluid.io.DataLoader.from_generator(capacity=2)
    with pytest.raises(RuntimeError, match="data source"):
        iter(loader)
    reader = samples_reader()
    with pytest.raises(TypeError, match="not the generator"):
        loader.set_sample_list_generator(reader())
    with pytest.raises(ValueError, match="one place"):       # 1.8.5: one place in dygraph
        loader.set_batch_generator(reader, places=[fluid.CPUPlace(), fluid.CPUPlace()])
    with pytest.raises(ValueError, match="batch_size"):       # 1.8.5: batch_size must be > 0
        loader.set_sample_generator(reader, 0)
    with pytest.raises(RuntimeError, match="iterable"):       # 1.8.5: AttributeError
        loader.start()
    loader.set_sample_list_generator(fluid.io.batch(reader, 2))
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="guard"):
        iter(loader)                                   # Variables need dygraph mode
    assert threading.active_count() == threads


@pytest.mark.parametrize("samples, error, match", [
    ([np.arange(3.0)] * 2, TypeError, "list or tuple of fields"),      # a bare ndarray sample
    ([(1, 2), (3,)], ValueError, "same"),                              # ragged field counts
    ([([1, 2],), ([1, 2, 3],)], TypeError, "regular ndarray"),         # ragged field shapes
    ([("a",), ("b",)], TypeError, "non-numeric"),                      # strings
])
def test_bad_samples_are_clear_errors_in_the_loop(no_leaks, samples, error, match):
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=2)
        loader.set_sample_list_generator(lambda: iter([samples]))
        with pytest.raises(error, match=match):
            list(loader())


def test_from_dataset_is_static_graph_only():
    # 1.8.5: from_dataset needs a fluid.DatasetFactory dataset and asserts "not supported in
    # dygraph mode".
    with fluid.dygraph.guard():
        with pytest.raises(NotImplementedError, match="dygraph programs only"):
            fluid.io.DataLoader.from_dataset(None, [fluid.CPUPlace()])


def test_use_multiprocess_reads_in_a_process(no_leaks):
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader.from_generator(capacity=2, use_multiprocess=True)
        loader.set_sample_list_generator(fluid.io.batch(samples_reader(5), 2))
        got = [(b[0].numpy(), b[1].numpy().tolist()) for b in loader()]
        assert [labels for _, labels in got] == [[0, 1], [2, 3], [4]]
        np.testing.assert_array_equal(got[2][0], np.full([1, 3], 4, "float32"))
        loader.set_sample_list_generator(fluid.io.batch(failing_reader(10, 3, IndexError("x")),
                                                        2))
        with pytest.raises(IndexError, match="x") as raised:
            list(loader())
        assert "in the reader process" in str(raised.value.__cause__)
        endless = fluid.io.batch(lambda: ((i,) for i in range(10 ** 9)), 2)
        loader.set_sample_list_generator(endless)
        for _ in loader():
            break      # the fixture checks that the reader process is gone


# -- PyReader --------------------------------------------------------------------------------


def test_py_reader(no_leaks):
    with fluid.dygraph.guard():
        # 1.8.5: in dygraph, iterable=False is switched to iterable; decorate_* return None.
        reader = fluid.io.PyReader(capacity=2, iterable=False, return_list=True)
        assert reader.decorate_sample_list_generator(fluid.io.batch(samples_reader(3), 2)) is None
        assert reader() is reader and reader.iterable
        assert [[v.shape for v in b] for b in reader()] == [[[2, 3], [2]], [[1, 3], [1]]]
        reader.decorate_sample_generator(samples_reader(5), batch_size=2)
        assert [b[1].numpy().tolist() for b in reader()] == [[0, 1], [2, 3]]
        reader.decorate_batch_generator(lambda: iter([(np.ones([2, 2]),)]))
        assert [b[0].shape for b in reader()] == [[2, 2]]
        with pytest.raises(RuntimeError, match="iterable"):
            reader.start()


# -- Dataset, BatchSampler, DataLoader(dataset) ----------------------------------------------


class Numbered(fluid.io.Dataset):
    def __init__(self, count):
        self.count = count

    def __getitem__(self, i):
        return np.full([2], i, "float32"), np.array([i])

    def __len__(self):
        return self.count


def test_dataloader_over_a_dataset(no_leaks):
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader(Numbered(10), places=fluid.CPUPlace(), batch_size=4)
        assert len(loader) == 3 and len(loader()) == 3     # 1.8.5: the epoch has a len too
        batches = list(loader())
        assert [[v.shape for v in b] for b in batches] == [[[4, 2], [4, 1]]] * 2 + [[[2, 2],
                                                                                       [2, 1]]]
        assert [v.dtype for v in batches[0]] == [np.float32, np.int64]
        labels = np.concatenate([b[1].numpy().ravel() for b in batches])
        np.testing.assert_array_equal(labels, np.arange(10))
        np.testing.assert_array_equal(batches[2][0].numpy(), [[8, 8], [9, 9]])
        # places may be left out here (1.8.5 asserted "places cannot be None").
        loader = fluid.io.DataLoader(Numbered(10), batch_size=4, drop_last=True)
        assert len(loader) == 2 and len(list(loader)) == 2


def test_dataloader_documentation_example(no_leaks):
    # The dygraph part of 1.8.5's fluid.io.DataLoader example (num_workers=2), with the import
    # changed, fluid.cpu_places() written out, and fewer batches.
    BATCH_NUM = 4
    BATCH_SIZE = 16
    EPOCH_NUM = 2
    IMAGE_SIZE = 784
    CLASS_NUM = 10

    class RandomDataset(fluid.io.Dataset):
        def __init__(self, num_samples):
            self.num_samples = num_samples

        def __getitem__(self, idx):
            image = np.random.random([IMAGE_SIZE]).astype('float32')
            label = np.random.randint(0, CLASS_NUM - 1, (1, )).astype('int64')
            return image, label

        def __len__(self):
            return self.num_samples

    class SimpleNet(fluid.dygraph.Layer):
        def __init__(self):
            super(SimpleNet, self).__init__()
            self.fc = fluid.dygraph.nn.Linear(IMAGE_SIZE, CLASS_NUM, act='softmax')

        def forward(self, image, label=None):
            return self.fc(image)

    places = [fluid.CPUPlace()]
    dataset = RandomDataset(BATCH_NUM * BATCH_SIZE)
    steps = 0
    with fluid.dygraph.guard(places[0]):
        simple_net = SimpleNet()
        opt = fluid.optimizer.SGD(learning_rate=1e-3, parameter_list=simple_net.parameters())
        loader = fluid.io.DataLoader(dataset, places=places[0], batch_size=BATCH_SIZE,
                                     shuffle=True, drop_last=True, num_workers=2)
        for e in range(EPOCH_NUM):
            for i, (image, label) in enumerate(loader()):
                out = simple_net(image)
                loss = fluid.layers.cross_entropy(out, label)
                avg_loss = fluid.layers.reduce_mean(loss)
                avg_loss.backward()
                opt.minimize(avg_loss)
                simple_net.clear_gradients()
                assert np.isfinite(avg_loss.numpy()).all()
                steps += 1
    assert steps == EPOCH_NUM * BATCH_NUM


def test_dataloader_sample_kinds_and_collate_fn(no_leaks):
    class OneArray(fluid.io.Dataset):
        def __getitem__(self, i):
            return np.full([2], i, "float32")

        def __len__(self):
            return 5

    class Scalars(fluid.io.Dataset):
        def __getitem__(self, i):
            return i, float(i)

        def __len__(self):
            return 5

    with fluid.dygraph.guard():
        # 1.8.5: a sample that is one ndarray gives a one-Variable list per batch; ints and
        # floats are stacked to int64 and float64.
        batches = list(fluid.io.DataLoader(OneArray(), batch_size=2))
        assert [[v.shape for v in b] for b in batches] == [[[2, 2]], [[2, 2]], [[1, 2]]]
        first = next(iter(fluid.io.DataLoader(Scalars(), batch_size=2, return_list=True)))
        assert [(v.shape, v.dtype) for v in first] == [([2], np.int64), ([2], np.float64)]

        def tens(samples):
            return [np.stack([image for image, _ in samples]) * 10]

        loader = fluid.io.DataLoader(Numbered(5), batch_size=2, collate_fn=tens)
        assert [b[0].numpy()[:, 0].tolist() for b in loader] == [[0, 10], [20, 30], [40]]
        loader = fluid.io.DataLoader(Numbered(5), batch_size=2, use_buffer_reader=False)
        assert [b[1].numpy().ravel().tolist() for b in loader] == [[0, 1], [2, 3], [4]]


def test_dataloader_with_a_batch_sampler_and_errors(no_leaks):
    sampler = fluid.io.BatchSampler(indices=[3, 1, 2], batch_size=2)
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader(Numbered(10), batch_sampler=sampler)
        assert [b[1].numpy().ravel().tolist() for b in loader] == [[3, 1], [2]]
        with pytest.raises(ValueError, match="batch_sampler"):
            fluid.io.DataLoader(Numbered(10), batch_sampler=sampler, batch_size=2)
        with pytest.raises(TypeError, match="Dataset"):
            fluid.io.DataLoader(5)
        with pytest.raises(ValueError, match="one place"):
            fluid.io.DataLoader(Numbered(3), places=[fluid.CPUPlace()] * 2)
        with pytest.raises(ValueError, match="num_workers"):
            fluid.io.DataLoader(Numbered(3), num_workers=-1)

        class Broken(Numbered):
            def __getitem__(self, i):
                if i == 3:
                    raise IndexError("bad index 3")
                return super().__getitem__(i)

        got = []
        with pytest.raises(IndexError, match="bad index 3"):
            for image, label in fluid.io.DataLoader(Broken(6), batch_size=2):
                got.append(label.numpy().ravel().tolist())
        assert got == [[0, 1]]


def test_shuffled_dataloader_follows_numpys_seed(no_leaks):
    # 1.8.5's BatchSampler shuffles with np.random.shuffle, so np.random.seed repeats it.
    def epoch_labels(seed):
        np.random.seed(seed)
        loader = fluid.io.DataLoader(Numbered(10), batch_size=3, shuffle=True)
        return [b[1].numpy().ravel().tolist() for b in loader]

    with fluid.dygraph.guard():
        first = epoch_labels(3)
    np.random.seed(3)
    order = list(range(10))
    np.random.shuffle(order)
    assert first == [order[0:3], order[3:6], order[6:9], order[9:]]
    with fluid.dygraph.guard():
        assert epoch_labels(3) == first


worker_id_in_this_process = None


def remember_worker(worker_id):
    global worker_id_in_this_process
    worker_id_in_this_process = worker_id


class WhoMadeMe(fluid.io.Dataset):
    def __getitem__(self, i):
        return np.array([i]), np.array([worker_id_in_this_process])

    def __len__(self):
        return 7


def test_dataloader_worker_processes_keep_the_order(no_leaks):
    with fluid.dygraph.guard():
        loader = fluid.io.DataLoader(WhoMadeMe(), batch_size=2, num_workers=2,
                                     worker_init_fn=remember_worker)
        batches = [(b[0].numpy().ravel().tolist(), b[1].numpy().ravel().tolist())
                   for b in loader]
    assert [indices for indices, _ in batches] == [[0, 1], [2, 3], [4, 5], [6]]
    # Batch k is made by worker k % 2, after worker_init_fn(k % 2) ran in that process.
    assert [workers for _, workers in batches] == [[0, 0], [1, 1], [0, 0], [1]]
    assert worker_id_in_this_process is None


def test_dataloader_worker_errors_reach_the_loop(no_leaks):
    class Broken(Numbered):
        def __getitem__(self, i):
            if i == 5:
                raise KeyError("sample 5")
            return super().__getitem__(i)

    with fluid.dygraph.guard():
        with pytest.raises(KeyError, match="sample 5"):
            list(fluid.io.DataLoader(Broken(8), batch_size=2, num_workers=2))
        for _ in fluid.io.DataLoader(Numbered(100), batch_size=2, num_workers=2):
            break      # the fixture checks that both workers are gone


def test_batch_sampler():
    assert list(fluid.io.BatchSampler(indices=list(range(7)), batch_size=3)) == [
        [0, 1, 2], [3, 4, 5], [6]]
    sampler = fluid.io.BatchSampler(indices=list(range(7)), batch_size=3, drop_last=True)
    assert list(sampler) == [[0, 1, 2], [3, 4, 5]] and len(sampler) == 2
    assert len(fluid.io.BatchSampler(Numbered(7), batch_size=3)) == 3
    assert len(fluid.io.BatchSampler(Numbered(6), batch_size=3)) == 2
    mine = list(range(20))
    shuffled = fluid.io.BatchSampler(indices=mine, batch_size=20, shuffle=True)
    assert sorted(next(iter(shuffled))) == mine and mine == list(range(20))
    with pytest.raises(ValueError, match="both"):
        fluid.io.BatchSampler(Numbered(3), indices=[1])
    with pytest.raises(ValueError, match="either"):
        fluid.io.BatchSampler()
    with pytest.raises(ValueError, match="batch_size"):
        fluid.io.BatchSampler(indices=[1], batch_size=0)
    with pytest.raises(TypeError, match="shuffle"):
        fluid.io.BatchSampler(indices=[1], shuffle=1)


def test_default_collate_fn_and_dataset_base():
    images, labels = fluid.io.default_collate_fn([(np.zeros(2), 1), (np.ones(2), 2)])
    np.testing.assert_array_equal(images, [[0, 0], [1, 1]])
    np.testing.assert_array_equal(labels, [1, 2])
    (stacked,) = fluid.io.default_collate_fn([np.zeros(2), np.ones(2)])
    assert stacked.shape == (2, 2)
    with pytest.raises(ValueError, match="different shapes"):
        fluid.io.default_collate_fn([(np.zeros(2),), (np.zeros(3),)])
    with pytest.raises(NotImplementedError, match="__getitem__"):
        fluid.io.Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(fluid.io.Dataset())


# -- the reader decorators -------------------------------------------------------------------


def test_batch():
    assert list(fluid.io.batch(numbers(range(5)), 2)()) == [[0, 1], [2, 3], [4]]
    assert list(fluid.io.batch(numbers(range(5)), 2, drop_last=True)()) == [[0, 1], [2, 3]]
    assert list(fluid.io.batch(numbers(range(4)), np.int64(4))()) == [[0, 1, 2, 3]]
    assert fluid.batch is fluid.io.batch        # 1.8.5: paddle.batch is fluid.io.batch
    with pytest.raises(ValueError, match="batch_size=0"):   # 1.8.5's message
        fluid.io.batch(numbers(range(5)), 0)
    with pytest.raises(TypeError, match="batch_size"):       # 1.8.5 truncated 2.7 to 2
        fluid.io.batch(numbers(range(5)), 2.7)
    with pytest.raises(TypeError, match="not the generator"):
        fluid.io.batch(iter(range(5)), 2)


def test_shuffle_is_windowed_and_follows_random_seed():
    random.seed(7)
    got = list(fluid.io.shuffle(numbers(range(10)), 4)())
    # Windows of buf_size are shuffled one after the other with random.shuffle.
    random.seed(7)
    expected = []
    for window in ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9]):
        random.shuffle(window)
        expected += window
    assert got == expected
    assert sorted(got[:4]) == [0, 1, 2, 3] and sorted(got[8:]) == [8, 9]
    with pytest.raises(ValueError, match="buf_size"):
        fluid.io.shuffle(numbers(range(3)), 0)


def test_buffered(no_leaks):
    arrays = [np.full([3], i) for i in range(5)]
    got = list(fluid.io.buffered(lambda: iter(arrays), 2)())   # 1.8.5 failed on arrays
    assert all(a is b for a, b in zip(got, arrays)) and len(got) == 5
    with pytest.raises(KeyError):                              # 1.8.5 hung here
        list(fluid.io.buffered(failing_reader(5, 2, KeyError("k")), 2)())
    for _ in fluid.io.buffered(lambda: iter(range(10 ** 9)), 1)():
        break


def test_cache_reads_once():
    calls = []

    def reader():
        calls.append(1)
        yield from [1, 2, 3]

    cached = fluid.io.cache(reader)
    assert calls == [1]                          # read when decorated, as in Paddle
    assert list(cached()) == list(cached()) == [1, 2, 3]
    assert calls == [1]


def test_chain_map_readers_firstn():
    assert list(fluid.io.chain(numbers([0, 1, 2]), numbers([10, 11]))()) == [0, 1, 2, 10, 11]
    assert list(fluid.io.map_readers(lambda a, b: a + b, numbers([1, 2, 3]),
                                     numbers([10, 20]))()) == [11, 22]
    pulled = []

    def counting():
        for i in range(100):
            pulled.append(i)
            yield i

    assert list(fluid.io.firstn(counting, 3)()) == [0, 1, 2]
    assert pulled == [0, 1, 2]
    assert list(fluid.io.firstn(counting, 0)()) == []
    with pytest.raises(ValueError, match="n must be >= 0"):
        fluid.io.firstn(counting, -1)


def test_compose():
    # 1.8.5: tuples are spliced, anything else (a list) is one field.
    composed = fluid.io.compose(numbers([(1, 2), [5]]), numbers([3, (4,)]))
    assert list(composed()) == [(1, 2, 3), ([5], 4)]
    assert list(fluid.io.compose(numbers([1, 2, 3]), numbers([3, 4]),
                                 check_alignment=False)()) == [(1, 3), (2, 4)]
    with pytest.raises(fluid.io.ComposeNotAligned, match="not aligned"):
        list(fluid.io.compose(numbers([1, 2, 3]), numbers([3, 4]))())
    assert issubclass(fluid.io.ComposeNotAligned, ValueError)
    # A None sample is a sample (1.8.5 took it for a reader that had ended).
    assert list(fluid.io.compose(numbers([None]), numbers([1]))()) == [(None, 1)]


def test_xmap_readers(no_leaks):
    double = lambda x: 2 * x  # noqa: E731
    ordered = fluid.io.xmap_readers(double, numbers(range(50)), 3, 4, order=True)
    assert list(ordered()) == [2 * i for i in range(50)]
    unordered = fluid.io.xmap_readers(double, numbers(range(50)), 3, 4)
    assert sorted(unordered()) == [2 * i for i in range(50)]

    def fails_at_7(x):
        if x == 7:
            raise ArithmeticError("seven")
        return x

    got = []
    with pytest.raises(ArithmeticError, match="seven"):       # 1.8.5 hung here
        for y in fluid.io.xmap_readers(fails_at_7, numbers(range(20)), 4, 2, order=True)():
            got.append(y)
    assert got == list(range(7))            # in order: everything before the failure
    with pytest.raises(KeyError):
        list(fluid.io.xmap_readers(double, failing_reader(9, 4, KeyError("r")), 2, 2)())
    for _ in fluid.io.xmap_readers(double, lambda: iter(range(10 ** 9)), 3, 1)():
        break


def test_multiprocess_reader(no_leaks):
    def first():
        yield from range(3)

    def second():
        yield from [(10, 10), (11, 11)]

    # Pipes are read in turn, one sample from each (1.8.5 gave the same order, with the tuples
    # turned into lists by its JSON encoding).
    assert list(fluid.io.multiprocess_reader([first, second])()) == [0, (10, 10), 1,
                                                                     (11, 11), 2]
    queued = fluid.io.multiprocess_reader([first, second], use_pipe=False, queue_size=2)
    assert sorted(map(repr, queued())) == sorted(map(repr, [0, 1, 2, (10, 10), (11, 11)]))

    def arrays():
        yield np.arange(3.0), np.int64(4)

    (array, label), = list(fluid.io.multiprocess_reader([arrays])())
    np.testing.assert_array_equal(array, [0.0, 1.0, 2.0])

    def broken():
        yield 1
        raise KeyError("in a child")

    with pytest.raises(KeyError, match="in a child") as raised:
        list(fluid.io.multiprocess_reader([broken])())
    assert "raise KeyError" in str(raised.value.__cause__)

    def gives_none():
        yield None

    with pytest.raises(ValueError, match="None"):               # as in 1.8.5
        list(fluid.io.multiprocess_reader([gives_none], use_pipe=False)())
    with pytest.raises(TypeError, match="list"):                 # 1.8.5: assert type is list
        fluid.io.multiprocess_reader((first,))
    for _ in fluid.io.multiprocess_reader([lambda: iter(range(10 ** 9))], queue_size=2)():
        break


def test_a_reader_process_that_dies_is_an_error_not_a_hang(no_leaks):
    from minigrad.reader.prefetch import read_in_processes

    def dies():
        yield 1
        os._exit(3)

    # (Its item may be lost with it: os._exit does not wait for the queue to send it.)
    with pytest.raises(RuntimeError, match="exited with code 3"):
        list(read_in_processes([dies], 2, poll_seconds=0.02))


def test_every_reader_name_of_fluid_io():
    # The reader part of 1.8.5's fluid.io (its __all__ plus Dataset and BatchSampler).
    names = ["PyReader", "DataLoader", "default_collate_fn", "cache", "map_readers", "buffered",
             "compose", "chain", "shuffle", "ComposeNotAligned", "firstn", "xmap_readers",
             "multiprocess_reader", "batch", "Dataset", "BatchSampler"]
    missing = [name for name in names if not hasattr(fluid.io, name)]
    assert missing == []
    assert set(names) <= set(fluid.io.__all__)


def test_pipe_reader_lines_chunks_and_gzip(tmp_path):
    import gzip
    text = "first line\nsecond\nlast without break"
    plain = tmp_path / "data.txt"
    plain.write_text(text)
    packed = tmp_path / "data.txt.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    lines = list(fluid.io.PipeReader(f"cat {plain}", bufsize=4).get_line())
    assert lines == ["first line", "second", "last without break"]
    assert "".join(fluid.io.PipeReader(f"cat {plain}").get_line(cut_lines=False)) == text
    assert list(fluid.io.PipeReader(f"cat {packed}", file_type="gzip").get_line()) == lines
    with pytest.raises(ValueError, match="file_type"):
        fluid.io.PipeReader("cat x", file_type="zip")
    with pytest.raises(TypeError, match="command"):
        fluid.io.PipeReader(["cat", "x"])
