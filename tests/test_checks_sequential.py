"""Checks of notebook 05: every diagnosis is planted by a class or function with that mistake."""

import pytest
import torch
from torch import nn

from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.sequential import check_my_sequential, check_parameters_by_formula


class Right(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class UsesChildren(Right):
    def forward(self, x):
        for module in self.children():  # skips a module's second use
            x = module(x)
        return x


class Unfinished(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        raise NotImplementedError()


class NoForward(Right):
    forward = nn.Module.forward


class NoSuperInit(Right):
    def __init__(self, *modules):
        for index, module in enumerate(modules):
            self.add_module(str(index), module)


class PlainList(Right):
    def __init__(self, *modules):
        super().__init__()
        self.steps = list(modules)

    def forward(self, x):
        for module in self.steps:
            x = module(x)
        return x


class OtherNames(Right):
    def __init__(self, *modules):
        nn.Module.__init__(self)
        for index, module in enumerate(modules):
            self.add_module(f"layer{index}", module)


class ForgetsReturn(Right):
    def forward(self, x):
        for module in self.children():
            x = module(x)


class DropsResults(Right):
    def forward(self, x):
        for module in self.children():
            module(x)
        return x


class IteratesSelf(Right):
    def forward(self, x):
        for module in self:
            x = module(x)
        return x


class ReturnsInput(Right):
    def forward(self, x):
        return x


class ReturnsInsideLoop(Right):
    def forward(self, x):
        for module in self.children():
            return module(x)


class Reversed(Right):
    def forward(self, x):
        for module in reversed(list(self.children())):
            x = module(x)
        return x


class SkipsReLU(Right):
    def forward(self, x):
        for module in self.children():
            if not isinstance(module, nn.ReLU):
                x = module(x)
        return x


class NewWeights(Right):
    def __init__(self, *modules):
        nn.Module.__init__(self)
        for index, module in enumerate(modules):
            if isinstance(module, nn.Linear):
                module = nn.Linear(module.in_features, module.out_features)
            self.add_module(str(index), module)


class NotAModule:
    def __init__(self, *modules):
        self.modules = modules


@pytest.mark.parametrize("answer, status, words", [
    (Right, PASSED, "matches nn.Sequential"),
    (Unfinished, NOT_DONE, "not written yet"),
    (NoForward, NOT_DONE, "not written yet"),
    (None, WRONG, "is None"),
    (Right(), WRONG, "Pass the class itself"),
    (NotAModule, WRONG, "must subclass nn.Module"),
    (NoSuperInit, WRONG, "super().__init__()"),
    (PlainList, WRONG, "self.steps is a plain Python list"),
    (OtherNames, WRONG, "named ['layer0.weight'"),
    (ForgetsReturn, WRONG, "forget `return x`"),
    (DropsResults, WRONG, "received the original x"),
    (ReturnsInput, WRONG, "returns x unchanged"),
    (IteratesSelf, WRONG, "Loop over self._modules.values()"),
    (UsesChildren, WRONG, "applies a module used twice only once"),
    (ReturnsInsideLoop, WRONG, "`return` inside the for loop"),
    (Reversed, WRONG, "in the order they were given"),
    (SkipsReLU, WRONG, "differs from nn.Sequential"),
    (NewWeights, WRONG, "do not create new ones"),
])
def test_my_sequential_diagnoses(answer, status, words, capsys):
    result = check_my_sequential(answer)
    assert result.status == status and words in result.message, result.message


def by_formula(sizes):
    return sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))


@pytest.mark.parametrize("answer, status, words", [
    (by_formula, PASSED, "101,110"),
    (lambda s: float(by_formula(s)), PASSED, "101,110"),
    (lambda s: torch.tensor(by_formula(s)), PASSED, "101,110"),
    (lambda s: (_ for _ in ()).throw(NotImplementedError()), NOT_DONE, "not written yet"),
    (lambda s: None, WRONG, "forget `return`"),
    (lambda s: str(by_formula(s)), WRONG, "return one whole number"),
    (lambda s: sum(a * b for a, b in zip(s, s[1:], strict=False)), WRONG, "weights only"),
    (lambda s: sum(a * b + a for a, b in zip(s, s[1:], strict=False)), WRONG, "in_features biases"),
    (lambda s: sum(s), WRONG, "counted units"),
    (lambda s: torch.tensor(s).prod().item(), WRONG, "multiplied all the widths"),
    (lambda s: by_formula(s[:-1]), WRONG, "skipped the last layer"),
    (lambda s: by_formula(s[1:]), WRONG, "skipped the first layer"),
    (lambda s: 101_110, WRONG, "parameters_by_formula([20, 30]) returned 101,110"),
    (lambda s: by_formula(s) + 1, WRONG, "expected 101,110. Count"),
])
def test_parameters_by_formula_diagnoses(answer, status, words, capsys):
    result = check_parameters_by_formula(answer)
    assert result.status == status and words in result.message, result.message
