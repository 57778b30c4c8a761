"""Checks for notebook 05 (nn.Sequential): the learner's `MySequential` and a parameter count."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import torch
from torch import nn

from ..anatomy import count_parameters, linear_parameter_count, watch_calls
from .core import (
    Wrong,
    call_learner,
    checker,
    close,
    describe,
    expect_array,
    number_answer,
    reject_helper,
)
from .introspection import spying

__all__ = ["check_my_sequential", "check_parameters_by_formula"]


def _small_modules(seed: int) -> list[nn.Module]:
    """Linear(6, 4) -> ReLU -> Linear(4, 3), seeded: the running example in miniature."""
    torch.manual_seed(seed)
    return [nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3)]


def _build(MySequential: Any, modules: list[nn.Module]) -> nn.Module:
    if MySequential is None:
        raise Wrong("MySequential is None: pass the class itself, "
                    "check_my_sequential(MySequential).")
    if not isinstance(MySequential, type):
        raise Wrong(f"Pass the class itself, not {describe(MySequential)}: "
                    "check_my_sequential(MySequential).")
    if not issubclass(MySequential, nn.Module):
        raise Wrong("MySequential must subclass nn.Module (class MySequential(nn.Module)): that "
                    "is what gives it add_module, parameters() and model(x) -> forward(x).")
    if issubclass(MySequential, nn.Sequential):
        raise Wrong("MySequential is built on nn.Sequential, so nn.Sequential does all the "
                    "work. Write it yourself: `class MySequential(nn.Module)`, add_module for "
                    "each module in __init__, and the loop in forward.")
    try:
        return call_learner(MySequential, *modules, name="MySequential")
    except Wrong as wrong:
        if "before Module.__init__() call" in str(wrong) or "attribute '_modules'" in str(wrong):
            raise Wrong("MySequential.__init__ must call super().__init__() first: nn.Module "
                        "sets up its registry of children there, before add_module can fill "
                        "it.") from None
        raise


def _hidden_modules(model: nn.Module) -> str | None:
    """The name of an attribute that is a plain list or tuple holding modules, if any."""
    for name, value in vars(model).items():
        if isinstance(value, (list, tuple)) and any(isinstance(v, nn.Module) for v in value):
            return name
    return None


def _diagnose_registration(mine: nn.Module, reference: nn.Sequential) -> None:
    names = [name for name, _ in mine.named_parameters()]
    expected = [name for name, _ in reference.named_parameters()]
    if not names:
        hidden = _hidden_modules(mine)
        where = f" (self.{hidden} is a plain Python {type(getattr(mine, hidden)).__name__})" \
            if hidden else ""
        raise Wrong(f"MySequential has no parameters: its modules are not registered{where}. "
                    "nn.Module only finds children given to add_module (or assigned as "
                    "attributes): use self.add_module(str(index), module).")
    if names != expected:
        raise Wrong(f"MySequential's parameters are named {names}; nn.Sequential's are "
                    f"{expected}. Register each module under its index as a string: "
                    "self.add_module(str(index), module).")


def _diagnose_output(answer: Any, x: torch.Tensor, modules: list[nn.Module],
                     expected: torch.Tensor) -> None:
    if answer is None:
        raise Wrong("MySequential's forward returned None. Did you forget `return x` after the "
                    "loop?")
    first_only = modules[0](x)
    if len(modules) > 1 and isinstance(answer, torch.Tensor) and answer.shape == first_only.shape \
            and torch.allclose(answer, first_only):
        raise Wrong("MySequential returns after the first module: is `return` inside the for "
                    "loop? Return after the loop has run every module.")
    result = expect_array(answer, "MySequential(...)(x)", tuple(expected.shape), kind="tensor")
    if close(result, expected.numpy()):
        return
    each_once = list(dict.fromkeys(modules))  # a module is hashed by identity
    if len(each_once) < len(modules) and close(result, _apply(each_once, x).numpy()):
        raise Wrong("MySequential applies a module used twice only once: with (lin, relu, lin) "
                    "it runs lin, relu. self.children() yields each module once, even when it "
                    "is registered under two names; loop over self._modules.values(), as "
                    "nn.Sequential does.")
    raise Wrong("MySequential(x) differs from nn.Sequential(x) with the same weights. Apply "
                "the modules in the order given, each to the previous one's output: "
                "x = module(x).")


def _apply(modules: list[nn.Module], x: torch.Tensor) -> torch.Tensor:
    for module in modules:
        x = module(x)
    return x


def _shared_modules(seed: int) -> list[nn.Module]:
    """Linear(4, 4), ReLU, the SAME Linear, the SAME ReLU, Linear(4, 3): a module used twice."""
    torch.manual_seed(seed)
    square, relu = nn.Linear(4, 4), nn.ReLU()
    return [square, relu, square, relu, nn.Linear(4, 3)]


def _call_forward(mine: nn.Module, x: torch.Tensor) -> Any:
    """mine(x); a shape error is traced (forward hooks) to say which module got what."""
    with watch_calls(mine) as calls:
        try:
            with spying(nn.Sequential, "forward") as sequential_calls:
                answer = call_learner(mine, x.clone(), name="MySequential(...)(x)")
            if sequential_calls:
                raise Wrong("MySequential's forward hands the work to an nn.Sequential. Write "
                            "the loop yourself: for each registered module, x = module(x); "
                            "then return x.")
            return answer
        except Wrong as wrong:
            if "object is not iterable" in str(wrong):
                raise Wrong("`for module in self` fails in MySequential: nn.Sequential can do it "
                            "because it defines __iter__, nn.Module does not. Loop over "
                            "self._modules.values() instead, as that __iter__ does.") from None
            if "cannot be multiplied" not in str(wrong):
                raise
    order = [call["module"] for call in calls]
    registered = [name for name, _ in mine.named_children()]
    if order != registered[:len(order)]:
        raise Wrong(f"MySequential(x) called its modules in the order {order} and failed with a "
                    f"shape error: apply them in the order they were given, {registered}.")
    failed = calls[-1]
    if len(calls) > 1 and failed["input shape"] == tuple(x.shape):
        raise Wrong(f"Module {failed['module']!r} received the original x {tuple(x.shape)}, not "
                    "the previous module's output: inside the loop, keep each result, "
                    "x = module(x).")
    raise Wrong(f"MySequential(x) failed with a shape error in module {failed['module']!r}, "
                f"{failed['layer']}, on an input of shape {failed['input shape']}.")


@checker
def check_my_sequential(MySequential: Any) -> str:
    """`MySequential(*modules)` must behave as nn.Sequential(*modules).

    Built from Linear(6, 4), ReLU(), Linear(4, 3) and compared with an nn.Sequential holding
    copies of the same modules: the output on x of shape (5, 6), and `named_parameters()`
    (names 0.weight, 0.bias, 2.weight, 2.bias, in that order, same values). Then a
    MySequential of one Linear(3, 2), to catch anything written for three modules only, and
    one that uses a Linear and a ReLU twice each, as nn.Sequential(lin, relu, lin, relu, out)
    does: `self.children()` yields a shared module once, so a loop over it skips its second use.
    """
    for seed, modules, x_shape in ((0, _small_modules(0), (5, 6)),
                                   (1, [nn.Linear(3, 2)], (7, 3)),
                                   (2, _shared_modules(2), (5, 4))):
        reference = nn.Sequential(*copy.deepcopy(modules))
        mine = _build(MySequential, modules)
        _diagnose_registration(mine, reference)
        for mine_p, reference_p in zip(mine.parameters(), reference.parameters(), strict=True):
            if not torch.equal(mine_p, reference_p):
                raise Wrong("MySequential's parameters hold other values than the modules it "
                            "was given: register the modules themselves, do not create new ones.")
        x = torch.randn(*x_shape, generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            expected = reference(x)
            answer = _call_forward(mine, x)
            if isinstance(answer, torch.Tensor) and answer.shape == x.shape \
                    and torch.equal(answer, x):
                raise Wrong("MySequential(x) returns x unchanged: inside the loop, keep each "
                            "module's result, x = module(x), so the next module gets it.")
            _diagnose_output(answer, x, modules, expected)
    return ("MySequential matches nn.Sequential: the same output, and the same parameters() in "
            "the same order (0.weight, 0.bias, 2.weight, 2.bias).")


def _model_of(layer_sizes: Sequence[int]) -> nn.Sequential:
    """Linear layers of these widths with a ReLU between each pair."""
    modules: list[nn.Module] = []
    for n_in, n_out in pairwise(layer_sizes):
        modules += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*modules[:-1])


@checker
def check_parameters_by_formula(parameters_by_formula: Callable) -> str:
    """`parameters_by_formula(layer_sizes)` must count the parameters of Linear layers of
    those widths (ReLUs between them) without building the model.

    Compared with `count_parameters` of real models: [1000, 100, 10] -> 101,110 (the running
    example), [20, 30] -> 630, [3, 5, 5, 2] -> 62, [784, 256, 128, 10] -> 235,146.
    """
    architectures = [[1000, 100, 10], [20, 30], [3, 5, 5, 2], [784, 256, 128, 10]]
    reject_helper(parameters_by_formula, "parameters_by_formula",
                  {count_parameters: "count_parameters",
                   linear_parameter_count: "linear_parameter_count"},
                  "add up in*out + out for each pair of neighbouring widths yourself.")
    for sizes in architectures:
        expected = count_parameters(_model_of(sizes))
        with spying(nn.Linear, "__init__") as built:
            answer = call_learner(parameters_by_formula, list(sizes),
                                  name="parameters_by_formula")
        call = f"parameters_by_formula({sizes})"
        if built:
            raise Wrong(f"{call} builds nn.Linear layers to count their parameters; the task "
                        "is the formula, without building anything: in*out weights + out "
                        "biases for each pair of neighbouring widths.")
        # a plain number (np.int64 too): an object's `==` may say anything
        number = number_answer(answer, call, "return one whole number")
        if number == expected:
            continue
        _diagnose_count(call, number, sizes, expected)
    return ("parameters_by_formula is right: each Linear(in, out) holds in*out weights + out "
            "biases; the running example has 101,110.")


def _diagnose_count(call: str, answer: float, sizes: list[int], expected: int) -> None:
    pairs = list(pairwise(sizes))
    product = 1
    for size in sizes:
        product *= size
    mistakes = [
        (sum(a * b for a, b in pairs), "you counted the weights only: each Linear(in, out) also "
         "holds out biases."),
        (sum(a * b + a for a, b in pairs), "you gave each layer in_features biases; a bias "
         "belongs to each OUTPUT unit: in*out + out."),
        (sum(sizes), "you counted units (the circles of the drawing), not parameters (the "
         "arrows, plus one bias per output unit)."),
        (product, "you multiplied all the widths; add up in*out + out for each pair of "
         "consecutive widths instead."),
    ]
    if len(sizes) > 2:
        mistakes += [
            (linear_parameter_count(sizes[:-1]), "you skipped the last layer: a network with k "
             "widths has k-1 Linear layers, one per consecutive pair."),
            (linear_parameter_count(sizes[1:]), "you skipped the first layer: a network with k "
             "widths has k-1 Linear layers, one per consecutive pair."),
        ]
    for wrong_count, diagnosis in mistakes:
        if answer == wrong_count:
            raise Wrong(f"{call} returned {answer:,}; expected {expected:,}: {diagnosis}")
    raise Wrong(f"{call} returned {answer:,}; expected {expected:,}. Count in*out + out for "
                "each pair of consecutive widths; a ReLU holds none.")
