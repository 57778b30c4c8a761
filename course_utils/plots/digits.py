"""Pictures for notebook 09 (real handwritten digits).

Every function returns `(fig, alt)`: the figure, and its text alternative built from the
data it shows (what the figure shows and the point it makes), ready for
`show_figure(fig, alt=alt)`:

    >>> fig, alt = draw_digit_grid(split.images("train")[:20], split.y_train[:20])
    >>> show_figure(fig, alt=alt)

Runs are told apart by colour AND line style (training solid, validation dashed; each
run its own marker), with the course's curve colours (course_utils.palette: tested to stay
distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..digit_training import FitHistory
from ..palette import FIRST, SECOND, SERIES_COLOURS, SERIES_MARKERS
from .ticks import plain_log_axis

CLASSES = 10
IMAGE_SHAPE = (8, 8)
ROW_GAP, COLUMN_GAP, TITLE_ROOM = 4, 3, 3  # blank pixels between the digits of a grid, and above


def _numpy(values: torch.Tensor | Sequence) -> np.ndarray:
    return values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)


def draw_digit_grid(images: torch.Tensor, labels: Sequence[int] | torch.Tensor,
                    guesses: Sequence[int] | torch.Tensor | None = None, columns: int = 10,
                    title: str = "Digits and their labels") -> tuple[Figure, str]:
    """Images (N, 8, 8) in a grid, dark ink on white, each titled with its label.

    With `guesses`, each title reads "8 → 1" (the true label, then the network's guess):
    the picture of the digits the network got wrong.

    The grid is ONE picture: the images pasted into a single array with blank (no ink)
    gaps between them, and one text label above each. Twenty small axes, one per digit,
    look the same but take about ten times as long to draw.
    """
    images, labels = _numpy(images), _numpy(labels)
    guessed = None if guesses is None else _numpy(guesses)
    count = len(images)
    rows = max(1, -(-count // columns))
    height, width = images.shape[1:] if count else IMAGE_SHAPE
    step_down, step_across = height + ROW_GAP, width + COLUMN_GAP
    canvas = np.zeros((rows * step_down - ROW_GAP + TITLE_ROOM, columns * step_across - COLUMN_GAP))
    fig_width = 1.1 * columns  # inches; the grid fills the width, the suptitle gets 0.5 above
    fig_height = fig_width * canvas.shape[0] / canvas.shape[1] + 0.5
    fig = Figure(figsize=(fig_width, fig_height))
    ax = fig.add_axes((0, 0, 1, 1 - 0.5 / fig_height))
    for index in range(count):
        top = TITLE_ROOM + (index // columns) * step_down
        left = (index % columns) * step_across
        canvas[top:top + height, left:left + width] = images[index]
        text = str(labels[index]) if guessed is None else f"{labels[index]} → {guessed[index]}"
        ax.text(left + (width - 1) / 2, top - 0.8, text, ha="center", va="bottom", fontsize=11)
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1)
    ax.set_axis_off()
    fig.suptitle(title)
    if guessed is None:
        alt = (f"{count} handwritten digits of 8x8 pixels, dark ink on white, each titled with its "
               f"label; in order: {', '.join(str(label) for label in labels)}.")
    else:
        pairs = ", ".join(f"{t} taken for {g}" for t, g in zip(labels, guessed, strict=True))
        alt = (f"{count} validation digits the network got wrong, each titled 'true label → "
               f"guess': {pairs}.")
    return fig, alt


def plot_class_counts(y_train: torch.Tensor, y_val: torch.Tensor) -> tuple[Figure, str]:
    """How many images of each digit, training and validation side by side (hatched)."""
    train = np.bincount(_numpy(y_train), minlength=CLASSES)
    val = np.bincount(_numpy(y_val), minlength=CLASSES)
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    digits = np.arange(CLASSES)
    ax.bar(digits - 0.2, train, width=0.4, color=FIRST, label=f"training ({train.sum()})")
    ax.bar(digits + 0.2, val, width=0.4, color=SECOND, hatch="//",
           label=f"validation ({val.sum()})")
    ax.set(title="Images per digit", xlabel="digit", ylabel="images", xticks=digits,
           ylim=(0, 1.35 * train.max()))  # room for the legend above the bars
    ax.legend(loc="upper center", ncols=2)
    alt = (f"Bar chart of the number of images per digit: {train.min()} to {train.max()} in the "
           f"training part and {val.min()} to {val.max()} in the validation part for every "
           "digit. The ten classes are about equally common, and both parts keep the same shares.")
    return fig, alt


def plot_fit_curves(histories: Mapping[str, FitHistory], title: str,
                    log_loss: bool = False) -> tuple[Figure, str]:
    """Loss (left) and accuracy (right) against epoch: training solid, validation dashed.

    histories: {label: FitHistory}; epoch 0 is before any training.
    """
    fig = Figure(figsize=(11, 4.4))
    loss_ax, acc_ax = fig.subplots(1, 2)
    for index, (label, history) in enumerate(histories.items()):
        style = {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                 "marker": SERIES_MARKERS[index % len(SERIES_MARKERS)],
                 "markevery": max(1, history.epochs // 8),
                 "markersize": 5}
        epochs = np.arange(history.epochs + 1)
        for ax, train, val in ((loss_ax, history.train_loss, history.val_loss),
                               (acc_ax, history.train_accuracy, history.val_accuracy)):
            ax.plot(epochs, train, "-", label=f"{label}, training", **style)
            ax.plot(epochs, val, "--", label=f"{label}, validation", **style)
    loss_ax.set(title="loss (cross-entropy)", xlabel="epoch",
                ylabel="mean cross-entropy" + (" (log scale)" if log_loss else ""))
    if log_loss:
        loss_ax.set_yscale("log")
        plain_log_axis(loss_ax.yaxis)
    acc_ax.set(title="accuracy", xlabel="epoch", ylabel="fraction guessed right", ylim=(0, 1.02))
    for ax in (loss_ax, acc_ax):
        ax.grid(True, alpha=0.3)
    # below both panels: inside, some curve always runs under it (they end high or low)
    fig.legend(*acc_ax.get_legend_handles_labels(), loc="lower center", ncols=2, fontsize=9,
               frameon=False)
    fig.suptitle(title)
    # fixed room for the titles and labels instead of fig.tight_layout(): that measures
    # every text once more (about a third of the drawing time), and show_figure crops the
    # outer margins anyway
    fig.subplots_adjust(top=0.85, bottom=0.27, wspace=0.22)
    return fig, _describe_runs(histories)


def _describe_runs(histories: Mapping[str, FitHistory]) -> str:
    parts = []
    for label, h in histories.items():
        text = (f"{label}: after {h.epochs} epochs the training loss is {h.train_loss[-1]:.3g} "
                f"(accuracy {h.train_accuracy[-1]:.1%}) and the validation loss "
                f"{h.val_loss[-1]:.3g} (accuracy {h.val_accuracy[-1]:.1%})")
        best = int(np.argmin(h.val_loss))
        if best < h.epochs and h.val_loss[-1] > 1.2 * h.val_loss[best]:  # a real rise, not noise
            text += (f"; the validation loss was lowest at epoch {best} ({h.val_loss[best]:.3g}) "
                     "and has risen since, while the training loss kept falling")
        parts.append(text)
    return ("Two panels against epoch, loss on the left and accuracy on the right, training "
            "solid and validation dashed. " + ". ".join(parts) + ".")


def draw_confusion_matrix(labels: torch.Tensor, guesses: torch.Tensor,
                          title: str = "Confusion matrix (validation)") -> tuple[Figure, str]:
    """Counts of (true digit, guessed digit): the diagonal is right, the rest are the confusions."""
    labels, guesses = _numpy(labels), _numpy(guesses)
    counts = np.zeros((CLASSES, CLASSES), dtype=int)
    np.add.at(counts, (labels, guesses), 1)
    fig = Figure(figsize=(5.2, 4.6))
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    for true in range(CLASSES):
        for guess in range(CLASSES):
            if counts[true, guess]:
                dark = counts[true, guess] > counts.max() / 2
                ax.text(guess, true, str(counts[true, guess]), ha="center", va="center",
                        fontsize=9, color="white" if dark else "black")
    ax.set(title=title, xlabel="the network's guess", ylabel="true digit",
           xticks=range(CLASSES), yticks=range(CLASSES))
    fig.colorbar(image, ax=ax, label="images")
    off = [(counts[t, g], t, g) for t in range(CLASSES) for g in range(CLASSES)
           if t != g and counts[t, g]]
    worst = ", ".join(f"{t} guessed as {g} ({n} {'time' if n == 1 else 'times'})"
                      for n, t, g in sorted(off, key=lambda item: (-item[0], item[1]))[:3])
    alt = (f"Confusion matrix of {counts.sum()} validation digits, true digit down the rows and "
           f"the network's guess across the columns: {np.trace(counts)} sit on the diagonal "
           f"(right), {counts.sum() - np.trace(counts)} off it" +
           (f"; the most frequent confusions: {worst}." if off else "."))
    return fig, alt


def plot_accuracy_by_learning_rate(learning_rates: Sequence[float], accuracies: Sequence[float],
                                   title: str) -> tuple[Figure, str]:
    """Validation accuracy against the learning rate (log scale), with chance level (10%) marked."""
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.add_subplot()
    ax.plot(learning_rates, accuracies, "o-", color=FIRST, label="validation accuracy")
    ax.axhline(1 / CLASSES, color="grey", linestyle=":", label="chance (1 in 10)")
    ax.set_xscale("log")
    plain_log_axis(ax.xaxis)
    ax.set(title=title, xlabel="learning rate (log scale)", ylabel="validation accuracy",
           ylim=(0, 1.02))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left")
    best = int(np.argmax(accuracies))
    readings = ", ".join(f"{acc:.0%} at {lr:g}" for lr, acc in
                         zip(learning_rates, accuracies, strict=True))
    alt = (f"Validation accuracy against learning rate on a log scale: {readings}. Too small a "
           f"rate learns slowly, the best is {accuracies[best]:.0%} at {learning_rates[best]:g}, "
           "and too large a rate falls back to chance.")
    return fig, alt
