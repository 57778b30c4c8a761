"""Pictures for notebook 07: what the learning rate does.

    plot_quadratic_steps   gradient descent on a 1-D bowl: converge, oscillate, diverge
    plot_sweep             the final loss against the learning rate, zones shaded and hatched
    plot_sharpness_runs    lambda_max and the loss along runs, next to 2 / lr
    draw_zones             shade the four zones on an axis of learning rates

Colour is never the only signal: each zone has its own hatching and its name in the legend,
each kind of point its own marker. The zone colours come from `course_utils.palette`, shared
with the explorer's strip.

Example:
    >>> from course_utils.sweep import find_zones, sweep
    >>> fig = plot_sweep(sweep(), {r: find_zones(r) for r in ("sum", "mean")})
    >>> show_figure(fig, alt=describe_sweep(sweep(), ...))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..curvature import SharpnessRun
from ..palette import (
    FIRST,
    SECOND,
    ZONE_BACKGROUND_ALPHA,
    ZONE_COLOURS,
    ZONE_HATCHES,
    ZONE_TEXT_ON,
)
from ..sweep import ZONES, Sweep, Zones
from .ticks import plain_log_axis

ZONE_MARKERS = {"monotone": "o", "edge of stability": "s", "catapult": "^", "divergence": "X"}


def draw_zones(ax: Axes, zones: Zones) -> list[Artist]:
    """Shade the four zones of `zones` along ax's x axis (learning rates, log scale).

    Each zone: its colour AND its hatching, labelled "<name> zone" for the legend; a dashed
    line at 2 / lambda_0. Returns the artists drawn (so a caller can remove them).
    """
    low, high = ax.get_xlim()
    bounds = [low, *(min(max(e, low), high) for e in zones.edges()), high]
    artists: list[Artist] = []
    for name, start, end in zip(ZONES, bounds[:-1], bounds[1:], strict=True):
        artists.append(ax.axvspan(start, end, facecolor=ZONE_COLOURS[name],
                                  alpha=ZONE_BACKGROUND_ALPHA, lw=0,
                                  hatch=ZONE_HATCHES[name], edgecolor="#444",
                                  label=f"{name} zone"))
    artists.append(ax.axvline(zones.two_over_lambda, color="black", ls="--", lw=1,
                              label=f"2/λ₀ = {zones.two_over_lambda:.3g}"))
    ax.set_xlim(low, high)
    return artists


def plot_sweep(result: Sweep, zones: Mapping[str, Zones],
               figsize: tuple[float, float] = (10.5, 6.5)) -> Figure:
    """The final loss of every run of the sweep against its learning rate; one panel per reduction.

    Each point's marker says its zone (circle monotone, square edge of stability, triangle
    catapult, X diverged, drawn at the top). The lowest final loss is ringed. Both panels
    share the learning-rate axis: the `mean` picture is the `sum` one moved by 640.
    """
    reductions = list(result.histories)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(len(reductions), 1, sharex=True, squeeze=False)[:, 0]
    steps = result.histories[reductions[0]][0].steps
    rates = np.concatenate([result.learning_rates(r) for r in reductions])
    for ax, reduction in zip(axes, reductions, strict=True):
        ax.set(xscale="log", yscale="log", xlim=(rates.min() / 1.6, rates.max() * 1.6))
        plain_log_axis(ax.xaxis)
        plain_log_axis(ax.yaxis)
        draw_zones(ax, zones[reduction])
        lrs, finals = result.learning_rates(reduction), result.final_losses(reduction)
        stable = ~np.isnan(finals)
        ax.plot(lrs[stable], finals[stable], "-", color="#333", lw=1)
        top = np.nanmax(finals) * 30
        for name in ZONES:
            here = np.array([zones[reduction].zone_of(lr) == name for lr in lrs])
            ys = np.where(stable, finals, top)[here]
            # a white edge on the dark zones' colours: the point stands out of its background
            edge = "white" if ZONE_TEXT_ON[name] == "#FFFFFF" else "black"
            ax.plot(lrs[here], ys, ZONE_MARKERS[name], color=edge, mfc=ZONE_COLOURS[name],
                    mew=1.2, ms=8,
                    label=f"{name}" + (" (at the top)" if name == "divergence" else ""))
        best = int(np.nanargmin(finals))
        ax.plot(lrs[best], finals[best], "o", ms=16, mfc="none", mec="black", mew=1.5,
                label=f"lowest final loss: lr = {lrs[best]:.3g}")
        ax.set(ylabel="loss after the last step (log)",
               title=f"reduction='{reduction}': diverges from {zones[reduction].diverges_from:.3g}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    axes[-1].set_xlabel("learning rate (log scale)")
    fig.suptitle(f"The learning-rate sweep: one run of {steps} steps per rate")
    return fig


def describe_sweep(result: Sweep, zones: Mapping[str, Zones]) -> str:
    """A text alternative for `plot_sweep`, built from its numbers."""
    total = zones["sum"]
    finals = result.final_losses("sum")
    best = result.learning_rates("sum")[int(np.nanargmin(finals))]
    return (f"Final loss after {result.histories['sum'][0].steps} steps against the learning "
            f"rate, log scales, one panel for sum and one for mean. With sum the loss ends "
            f"lower as the rate grows up to {best:.3g}, the lowest final loss, which lies in "
            f"the {total.zone_of(best)} zone; zones: monotone below {total.rises_from:.3g}, "
            f"edge of stability up to 2/λ₀ = {total.two_over_lambda:.3g}, catapult up to "
            f"{total.diverges_from:.3g}, divergence beyond. The mean panel is the same picture "
            f"moved right by exactly 640.")


def plot_sharpness_runs(runs: Sequence[SharpnessRun], figsize: tuple[float, float] = (10, 5.5)
                        ) -> Figure:
    """One column per run: lambda_max against step, 2 / lr dashed (top); the loss (bottom)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(2, len(runs), sharex="col", squeeze=False)
    for column, run in enumerate(runs):
        top, bottom = axes[0, column], axes[1, column]
        top.plot(run.steps, run.sharpness, "o-", color=FIRST, ms=4,
                 label="λ_max, measured")
        top.axhline(2 / run.learning_rate, color=SECOND, ls="--", lw=2,
                    label=f"2 / lr = {2 / run.learning_rate:,.0f}")
        top.set(title=f"lr = {run.learning_rate:.3g}", ylabel="λ_max (sharpness)")
        top.legend(fontsize=8)
        bottom.plot(np.arange(len(run.losses)), run.losses, color="black")
        bottom.set(yscale="log", xlabel="step", ylabel="loss (log scale)")
        plain_log_axis(bottom.yaxis)
    fig.suptitle("The curvature moves as training moves: λ_max against 2 / lr, and the loss")
    return fig


