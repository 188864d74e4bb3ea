# fluid.io: reader decorators (batch, shuffle, compose, chain, firstn, map_readers, buffered,
# xmap_readers), DataLoader.from_generator in dygraph with each way of setting its generator,
# and fluid.io.DataLoader over a fluid.io.Dataset.
import numpy as np
import paddle.fluid as fluid
from diffreport import report, catch

rng = np.random.RandomState(45)
images = rng.uniform(-1, 1, (7, 3)).astype("float32")
labels = rng.randint(0, 5, (7, 1)).astype("int64")


def numbers(count, start=0):
    def reader():
        for i in range(start, start + count):
            yield i
    return reader


def pairs(count):
    def reader():
        for i in range(count):
            yield i, 10 * i
    return reader


def samples():
    for image, label in zip(images, labels):
        yield image, label


# -- reader decorators (plain Python; the same outside dygraph) --
report("batch", list(fluid.io.batch(numbers(7), batch_size=3)()))
report("batch_drop_last", list(fluid.io.batch(numbers(7), batch_size=3, drop_last=True)()))
report("batch_exact", list(fluid.io.batch(numbers(6), batch_size=3)()))
shuffled = list(fluid.io.shuffle(numbers(20), buf_size=8)())
report("shuffle_multiset", sorted(shuffled))
report("shuffle_count", len(shuffled))
report("shuffle_buffer_1", list(fluid.io.shuffle(numbers(5), buf_size=1)()))
report("compose", list(fluid.io.compose(numbers(4), pairs(4))()))
report("compose_tuples_flattened", list(fluid.io.compose(pairs(3), pairs(3))()))
with catch("compose_not_aligned"):
    list(fluid.io.compose(numbers(3), numbers(4))())
report("compose_unchecked", list(fluid.io.compose(numbers(3), numbers(4),
                                                  check_alignment=False)()))
report("chain", list(fluid.io.chain(numbers(2), numbers(3, start=10), numbers(0))()))
report("firstn", list(fluid.io.firstn(numbers(10), 4)()))
report("firstn_more_than_all", list(fluid.io.firstn(numbers(3), 5)()))
report("map_readers", list(fluid.io.map_readers(lambda a, b: a * 100 + b, numbers(4),
                                                numbers(4, start=5))()))
report("map_readers_one", list(fluid.io.map_readers(lambda a: -a, numbers(3))()))
report("buffered", list(fluid.io.buffered(numbers(6), 2)()))
report("buffered_large", list(fluid.io.buffered(pairs(3), 10)()))
report("xmap_readers_ordered", list(fluid.io.xmap_readers(lambda v: v * v, numbers(12), 3, 4,
                                                          order=True)()))
report("xmap_readers_unordered_multiset", sorted(fluid.io.xmap_readers(
    lambda v: v + 1, numbers(12), 2, 3)()))
report("nested", list(fluid.io.batch(fluid.io.firstn(fluid.io.map_readers(
    lambda v: v * 2, numbers(9)), 7), batch_size=2)()))


def loader_batches(loader):
    return [list(batch) for batch in loader()]


