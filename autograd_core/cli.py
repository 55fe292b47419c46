"""The demo application: ``autograd-core train`` (or ``python -m autograd_core train``).

Trains a model on a real dataset with live progress, prints the final test accuracy on a line
of its own, and writes to ``--out``: the loss/accuracy curves, the decision boundary (2-D
datasets), the computation graph of one training step and the best checkpoint.

This module is the one place that sits on top of all three packages (autograd_core, nn, optim).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import autograd_core as ag
import nn
import optim
from autograd_core import datasets, viz
from autograd_core.data import DataLoader, TensorDataset

if TYPE_CHECKING:
    from collections.abc import Iterable

    from matplotlib.figure import Figure

DATASETS = ("digits", "moons", "spirals", "xor", "circles")
MODELS = ("mlp", "cnn", "linear")
OPTIMIZERS = ("adam", "sgd", "adamw", "rmsprop", "adagrad")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-core",
        description="autograd_core demo: train a small network and draw what happened.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model on a real dataset and write its pictures")
    train.add_argument("--dataset", choices=DATASETS, default="digits", help="default: digits (8x8 images)")
    train.add_argument("--model", choices=MODELS, default="mlp", help="default: mlp")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="default: adam")
    train.add_argument(
        "--lr", type=_positive_float, default=None, help="learning rate (default per optimizer)"
    )
    train.add_argument("--epochs", type=_positive_int, default=30, help="default: 30")
    train.add_argument("--batch-size", type=_positive_int, default=32, help="default: 32")
    train.add_argument(
        "--hidden", type=_positive_int, default=128, help="hidden units of the MLP (default 128)"
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--out", type=Path, default=Path("demo-output"), help="folder for the pictures")
    train.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text}")
    return value


def load_dataset(name: str, seed: int) -> tuple[ag.Tensor, ag.Tensor, ag.Tensor, ag.Tensor]:
    """(x_train, x_test, y_train, y_test) as Tensors, features standardised on the train split."""
    if name == "digits":
        x, y = datasets.load_digits(return_X_y=True)
    else:
        makers = {
            "moons": lambda: datasets.make_moons(1000, noise=0.2, random_state=seed),
            "spirals": lambda: datasets.make_spirals(1000, noise=0.1, random_state=seed),
            "xor": lambda: datasets.make_xor(1000, noise=0.1, random_state=seed),
            "circles": lambda: datasets.make_circles(1000, noise=0.08, factor=0.5, random_state=seed),
        }
        x, y = makers[name]()
    x_train, x_test, y_train, y_test = datasets.train_test_split(
        x, y, test_size=0.25, random_state=seed, stratify=y
    )
    scaler = datasets.StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


def build_model(
    kind: str, n_features: int, n_classes: int, hidden: int, image_side: int | None
) -> nn.Sequential:
    if kind == "linear":
        return nn.Sequential(nn.Linear(n_features, n_classes))
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )
    if image_side is None:
        raise SystemExit("error: --model cnn needs an image dataset (--dataset digits)")
    side = image_side // 4
    return nn.Sequential(
        nn.Unflatten(1, (1, image_side, image_side)),
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * side * side, n_classes),
    )


def build_optimizer(name: str, parameters: Iterable[nn.Parameter], lr: float | None) -> optim.Optimizer:
    defaults = {"adam": 1e-3, "adamw": 1e-3, "sgd": 0.05, "rmsprop": 1e-3, "adagrad": 0.05}
    classes = {"adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop, "adagrad": optim.Adagrad}
    lr = defaults[name] if lr is None else lr
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, momentum=0.9)
    return classes[name](parameters, lr=lr)


def _prepare_out(folder: Path) -> Path:
    """Create ``folder`` and check it is writable, with a clear message if not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise SystemExit(f"error: cannot write to --out {str(folder)!r}: {error.strerror or error}") from None
    return folder


