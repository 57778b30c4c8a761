"""Checks of two "debug" exercises about what a module registers, and how often.

Notebook 05, `stack_of_layers(width, depth)`: the given version builds ONE nn.Linear and puts
it in the Sequential `depth` times. It runs, but every layer is the same module:
`parameters()` counts it once (72 numbers instead of 216 for width 8, depth 3) and training
would keep all the layers equal.

Notebook 08, `Standardize(mean, std)`: the given version registers `std` as a buffer but keeps
`mean` as a plain attribute, so `state_dict()` does not save it and `.to()` / `.double()` do
not convert it. The check looks at `state_dict()`, `parameters()`, the buffers after
`.double()`, and a save-and-load round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .core import Wrong, call_learner, checker, describe

__all__ = ["check_stack_of_layers", "check_standardize"]


def _linear_calls(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, list[nn.Linear]]:
    """model(x), and every nn.Linear it called, in order (a shared one once per use)."""
    calls: list[nn.Linear] = []

    def record(module: nn.Module, inputs: tuple, output: Any) -> None:
        if isinstance(module, nn.Linear):
            calls.append(module)

    handle = nn.modules.module.register_module_forward_hook(record)
    try:
        with torch.no_grad():
            output = call_learner(model, x, name="the model stack_of_layers built")
    finally:
        handle.remove()
    return output, calls


@checker
def check_stack_of_layers(stack_of_layers: Callable[[int, int], Any]) -> str:
    """`stack_of_layers(width, depth)`: `depth` DIFFERENT Linear(width, width), ReLU between.

    Tried with (8, 3), (5, 1) and (6, 4); the output is compared with the model's own layers
    applied by hand, so any initial weights pass.
    """
    for width, depth in ((8, 3), (5, 1), (6, 4)):
        call = f"stack_of_layers({width}, {depth})"
        model = call_learner(stack_of_layers, width, depth, name="stack_of_layers")
        if not isinstance(model, nn.Module):
            raise Wrong(f"{call} returned {describe(model)}; return the model, an nn.Module "
                        "(the given version returns an nn.Sequential).")
        x = torch.randn(7, width, generator=torch.Generator().manual_seed(depth))
        output, calls = _linear_calls(model, x)
        if len(calls) != depth:
            raise Wrong(f"{call} applies {len(calls)} Linear layers; expected {depth}, one per "
                        "turn of the loop.")
        distinct = list(dict.fromkeys(calls))  # a module is hashed by identity
        expected = depth * (width * width + width)
        if len(distinct) < depth:
            found = sum(p.numel() for p in model.parameters())
            raise Wrong(f"In {call} the {depth} Linear layers are only {len(distinct)} "
                        f"module(s), used again: parameters() counts each once ({found:,} of "
                        f"{expected:,} numbers) and training would keep the layers equal. "
                        "Build a new nn.Linear at each turn of the loop.")
        for layer in distinct:
            if tuple(layer.weight.shape) != (width, width):
                raise Wrong(f"In {call} a Linear layer has a weight of shape "
                            f"{tuple(layer.weight.shape)}; expected ({width}, {width}).")
        found = sum(p.numel() for p in model.parameters())
        if found != expected:
            raise Wrong(f"{call} has {found:,} parameters; expected {expected:,}: {depth} "
                        f"layers of {width}*{width} weights + {width} biases.")
        if not isinstance(output, torch.Tensor) or output.shape != x.shape:
            raise Wrong(f"{call} turns x of shape {tuple(x.shape)} into {describe(output)}; "
                        f"expected a tensor of shape {tuple(x.shape)}.")
        hidden = x
        for index, layer in enumerate(calls):
            hidden = F.linear(hidden, layer.weight, layer.bias)
            if index < depth - 1:
                hidden = F.relu(hidden)
        if not torch.allclose(output, hidden, rtol=1e-5, atol=1e-6):
            if depth > 1 and torch.allclose(output, F.relu(hidden), rtol=1e-5, atol=1e-6):
                raise Wrong(f"{call} ends with a ReLU: the last Linear should have none "
                            "(modules[:-1] drops it in the given version).")
            raise Wrong(f"{call} does not compute Linear, ReLU, ..., Linear with its own "
                        "layers. Change only the line that is wrong in the given version.")
    return ("stack_of_layers is right: each turn of the loop builds its own nn.Linear, so "
            "stack_of_layers(8, 3) holds 3 * (8*8 + 8) = 216 parameters, not 72.")


def _statistics() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor([1.0, -2.0, 3.0]), torch.tensor([0.5, 1.0, 4.0])


@checker
def check_standardize(Standardize: Any) -> str:
    """`Standardize(mean, std)`: both statistics registered as buffers.

    Buffers are in `state_dict()` (so a saved model keeps them), follow `.to()` and
    `.double()`, and are not in `parameters()` (an optimizer must not change them).
    """
    if not isinstance(Standardize, type) or not issubclass(Standardize, nn.Module):
        raise Wrong(f"check_standardize got {describe(Standardize)}; pass the class itself: "
                    "check_standardize(Standardize).")
    mean, std = _statistics()
    model = call_learner(Standardize, mean.clone(), std.clone(), name="Standardize")
    trained = [name for name, _ in model.named_parameters()]
    if trained:
        raise Wrong(f"{', '.join(trained)} is an nn.Parameter: an optimizer would change the "
                    "data's statistics while training. Register it with "
                    "self.register_buffer(name, tensor): saved, moved, not trained.")
    keys = list(model.state_dict())
    for name in ("mean", "std"):
        if name in keys:
            continue
        if name in model._buffers:
            raise Wrong(f"{name} is a buffer registered with persistent=False, so "
                        "state_dict() leaves it out and a saved model loses it. Drop "
                        "persistent=False.")
        if isinstance(vars(model).get(name), torch.Tensor):
            raise Wrong(f"self.{name} is a plain tensor attribute: state_dict() does not save "
                        "it (a loaded model keeps the statistics it was built with) and "
                        f".to() / .double() leave it alone. Use self.register_buffer('{name}', "
                        f"{name}).")
        raise Wrong(f"state_dict() holds {keys}; expected the buffers 'mean' and 'std'. "
                    "Register them under those names with self.register_buffer.")
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    fresh = call_learner(Standardize, torch.zeros(3), torch.ones(3), name="Standardize")
    fresh.load_state_dict(model.state_dict())
    output = call_learner(fresh, x, name="Standardize(...)(x)")
    if not isinstance(output, torch.Tensor) or not torch.allclose(output, (x - mean) / std):
        raise Wrong(f"After loading the saved state, Standardize(...)(x) gives "
                    f"{describe(output)}, not (x - mean) / std. Keep forward as it was given.")
    return ("Standardize is right: mean and std are buffers, saved in state_dict() and "
            "converted by .to() / .double(), and not in parameters(), so nothing trains them.")
