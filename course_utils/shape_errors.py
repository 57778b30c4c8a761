"""Shape errors in plain words.

When `model(x)` fails, PyTorch's message is exact but terse:

    RuntimeError: mat1 and mat2 shapes cannot be multiplied (128x30 and 20x30)

`mat1` is the input as a table (rows = examples), `mat2` is the weight TRANSPOSED,
(in_features, out_features): `F.linear` computes x @ W.T + b. `read_error_message`
turns such a message into sentences; `explain_shape_mismatch(model, x)` runs the model,
finds the module that failed and says what it expected and what it got.

Example:
    >>> print(explain_shape_mismatch(nn.Linear(20, 30), torch.randn(128, 30)))
    Linear(20, 30) expects inputs whose last dimension is 20 (in_features) ...
"""

from __future__ import annotations

import re

import torch
from torch import nn

from .anatomy import Row, short_name, watch_calls

MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
BROADCAST = re.compile(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) "
                       r"at non-singleton dimension (\d+)")
DTYPE = re.compile(r"same dtype, but got:? (\w+) (?:!=|and) (\w+)")


def read_error_message(message: str | BaseException) -> str:
    """Explain a PyTorch shape (or dtype) error message in plain words.

    Knows the three messages a learner meets first: a matrix product whose inner sizes
    differ (`mat1 and mat2 shapes cannot be multiplied`), an elementwise operation whose
    shapes do not broadcast (`The size of tensor a ... must match`), and mixed dtypes.
    Any other message is returned with a note that it is not one of those.
    """
    text = str(message)
    if match := MATMUL.search(text):
        rows, features, w_in, w_out = (int(g) for g in match.groups())
        return (f"A matrix product x @ W.T failed. The input arrived as a ({rows}, {features}) "
                f"table: {rows} rows (examples; any leading dimensions are flattened into rows) "
                f"of {features} features each. The second factor, ({w_in}, {w_out}), is the "
                f"weight transposed, (in_features, out_features): a Linear layer from {w_in} "
                f"inputs to {w_out} outputs. It needs {w_in} features per row, but got "
                f"{features}. Fix: give the input {w_in} features, or build the layer as "
                f"Linear({features}, {w_out}).")
    if match := BROADCAST.search(text):
        size_a, size_b, dim = (int(g) for g in match.groups())
        return (f"An elementwise operation (such as + b) could not broadcast: in dimension "
                f"{dim}, counted from the left of the larger shape, one tensor has {size_a} "
                f"entries and the other {size_b}. Sizes must be equal or 1 there. Compare "
                f"both shapes, aligned on the RIGHT: a bias of shape (out,) lines up with the "
                f"last dimension of x @ W.T.")
    if match := DTYPE.search(text):
        first, second = match.groups()
        return (f"The two factors have different dtypes ({first} and {second}). Convert one, "
                f"e.g. x = x.float() for a model in float32 (or model.double()).")
    return f"Not a shape error this helper knows; read PyTorch's own words: {text}"


def _failed_call(model: nn.Module, x: torch.Tensor) -> tuple[Row, Row | None] | None:
    """The call that started and never finished, and the call before it (None if first)."""
    with watch_calls(model) as calls:
        try:
            model(x)
        except RuntimeError:
            pass
    for index, call in enumerate(calls):
        if call["output shape"] is None:
            return call, (calls[index - 1] if index else None)
    return None


def explain_shape_mismatch(model: nn.Module, x: torch.Tensor) -> str:
    """Run `model(x)` and explain, in plain words, the first shape mismatch (if any).

    Names the module that failed (its index in a Sequential), what it expected, what it
    received, and where that input came from. Returns a sentence saying all is well when
    `model(x)` runs. Nothing is trained: gradients are not recorded.

    Example, the two Linear layers of the running example in the wrong order:
        >>> model = nn.Sequential(nn.Linear(100, 10), nn.ReLU(), nn.Linear(1000, 100))
        >>> explain_shape_mismatch(model, torch.randn(64, 1000))
        "Module '0', Linear(100, 10), expects inputs whose last dimension is 100 ..."
    """
    with torch.no_grad():
        try:
            output = model(x)
        except RuntimeError as error:
            message = str(error)
        else:
            return (f"No mismatch: {short_name(model)} maps an input of shape "
                    f"{tuple(x.shape)} to an output of shape {tuple(output.shape)}.")
        failed = _failed_call(model, x)
    if failed is None:
        return read_error_message(message)
    call, previous = failed
    module = dict(model.named_modules()).get(call["module"], model)
    where = (call["layer"] if module is model
             else f"Module {call['module']!r}, {call['layer']},")
    source = ("the input x" if previous is None
              else f"the output of module {previous['module']!r}, {previous['layer']}")
    received = call["input shape"]
    if (isinstance(module, nn.Linear) and isinstance(received, tuple) and received
            and received[-1] != module.in_features):
        expected = module.in_features
        return (f"{where} expects inputs whose last dimension is {expected} (in_features), "
                f"but received shape {received} from {source}: {received[-1]} features. "
                f"Its weight is {tuple(module.weight.shape)} = (out_features, in_features), "
                f"so x @ W.T needs x's last dimension to equal {expected}. "
                f"PyTorch said: {message}")
    return (f"{where} failed on an input of shape {received} from {source}. "
            + read_error_message(message))
