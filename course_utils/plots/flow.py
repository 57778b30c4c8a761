"""`forward` as data flowing through the modules, drawn from a shape trace (notebook 05).

The rows come from `course_utils.trace_shapes(model, x)`. Tensors are drawn as bars whose
height grows with their number of columns (on a log scale, so 10, 100 and 1000 all fit),
and modules as boxes between them, so the picture reads left to right as `forward` runs:

    x (64, 1000) -> [0 Linear(1000, 100)] -> (64, 100) -> [1 ReLU()] -> (64, 100) -> ...

Example:
    >>> rows = trace_shapes(build_model(), torch.randn(64, 1000))
    >>> show_figure(draw_forward_flow(rows), alt=forward_flow_text(rows))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

TENSOR_COLOUR, MODULE_COLOUR = "#9ecae1", "#fdd0a2"
STEP = 2.2  # horizontal distance between a tensor and the next one


def _shape_text(shape: Any) -> str:
    if isinstance(shape, tuple):
        return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"
    return str(shape)


def _bar_height(shape: Any) -> float:
    """Height of a tensor's bar: grows with log10 of its last dimension (1 -> 0.4, 1000 -> 2.2)."""
    columns = shape[-1] if isinstance(shape, tuple) and shape else 1
    return 0.4 + 0.6 * math.log10(max(columns, 1))


def forward_flow_text(rows: Sequence[dict[str, Any]]) -> str:
    """The figure in words, for its text alternative: every module with the shape it makes."""
    if not rows:
        return "forward ran no module."
    steps = [f"x {_shape_text(rows[0]['input shape'])}"]
    for row in rows:
        shape = _shape_text(row["output shape"])
        steps.append(f"module {row['module']}, {row['layer']}, gives {shape}")
    return ("forward as data flowing left to right through the modules: "
            + "; then ".join(steps) + ". Every tensor keeps one row per example; each Linear "
            "changes the number of columns, the ReLU keeps its input's shape.")


def draw_forward_flow(rows: Sequence[dict[str, Any]], title: str | None = None) -> Figure:
    """Draw the tensors and the modules of one forward pass, from `trace_shapes` rows."""
    shapes = [rows[0]["input shape"]] + [row["output shape"] for row in rows] if rows else []
    fig = Figure(figsize=(2.1 * len(shapes) + 0.6, 3.6))
    ax = fig.add_subplot()
    for index, shape in enumerate(shapes):
        x, height = index * STEP, _bar_height(shape)
        ax.add_patch(Rectangle((x - 0.22, -height / 2), 0.44, height, facecolor=TENSOR_COLOUR,
                               edgecolor="#3182bd", lw=1.2))
        name = "x" if index == 0 else ("output" if index == len(shapes) - 1 else "")
        ax.text(x, -1.35, _shape_text(shape), ha="center", va="top", fontsize=10,
                family="monospace")
        if name:
            ax.text(x, 1.35, name, ha="center", va="bottom", fontsize=10, style="italic")
    for index, row in enumerate(rows):
        left, right = index * STEP + 0.25, (index + 1) * STEP - 0.25
        middle = (left + right) / 2
        ax.add_patch(FancyBboxPatch((middle - 0.62, -0.32), 1.24, 0.64,
                                    boxstyle="round,pad=0.04", facecolor=MODULE_COLOUR,
                                    edgecolor="#e6550d", lw=1.2, zorder=3))
        layer = str(row["layer"])
        layer = layer.replace("(", "\n(", 1) if len(layer) > 10 else layer
        ax.text(middle, 0, f"{row['module']}: {layer}", ha="center", va="center", fontsize=8.5,
                zorder=4)
        ax.add_patch(FancyArrowPatch((left, 0), (middle - 0.64, 0), arrowstyle="-",
                                     color="grey", lw=1.2))
        ax.add_patch(FancyArrowPatch((middle + 0.64, 0), (right, 0), arrowstyle="-|>",
                                     mutation_scale=12, color="grey", lw=1.2))
        parameters = row.get("parameters", 0)
        ax.text(middle, -0.45, f"{parameters:,} parameters", ha="center", va="top",
                fontsize=8, color="#555555")
    ax.set_xlim(-0.8, max(len(shapes) - 1, 0) * STEP + 0.8)
    ax.text(-0.7, -1.85, "bar height: the number of columns (log scale)", fontsize=8,
            color="#555555", va="top")
    ax.set_ylim(-2.1, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "forward: the data flows through the modules in order", fontsize=11)
    return fig
