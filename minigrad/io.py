"""`save_dygraph` / `load_dygraph`: checkpoints as numpy `.npz` archives, loaded without pickle.

Paddle 1.x pickled its checkpoints, so loading a file could run arbitrary code. minigrad writes an
`.npz` archive and reads it with `allow_pickle=False`: only arrays come back.

Layout of one file:
    "__minigrad__"  a 0-d unicode array holding JSON metadata:
                    {"format": "minigrad.dygraph", "version": 1, "kind": "params" | "opt",
                     "tree": <node>, "name_table": {structured key: variable name}}
    "a0", "a1", ... the arrays, referenced from the tree.
A node is {"array": "a3"} (an ndarray; a Variable is saved as its value), {"scalar": "a4"}
(a numpy scalar), {"value": v} (None, bool, int, float, str), {"dict": [[key, node], ...]}
(keys kept in order, str or int), {"list": [...]} or {"tuple": [...]}. So optimizer states with
nested values (a schedule's counters, lists of moments) round-trip without pickle.

Writes are atomic: the archive goes to a temporary file in the target directory, is flushed to
disk, then renamed over the target with `os.replace`; an interrupted save leaves the old file.
"""
import collections.abc
import json
import numbers
import os
import tempfile
import zipfile

import numpy as np

from minigrad.core.tape import require_dygraph
from minigrad.core.variable import Parameter, Variable

__all__ = ["save_dygraph", "load_dygraph", "CheckpointError"]

PARAMS_SUFFIX = ".pdparams"
OPT_SUFFIX = ".pdopt"
NAME_TABLE_KEY = "StructuredToParameterName@@"   # what Paddle's load_dygraph could return
_META_KEY = "__minigrad__"
_FORMAT = "minigrad.dygraph"
_VERSION = 1


class CheckpointError(ValueError):
    """A file given to `load_dygraph` is corrupted or was not written by `save_dygraph`."""


# -- encoding: nested Python values <-> (JSON tree, arrays) -----------------------------------


def _encode(value, arrays, where):
    if isinstance(value, Variable):
        value = value.data
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError(f"save_dygraph: {where} is an object array; only numeric, bool and "
                            "string arrays can be saved (no pickle)")
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"array": key}
    if isinstance(value, np.generic):
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(value)
        return {"scalar": key}
    if value is None or isinstance(value, (bool, str)):
        return {"value": value}
    if isinstance(value, numbers.Integral):
        return {"value": int(value)}
    if isinstance(value, numbers.Real):
        return {"value": float(value)}
    if isinstance(value, collections.abc.Mapping):
        items = []
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save_dygraph: {where} has a key {k!r} of type "
                                f"{type(k).__name__}; keys must be str or int")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    raise TypeError(f"save_dygraph: {where} is a {type(value).__name__}; expected Variables, "
                    "ndarrays, numbers, strings, None, or dicts/lists of them")


def _decode(node, arrays, path):
    if not isinstance(node, dict) or len(node) != 1:
        raise CheckpointError(f"load_dygraph: '{path}' is corrupted (bad metadata node {node!r})")
    (kind, body), = node.items()
    if kind in ("array", "scalar"):
        if body not in arrays:
            raise CheckpointError(f"load_dygraph: '{path}' is corrupted (array {body!r} named in "
                                  "its metadata is missing)")
        return arrays[body] if kind == "array" else arrays[body][()]
    if kind == "value":
        return body
    if kind == "dict":
        return {k: _decode(v, arrays, path) for k, v in body}
    if kind == "list":
        return [_decode(v, arrays, path) for v in body]
    if kind == "tuple":
        return tuple(_decode(v, arrays, path) for v in body)
    raise CheckpointError(f"load_dygraph: '{path}' is corrupted (unknown node kind {kind!r})")


# -- saving ------------------------------------------------------------------------------------


