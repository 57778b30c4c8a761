"""A module as the tree it really is: `_modules` for the children, `_parameters` in each node.

`parameters()` walks exactly this tree: the module's own `_parameters`, then every child in
`_modules`, recursively. Buffers (`_buffers`) are listed too, marked as such, because they
travel with the tree (`.to()`, `state_dict()`) without being trained (notebook 08).

Example:
    >>> fig = draw_module_tree(TwoLayerNet(1000, 100, 10))
    >>> show_figure(fig, alt=module_tree_text(net))
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

NODE_WIDTH, BOX_WIDTH, LEVEL_HEIGHT, LINE = 3.4, 2.2, 2.0, 0.24
MODULE_COLOUR, PARAMETER_COLOUR, BUFFER_COLOUR = "#fdd0a2", "#1f5fa0", "#2a7f2a"


def _shape(tensor: Any) -> str:
    shape = tuple(tensor.shape)
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def _node_lines(module: nn.Module) -> list[tuple[str, str]]:
    """(text, colour) lines listed under a node: its own parameters, then its own buffers."""
    lines = [(f"{name} {_shape(p)}", PARAMETER_COLOUR)
             for name, p in module._parameters.items() if p is not None]
    lines += [(f"{name} {_shape(b)} (buffer)", BUFFER_COLOUR)
              for name, b in module._buffers.items() if b is not None]
    return lines or [("_parameters: {}", "#777777")]


def _leaves(module: nn.Module) -> int:
    children = [child for child in module._modules.values() if child is not None]
    return sum(_leaves(child) for child in children) if children else 1


Node = tuple[nn.Module, float, int, str, "nn.Module | None", float]


def _place(module: nn.Module, left: float, depth: int, nodes: list[Node], key: str = "",
           parent: nn.Module | None = None, parent_x: float = 0.0) -> None:
    """Give each node an x (the middle of its leaves) and a depth; children left to right."""
    x = left + _leaves(module) * NODE_WIDTH / 2
    nodes.append((module, x, depth, key, parent, parent_x))
    for name, child in module._modules.items():
        if child is None:
            continue
        _place(child, left, depth + 1, nodes, name, module, x)
        left += _leaves(child) * NODE_WIDTH


def _draw_node(ax: Axes, module: nn.Module, x: float, y: float) -> None:
    lines = _node_lines(module)
    height = 0.5 + LINE * len(lines)
    ax.add_patch(FancyBboxPatch((x - BOX_WIDTH / 2, y - height), BOX_WIDTH, height,
                                boxstyle="round,pad=0.05", facecolor="white",
                                edgecolor="#e6550d", lw=1.2, zorder=2))
    ax.add_patch(FancyBboxPatch((x - BOX_WIDTH / 2, y - 0.4), BOX_WIDTH, 0.4,
                                boxstyle="round,pad=0.05", facecolor=MODULE_COLOUR,
                                edgecolor="#e6550d", lw=1.2, zorder=3))
    ax.text(x, y - 0.2, type(module).__name__, ha="center", va="center", fontsize=9.5,
            weight="bold", zorder=4)
    for index, (text, colour) in enumerate(lines):
        ax.text(x, y - 0.6 - index * LINE, text, ha="center", va="center", fontsize=8,
                family="monospace", color=colour, zorder=4)


def draw_module_tree(model: nn.Module, title: str | None = None) -> Figure:
    """Draw `model` as a tree: an arrow `_modules['name']` to each child, and in each box the
    module's own `_parameters` (blue) and `_buffers` (green)."""
    nodes: list[Node] = []
    _place(model, 0.0, 0, nodes)
    width = _leaves(model) * NODE_WIDTH
    bottom = min(-node[2] * LEVEL_HEIGHT - 0.6 - LINE * len(_node_lines(node[0])) for node in nodes)
    fig = Figure(figsize=(max(4.5, 0.75 * width + 0.5), 0.9 + 0.75 * (0.6 - bottom)))
    ax = fig.add_subplot()
    for module, x, level, key, parent, parent_x in nodes:
        y = -level * LEVEL_HEIGHT
        _draw_node(ax, module, x, y)
        if parent is not None:
            parent_bottom = y + LEVEL_HEIGHT - 0.5 - LINE * len(_node_lines(parent))
            ax.add_patch(FancyArrowPatch((parent_x, parent_bottom - 0.08), (x, y + 0.5),
                                         arrowstyle="-|>", mutation_scale=12, color="grey",
                                         lw=1.2, zorder=1))
            ax.text(x, y + 0.3, f"_modules['{key}']",
                    ha="center", va="center", fontsize=8, family="monospace",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=5)
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(bottom - 0.2, 0.4)
    ax.axis("off")
    ax.set_title(title or f"{type(model).__name__}: the tree parameters() walks", fontsize=11)
    return fig


def module_tree_text(model: nn.Module) -> str:
    """The tree in words, for the figure's text alternative."""
    def describe(module: nn.Module, path: str) -> list[str]:
        own = [text for text, colour in _node_lines(module) if colour != "#777777"]
        holds = ", ".join(own) if own else "no parameters of its own"
        parts = [f"{path} ({type(module).__name__}) holds {holds}"]
        for name, child in module._modules.items():
            if child is not None:
                parts += describe(child, f"{path}._modules['{name}']")
        return parts

    return ("The module tree that parameters() walks: " + "; ".join(describe(model, "model"))
            + ". The parameters sit in the leaves' _parameters; the parent only links to them.")
