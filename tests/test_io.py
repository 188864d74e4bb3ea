"""save_dygraph / load_dygraph: suffixes, round trips, nested optimizer state, atomicity, and
clear errors for missing, corrupted and foreign files (never unpickling anything)."""
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest

import minigrad as fluid
from minigrad import io as mio


class Net(fluid.dygraph.Layer):
    def __init__(self):
        super().__init__()
        self.fc1 = fluid.dygraph.Linear(4, 6, act="relu")
        self.bn = fluid.dygraph.BatchNorm(6)
        self.fc2 = fluid.dygraph.Linear(6, 3)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)))


def batch(seed=0):
    return fluid.dygraph.to_variable(np.random.default_rng(seed).standard_normal((8, 4))
                                     .astype("float32"))


def train_steps(model, adam, steps, seed=0):
    for step in range(steps):
        loss = fluid.layers.mean(model(batch(seed + step)) ** 2)
        loss.backward()
        adam.minimize(loss)
        model.clear_gradients()


def test_params_and_optimizer_round_trip(tmp_path):
    path = str(tmp_path / "ckpt" / "net")
    x = np.random.default_rng(99).standard_normal((8, 4)).astype("float32")
    with fluid.dygraph.guard():
        model = Net()
        adam = fluid.optimizer.Adam(0.01, parameter_list=model.parameters())
        train_steps(model, adam, 3)
        fluid.save_dygraph(model.state_dict(), path)
        fluid.dygraph.save_dygraph(adam.state_dict(), path)
        assert sorted(os.listdir(tmp_path / "ckpt")) == ["net.pdopt", "net.pdparams"]
        saved = {k: v.numpy().copy() for k, v in model.state_dict().items()}
        model.eval()
        prediction = model(fluid.dygraph.to_variable(x)).numpy()
        model.train()
        train_steps(model, adam, 2, seed=10)
        continued = [p.numpy().copy() for p in model.parameters()]

    params, opt = fluid.load_dygraph(path)
    assert list(params) == list(saved)
    for key, value in saved.items():
        assert isinstance(params[key], np.ndarray) and params[key].dtype == value.dtype
        np.testing.assert_array_equal(params[key], value, err_msg=key)
    assert "bn._mean" in params and "bn._variance" in params

    # A fresh program (a new guard: the same parameter names) restores both.
    with fluid.dygraph.guard():
        fresh = Net()
        fresh_adam = fluid.optimizer.Adam(0.01, parameter_list=fresh.parameters())
        fresh.set_dict(params)
        fresh_adam.set_dict(opt)
        fresh.eval()
        np.testing.assert_array_equal(fresh(fluid.dygraph.to_variable(x)).numpy(), prediction)
        fresh.train()
        train_steps(fresh, fresh_adam, 2, seed=10)
        for a, b in zip(continued, fresh.parameters()):
            np.testing.assert_array_equal(a, b.numpy())


def test_load_accepts_a_suffixed_path_and_saving_does_not_double_it(tmp_path):
    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(2, 2)
        fluid.save_dygraph(model.state_dict(), str(tmp_path / "m.pdparams"))
        assert os.listdir(tmp_path) == ["m.pdparams"]
    params, opt = fluid.load_dygraph(str(tmp_path / "m.pdparams"))
    assert opt is None and list(params) == ["weight", "bias"]
    params, _ = fluid.load_dygraph(tmp_path / "m")      # a pathlib.Path works too
    assert set(params) == {"weight", "bias"}


def test_keep_name_table(tmp_path):
    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(2, 2)
        fluid.save_dygraph(model.state_dict(), str(tmp_path / "m"))
    params, _ = fluid.load_dygraph(str(tmp_path / "m"), keep_name_table=True)
    assert params[mio.NAME_TABLE_KEY] == {"weight": "linear_0.w_0", "bias": "linear_0.b_0"}
    with fluid.dygraph.guard():
        with warnings.catch_warnings():
            warnings.simplefilter("error")      # the name table is not an unused entry
            fluid.dygraph.Linear(2, 2).set_dict(params)


