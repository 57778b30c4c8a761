"""The drawing of the running example's network: 1000 inputs -> 100 hidden (ReLU) -> 10 outputs.

Only a few nodes of each column are drawn, with an ellipsis for the rest, so the picture
stays readable. Each group of arrows is labelled with the shapes of its weight and bias,
in the layouts asked for (`layouts`, both by default):

    numpy layout   (in, out):  w1 (1000, 100), w2 (100, 10)   used as  x @ w1 + b1
    nn.Linear      (out, in):  weight (100, 1000), (10, 100)  used as  x @ W.T + b

A notebook whose exercise asks for nn.Linear's layout draws the network before it without
that layout (notebook 01: `layouts=("numpy",)`; notebook 04's first figure: `layouts=()`,
which names only how many weights and biases each group holds), so the picture does not
give the answer away.

With `show_modules=True` the hidden layer is drawn as the two columns of numbers it
really holds, h (after the first Linear) and h_relu (after ReLU), and the three modules
of `nn.Sequential(Linear, ReLU, Linear)` sit BETWEEN the columns as the computation steps
they are. The input column holds x and computes nothing: a "layer" of the picture is not
a module.

Example:
    >>> fig = draw_network(show_modules=True)
    >>> show_figure(fig, alt="...")
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .. import problem
from ..palette import FIRST, SECOND

NODE_RADIUS = 0.1
SLOT = 0.24  # vertical distance between two drawn nodes
GAP = 2.0  # horizontal distance between two columns joined by weights
RELU_GAP = 1.3  # between h and h_relu in the modules view
FIRST_COLOUR, SECOND_COLOUR = FIRST, SECOND  # the two weight groups (course_utils.palette)
RELU_COLOUR = "#2ca02c"


def _column_slots(size: int, shown: int) -> list[tuple[int | None, float]]:
    """(node index, y) for `shown` nodes, an ellipsis (index None), then the last node."""
    indices: list[int | None] = [*range(1, shown + 1), None, size]
    top = (len(indices) - 1) * SLOT / 2
    return [(index, top - i * SLOT) for i, index in enumerate(indices)]


def _draw_column(ax: Axes, x: float, symbol: str, slots: list[tuple[int | None, float]],
                 face: str, edge: str) -> list[float]:
    """Draw the nodes of one column; return the y of each drawn node (not the ellipsis)."""
    ys = []
    for index, y in slots:
        if index is None:
            ax.text(x, y, "⋮", ha="center", va="center", fontsize=18)
            continue
        ax.add_patch(Circle((x, y), NODE_RADIUS, facecolor=face, edgecolor=edge, lw=1.5, zorder=3))
        _node_label(ax, x, y, symbol, index)
        ys.append(y)
    return ys


def _node_label(ax: Axes, x: float, y: float, symbol: str, index: int) -> None:
    """`symbol` with `index` as a subscript (x₁₂), centred on the node at (x, y).

    Two plain texts, the symbol and a smaller index below its baseline, not matplotlib's
    mathtext (`$x_{12}$`): mathtext lays every label out again on every draw, which took
    half of this diagram's rendering time. Widths are DejaVu Sans's: about 0.6 em a glyph,
    0.42 em for an r.
    """
    size = 7.5 if index < 1000 else 6.0
    small = 0.7 * size
    symbol_width = (0.42 if symbol == "r" else 0.6) * size  # points
    left = -(symbol_width + 0.6 * small * len(str(index))) / 2  # points, from the centre
    common = {"textcoords": "offset points", "ha": "left", "va": "center", "zorder": 4}
    ax.annotate(symbol, (x, y), xytext=(left, 0), fontsize=size, style="italic", **common)
    ax.annotate(str(index), (x, y), xytext=(left + symbol_width, -0.3 * size), fontsize=small,
                **common)


def _connect(ax: Axes, x0: float, ys0: list[float], x1: float, ys1: list[float],
             colour: str, one_to_one: bool = False) -> None:
    """Join the drawn nodes of two columns: all pairs (one weight each) or one to one (ReLU)."""
    pairs = zip(ys0, ys1, strict=True) if one_to_one else [(a, b) for a in ys0 for b in ys1]
    for y0, y1 in pairs:
        ax.plot([x0 + NODE_RADIUS, x1 - NODE_RADIUS], [y0, y1], color=colour,
                lw=1.4 if one_to_one else 0.6, alpha=0.8 if one_to_one else 0.45, zorder=1)


def _label_box(ax: Axes, x: float, y: float, text: str, colour: str) -> None:
    ax.text(x, y, text, ha="center", va="top", fontsize=9, color=colour, family="monospace",
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": colour})


def _module_box(ax: Axes, x: float, y: float, half_width: float, index: int, title: str,
                formula: str, colour: str) -> None:
    ax.add_patch(FancyBboxPatch((x - half_width, y - 0.14), 2 * half_width, 0.28,
                                boxstyle="round,pad=0.02", facecolor="white",
                                edgecolor=colour, lw=2, zorder=3))
    ax.text(x, y + 0.05, title, ha="center", va="center", fontsize=10,
            family="monospace", weight="bold", color=colour, zorder=4)
    ax.text(x, y - 0.07, formula, ha="center", va="center", fontsize=8.5, zorder=4)
    ax.text(x, y + 0.19, f"model[{index}]", ha="center", va="bottom", fontsize=8.5,
            family="monospace", color="0.35")


def _arrow(ax: Axes, x0: float, x1: float, y: float) -> None:
    ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=14,
                                 color="0.3", lw=1.2, zorder=2))


def draw_network(show_modules: bool = False,
                 layouts: Sequence[str] = ("numpy", "torch")) -> Figure:
    """The running example's network as a figure, with the shapes of every weight and bias.

    Columns: x (D_in = 1000 inputs), the hidden layer (H = 100 units, ReLU), y_pred
    (D_out = 10 outputs); a few nodes each and an ellipsis. The arrow groups are labelled
    in each layout of `layouts`: "numpy" (w1 (1000, 100), as in notebooks 01-03) and
    "torch" (nn.Linear's weight (100, 1000), notebook 04 onwards); the biases are (100,)
    and (10,). With neither, a group says only how many weights and biases it holds
    (100,000 weights, 100 biases).

    show_modules=True splits the hidden layer into h and h_relu and draws the three
    modules Linear(1000, 100) -> ReLU() -> Linear(100, 10) between the columns, as the
    computation steps they are; the input column is marked as computing nothing. A Linear
    box shows its formula (h = x @ W1.T + b1) only when "torch" is among the layouts;
    otherwise it names what it turns into what (x -> h).
    """
    unknown = set(layouts) - {"numpy", "torch"}
    if unknown:
        raise ValueError(f"layouts may hold 'numpy' and 'torch', not {sorted(unknown)}")
    d_in, hidden, d_out = problem.D_IN, problem.H, problem.D_OUT
    x_in, x_hidden = 0.0, GAP
    x_relu = x_hidden + RELU_GAP if show_modules else x_hidden
    x_out = x_relu + GAP
    fig = Figure(figsize=(11 if show_modules else 9, 7.4 if show_modules else 5.8))
    ax = fig.add_subplot()

    input_ys = _draw_column(ax, x_in, "x", _column_slots(d_in, 4), "white", "0.25")
    hidden_ys = _draw_column(ax, x_hidden, "h", _column_slots(hidden, 4), "#e5f5e0", RELU_COLOUR)
    if show_modules:
        _draw_column(ax, x_relu, "r", _column_slots(hidden, 4), "#e5f5e0", RELU_COLOUR)
        _connect(ax, x_hidden, hidden_ys, x_relu, hidden_ys, RELU_COLOUR, one_to_one=True)
    output_ys = _draw_column(ax, x_out, "ŷ", _column_slots(d_out, 3), "#fde0c5",
                             SECOND_COLOUR)
    _connect(ax, x_in, input_ys, x_hidden, hidden_ys, FIRST_COLOUR)
    _connect(ax, x_relu, hidden_ys, x_out, output_ys, SECOND_COLOUR)

    top = max(input_ys) + 0.17
    captions = [(x_in, f"input x\n{d_in} features\n(given, not computed)"),
                (x_out, f"output y_pred\n{d_out} numbers")]
    if show_modules:
        captions += [(x_hidden, f"h\n{hidden} numbers"),
                     (x_relu, f"h_relu = max(h, 0)\n{hidden} numbers")]
    else:
        captions += [(x_hidden, f"hidden layer\n{hidden} units, ReLU")]
    for x, caption in captions:
        ax.text(x, top, caption, ha="center", va="bottom", fontsize=10)

    bottom = min(input_ys) - 0.16
    _label_box(ax, (x_in + x_hidden) / 2, bottom, _shapes_label(1, d_in, hidden, layouts),
               FIRST_COLOUR)
    _label_box(ax, (x_relu + x_out) / 2, bottom, _shapes_label(2, hidden, d_out, layouts),
               SECOND_COLOUR)
    lowest = bottom - 0.5
    if show_modules:
        _label_box(ax, (x_hidden + x_relu) / 2, bottom, "no weights,\nno bias", RELU_COLOUR)
        lowest = _draw_modules(ax, bottom - 0.95, (x_in, x_hidden, x_relu, x_out), d_in,
                               hidden, d_out, formulas="torch" in layouts)

    ax.set_xlim(x_in - 0.9, x_out + 0.9)
    ax.set_ylim(lowest, top + 0.55)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("data flows left to right; a few nodes of each column are drawn", fontsize=10)
    title = f"The running example: {d_in} inputs → {hidden} hidden (ReLU) → {d_out} outputs"
    if show_modules:
        title = "The same network as nn.Sequential: three modules = three computation steps"
    ax.set_title(title, fontsize=12)
    return fig


def _shapes_label(layer: int, n_in: int, n_out: int, layouts: Sequence[str]) -> str:
    """The label under one group of arrows: its weight in each layout asked for, its bias."""
    lines = []
    if "numpy" in layouts:
        lines.append(f"numpy  w{layer}: ({n_in}, {n_out})")
    if "torch" in layouts:
        lines.append(f"nn.Linear weight: ({n_out}, {n_in})")
    if not lines:
        return f"{n_in * n_out:,} weights\n{n_out} biases"
    return "\n".join([*lines, f"bias  b{layer}: ({n_out},)"])


def _draw_modules(ax: Axes, y: float, columns: tuple[float, float, float, float], d_in: int,
                  hidden: int, d_out: int, formulas: bool = True) -> float:
    """The three modules as boxes in the gaps between the columns; returns the lowest y used.

    Without `formulas` a Linear box says what it turns into what (x -> h), not how.
    """
    x_in, x_hidden, x_relu, x_out = columns
    first, second = (("h = x @ W1.T + b1", "h_relu @ W2.T + b2") if formulas
                     else ("x → h", "h_relu → y_pred"))
    steps = (((x_in + x_hidden) / 2, 0.8, f"Linear({d_in}, {hidden})", first, FIRST_COLOUR),
             ((x_hidden + x_relu) / 2, 0.45, "ReLU()", "max(h, 0)", RELU_COLOUR),
             ((x_relu + x_out) / 2, 0.8, f"Linear({hidden}, {d_out})", second, SECOND_COLOUR))
    for index, (x, half_width, title, formula, colour) in enumerate(steps):
        _module_box(ax, x, y, half_width, index, title, formula, colour)
        ax.plot([x, x], [y + 0.4, y + 0.62], ls=":", color=colour, lw=1.2)
    for (left, left_half, *_), (right, right_half, *_) in zip(steps, steps[1:], strict=False):
        _arrow(ax, left + left_half + 0.03, right - right_half - 0.03, y)
    first_x, first_half = steps[0][0], steps[0][1]
    last_x, last_half = steps[-1][0], steps[-1][1]
    ax.text(x_in - 0.45, y, "x", ha="center", va="center", fontsize=12)
    _arrow(ax, x_in - 0.35, first_x - first_half - 0.03, y)
    _arrow(ax, last_x + last_half + 0.03, x_out + 0.25, y)
    ax.text(x_out + 0.3, y, "y_pred", ha="left", va="center", fontsize=10)
    ax.text(x_in, y - 0.3, "the input column has no module\nand no parameters: it computes nothing",
            ha="center", va="top", fontsize=9, color="0.3", style="italic")
    ax.text(x_out - 0.5, y - 0.3,
            "3 modules = 3 computation steps;\nonly the 2 Linear modules hold weights",
            ha="center", va="top", fontsize=9, color="0.3", style="italic")
    return y - 0.75
