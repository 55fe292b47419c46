"""autograd_core.save / load: round trips, atomic writes, and files that must be refused."""

import math
import os
import subprocess
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import serialization


def assert_same(loaded, original):
    """Equal values and exactly the same types, all the way down."""
    assert type(loaded) is type(original), (type(loaded), type(original))
    if isinstance(original, ag.Tensor):
        assert loaded.dtype == original.dtype and loaded.shape == original.shape
        assert loaded.requires_grad == original.requires_grad
        np.testing.assert_array_equal(loaded.numpy(), original.numpy())
    elif isinstance(original, (np.ndarray, np.generic)):
        assert loaded.dtype == original.dtype and np.shape(loaded) == np.shape(original)
        np.testing.assert_array_equal(loaded, original)
    elif isinstance(original, dict):
        assert list(loaded) == list(original)
        assert all(type(a) is type(b) for a, b in zip(loaded, original))
        for key in original:
            assert_same(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original)
        for a, b in zip(loaded, original):
            assert_same(a, b)
    elif isinstance(original, float) and math.isnan(original):
        assert math.isnan(loaded)
    else:
        assert loaded == original


def round_trip(obj, tmp_path, name="checkpoint.pt"):
    path = tmp_path / name
    ag.save(obj, path)
    return ag.load(path)


def training_checkpoint():
    model = OrderedDict(
        [
            ("0.weight", ag.randn(4, 3)),
            ("0.bias", ag.zeros(4)),
            ("1.running_mean", ag.zeros(4, dtype=ag.float64)),
            ("1.num_batches_tracked", ag.tensor(17)),
        ]
    )
    optimizer = {
        "state": {
            0: {"step": ag.tensor(3.0), "exp_avg": ag.randn(4, 3), "exp_avg_sq": ag.rand(4, 3)},
            1: {"step": ag.tensor(3.0), "exp_avg": ag.randn(4), "exp_avg_sq": ag.rand(4)},
        },
        "param_groups": [
            {
                "lr": 0.001,
                "betas": (0.9, 0.999),
                "eps": 1e-08,
                "weight_decay": 0,
                "amsgrad": False,
                "maximize": False,
                "foreach": None,
                "params": [0, 1],
            }
        ],
    }
    return {"model": model, "optimizer": optimizer, "epoch": 3, "best_loss": 0.125, "note": "after warm-up"}


# ---------------------------------------------------------------------------- round trips
def test_training_checkpoint_round_trip(tmp_path):
    checkpoint = training_checkpoint()
    loaded = round_trip(checkpoint, tmp_path)
    assert_same(loaded, checkpoint)
    assert list(loaded["optimizer"]["state"]) == [0, 1]
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert isinstance(loaded["model"], OrderedDict)


def test_dtypes_shapes_and_flags_survive(tmp_path):
    obj = {
        "f32": ag.randn(2, 3),
        "f64": ag.randn(3, dtype=ag.float64),
        "i64": ag.arange(5),
        "i32": ag.arange(4, dtype=ag.int32),
        "bool": ag.tensor([True, False]),
        "scalar": ag.tensor(2.5),
        "empty": ag.zeros(0, 3),
        "param": ag.ones(2, requires_grad=True),
        "transposed": ag.tensor(np.arange(6.0).reshape(2, 3)).t(),
        "array_u8": np.arange(4, dtype=np.uint8),
        "array_2d": np.eye(2),
        "np_float": np.float32(0.5),
        "np_int": np.int64(7),
    }
    loaded = round_trip(obj, tmp_path)
    assert_same(loaded, obj)
    assert loaded["param"].requires_grad and loaded["param"].is_leaf


def test_python_values_survive(tmp_path):
    obj = {
        "none": None,
        "true": True,
        "zero": 0,
        "big": 2**70,
        "float": 1.0,
        "nan": float("nan"),
        "inf": -float("inf"),
        "text": "Grüße ∂",
        "empty": [],
        "nested": [(1, [2.0, {"k": (None,)}]), ()],
        3: "int key",
        2.5: "float key",
        False: "bool key",
        None: "none key",
        ("a", 1): "tuple key",
    }
    assert_same(round_trip(obj, tmp_path), obj)


def test_top_level_objects_other_than_dicts(tmp_path):
    assert_same(round_trip([ag.ones(2), 3], tmp_path), [ag.ones(2), 3])
    assert_same(round_trip(ag.arange(3), tmp_path), ag.arange(3))
    assert round_trip(42, tmp_path) == 42


