"""``save(obj, path)`` and ``load(path)``: checkpoints without pickle.

A checkpoint is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays). Each tensor and array in
``obj`` becomes one array in the archive; the rest of the structure — dicts (int keys too),
lists, tuples, numbers, strings, bools, None — is written as JSON in one more array,
``__autograd_core__``. Loading reads the arrays with ``allow_pickle=False`` and rebuilds the
structure from the JSON, so loading a file never runs code, whoever wrote it.

Saving writes to a temporary file in the same folder, flushes it to disk and then renames it
over ``path`` (an atomic step): if anything fails on the way, the previous file is untouched.

>>> import autograd_core as ag
>>> ag.save({"w": ag.ones(2, 3), "epoch": 3, "betas": (0.9, 0.999)}, "checkpoint.pt")
>>> state = ag.load("checkpoint.pt")
>>> state["epoch"], state["betas"], state["w"].shape
(3, (0.9, 0.999), (2, 3))
"""

from __future__ import annotations

import collections
import json
import os
import secrets
import struct
import zipfile
import zlib
from typing import TYPE_CHECKING

import numpy as np

from ._tensor import Tensor, _check_device, _tensor_from_array

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias

    from ._tensor import device as Device

    # an entry of the structure record, stored as JSON
    Json: TypeAlias = "None | bool | int | float | str | list[Json] | dict[str, Json]"

_RECORD = "__autograd_core__"
_FORMAT = "autograd_core checkpoint"
_VERSION = 1
_SUPPORTED = "tensors, NumPy arrays, numbers, strings, bools, None, and dicts, lists and tuples of these"


