"""Pictures for notebook 06 (the training loop): loss curves side by side, gradient norms.

Both functions take plain sequences of numbers (one per training step), so a notebook
can hand them the lists its own loop collected. They draw each curve the way `plot_losses`
(losses.py) does, inf/NaN marked as divergence, but give every curve its own line style,
so two curves that coincide (the point of notebook 06's comparisons) both stay visible:

    >>> fig = plot_loss_comparison({"sum, lr=1e-4": losses}, title="The running example")
    >>> show_figure(fig)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..palette import series_style
from .losses import draw_loss_curve
from .ticks import plain_log_axis

# Overlapping curves stay visible: each later curve is drawn thinner, in its own colour,
# line style and marker (palette.py: colour-blind-safe, and never colour alone), on top.
LINE_WIDTHS = (3.0, 1.8, 1.8, 1.5)


def plot_loss_comparison(
    curves: Mapping[str, Sequence[float]],
    title: str,
    ylabel: str = "loss (log scale)",
    figsize: tuple[float, float] = (6.5, 3.5),
) -> Figure:
    """One loss curve per entry of `curves`, on a log scale, against the step number.

    curves: {label: losses}, losses[t] is the loss at step t (any length, one per step).
    Two curves that coincide are both visible: the second is dashed on top of the first.

    Example:
        plot_loss_comparison({"with zero_grad": a, "without": b}, title="Forgetting zero_grad")
    """
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot()
    _draw_curves(ax, curves)
    ax.set(title=title, xlabel="step", ylabel=ylabel)
    return fig


def plot_loss_and_gradient_norm(
    losses: Mapping[str, Sequence[float]],
    gradient_norms: Mapping[str, Sequence[float]],
    title: str,
    figsize: tuple[float, float] = (10, 3.5),
) -> Figure:
    """Two panels: the loss (left) and the gradient norm (right), both on a log scale.

    losses, gradient_norms: {label: values}, one value per step, the same labels in both.
    The gradient norm of a step is the length of all the `.grad` numbers put in one vector.
    """
    fig = Figure(figsize=figsize)
    loss_ax, norm_ax = fig.subplots(1, 2)
    _draw_curves(loss_ax, losses)
    loss_ax.set(title="loss", xlabel="step", ylabel="loss (log scale)")
    _draw_curves(norm_ax, gradient_norms)
    norm_ax.set(title="gradient norm used by the update", xlabel="step",
                ylabel="norm of all .grad (log scale)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _draw_curves(ax: Axes, curves: Mapping[str, Sequence[float]]) -> None:
    """Draw each labelled curve against its step numbers (as `plot_losses` does), log y, legend."""
    for index, (label, values) in enumerate(curves.items()):
        draw_loss_curve(ax, values, label, lw=LINE_WIDTHS[index % len(LINE_WIDTHS)],
                        **series_style(index, len(values)))
    ax.set_yscale("log")
    plain_log_axis(ax.yaxis)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