def test_a_tensor_saved_twice_comes_back_shared(tmp_path):
    weight = ag.randn(3, 3)
    loaded = round_trip({"encoder": weight, "decoder": weight, "other": ag.randn(3, 3)}, tmp_path)
    assert loaded["encoder"] is loaded["decoder"]
    assert loaded["other"] is not loaded["encoder"]
    with zipfile.ZipFile(tmp_path / "checkpoint.pt") as archive:
        assert len(archive.namelist()) == 3


def test_str_and_path_and_the_exact_file_name(tmp_path):
    ag.save({"x": 1}, str(tmp_path / "model.pth"))
    assert ag.load(Path(tmp_path / "model.pth")) == {"x": 1}
    assert sorted(os.listdir(tmp_path)) == ["model.pth"]


def test_loaded_arrays_are_independent_and_writable(tmp_path):
    original = ag.zeros(3)
    loaded = round_trip({"w": original}, tmp_path)["w"]
    loaded.add_(1.0)
    assert original.tolist() == [0.0, 0.0, 0.0] and loaded.tolist() == [1.0, 1.0, 1.0]


def test_map_location_and_weights_only_are_accepted(tmp_path):
    ag.save({"w": ag.ones(1)}, tmp_path / "c.pt")
    for map_location in (None, "cpu", ag.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage):
        assert ag.load(tmp_path / "c.pt", map_location=map_location)["w"].tolist() == [1.0]
    assert ag.load(tmp_path / "c.pt", weights_only=False)["w"].tolist() == [1.0]
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        ag.load(tmp_path / "c.pt", map_location="cuda")


def test_loads_what_pytorch_tensors_became(tmp_path):
    torch = pytest.importorskip("torch")
    reference = torch.nn.Linear(3, 2).state_dict()
    ag.save({k: v.numpy() for k, v in reference.items()}, tmp_path / "c.pt")
    loaded = ag.load(tmp_path / "c.pt")
    for key, value in reference.items():
        np.testing.assert_array_equal(loaded[key], value.numpy())


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    hnp.arrays(
        st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
        hnp.array_shapes(min_dims=0, max_dims=3),
    ),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64]), hnp.array_shapes(max_dims=2)).map(
        ag.from_numpy
    ),
)
structures = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers(-5, 5)), children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(obj=structures)
def test_any_nested_structure_round_trips(tmp_path, obj):
    assert_same(round_trip(obj, tmp_path), obj)