# ---------------------------------------------------------------------------- save
class _Encoder:
    """Turns ``obj`` into a JSON-ready tree plus a dict of named arrays.

    Each node is a plain JSON value (str, int, float, bool, None) or a tagged dict:
    ``{"tensor": key, "requires_grad": b}``, ``{"ndarray": key}``, ``{"scalar": key}`` (a NumPy
    scalar), ``{"dtype": str}``, ``{"list": [...]}``, ``{"tuple": [...]}``,
    ``{"dict": [[key, value], ...]}`` or ``{"ordered_dict": [...]}``.
    A tensor or array that appears twice is stored once and comes back shared.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._keys: dict[int, str] = {}
        self._open: set[int] = set()

    def _store(self, obj, array: np.ndarray, where: str) -> str:
        if array.dtype.hasobject:
            raise TypeError(
                f"cannot save {where}: a NumPy array of Python objects needs pickle; {_SUPPORTED}"
            )
        key = self._keys.get(id(obj))
        if key is None:
            key = self._keys[id(obj)] = f"a{len(self.arrays)}"
            self.arrays[key] = array
        return key

    def encode(self, obj: object, where: str = "obj") -> Json:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, np.generic):
            return {"scalar": self._store(obj, np.asarray(obj), where)}
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj)
        if isinstance(obj, Tensor):
            return {"tensor": self._store(obj, obj.numpy(), where), "requires_grad": obj.requires_grad}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._store(obj, obj, where)}
        if isinstance(obj, np.dtype):
            return {"dtype": obj.str}
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self._open:
                raise ValueError(f"cannot save {where}: it contains itself")
            self._open.add(id(obj))
            try:
                return self._encode_container(obj, where)
            finally:
                self._open.discard(id(obj))
        raise TypeError(f"cannot save {where} of type {type(obj).__name__}: save handles {_SUPPORTED}")

    def _encode_container(self, obj, where: str) -> dict:
        if isinstance(obj, dict):
            tag = "ordered_dict" if isinstance(obj, collections.OrderedDict) else "dict"
            return {
                tag: [[self._encode_key(k, where), self.encode(v, f"{where}[{k!r}]")] for k, v in obj.items()]
            }
        tag = "tuple" if isinstance(obj, tuple) else "list"
        return {tag: [self.encode(item, f"{where}[{i}]") for i, item in enumerate(obj)]}

    def _encode_key(self, key, where: str):
        if key is None or isinstance(key, (bool, int, float, str)):
            return self.encode(key)
        if isinstance(key, tuple):
            return {"tuple": [self._encode_key(k, where) for k in key]}
        raise TypeError(
            f"cannot save {where}: dict key {key!r} of type {type(key).__name__}; keys must be "
            "strings, numbers, bools, None or tuples of these"
        )


def save(obj: object, f: str | os.PathLike) -> None:
    """Write ``obj`` (e.g. a ``state_dict``, or a checkpoint dict such as
    ``{"model": ..., "optimizer": ..., "epoch": 3}``) to the file ``f``.

    ``obj`` may nest dicts (string, int, float, bool or tuple keys), lists and tuples of
    tensors, NumPy arrays and scalars, Python numbers, strings, bools and None. The file is a
    NumPy ``.npz`` archive (no pickle), written atomically: a failure part-way leaves any
    previous file at ``f`` as it was.

    >>> save(model.state_dict(), "model.pt")        # doctest: +SKIP
    """
    path = _path(f, "save")
    encoder = _Encoder()
    tree = {"format": _FORMAT, "version": _VERSION, "object": encoder.encode(obj)}
    record = np.array(json.dumps(tree))
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **{_RECORD: record}, **encoder.arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------- load
# What reading a damaged or foreign archive can raise, from zipfile, zlib, NumPy's .npy reader,
# json, or the structure record itself.
_DAMAGE = (
    ValueError,
    TypeError,
    KeyError,
    OSError,
    EOFError,
    RecursionError,
    NotImplementedError,
    struct.error,
    zlib.error,
    zipfile.BadZipFile,
)


class _Decoder:
    """Rebuilds the object from the JSON tree, taking arrays from the archive by key."""

    def __init__(self, archive: np.lib.npyio.NpzFile) -> None:
        self._archive = archive
        self._loaded: dict[str, object] = {}

    def _array(self, key) -> np.ndarray:
        if not isinstance(key, str) or key == _RECORD or key not in self._archive.files:
            raise ValueError(f"the structure record names an array {key!r} that is not in the file")
        return self._archive[key]

    def _shared(self, key, make):
        if key not in self._loaded:
            self._loaded[key] = make(self._array(key))
        return self._loaded[key]

    def decode(self, node: Json) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or len(node) not in (1, 2):
            raise ValueError(f"unexpected entry {str(node)[:80]!r} in the structure record")
        tag, value = next(iter(node.items()))
        if tag == "tensor":
            requires_grad = node.get("requires_grad") is True
            return self._shared(
                value, lambda array: _tensor_from_array(array, requires_grad and array.dtype.kind == "f")
            )
        if len(node) != 1:
            raise ValueError(f"unexpected entry {str(node)[:80]!r} in the structure record")
        if tag == "ndarray":
            return self._shared(value, lambda array: array)
        if tag == "scalar":
            return self._shared(value, lambda array: array[()])
        if tag == "dtype":
            return np.dtype(value)
        if not isinstance(value, list):
            raise ValueError(f"unexpected entry {str(node)[:80]!r} in the structure record")
        if tag == "list":
            return [self.decode(item) for item in value]
        if tag == "tuple":
            return tuple(self.decode(item) for item in value)
        if tag in ("dict", "ordered_dict"):
            if not all(isinstance(pair, list) and len(pair) == 2 for pair in value):
                raise ValueError(
                    f"a dict entry in the structure record is not a [key, value] pair: {value!r:.80}"
                )
            items = [(self.decode(k), self.decode(v)) for k, v in value]
            return collections.OrderedDict(items) if tag == "ordered_dict" else dict(items)
        raise ValueError(f"unknown entry type {tag!r} in the structure record")


def load(
    f: str | os.PathLike,
    map_location: str | Device | dict[str, str] | Callable[..., object] | None = None,
    *,
    weights_only: bool = True,
) -> Any:
    """Read back what ``save`` wrote: tensors as tensors (same dtype), arrays as arrays,
    tuples as tuples, int keys as ints.

    ``map_location`` and ``weights_only`` are accepted for porting: everything loads onto the
    CPU, and loading never runs code whatever ``weights_only`` says (there is no pickle). A
    file that is damaged, truncated, or was not written by ``save`` (a pickle, a PyTorch
    checkpoint, any other file) raises ``RuntimeError`` naming the file and the problem.

    >>> model.load_state_dict(load("model.pt"))        # doctest: +SKIP
    """
    path = _path(f, "load")
    _check_map_location(map_location)
    with open(path, "rb") as file:
        head = file.read(4)
    if head != b"PK\x03\x04":
        raise RuntimeError(f"cannot load {path!r}: {_describe_foreign(head)}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _RECORD not in archive.files:
                raise ValueError(_describe_archive_without_record(archive.files))
            tree = json.loads(str(archive[_RECORD]))
            if not isinstance(tree, dict) or tree.get("format") != _FORMAT or "object" not in tree:
                raise ValueError("its structure record is not an autograd_core checkpoint record")
            if tree.get("version") != _VERSION:
                raise ValueError(
                    f"it has checkpoint format version {tree.get('version')!r}; this autograd_core reads "
                    f"version {_VERSION} (save it again with this version)"
                )
            return _Decoder(archive).decode(tree["object"])
    except _DAMAGE as error:
        raise RuntimeError(
            f"cannot load {path!r}: {error}. The file may be damaged or truncated (e.g. a save that was "
            "interrupted, or an incomplete copy), or it was not written by autograd_core.save."
        ) from error


def _describe_foreign(head: bytes) -> str:
    if not head:
        return "the file is empty (damaged, or a save that never finished?)"
    if head[:1] == b"\x80" or head[:1] in (b"(", b"]", b"}"):
        return (
            "it looks like a pickle file (e.g. from pickle.dump or an old torch.save). "
            "autograd_core never unpickles, because loading a pickle can run any code it contains; "
            "load it with the program that wrote it and save its tensors with autograd_core.save"
        )
    if head.startswith(b"\x93NUM"):
        return "it is a single NumPy .npy array, not a checkpoint; read it with numpy.load"
    return (
        f"it does not start like a checkpoint (a zip archive); it starts with bytes {head!r}. "
        "The file may be damaged, or it was not written by autograd_core.save"
    )


def _describe_archive_without_record(names: list) -> str:
    if any(name.endswith("data.pkl") for name in names):
        return (
            "it looks like a PyTorch checkpoint (torch.save), which holds pickled data; "
            "autograd_core never unpickles. Save the state dict's tensors as NumPy arrays "
            "in PyTorch ({k: v.numpy() for k, v in sd.items()}) and load those instead"
        )
    return (
        f"it is a zip/.npz archive but has no {_RECORD!r} structure record "
        f"(arrays found: {sorted(names)[:5]}), so it was not written by autograd_core.save"
    )


def _check_map_location(map_location) -> None:
    if map_location is None or isinstance(map_location, dict) or callable(map_location):
        return
    _check_device(map_location)


def _path(f, who: str) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    raise TypeError(
        f"{who}() needs a file path (a str or pathlib.Path), got {type(f).__name__}; "
        "checkpoints are written atomically, which needs a path"
    )
