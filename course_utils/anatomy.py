"""Looking inside a model: its parameters, how many there are, and the shapes in `forward`.

Every function returns plain data (a number, or a list of rows, one dict per row) so a
notebook can print it, test it or show it as a table with `markdown_table(rows)`:

    >>> from course_utils import build_model
    >>> model = build_model()           # Sequential(Linear(1000, 100), ReLU(), Linear(100, 10))
    >>> count_parameters(model)
    101110
    >>> [row["name"] for row in parameter_table(model)]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> [row["output shape"] for row in trace_shapes(model, torch.randn(64, 1000))]
    [(64, 100), (64, 100), (64, 10)]

No matplotlib here: tables are text, so they read the same in a notebook, a terminal and a test.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import torch
from torch import nn

Row = dict[str, Any]


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in `model`.

    For the running example: 1000*100 + 100 + 100*10 + 10 = 101_110.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def parameter_table(model: nn.Module) -> list[Row]:
    """One row per parameter, in the order `model.parameters()` yields them.

    Columns: name (as in `named_parameters()`, e.g. "0.weight"), shape, count (numel),
    requires_grad. For the running example the names are 0.weight (100, 1000), 0.bias (100,),
    2.weight (10, 100), 2.bias (10,): the ReLU at index 1 has no parameters.
    """
    return [{"name": name, "shape": tuple(p.shape), "count": p.numel(),
             "requires_grad": p.requires_grad}
            for name, p in model.named_parameters()]


def short_name(module: nn.Module) -> str:
    """A module as a learner writes it: "Linear(1000, 100)", "ReLU()", "Sequential(3 modules)"."""
    if isinstance(module, nn.Linear):
        bias = "" if module.bias is not None else ", bias=False"
        return f"Linear({module.in_features}, {module.out_features}{bias})"
    children = len(list(module.children()))
    if children:
        return f"{type(module).__name__}({children} modules)"
    return f"{type(module).__name__}()"


def _shape(value: Any) -> tuple[int, ...] | str:
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return _shape(value[0])
    return type(value).__name__


def _modules_to_watch(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The modules that compute something themselves: those without children.

    A model with no children (a lone nn.Linear) is watched itself.
    """
    leaves = [(name, m) for name, m in model.named_modules() if not list(m.children())]
    return leaves or [("", model)]


@contextmanager
def watch_calls(model: nn.Module) -> Iterator[list[Row]]:
    """Record every call of `model`'s leaf modules while the `with` block runs.

    Yields a list that fills with one row per call: module (its name in the model, "0", "1",
    ...), layer (`short_name`), input shape, output shape (None while the module is still
    running, so after an error the last row names the module that failed), parameters.
    Uses forward pre-hooks and forward hooks (run by `Module.__call__` around `forward`)
    and removes them afterwards, whatever happens.
    """
    rows: list[Row] = []
    handles = []

    def before(name: str, module: nn.Module):
        def hook(_module: nn.Module, inputs: tuple) -> None:
            rows.append({"module": name or type(module).__name__, "layer": short_name(module),
                         "input shape": _shape(inputs), "output shape": None,
                         "parameters": sum(p.numel() for p in module.parameters())})
        return hook

    def after(_module: nn.Module, _inputs: tuple, output: Any) -> None:
        rows[-1]["output shape"] = _shape(output)

    try:
        for name, module in _modules_to_watch(model):
            handles.append(module.register_forward_pre_hook(before(name, module)))
            handles.append(module.register_forward_hook(after))
        yield rows
    finally:
        for handle in handles:
            handle.remove()


def trace_shapes(model: nn.Module, x: torch.Tensor) -> list[Row]:
    """Run `model(x)` once and return the shapes seen by each computing module, in order.

    Columns: module, layer, input shape, output shape, parameters. For the running example
    and x of shape (N, D_in) = (64, 1000):

        0  Linear(1000, 100)  (64, 1000) -> (64, 100)   100,100 parameters
        1  ReLU()             (64, 100)  -> (64, 100)         0
        2  Linear(100, 10)    (64, 100)  -> (64, 10)      1,010

    Runs under `torch.no_grad()` (nothing is trained) and leaves no hooks behind.
    If a module fails (a shape mismatch), the error propagates; see
    `course_utils.shape_errors.explain_shape_mismatch` for a diagnosis.
    """
    with watch_calls(model) as rows, torch.no_grad():
        model(x)
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


def markdown_table(rows: Sequence[Row], columns: Sequence[str] | None = None) -> str:
    """Rows (dicts) as a Markdown table; show it with `IPython.display.Markdown(...)`.

    Columns default to the keys of the first row. Integers get thousands separators,
    shapes are written as (64, 100), `|` in a value is escaped.

    Example:
        >>> print(markdown_table([{"name": "0.bias", "shape": (100,)}]))
        | name | shape |
        |---|---|
        | 0.bias | (100,) |
    """
    if not rows:
        return "*(no rows)*"
    columns = list(columns or rows[0].keys())
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = (_cell(row.get(column, "")).replace("|", "\\|") for column in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def linear_parameter_count(layer_sizes: Sequence[int]) -> int:
    """Parameters of a stack of Linear layers of these widths, by formula.

    Each Linear(in, out) holds in*out weights and out biases (activations hold none):
    linear_parameter_count([1000, 100, 10]) = 1000*100 + 100 + 100*10 + 10 = 101_110.
    """
    return sum(n_in * n_out + n_out for n_in, n_out in pairwise(layer_sizes))