def train(args: argparse.Namespace) -> float:
    out = _prepare_out(args.out)
    ag.manual_seed(args.seed)
    started = time.perf_counter()
    x_train, x_test, y_train, y_test = load_dataset(args.dataset, args.seed)
    n_classes = int(y_train.max().item()) + 1
    image_side = 8 if args.dataset == "digits" else None
    model = build_model(args.model, x_train.shape[1], n_classes, args.hidden, image_side)
    optimizer = build_optimizer(args.optimizer, model.parameters(), args.lr)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=512)
    print(
        f"training a {args.model} on {args.dataset} ({len(x_train)} train / {len(x_test)} test examples, "
        f"{sum(p.numel() for p in model.parameters())} parameters) with {args.optimizer}"
    )
    checkpoint = out / "best.npz"
    history = nn.fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        train_loader,
        epochs=args.epochs,
        val_loader=test_loader,
        metrics=("accuracy",),
        callbacks=(
            nn.callbacks.ModelCheckpoint(checkpoint, monitor="val_accuracy", save_best_only=True),
            EpochLog(args.epochs),
        ),
        progress=not args.no_progress,
    )
    model.load_state_dict(ag.load(checkpoint))
    accuracy = evaluate(model, x_test, y_test)
    written = write_pictures(model, history, out, args, x_train, y_train, x_test, y_test)
    print(f"done in {time.perf_counter() - started:.1f} s; wrote {', '.join(written)} to {out}/")
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


class EpochLog(nn.callbacks.Callback):
    """Prints one line per epoch, so the loss can be seen falling in any terminal or log."""

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        shown = "  ".join(f"{key} {value:.4f}" for key, value in logs.items() if key != "lr")
        print(f"epoch {epoch + 1:>3}/{self.epochs}  {shown}", flush=True)


def evaluate(model: nn.Module, x: ag.Tensor, y: ag.Tensor) -> float:
    model.eval()
    with ag.no_grad():
        predictions = model(x).argmax(dim=1)
    return (predictions == y).float().mean().item()


def write_pictures(
    model: nn.Module,
    history: nn.History,
    out: Path,
    args: argparse.Namespace,
    x_train: ag.Tensor,
    y_train: ag.Tensor,
    x_test: ag.Tensor,
    y_test: ag.Tensor,
) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    figure = history.plot()
    figure.savefig(out / "curves.png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    written.append("curves.png")
    if x_train.shape[1] == 2:
        figure = plot_decision_boundary(model, x_test, y_test, title=f"{args.model} on {args.dataset}")
        figure.savefig(out / "decision_boundary.png", dpi=110, bbox_inches="tight")
        plt.close(figure)
        written.append("decision_boundary.png")
    written.extend(draw_training_step(model, out, x_train[:4], y_train[:4]))
    written.append("best.npz")
    return written


def plot_decision_boundary(model: nn.Module, x: ag.Tensor, y: ag.Tensor, title: str) -> Figure:
    """Colour the plane by the predicted class and scatter the points on top."""
    import matplotlib.pyplot as plt

    points = x.numpy()
    low, high = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], 250), np.linspace(low[1], high[1], 250))
    grid = ag.tensor(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1), dtype=ag.float32)
    model.eval()
    with ag.no_grad():
        regions = model(grid).argmax(dim=1).numpy().reshape(grid_x.shape)
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.contourf(grid_x, grid_y, regions, alpha=0.3, cmap="viridis")
    axes.scatter(
        points[:, 0], points[:, 1], c=y.numpy(), s=12, cmap="viridis", edgecolors="k", linewidths=0.3
    )
    axes.set_title(title)
    axes.set_xlabel("x1 (standardised)")
    axes.set_ylabel("x2 (standardised)")
    return figure


def draw_training_step(model: nn.Module, out: Path, x: ag.Tensor, y: ag.Tensor) -> list[str]:
    """The graph of one training step (forward and backward of a small batch) as SVG."""
    model.train()
    model.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward(retain_graph=True)
    view = viz.draw_graph(loss, params=dict(model.named_parameters()), depth=1)
    try:
        view.save(out / "graph.svg")
        view.save(out / "graph.dot")
    except RuntimeError as error:
        print(f"note: {error}", file=sys.stderr)
        view.save(out / "graph.dot")
        return ["graph.dot"]
    return ["graph.svg", "graph.dot"]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "train":
        train(args)
    return 0