place = fluid.CPUPlace()
with fluid.dygraph.guard():
    # -- DataLoader.from_generator: the three ways to feed it --
    loader = fluid.io.DataLoader.from_generator(capacity=4, return_list=True)
    loader.set_sample_list_generator(fluid.io.batch(samples, batch_size=3), places=place)
    report("sample_list_generator", loader_batches(loader))
    report("sample_list_generator_again", loader_batches(loader))

    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_sample_generator(samples, batch_size=3, places=place)
    report("sample_generator_drop_last", loader_batches(loader))
    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_sample_generator(samples, batch_size=3, drop_last=False, places=place)
    report("sample_generator_keep_last", loader_batches(loader))

    def batches():
        for start in range(0, 7, 2):
            yield images[start:start + 2], labels[start:start + 2]

    loader = fluid.io.DataLoader.from_generator(capacity=3, return_list=True)
    loader.set_batch_generator(batches, places=place)
    report("batch_generator", loader_batches(loader))

    # return_list=False: in dygraph the batches are still lists of Variables.
    loader = fluid.io.DataLoader.from_generator(capacity=3, return_list=False)
    loader.set_batch_generator(batches, places=place)
    report("batch_generator_return_list_false", loader_batches(loader))

    loader = fluid.io.DataLoader.from_generator(capacity=2, iterable=True, return_list=True,
                                                use_double_buffer=False)
    loader.set_sample_list_generator(fluid.io.batch(samples, batch_size=4), places=place)
    report("no_double_buffer", loader_batches(loader))

    # A loader's batches feed a layer like any Variable.
    linear = fluid.dygraph.Linear(3, 2, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(rng.uniform(
            -1, 1, (3, 2)).astype("float32"))))
    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_batch_generator(batches, places=place)
    outs = []
    for image, label in loader():
        outs.append(linear(image))
    report("loader_into_linear", outs)

    # -- fluid.io.DataLoader over a map-style Dataset --
    class Pairs(fluid.io.Dataset):
        def __len__(self):
            return len(images)

        def __getitem__(self, index):
            return images[index], labels[index]

    dataset = Pairs()
    sampler = fluid.io.BatchSampler(dataset=dataset, batch_size=3, shuffle=False)
    report("batch_sampler_indices", [list(indices) for indices in sampler])
    report("batch_sampler_len", len(sampler))
    sampler_drop = fluid.io.BatchSampler(dataset=dataset, batch_size=3, shuffle=False,
                                         drop_last=True)
    report("batch_sampler_drop_last_len", len(sampler_drop))
    report("batch_sampler_from_indices", [list(indices) for indices in fluid.io.BatchSampler(
        indices=[6, 4, 2, 0, 1], batch_size=2, shuffle=False)])
    loader = fluid.io.DataLoader(dataset, batch_sampler=sampler, places=place, return_list=True)
    report("dataset_loader_sampler", loader_batches(loader))
    loader = fluid.io.DataLoader(dataset, batch_sampler=sampler_drop, places=place,
                                 return_list=True)
    report("dataset_loader_sampler_drop_last", loader_batches(loader))
    loader = fluid.io.DataLoader(dataset, batch_size=2, shuffle=False, places=place,
                                 return_list=True)
    report("dataset_loader_batch_size", loader_batches(loader))
    loader = fluid.io.DataLoader(dataset, batch_size=4, shuffle=False, drop_last=True,
                                 places=place, return_list=True)
    report("dataset_loader_drop_last", loader_batches(loader))
    shuffled_loader = fluid.io.DataLoader(dataset, batch_size=7, shuffle=True, places=place,
                                          return_list=True)
    (image_batch, label_batch), = loader_batches(shuffled_loader)
    order = np.argsort(image_batch.numpy()[:, 0])
    report("dataset_loader_shuffle_multiset", [image_batch.numpy()[order],
                                               label_batch.numpy()[order]])

    # Python numbers in samples: the collate step makes arrays of them.
    class Scalars(fluid.io.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return images[index], int(labels[index, 0]), float(index) / 2

    loader = fluid.io.DataLoader(Scalars(), batch_size=2, places=place, return_list=True)
    report("dataset_loader_python_numbers", loader_batches(loader))

    def scalar_samples():
        for index in range(5):
            yield images[index], int(labels[index, 0])

    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_sample_list_generator(fluid.io.batch(scalar_samples, batch_size=2), places=place)
    report("sample_list_python_int", loader_batches(loader))

    # -- more decorators and loader corners --
    report("cache", list(fluid.io.cache(numbers(4))()))
    cached = fluid.io.cache(numbers(3))
    report("cache_twice", [list(cached()), list(cached())])
    report("batch_of_tuples", list(fluid.io.batch(pairs(5), batch_size=2)()))
    report("shuffle_of_batches_multiset", sorted(
        tuple(b) for b in fluid.io.shuffle(fluid.io.batch(numbers(9), 3), buf_size=2)()))
    loader = fluid.io.DataLoader(dataset, batch_size=1, places=place, return_list=True)
    report("dataset_loader_batch_size_1", loader_batches(loader))
    report("dataset_loader_len", len(fluid.io.DataLoader(dataset, batch_size=3, places=place,
                                                         return_list=True)))
    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_batch_generator(batches, places=[place])
    report("batch_generator_places_list", loader_batches(loader))

    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True,
                                                use_multiprocess=True)
    loader.set_batch_generator(batches, places=place)
    report("batch_generator_multiprocess", loader_batches(loader))
    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_sample_generator(samples, batch_size=7, places=place)
    report("sample_generator_whole_set", loader_batches(loader))
    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_sample_generator(samples, batch_size=8, places=place)
    report("sample_generator_batch_larger_than_set", loader_batches(loader))

    # -- bad input: both must raise --
    with catch("dataset_loader_sampler_and_batch_size"):
        fluid.io.DataLoader(dataset, batch_sampler=sampler, batch_size=2, places=place,
                            return_list=True)
    with catch("dataset_loader_batch_size_0"):
        fluid.io.DataLoader(dataset, batch_size=0, places=place, return_list=True)
    with catch("batch_sampler_no_dataset_nor_indices"):
        fluid.io.BatchSampler(batch_size=2)
    with catch("batch_sampler_bad_batch_size"):
        fluid.io.BatchSampler(dataset=dataset, batch_size=0)

    class Failing(fluid.io.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            if index == 2:
                raise KeyError("sample 2 is missing")
            return images[index], labels[index]

    with catch("dataset_getitem_raises"):
        loader_batches(fluid.io.DataLoader(Failing(), batch_size=1, places=place,
                                           return_list=True))

    def ragged():
        yield [(np.zeros(3, "float32"),), (np.zeros(2, "float32"),)]

    loader = fluid.io.DataLoader.from_generator(capacity=2, return_list=True)
    loader.set_sample_list_generator(ragged, places=place)
    with catch("sample_list_ragged_shapes"):
        loader_batches(loader)
    report("done", True)
