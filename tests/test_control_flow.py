"""fluid.layers control flow as Paddle 1.8 runs it in dygraph (eager Python), tensor arrays as
lists, the step counter, and the functional learning-rate schedules returning schedule objects."""
import numpy as np
import pytest

import minigrad as fluid

L = fluid.layers


def var(value, dtype="float32", stop_gradient=True):
    v = fluid.dygraph.to_variable(np.array(value, dtype))
    v.stop_gradient = stop_gradient
    return v


def test_cond_picks_a_branch_and_the_gradient_flows_through_it():
    with fluid.dygraph.guard():
        x = var([3.0], stop_gradient=False)
        out = L.cond(x > 2.0, lambda: x * x, lambda: x - 1.0)
        out.backward()
        assert out.numpy()[0] == 9.0 and x.gradient()[0] == 6.0
        assert L.cond(x < 2.0, lambda: x * x, lambda: x - 1.0).numpy()[0] == 2.0
        assert L.cond(x < 2.0, lambda: x) is None
        with pytest.raises(ValueError, match="one element"):
            L.cond(var([1.0, 2.0]) > 0.0, lambda: x)
        with pytest.raises(TypeError, match="true_fn"):
            L.cond(x > 0.0, "not callable")


def test_case_and_switch_case_defaults_as_paddle():
    with fluid.dygraph.guard():
        x = var([3.0])
        pairs = [(x > 5.0, lambda: x * 0.0), (x > 2.0, lambda: x * 3.0)]
        assert L.case(pairs, default=lambda: x).numpy()[0] == 9.0
        # without default the last pair's fn is the default
        assert L.case([(x > 5.0, lambda: x * 0.0), (x > 4.0, lambda: x * 7.0)]).numpy()[0] == 21.0
        index = var([1], "int64")
        assert L.switch_case(index, {0: lambda: x, 1: lambda: x * 5.0}).numpy()[0] == 15.0
        assert L.switch_case(index, [lambda: x, lambda: x * 2.0]).numpy()[0] == 6.0
        # an index without a branch runs default, or (None) the largest index's branch
        assert L.switch_case(var([9], "int64"), {0: lambda: x, 4: lambda: x * 4.0}).numpy()[0] \
            == 12.0
        with pytest.raises(TypeError, match="branch_index"):
            L.switch_case(var([1.0]), [lambda: x])


def test_while_loop_runs_eagerly_and_leaves_the_loop_vars():
    with fluid.dygraph.guard():
        i = L.fill_constant([1], "int64", 0)
        total = L.fill_constant([1], "float32", 0.0)
        i_out, total_out = L.while_loop(lambda i, t: i < 4, lambda i, t: [i + 1, t + 2.5],
                                        [i, total])
        assert i_out.numpy()[0] == 4 and total_out.numpy()[0] == 10.0
        # 1.8.5's dygraph while_loop rebinds its loop_vars list: the Variables passed in keep
        # their values; one changed in place by the body is changed for the caller.
        assert i.numpy()[0] == 0 and total.numpy()[0] == 0.0
        step = L.fill_constant([1], "int64", 0)
        L.while_loop(lambda i: i < 3, lambda i: [L.increment(i, in_place=True)], [step])
        assert step.numpy()[0] == 3
        with pytest.raises(ValueError, match="body returned 1"):
            L.while_loop(lambda i, t: i < 4, lambda i, t: [i + 1], [i * 0, total])


def test_tensor_arrays_are_lists():
    with fluid.dygraph.guard():
        array = L.create_array("float32")
        zero, one = var([0], "int64"), var([1], "int64")
        L.array_write(var([[1.0, 2.0]]), zero, array)
        L.array_write(var([[3.0, 4.0]]), one, array)
        assert L.array_length(array) == 2
        np.testing.assert_array_equal(L.array_read(array, one).numpy(), [[3.0, 4.0]])
        joined, sizes = L.tensor_array_to_tensor(array, axis=1)
        np.testing.assert_array_equal(joined.numpy(), [[1.0, 2.0, 3.0, 4.0]])
        np.testing.assert_array_equal(sizes.numpy(), [2, 2])
        stacked, sizes = L.tensor_array_to_tensor(array, axis=0, use_stack=True)
        assert stacked.shape == [2, 1, 2] and sizes.numpy().tolist() == [1, 1]
        with pytest.raises(ValueError, match="outside"):
            L.array_write(var([[0.0, 0.0]]), var([5], "int64"), array)


