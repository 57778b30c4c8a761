"""Check for notebook 08 (your own nn.Module): an `MLP(sizes)` class built from nn.Linear layers.

`MLP([1000, 100, 10])` must be the running example (Linear, ReLU, Linear) and
`MLP([20, 30, 40, 5])` a deeper one (Linear, ReLU, Linear, ReLU, Linear). The check builds
both from the learner's class and diagnoses, in this order:

    a forgotten super().__init__()   AttributeError: cannot assign module before Module.__init__()
    layers in a plain Python list    parameters() cannot see them: fewer (or 0) parameters
    too few or too many layers       one nn.Linear per pair of neighbouring sizes
    wrong shapes                     nn.Linear(out, in) instead of nn.Linear(in, out)
    forward                          ReLU missing, ReLU after the last layer, no return
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .. import problem
from ..anatomy import count_parameters, linear_parameter_count
from .core import NOT_DONE_HINT, NotDone, Wrong, call_learner, checker, describe

__all__ = ["check_mlp"]

RUNNING_EXAMPLE_SIZES = [problem.D_IN, problem.H, problem.D_OUT]  # 101,110 parameters
DEEPER_SIZES = [20, 30, 40, 5]


@checker
def check_mlp(mlp_class: Any) -> str:
    """`mlp_class(sizes)` must build a registered stack of Linear layers with ReLU between them."""
    if mlp_class is None:
        raise Wrong("check_mlp got None: pass the class itself, check_mlp(MLP).")
    if isinstance(mlp_class, nn.Module):
        raise Wrong("check_mlp got a built model; pass the class itself: check_mlp(MLP), "
                    "not check_mlp(MLP(...)).")
    if not isinstance(mlp_class, type) or not issubclass(mlp_class, nn.Module):
        raise Wrong(f"check_mlp got {describe(mlp_class)}; expected a class that subclasses "
                    "nn.Module: `class MLP(nn.Module):`.")
    for sizes in (RUNNING_EXAMPLE_SIZES, DEEPER_SIZES):
        model = _build(mlp_class, sizes)
        linears = _registered_linears(model, sizes)
        if sizes == RUNNING_EXAMPLE_SIZES:  # the shared weights: the same numbers as build_model()
            problem.copy_weights_into(nn.Sequential(*_with_relus(linears)),
                                      problem.initial_weights(layout="torch"))
        _check_forward(model, linears, sizes)
    return (f"MLP is right: MLP({RUNNING_EXAMPLE_SIZES}) registers "
            f"{linear_parameter_count(RUNNING_EXAMPLE_SIZES):,} parameters and, with the shared "
            f"weights, gives the output of build_model(); MLP({DEEPER_SIZES}) works too.")


def _build(mlp_class: type, sizes: list[int]) -> nn.Module:
    """MLP(sizes), with a forgotten super().__init__() recognised by its error."""
    try:
        model = call_learner(mlp_class, list(sizes), name="MLP")
    except Wrong as wrong:
        message = str(wrong).replace("MLP raised", f"MLP({sizes}) raised", 1)
        if "Module.__init__()" in message:
            raise Wrong(f"{message}. The first line of __init__ must be super().__init__(): it "
                        "creates the dictionaries that nn.Module registers layers in.") from None
        raise Wrong(message) from None
    if "_parameters" not in vars(model):
        raise Wrong("MLP never called super().__init__(): nn.Module has no _parameters or "
                    "_modules to register anything in. Make it the first line of __init__.")
    return model


def _registered_linears(model: nn.Module, sizes: list[int]) -> list[nn.Linear]:
    """The model's nn.Linear layers, once each is known to be registered and of the right shape."""
    for name, value in vars(model).items():
        if name.startswith("_"):  # nn.Module's own registries (_modules, _parameters, ...)
            continue
        if isinstance(value, (list, tuple, dict)) and _holds_modules(value):
            fix = "nn.ModuleDict({...})" if isinstance(value, dict) else "nn.ModuleList([...])"
            raise Wrong(
                f"self.{name} is a plain Python {type(value).__name__} of layers: nn.Module does "
                f"not look inside it, so parameters() finds {count_parameters(model):,} of "
                f"{linear_parameter_count(sizes):,} parameters and training would never update "
                f"them. Use self.{name} = {fix}.")
    linears = [module for module in model.modules() if isinstance(module, nn.Linear)]
    expected_count = len(sizes) - 1
    if len(linears) != expected_count:
        raise Wrong(f"MLP({sizes}) registers {len(linears)} nn.Linear layers; expected "
                    f"{expected_count}, one per pair of neighbouring sizes: "
                    f"{', '.join(f'Linear({a}, {b})' for a, b in pairwise(sizes))}.")
    for index, (layer, (n_in, n_out)) in enumerate(zip(linears, pairwise(sizes), strict=True)):
        if tuple(layer.weight.shape) == (n_out, n_in):
            continue
        hint = ""
        if tuple(layer.weight.shape) == (n_in, n_out):
            hint = (f" You wrote nn.Linear({n_out}, {n_in}): nn.Linear takes (in_features, "
                    "out_features), the input size first.")
        raise Wrong(f"In MLP({sizes}), Linear layer {index} has a weight of shape "
                    f"{tuple(layer.weight.shape)}; expected ({n_out}, {n_in}) for {n_in} inputs "
                    f"and {n_out} outputs.{hint}")
    found, expected = count_parameters(model), linear_parameter_count(sizes)
    if found != expected:
        raise Wrong(f"MLP({sizes}) has {found:,} parameters; expected {expected:,} "
                    "(every nn.Linear with its bias, nothing else).")
    return linears


