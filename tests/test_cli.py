import os
import re
import shutil
import subprocess
import sys

import pytest

from autograd_core import cli


def test_demo_trains_on_moons_and_writes_its_pictures(tmp_path, capsys):
    accuracy = cli.train(
        cli.build_parser().parse_args(
            ["train", "--dataset", "moons", "--epochs", "8", "--out", str(tmp_path), "--no-progress"]
        )
    )
    output = capsys.readouterr().out
    assert accuracy > 0.9
    assert re.search(r"^test accuracy: 0\.9\d\d$", output, re.MULTILINE)
    losses = [float(x) for x in re.findall(r"^epoch +\d+/8  loss (\d+\.\d+)", output, re.MULTILINE)]
    assert len(losses) == 8 and losses[-1] < losses[0]
    for name in ("curves.png", "decision_boundary.png", "best.npz", "graph.dot"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if shutil.which("dot"):
        assert "<svg" in (tmp_path / "graph.svg").read_text()


def test_demo_default_is_digits_mlp_above_95_percent(tmp_path, capsys):
    accuracy = cli.train(
        cli.build_parser().parse_args(["train", "--epochs", "10", "--out", str(tmp_path), "--no-progress"])
    )
    assert accuracy >= 0.95
    assert not (tmp_path / "decision_boundary.png").exists()


def test_cnn_needs_an_image_dataset(tmp_path):
    with pytest.raises(SystemExit, match="needs an image dataset"):
        cli.train(
            cli.build_parser().parse_args(
                ["train", "--dataset", "xor", "--model", "cnn", "--out", str(tmp_path)]
            )
        )


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["train", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["train", "--lr", "-1"], "must be a positive number"),
        (["train", "--epochs", "0"], "must be a positive whole number"),
        ([], "the following arguments are required: command"),
    ],
)
def test_bad_arguments_get_argparse_errors(arguments, message, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.build_parser().parse_args(arguments)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_out_is_reported(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(SystemExit, match="cannot write to --out"):
        cli.train(cli.build_parser().parse_args(["train", "--out", str(locked / "x")]))


def test_out_that_is_a_file_is_reported_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "autograd_core", "train", "--out", str(blocker / "pictures")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "error: cannot write to --out" in result.stderr
    assert "Traceback" not in result.stderr