def test_nested_optimizer_state_round_trips_without_pickle(tmp_path):
    state = {
        "moment": np.arange(6, dtype=np.float32).reshape(2, 3),
        "LR_Scheduler": {"step_num": 7, "last_lr": 0.05, "name": "cosine", "warm": None,
                         "flags": [True, False], 3: (1, 2.5)},
        "step": np.int64(12),
        "history": [np.ones(2, "float64"), {"inner": np.zeros((1,), "int32")}],
    }
    with fluid.dygraph.guard():
        fluid.save_dygraph(state, str(tmp_path / "opt"))
    assert os.listdir(tmp_path) == ["opt.pdopt"]
    params, loaded = fluid.load_dygraph(str(tmp_path / "opt"))
    assert params is None
    np.testing.assert_array_equal(loaded["moment"], state["moment"])
    assert loaded["moment"].dtype == np.float32
    assert loaded["LR_Scheduler"] == {"step_num": 7, "last_lr": 0.05, "name": "cosine",
                                      "warm": None, "flags": [True, False], 3: (1, 2.5)}
    assert loaded["step"] == 12 and isinstance(loaded["step"], np.int64)
    np.testing.assert_array_equal(loaded["history"][0], np.ones(2))
    assert loaded["history"][1]["inner"].dtype == np.int32
    # The archive is plain numpy: every member loads with allow_pickle=False.
    with np.load(str(tmp_path / "opt.pdopt"), allow_pickle=False) as archive:
        for key in archive.files:
            archive[key]


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at '.*nothing\.pdparams'"):
        fluid.load_dygraph(str(tmp_path / "nothing"))


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def test_corrupted_files_are_clear_errors(tmp_path):
    with fluid.dygraph.guard():
        fluid.save_dygraph(fluid.dygraph.Linear(3, 2).state_dict(), str(tmp_path / "good"))
    data = open(tmp_path / "good.pdparams", "rb").read()
    _write(tmp_path / "truncated.pdparams", data[:len(data) // 2])
    with pytest.raises(mio.CheckpointError, match="truncated.pdparams"):
        fluid.load_dygraph(str(tmp_path / "truncated"))
    _write(tmp_path / "noise.pdparams", np.random.default_rng(0).bytes(300))
    with pytest.raises(ValueError, match="noise.pdparams"):
        fluid.load_dygraph(str(tmp_path / "noise"))
    _write(tmp_path / "empty.pdparams", b"")
    with pytest.raises(ValueError, match="empty.pdparams"):
        fluid.load_dygraph(str(tmp_path / "empty"))
    # Flip bytes inside the stored data: the zip CRC check catches it.
    flipped = bytearray(data)
    start = data.index(b"NUMPY") + 200
    flipped[start:start + 8] = bytes(b ^ 0xFF for b in flipped[start:start + 8])
    _write(tmp_path / "flipped.pdparams", bytes(flipped))
    with pytest.raises(ValueError, match="flipped.pdparams"):
        fluid.load_dygraph(str(tmp_path / "flipped"))


class _Payload:
    marker = None

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_foreign_pickle_is_refused_and_never_run(tmp_path):
    marker = str(tmp_path / "pwned")
    payload = _Payload()
    payload.marker = marker
    _write(tmp_path / "paddle.pdparams", pickle.dumps({"fc.weight": payload}))
    with pytest.raises(mio.CheckpointError, match="pickled data"):
        fluid.load_dygraph(str(tmp_path / "paddle"))
    assert not os.path.exists(marker)


def test_foreign_numpy_files_are_refused(tmp_path):
    np.savez(str(tmp_path / "plain.npz"), w=np.ones(3))
    os.replace(tmp_path / "plain.npz", tmp_path / "plain.pdparams")
    with pytest.raises(mio.CheckpointError, match="without minigrad's metadata"):
        fluid.load_dygraph(str(tmp_path / "plain"))
    np.save(str(tmp_path / "single.npy"), np.ones(3))
    os.replace(tmp_path / "single.npy", tmp_path / "single.pdparams")
    with pytest.raises(mio.CheckpointError, match="single .npy array"):
        fluid.load_dygraph(str(tmp_path / "single"))
    with zipfile.ZipFile(tmp_path / "other.pdparams", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="other.pdparams"):
        fluid.load_dygraph(str(tmp_path / "other"))
    # An object array next to valid-looking metadata still never unpickles.
    np.savez(str(tmp_path / "objects.npz"), allow_pickle=True,
             __minigrad__=np.array('{"format": "minigrad.dygraph", "version": 1, "kind": '
                                   '"params", "tree": {"dict": [["w", {"array": "a0"}]]}}'),
             a0=np.array([_Payload()], dtype=object))
    os.replace(tmp_path / "objects.npz", tmp_path / "objects.pdparams")
    with pytest.raises(mio.CheckpointError, match="objects.pdparams"):
        fluid.load_dygraph(str(tmp_path / "objects"))


def test_loaded_state_with_wrong_shapes_loads_nothing(tmp_path):
    with fluid.dygraph.guard():
        fluid.save_dygraph(fluid.dygraph.Linear(3, 2).state_dict(), str(tmp_path / "small"))
        params, _ = fluid.load_dygraph(str(tmp_path / "small"))
        big = fluid.dygraph.Linear(3, 4)
        before = big.weight.numpy().copy()
        with pytest.raises(ValueError, match=r"'weight' has shape \[3, 2\] but the layer "
                                             r"expects shape \[3, 4\]"):
            big.set_dict(params)
        np.testing.assert_array_equal(big.weight.numpy(), before)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = str(tmp_path / "m")
    with fluid.dygraph.guard():
        model = fluid.dygraph.Linear(2, 2)
        fluid.save_dygraph(model.state_dict(), path)
        original = open(path + ".pdparams", "rb").read()

        def failing_savez(f, *args, **kwargs):
            f.write(b"partial garbage")
            raise OSError("disk full")

        monkeypatch.setattr(np, "savez", failing_savez)
        model.weight.set_value(np.zeros((2, 2), "float32"))
        with pytest.raises(OSError, match="disk full"):
            fluid.save_dygraph(model.state_dict(), path)
    assert open(path + ".pdparams", "rb").read() == original
    assert os.listdir(tmp_path) == ["m.pdparams"]      # no temporary file left behind


def test_save_bad_input(tmp_path):
    with pytest.raises(RuntimeError, match=r"fluid.dygraph.guard\(\)"):
        fluid.save_dygraph({"w": np.ones(2)}, str(tmp_path / "x"))
    with fluid.dygraph.guard():
        with pytest.raises(ValueError, match="empty"):
            fluid.save_dygraph({}, str(tmp_path / "x"))
        with pytest.raises(TypeError, match="must be a dict"):
            fluid.save_dygraph([np.ones(2)], str(tmp_path / "x"))
        with pytest.raises(TypeError, match="object array"):
            fluid.save_dygraph({"w": np.array([object()])}, str(tmp_path / "x"))
        with pytest.raises(TypeError, match=r"state_dict\['f'\] is a builtin_function"):
            fluid.save_dygraph({"f": len}, str(tmp_path / "x"))
        with pytest.raises(ValueError, match="empty file name"):
            fluid.save_dygraph({"w": np.ones(2)}, str(tmp_path) + os.sep)
        with pytest.raises(TypeError, match="model_path must be a str"):
            fluid.save_dygraph({"w": np.ones(2)}, 3)
    assert os.listdir(tmp_path) == []
