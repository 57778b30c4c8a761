"""Pictures of nn.Linear (notebook 04): what the rows of W are, and how W starts out.

    draw_weight_rows(layer)      W as a grid: row j holds output unit j's weights, and
                                 y[j] = W[j, :] · x + b[j] for one example x
    draw_init_histogram(layer)   histograms of a fresh layer's weight and bias, with the
                                 bound ±1/sqrt(in_features) of the default initialisation

Example:
    >>> show_figure(draw_weight_rows(nn.Linear(4, 3)))
    >>> show_figure(draw_init_histogram(nn.Linear(1000, 100)))
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from ..palette import SECOND, SERIES_COLOURS

ROW_COLOURS = SERIES_COLOURS  # colour-blind-safe (palette.py); each row is also labelled
BOUND_COLOUR = SECOND


def _cell(ax: Axes, left: float, top: float, value: float, scale: float,
          edge: str = "0.6", width: float = 1.0) -> None:
    """One number as a coloured square (blue negative, red positive) with its value in it."""
    colour = matplotlib.colormaps["coolwarm"](0.5 + 0.5 * value / scale)
    ax.add_patch(Rectangle((left, top - 1), width, 1, facecolor=colour, edgecolor=edge, lw=1))
    ax.text(left + width / 2, top - 0.5, f"{value:+.2f}", ha="center", va="center", fontsize=8)


def _column(ax: Axes, left: float, values: np.ndarray, scale: float, label: str,
            outline_rows: bool) -> None:
    """A column vector (one cell per output unit) with a label above it."""
    for j, value in enumerate(values):
        edge = ROW_COLOURS[j % len(ROW_COLOURS)] if outline_rows else "0.6"
        _cell(ax, left, -j, value, scale, edge=edge)
    ax.text(left + 0.5, 0.15, label, ha="center", va="bottom", fontsize=9)


def draw_weight_rows(layer: nn.Linear, x: torch.Tensor | None = None) -> Figure:
    """The weight of a small `layer` as a grid, each row outlined as one output unit.

    W is (out_features, in_features). Above it sits one example x (in_features,), each
    feature over the column of W it meets; to the right, b (out_features,) and the output
    y = W x + b (out_features,). Row j of W, b[j] and y[j] share one colour, because
    y[j] = W[j, :] · x + b[j]: one output unit is one row of weights, one bias, one number.
    Meant for layers up to about 8 x 8 (the numbers are written in the cells).
    """
    weight = layer.weight.detach().double().numpy()
    bias = layer.bias.detach().double().numpy() if layer.bias is not None \
        else np.zeros(layer.out_features)
    if x is None:
        x = torch.randn(layer.in_features, generator=torch.Generator().manual_seed(0))
    x_values = x.detach().double().reshape(-1).numpy()
    y = weight @ x_values + bias
    n_out, n_in = weight.shape
    scale = max(np.abs(weight).max(), np.abs(bias).max(), 1e-12)

    fig = Figure(figsize=(1.0 * n_in + 4.2, 0.8 * n_out + 2.6), layout="constrained")
    ax = fig.add_subplot()
    for i, value in enumerate(x_values):  # the example, one feature above each column
        _cell(ax, i, 2.0, value, max(np.abs(x_values).max(), 1e-12))
    ax.text(n_in / 2, 2.15, f"one example x: {n_in} features (in_features)", ha="center",
            va="bottom", fontsize=9)
    for j in range(n_out):
        colour = ROW_COLOURS[j % len(ROW_COLOURS)]
        for i in range(n_in):
            _cell(ax, i, -j, weight[j, i], scale)
        ax.add_patch(Rectangle((-0.05, -j - 0.95), n_in + 0.1, 0.9, fill=False,
                               edgecolor=colour, lw=2.5))
    _column(ax, n_in + 0.8, bias, scale, "+ b", outline_rows=True)
    _column(ax, n_in + 2.4, y, max(np.abs(y).max(), 1e-12), "= y", outline_rows=True)
    for j in range(n_out):
        ax.text(n_in + 2.0, -j - 0.5, "→", ha="center", va="center", fontsize=11,
                color=ROW_COLOURS[j % len(ROW_COLOURS)])
    ax.set_xlim(-0.3, n_in + 3.7)
    ax.set_ylim(-n_out - 0.3, 2.7)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(n_in) + 0.5, [str(i) for i in range(n_in)])
    ax.set_yticks(-np.arange(n_out) - 0.5, [str(j) for j in range(n_out)])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"column i of W = input feature i (in_features = {n_in})")
    ax.set_ylabel(f"row j of W = output unit j\n(out_features = {n_out})")
    ax.set_title(f"nn.Linear({n_in}, {n_out}).weight is ({n_out}, {n_in}) = (out, in):\n"
                 "row j holds output unit j's weights;  y[j] = W[j, :] · x + b[j]",
                 fontsize=10)
    return fig


def draw_init_histogram(layer: nn.Linear, bins: int = 60) -> Figure:
    """Histograms of `layer`'s weight and bias as built, with ±1/sqrt(in_features) drawn.

    nn.Linear.reset_parameters draws both uniformly from (-bound, bound), bound =
    1/sqrt(in_features): the bars fill the band flat and stop at the red lines. The bins
    reach a fifth of the bound past each red line (which both sit on bin edges), so the
    empty bins outside show that nothing lies beyond the bound.
    A large layer (e.g. Linear(1000, 100): 100,000 weights) shows the flat shape best.
    """
    bound = 1 / math.sqrt(layer.in_features)
    margin = 1.2  # the drawn range, in bounds: wider than the band, to show it is empty
    parts = [("weight", layer.weight)]
    if layer.bias is not None:
        parts.append(("bias", layer.bias))
    fig = Figure(figsize=(5.2 * len(parts), 3.6), layout="constrained")
    axes = fig.subplots(1, len(parts), squeeze=False)[0]
    for ax, (name, parameter) in zip(axes, parts, strict=True):
        values = parameter.detach().double().reshape(-1).numpy()
        inside = bins if values.size > 1000 else 20  # bins between the red lines
        edges = np.linspace(-margin * bound, margin * bound, round(margin * inside) + 1)
        ax.hist(values, bins=edges, color="#7f7f7f", edgecolor="white", lw=0.4)
        ax.set_xlim(-1.3 * bound, 1.3 * bound)
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])  # room for the legend above the bars
        for sign in (-1, 1):
            ax.axvline(sign * bound, color=BOUND_COLOUR, ls="--", lw=1.5,
                       label=f"±1/√{layer.in_features} = ±{bound:.4f}" if sign > 0 else None)
        ax.set_title(f"{name} {tuple(parameter.shape)}: {values.size:,} values")
        ax.set_xlabel(f"{name} value")
        ax.set_ylabel("count")
        ax.legend(loc="upper center", fontsize=8)
    fig.suptitle(f"nn.Linear({layer.in_features}, {layer.out_features}) as built: "
                 f"uniform in ±1/sqrt(in_features)")
    return fig