def _check_path(where, model_path):
    if not isinstance(model_path, (str, os.PathLike)):
        raise TypeError(f"{where}: model_path must be a str path like 'checkpoints/model', got "
                        f"{type(model_path).__name__}")
    model_path = os.fspath(model_path)
    if not os.path.basename(model_path):
        raise ValueError(f"{where}: model_path must be 'dirname/filename' (the suffix is added), "
                         f"got {model_path!r} with an empty file name")
    return model_path


def save_dygraph(state_dict, model_path):
    """Save a layer's or an optimizer's `state_dict()` to `model_path` + suffix.

    state_dict: a Layer's state (it holds Parameters) is written to `<model_path>.pdparams`;
                anything else (an optimizer's state) to `<model_path>.pdopt` — Paddle's rule.
    model_path: 'dirname/filename'; the directory is created if needed. A path that already
                ends with the chosen suffix is not given it twice.
    Raises RuntimeError outside dygraph mode, TypeError for a non-dict or an unsavable value,
    ValueError for an empty dict or a path without a file name.

        fluid.save_dygraph(model.state_dict(), "checkpoints/lenet")   # lenet.pdparams
        fluid.save_dygraph(adam.state_dict(), "checkpoints/lenet")    # lenet.pdopt
    """
    require_dygraph("save_dygraph")
    model_path = _check_path("save_dygraph", model_path)
    if not isinstance(state_dict, collections.abc.Mapping):
        raise TypeError(f"save_dygraph: state_dict must be a dict (from state_dict()), got "
                        f"{type(state_dict).__name__}")
    if not state_dict:
        raise ValueError("save_dygraph: state_dict is empty; there is nothing to save")
    is_params = any(isinstance(v, Parameter) for v in state_dict.values())
    suffix = PARAMS_SUFFIX if is_params else OPT_SUFFIX
    file_path = model_path if model_path.endswith(suffix) else model_path + suffix
    arrays = {}
    tree = _encode(state_dict, arrays, "state_dict")
    name_table = {k: v.name for k, v in state_dict.items()
                  if isinstance(k, str) and isinstance(v, Variable)}
    meta = {"format": _FORMAT, "version": _VERSION, "kind": "params" if is_params else "opt",
            "tree": tree, "name_table": name_table}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    _atomic_savez(file_path, arrays)