def _holds_modules(container: list | tuple | dict) -> bool:
    values = container.values() if isinstance(container, dict) else container
    return any(isinstance(value, nn.Module) for value in values)


def _with_relus(linears: list[nn.Linear]) -> list[nn.Module]:
    """[Linear, ReLU, Linear, ..., Linear]: the layers as nn.Sequential would hold them."""
    layers: list[nn.Module] = []
    for layer in linears:
        layers += [layer, nn.ReLU()]
    return layers[:-1]


def _check_forward(model: nn.Module, linears: list[nn.Linear], sizes: list[int]) -> None:
    """model(x) must be Linear, ReLU, ..., Linear with no ReLU after the last layer.

    Run in float64 on inputs 20 times larger than usual, so that relu6 (which stops at 6)
    and a leaky ReLU (a slope of 1e-6 below 0) give visibly different numbers.
    """
    model.double()
    x = 20 * torch.randn(7, sizes[0], generator=torch.Generator().manual_seed(0),
                         dtype=torch.float64)
    with torch.no_grad():
        variants = {"right": _reference(linears, x, F.relu, relu_last=False),  # first
                    "no relu": _reference(linears, x, None, relu_last=False),
                    "relu last": _reference(linears, x, F.relu, relu_last=True),
                    "relu6": _reference(linears, x, F.relu6, relu_last=False)}
        try:
            output = call_learner(model, x.clone(), name=f"MLP({sizes})(x)")
        except NotDone:
            raise NotDone(f"MLP.forward is not written yet: {NOT_DONE_HINT}") from None
    if output is None:
        raise Wrong("MLP.forward returned None. Did you forget `return`?")
    if not isinstance(output, torch.Tensor) or not output.dtype.is_floating_point:
        raise Wrong(f"MLP.forward returned {describe(output)}; expected a tensor of floats.")
    expected_shape = (x.shape[0], sizes[-1])
    if tuple(output.shape) != expected_shape:
        raise Wrong(f"MLP({sizes})(x) returned shape {tuple(output.shape)}; expected "
                    f"{expected_shape}: one row per example, {sizes[-1]} outputs.")
    output = output.detach().double()
    tight = 1e-9 if output.dtype == torch.float64 else 1e-4

    def matches(name: str, tolerance: float = tight) -> bool:
        return bool(torch.allclose(output, variants[name], rtol=tolerance, atol=tolerance))

    if matches("right"):
        return
    if matches("no relu"):
        raise Wrong("MLP.forward never applies ReLU: without it, the layers add up to ONE linear "
                    "map. Apply torch.relu between the Linear layers.")
    if matches("relu last"):
        raise Wrong("MLP.forward applies ReLU after the last layer too, so the network can never "
                    "output a negative number. Leave the last Linear without ReLU.")
    if matches("relu6"):
        raise Wrong("MLP.forward caps the activations at 6 (relu6): ReLU has no upper limit. "
                    "Use torch.relu between the Linear layers.")
    if matches("right", 1e-3):
        raise Wrong("MLP's output is nearly, not exactly, Linear, ReLU, ..., Linear: is the "
                    "activation exactly ReLU (0 for negative inputs, not a small slope)?")
    raise Wrong(f"MLP({sizes})(x) has the right shape but not the values of Linear, ReLU, ..., "
                "Linear applied in the order the layers were registered.")


def _reference(linears: list[nn.Linear], x: torch.Tensor, activation: Any,
               relu_last: bool) -> torch.Tensor:
    """The layers applied in order, `activation` between them (and after the last)."""
    for index, layer in enumerate(linears):
        x = F.linear(x, layer.weight, layer.bias)
        is_last = index == len(linears) - 1
        if activation is not None and (not is_last or relu_last):
            x = activation(x)
    return x
