"""Loss curves on a log scale, and how far two runs' losses are apart.

The loss of the running example falls from about 700 to about 1e-6 in 500 steps: only a
log scale shows the whole run. A run that diverges (the loss overflows to inf or NaN) is
drawn up to its last finite loss and marked "diverged at step k".

Example:
    >>> fig = plot_losses({"numpy": run_numpy().losses}, title="Training the running example")
    >>> show_figure(fig)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..palette import FIRST, SECOND, SERIES_COLOURS, series_style
from .ticks import plain_log_axis

LOSS_LABEL = "loss (sum of squared errors, log scale)"


def first_non_finite(losses: Sequence[float]) -> int | None:
    """The first step whose loss is inf or NaN (the run diverged there), or None."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(losses, dtype=np.float64)))
    return int(bad[0]) if bad.size else None


def draw_loss_curve(ax: Axes, losses: Sequence[float], label: str, ceiling: float | None = None,
                    **style: object) -> None:
    """Draw one loss curve on `ax`; a diverged run ends with an X at its last finite loss.

    losses: one value per step. With `ceiling`, the curve is cut where it first exceeds it.
    Shared by plot_losses and plots.training, so divergence is marked the same everywhere.
    """
    values = np.asarray(losses, dtype=np.float64)
    stop = first_non_finite(values)
    if stop is not None:
        label = f"{label} (diverged: inf/NaN at step {stop})"
    shown = values if stop is None else values[:stop]
    if ceiling is not None and np.any(shown > ceiling):
        above = int(np.flatnonzero(shown > ceiling)[0])
        shown = np.append(shown[:above], ceiling)  # the curve leaves the chart at the top
        label = f"{label}; above {ceiling:.0e} from step {above}"
    (line,) = ax.plot(np.arange(len(shown)), shown, label=label, **style)
    if (stop is not None or len(shown) < len(values)) and len(shown):
        ax.plot(len(shown) - 1, shown[-1], marker="X", markersize=11, color=line.get_color(),
                clip_on=False)


def plot_losses(curves: Mapping[str, Sequence[float]], title: str,
                ylabel: str = LOSS_LABEL, ceiling: float | None = None) -> Figure:
    """Each curve's loss against the step, on a log scale; divergence marked as such.

    curves: {"label": losses}, losses[t] the loss at step t (shape (steps,)).
    ceiling: if given, the top of the y axis; a curve that goes above it is cut there and
        marked with an X (so that one exploding run does not squash the others flat).
    Example: plot_losses({"lr=1e-4": run_numpy().losses}, title="The running example")
    """
    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for index, (label, losses) in enumerate(curves.items()):
        # colour-blind-safe colour, plus a line style and marker of its own (palette.py)
        draw_loss_curve(ax, losses, label, ceiling, lw=1.8, **series_style(index, len(losses)))
    ax.set_yscale("log")
    plain_log_axis(ax.yaxis)
    if ceiling is not None:
        ax.set_ylim(top=ceiling)
    ax.set(title=title, xlabel="step", ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return fig


def relative_difference(losses: Sequence[float], reference: Sequence[float]) -> np.ndarray:
    """|losses - reference| / |reference| at each step (shape (steps,))."""
    a, b = np.asarray(losses, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    return np.abs(a - b) / np.maximum(np.abs(b), 1e-300)


def plot_loss_difference(losses: Sequence[float], reference: Sequence[float],
                         labels: tuple[str, str], title: str) -> Figure:
    """Two runs side by side: both loss curves (left) and their relative difference (right).

    The right panel shows |losses - reference| / |reference| per step on a log scale;
    steps where the two are exactly equal cannot sit on a log axis, so they are counted
    in the panel's legend instead.
    """
    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    draw_loss_curve(left, losses, labels[0], lw=3, alpha=0.5, color=FIRST)
    draw_loss_curve(left, reference, labels[1], ls="--", lw=1.2, color=SERIES_COLOURS[2])
    left.set_yscale("log")
    plain_log_axis(left.yaxis)
    left.set(title="both loss curves", xlabel="step", ylabel=LOSS_LABEL)
    left.legend()
    left.grid(True, alpha=0.3)

    difference = relative_difference(losses, reference)
    equal = int(np.sum(difference == 0))
    shown = np.where(difference > 0, difference, np.nan)
    right.plot(np.arange(len(shown)), shown, color=SECOND, lw=1.2,
               label=f"exactly equal at {equal} of {len(difference)} steps")
    scale = "log scale"
    if np.any(np.isfinite(shown)):
        right.set_yscale("log")
        plain_log_axis(right.yaxis)
    else:  # nothing to put on a log axis: say so instead of drawing an empty panel
        scale = "all zero"
        right.plot(np.arange(len(difference)), difference, color=SECOND, lw=1.2)
        right.set_ylim(-1, 1)
        right.text(0.5, 0.3, "the two runs are equal at every step:\ndifference exactly 0",
                   transform=right.transAxes, ha="center", va="center", fontsize=11)
    right.set(title=f"|{labels[0]} - {labels[1]}| / {labels[1]}", xlabel="step",
              ylabel=f"relative difference ({scale})")
    right.legend()
    right.grid(True, alpha=0.3)
    fig.suptitle(title, fontsize=13)
    return fig