def test_step_counter_counts():
    with fluid.dygraph.guard():
        first = L.autoincreased_step_counter("test_counter", begin=3, step=2)
        second = L.autoincreased_step_counter("test_counter", begin=3, step=2)
    assert first.numpy().tolist() == [3] and second.numpy().tolist() == [5]
    assert first.dtype == np.int64


@pytest.mark.parametrize("function,schedule,args", [
    (L.piecewise_decay, fluid.dygraph.PiecewiseDecay, ([2, 4], [1.0, 0.5, 0.1])),
    (L.noam_decay, fluid.dygraph.NoamDecay, (64, 10)),
    (L.exponential_decay, fluid.dygraph.ExponentialDecay, (0.1, 2, 0.5)),
    (L.natural_exp_decay, fluid.dygraph.NaturalExpDecay, (0.1, 2, 0.5)),
    (L.inverse_time_decay, fluid.dygraph.InverseTimeDecay, (0.1, 2, 0.5)),
    (L.polynomial_decay, fluid.dygraph.PolynomialDecay, (0.1, 5)),
    (L.cosine_decay, fluid.dygraph.CosineDecay, (0.1, 2, 3)),
    (L.linear_lr_warmup, fluid.dygraph.LinearLrWarmup, (0.1, 3, 0.0, 0.1)),
])
def test_functional_schedules_return_the_dygraph_schedule(function, schedule, args):
    lr = function(*args)
    assert type(lr) is schedule
    with fluid.dygraph.guard():
        linear = fluid.dygraph.Linear(2, 1)
        sgd = fluid.optimizer.SGD(learning_rate=lr, parameter_list=linear.parameters())
        rates = []
        for _ in range(5):
            loss = L.mean(linear(var(np.ones((1, 2)))))
            loss.backward()
            sgd.minimize(loss)
            linear.clear_gradients()
            rates.append(sgd.current_step_lr())
        reference = schedule(*args, 0) if schedule is fluid.dygraph.PiecewiseDecay \
            else schedule(*args)
        expected = [float(reference()) for _ in range(5)]   # each call is one step, as minimize
    np.testing.assert_allclose(rates, expected, rtol=1e-6)


def test_sequence_mask_on_dense_lengths_as_1_8_5():
    with fluid.dygraph.guard():
        lengths = var([[1, 3], [0, 2]], "int64")
        mask = L.sequence_mask(lengths)
        assert mask.shape == [2, 2, 3] and mask.dtype == np.int64
        expected = [[[int(j < n) for j in range(3)] for n in row] for row in [[1, 3], [0, 2]]]
        assert mask.numpy().tolist() == expected
        wide = L.sequence_mask(lengths, maxlen=var([4], "int32"), dtype="float32")
        assert wide.shape == [2, 2, 4] and wide.dtype == np.float32
        # Float lengths, as 1.8's docstring example feeds: j < x, maxlen = int(max(x)).
        floats = L.sequence_mask(var([2.7, 1.2, 0.0]))
        assert floats.shape == [3, 2] and floats.dtype == np.int64
        assert floats.numpy().tolist() == [[1, 1], [1, 1], [0, 0]]
        floats = L.sequence_mask(var([2.7, 1.2, 0.0], "float64"), maxlen=4, dtype="float32")
        assert floats.numpy().tolist() == [[float(j < n) for j in range(4)]
                                           for n in (2.7, 1.2, 0.0)]
        with pytest.raises(TypeError, match="sequence_mask"):
            L.sequence_mask(var([True], "bool"))