def _atomic_savez(file_path, arrays):
    directory = os.path.dirname(file_path) or "."
    os.makedirs(directory, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(prefix=f".{os.path.basename(file_path)}.",
                                         suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp_path, file_path)
    except BaseException:
        try:
            os.unlink(temp_path)
        except OSError:
            pass
        raise


# -- loading -----------------------------------------------------------------------------------


def _starts_like_a_pickle(file_path):
    # Pickle protocols 2 to 5 (what Python 3 and PaddlePaddle write) begin with PROTO, 0x80 n.
    with open(file_path, "rb") as f:
        header = f.read(2)
    return len(header) == 2 and header[0] == 0x80 and 2 <= header[1] <= 5


def _read(file_path):
    """The decoded tree and name table of one checkpoint file, with clear errors."""
    try:
        archive = np.load(file_path, allow_pickle=False)
    except ValueError as error:
        # numpy falls back to unpickling any file that is neither .npz nor .npy, so its error
        # says "pickled data" for plain garbage too; tell the two apart by pickle's header.
        if "pickle" in str(error) and _starts_like_a_pickle(file_path):
            raise CheckpointError(
                f"load_dygraph: '{file_path}' holds pickled data (e.g. a PaddlePaddle "
                "checkpoint); minigrad never unpickles files, since that can run code. Convert "
                "it to numpy arrays in a trusted environment and save it with "
                "minigrad.save_dygraph") from None
        if "pickle" in str(error):
            raise CheckpointError(f"load_dygraph: '{file_path}' is corrupted or not a minigrad "
                                  "checkpoint (neither a numpy .npz archive nor a .npy "
                                  "array)") from None
        raise CheckpointError(f"load_dygraph: '{file_path}' is not a minigrad checkpoint (not "
                              f"a numpy .npz archive: {error})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise CheckpointError(f"load_dygraph: '{file_path}' is corrupted or not a minigrad "
                              f"checkpoint ({type(error).__name__}: {error})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CheckpointError(f"load_dygraph: '{file_path}' is a single .npy array, not a "
                              "minigrad checkpoint (save_dygraph writes .npz archives)")
    with archive:
        if _META_KEY not in archive.files:
            raise CheckpointError(f"load_dygraph: '{file_path}' is an .npz archive without "
                                  "minigrad's metadata entry; it was not written by "
                                  "save_dygraph")
        try:
            arrays = {key: archive[key] for key in archive.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
            raise CheckpointError(f"load_dygraph: '{file_path}' is corrupted "
                                  f"({type(error).__name__}: {error})") from None
    try:
        meta = json.loads(str(arrays.pop(_META_KEY)[()]))
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"load_dygraph: '{file_path}' is corrupted (unreadable metadata: "
                              f"{error})") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise CheckpointError(f"load_dygraph: '{file_path}' is not a minigrad checkpoint "
                              "(unknown metadata format)")
    if meta.get("version") != _VERSION:
        raise CheckpointError(f"load_dygraph: '{file_path}' has format version "
                              f"{meta.get('version')!r}; this minigrad reads version {_VERSION}")
    tree = _decode(meta.get("tree"), arrays, file_path)
    if not isinstance(tree, dict):
        raise CheckpointError(f"load_dygraph: '{file_path}' is corrupted (the saved state is "
                              "not a dict)")
    return tree, meta.get("name_table", {})


def load_dygraph(model_path, keep_name_table=False):
    """Load what `save_dygraph` wrote: returns `(param_dict, optimizer_dict)`.

    model_path: the path given to `save_dygraph` (a trailing .pdparams / .pdopt is ignored).
    returns:    param_dict maps structured names to ndarrays (None when only a .pdopt exists);
                optimizer_dict is the saved optimizer state, or None when there is no .pdopt.
                `keep_name_table=True` adds Paddle's "StructuredToParameterName@@" entry.
    Raises FileNotFoundError naming the paths when neither file exists, CheckpointError (a
    ValueError) for a corrupted file or one that is not a minigrad checkpoint.

        params, opt_state = fluid.load_dygraph("checkpoints/lenet")
        model.set_dict(params)
        adam.set_dict(opt_state)
    """
    model_path = _check_path("load_dygraph", model_path)
    for suffix in (PARAMS_SUFFIX, OPT_SUFFIX):
        if model_path.endswith(suffix):
            model_path = model_path[:-len(suffix)]
    params_path, opt_path = model_path + PARAMS_SUFFIX, model_path + OPT_SUFFIX
    if not os.path.exists(params_path) and not os.path.exists(opt_path):
        raise FileNotFoundError(f"load_dygraph: no checkpoint at '{params_path}' (nor "
                                f"'{opt_path}'); pass the path given to save_dygraph")
    params = opt = None
    if os.path.exists(params_path):
        params, name_table = _read(params_path)
        if keep_name_table:
            params[NAME_TABLE_KEY] = dict(name_table)
    if os.path.exists(opt_path):
        opt, _ = _read(opt_path)
    return params, opt


# -- the input pipeline: DataLoader, PyReader, reader decorators (minigrad/reader/) --
from minigrad.reader import (  # noqa: E402,F401
    DataLoader, PyReader, Dataset, BatchSampler, default_collate_fn, batch, shuffle, buffered,
    cache, chain, compose, ComposeNotAligned, firstn, map_readers, xmap_readers,
    multiprocess_reader)
from minigrad.reader.pipe_reader import PipeReader  # noqa: E402,F401
from minigrad import reader as _reader  # noqa: E402
__all__ += _reader.__all__ + ["PipeReader"]

# -- end of the input pipeline --

from minigrad import unsupported as _unsupported  # noqa: E402

__getattr__ = _unsupported.module_getattr("fluid.io", "minigrad.io")
