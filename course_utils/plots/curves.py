"""Pictures for notebook 07: what the learning rate does.

    plot_quadratic_steps   gradient descent on a 1-D bowl: converge, oscillate, diverge
    plot_sweep             the final loss against the learning rate, zones shaded
    draw_zones             shade monotone / catapult / divergence on an axis of learning rates
                           (shared with the explorer, which redraws them when the reduction changes)

Example:
    >>> from course_utils.sweep import find_zones, sweep
    >>> fig = plot_sweep(sweep(), {r: find_zones(r) for r in ("sum", "mean")})
    >>> show_figure(fig)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from ..sweep import Sweep, Zones

ZONE_COLOURS = {"monotone": "#2e7d32", "catapult": "#ef6c00", "divergence": "#c62828"}
LEARNING_RATE_RANGE = (1e-7, 10.0)  # the explorer's slider


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten_label(value: float, position: int | None = None) -> str:
    """"10⁻⁵" for 1e-5, as plain text (no LaTeX-style mathtext: much faster to draw).

    Used for log-scale axes that are redrawn often (the explorer); "" between powers of ten.
    """
    if value <= 0:
        return ""
    exponent = np.log10(value)
    if abs(exponent - round(exponent)) > 1e-9:
        return ""
    return "10" + str(int(round(exponent))).translate(SUPERSCRIPTS)


def use_plain_log_labels(axis) -> None:
    """Label a log-scale `axis` (ax.xaxis or ax.yaxis) 10⁻⁵, 10⁰, ... in plain text, no minor ticks.

    Both choices make a redraw several times faster (tick labels dominate the drawing time).
    """
    axis.set_major_formatter(FuncFormatter(power_of_ten_label))
    axis.set_minor_locator(NullLocator())


def draw_zones(ax: Axes, zones: Zones, names_on_axis: bool = True, label_height: float = 0.92
               ) -> list[Artist]:
    """Shade the three zones of `zones` along ax's x axis (learning rates, log scale).

    Also draws a dashed line at 2 / lambda_max (the curvature at the start). Every artist
    carries its name as a legend label; names_on_axis=True also writes the zone names on the
    axis at `label_height` (the narrow catapult zone's name lower, clear of its neighbours).
    Returns the artists drawn, so a caller can remove them (`artist.remove()`) and redraw.
    """
    low, high = LEARNING_RATE_RANGE
    spans = (("monotone", low, zones.rises_from), ("catapult", zones.rises_from,
             zones.diverges_from), ("divergence", zones.diverges_from, high))
    at_x = ax.get_xaxis_transform()  # x in data (learning rates), y in axis fractions
    artists: list[Artist] = []
    for name, start, end in spans:
        artists.append(ax.axvspan(start, end, color=ZONE_COLOURS[name], alpha=0.14, lw=0,
                                  label=f"{name} zone"))
        if names_on_axis:
            height = label_height - 0.4 if name == "catapult" else label_height
            artists.append(ax.text(np.sqrt(start * end), height, name, transform=at_x,
                                   ha="center", va="top", fontsize=8, color=ZONE_COLOURS[name]))
    artists.append(ax.axvline(zones.two_over_lambda, color="black", ls="--", lw=1,
                              label=f"2/λ at start = {zones.two_over_lambda:.3g}"))
    if names_on_axis:
        artists.append(ax.text(zones.two_over_lambda, 0.04, "2/λ at start ", transform=at_x,
                               fontsize=8, ha="right", va="bottom"))
    return artists


def plot_sweep(result: Sweep, zones: Mapping[str, Zones],
               figsize: tuple[float, float] = (8, 5.5)) -> Figure:
    """The final loss of every run of the sweep against its learning rate; one panel per reduction.

    Diverged runs are marked with a red x at the top. Both panels share the learning-rate
    axis, so the `mean` picture sits to the right of the `sum` one, by a factor of 640.
    """
    reductions = list(result.histories)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(len(reductions), 1, sharex=True, squeeze=False)[:, 0]
    steps = result.histories[reductions[0]][0].steps
    for ax, reduction in zip(axes, reductions, strict=True):
        draw_zones(ax, zones[reduction], names_on_axis=False)
        finals = result.final_losses(reduction)
        stable = ~np.isnan(finals)
        ax.plot(result.learning_rates[stable], finals[stable], "o-", color="#1565c0", ms=4,
                label="final loss")
        top = np.nanmax(finals) * 30
        ax.plot(result.learning_rates[~stable], np.full((~stable).sum(), top), "x",
                color=ZONE_COLOURS["divergence"], ms=8, mew=2, label="diverged")
        ax.set(xscale="log", yscale="log", xlim=(LEARNING_RATE_RANGE[0] / 1.6,
                                                  LEARNING_RATE_RANGE[1] * 1.6),
               ylabel="loss after the last step (log)",
               title=f"reduction='{reduction}': diverges from {zones[reduction].diverges_from:.3g}")
        ax.legend(loc="lower left", fontsize=8, ncols=2)
    axes[-1].set_xlabel("learning rate (log scale)")
    fig.suptitle(f"The learning-rate sweep: one run of {steps} steps per rate")
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