def quadratic_descent(curvature: float, learning_rate: float, start: float = 1.0,
                      steps: int = 12) -> np.ndarray:
    """The iterates w_0..w_steps of gradient descent on f(w) = curvature / 2 * w**2.

    The gradient is curvature * w, so each step multiplies w by (1 - learning_rate * curvature):
    |1 - lr * c| < 1 (lr < 2 / c) shrinks w; beyond 2 / c it grows.
    """
    factor = 1 - learning_rate * curvature
    return start * factor ** np.arange(steps + 1)


def plot_quadratic_steps(curvature: float, learning_rates: Sequence[float],
                         steps: int = 12, figsize: tuple[float, float] = (11, 3.4)) -> Figure:
    """Gradient descent on the bowl f(w) = curvature / 2 * w**2, one panel per learning rate.

    Each panel draws the bowl and the path of the iterates (dots joined by arrows' lines).
    """
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, len(learning_rates), squeeze=False)[0]
    for ax, lr in zip(axes, learning_rates, strict=True):
        path = quadratic_descent(curvature, lr, steps=steps)
        reach = min(max(1.2, np.abs(path).max() * 1.1), 6)
        grid = np.linspace(-reach, reach, 200)
        ax.plot(grid, curvature / 2 * grid ** 2, color="grey")
        shown = path[np.abs(path) <= reach]
        ax.plot(shown, curvature / 2 * shown ** 2, "o-", color="#1565c0", ms=4, lw=1)
        ax.plot(shown[:1], curvature / 2 * shown[:1] ** 2, "o", color="black", ms=6)
        factor = 1 - lr * curvature
        verdict = ("converges" if abs(factor) < 1 and factor >= 0 else
                   "oscillates, converges" if abs(factor) < 1 else "diverges")
        ax.set(title=f"lr = {lr * curvature:.2g} / c: {verdict}\n(w is multiplied by {factor:.2g})",
               xlabel="w", ylabel="f(w) = c/2 · w²")
    fig.suptitle(f"Gradient descent on a bowl of curvature c = {curvature:g}: "
                 f"stable while lr < 2 / c = {2 / curvature:.3g}")
    return fig