# ---------------------------------------------------------------------------- what cannot be saved
def test_unsupported_objects_are_named_by_their_place(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save obj\['model'\]\['act'\] of type function"):
        ag.save({"model": {"act": lambda x: x}}, tmp_path / "c.pt")
    with pytest.raises(TypeError, match="array of Python objects needs pickle"):
        ag.save({"a": np.array([object()])}, tmp_path / "c.pt")
    with pytest.raises(TypeError, match="dict key .* of type frozenset"):
        ag.save({frozenset(): 1}, tmp_path / "c.pt")
    cycle = [1]
    cycle.append(cycle)
    with pytest.raises(ValueError, match="contains itself"):
        ag.save(cycle, tmp_path / "c.pt")
    with pytest.raises(TypeError, match=r"needs a file path \(a str or pathlib.Path\), got BytesIO"):
        import io

        ag.save({}, io.BytesIO())
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------- atomic writes
def test_a_failed_save_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "c.pt"
    ag.save({"epoch": 1, "w": ag.ones(2)}, path)
    with pytest.raises(TypeError, match="cannot save"):
        ag.save({"epoch": 2, "w": object()}, path)
    assert ag.load(path)["epoch"] == 1
    assert os.listdir(tmp_path) == ["c.pt"]


def test_a_crash_while_writing_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "c.pt"
    ag.save({"epoch": 1}, path)

    def disk_full(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialization.np, "savez", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        ag.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert ag.load(path) == {"epoch": 1}
    assert os.listdir(tmp_path) == ["c.pt"]


def test_a_failed_flush_to_disk_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "c.pt"
    ag.save({"epoch": 1}, path)
    calls = []

    def failing_fsync(descriptor):
        calls.append(descriptor)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(serialization.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        ag.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert len(calls) == 1
    assert ag.load(path) == {"epoch": 1}
    assert os.listdir(tmp_path) == ["c.pt"]


def test_the_saved_file_gets_ordinary_permissions(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX file modes")
    umask = os.umask(0o022)
    try:
        ag.save({}, tmp_path / "c.pt")
    finally:
        os.umask(umask)
    assert (tmp_path / "c.pt").stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------------------- refused files
def damaged(match="damaged or truncated"):
    return pytest.raises(RuntimeError, match=match)


def test_random_bytes_and_empty_files(tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(RuntimeError, match=r"cannot load '.*noise.pt'.*does not start like a checkpoint"):
        ag.load(path)
    path.write_bytes(b"")
    with pytest.raises(RuntimeError, match="the file is empty"):
        ag.load(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, -1])
def test_truncated_checkpoints(tmp_path, keep):
    path = tmp_path / "c.pt"
    ag.save(training_checkpoint(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) + keep if keep < 0 else int(len(data) * keep)])
    with damaged(match=r"cannot load '.*c.pt'.*damaged or truncated"):
        ag.load(path)


def test_a_flipped_byte_inside_a_tensor_is_detected(tmp_path):
    path = tmp_path / "c.pt"
    values = np.arange(1000, dtype=np.float64)
    ag.save({"w": ag.tensor(values)}, path)
    data = bytearray(path.read_bytes())
    offset = bytes(data).index(values[500:502].tobytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    with damaged(match="CRC"):
        ag.load(path)


def test_an_npz_without_the_structure_record(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, weights=np.ones(3))
    with damaged(match=r"has no '__autograd_core__' structure record .*\['weights'\]"):
        ag.load(path)


def test_a_single_npy_array(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.ones(3))
    with pytest.raises(RuntimeError, match="single NumPy .npy array"):
        ag.load(path)


def test_records_that_do_not_fit(tmp_path):
    path = tmp_path / "c.npz"
    record = '{"format": "autograd_core checkpoint", "version": 1, "object": {"tensor": "a7"}}'
    np.savez(path, __autograd_core__=np.array(record))
    with damaged(match="names an array 'a7' that is not in the file"):
        ag.load(path)
    np.savez(
        path, __autograd_core__=np.array('{"format": "autograd_core checkpoint", "version": 99, "object": 1}')
    )
    with damaged(match="format version 99; this autograd_core reads version 1"):
        ag.load(path)
    np.savez(path, __autograd_core__=np.array("{not json"))
    with damaged():
        ag.load(path)
    np.savez(
        path,
        __autograd_core__=np.array(
            '{"format": "autograd_core checkpoint", "version": 1, "object": {"x": 1}}'
        ),
    )
    with damaged(match="unexpected entry"):
        ag.load(path)


# A pickle that creates the file MARKER when unpickled: builtins.open(MARKER, "w").
def malicious_pickle(marker: Path) -> bytes:
    return b"\x80\x02cbuiltins\nopen\n(V" + str(marker).encode() + b"\nVw\ntR."


def test_the_malicious_pickle_really_runs_code_when_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    payload = tmp_path / "payload.pkl"
    payload.write_bytes(malicious_pickle(marker))
    subprocess.run(
        [sys.executable, "-c", "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))", str(payload)],
        check=True,
    )
    assert marker.exists()


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pkl"
    path.write_bytes(malicious_pickle(marker))
    with pytest.raises(RuntimeError, match="looks like a pickle file .* never unpickles"):
        ag.load(path)
    assert not marker.exists()


def test_a_pytorch_style_zip_with_pickled_data_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/data.pkl", malicious_pickle(marker))
        archive.writestr("model/version", "3\n")
    with damaged(match="looks like a PyTorch checkpoint"):
        ag.load(path)
    assert not marker.exists()


def test_a_real_pytorch_checkpoint_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "torch.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path)
    with damaged(match="looks like a PyTorch checkpoint"):
        ag.load(path)


def test_a_pickled_object_array_inside_the_npz_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    npy = tmp_path / "record.npy"
    with open(npy, "wb") as file:
        np.lib.format.write_array_header_1_0(file, {"descr": "|O", "fortran_order": False, "shape": (1,)})
        file.write(malicious_pickle(marker))
    path = tmp_path / "c.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(npy, "__autograd_core__.npy")
    with damaged(match="allow_pickle=False"):
        ag.load(path)
    assert not marker.exists()
    subprocess.run(
        [sys.executable, "-c", "import numpy, sys; numpy.load(sys.argv[1], allow_pickle=True)", str(npy)],
        check=True,
    )
    assert marker.exists()


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        ag.load(tmp_path / "nope.pt")
