"""Check of notebook 08: every diagnosis is triggered by planting exactly that mistake."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.custom_module import check_mlp


def pairs(sizes):
    return list(zip(sizes, sizes[1:], strict=False))


class RightMLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in pairs(sizes)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


class SequentialInside(nn.Module):
    """Another right answer: an nn.Sequential built from the sizes."""

    def __init__(self, sizes):
        super().__init__()
        layers = []
        for a, b in pairs(sizes):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*layers[:-1])

    def forward(self, x):
        return self.net(x)


class Stub(nn.Module):
    def __init__(self, sizes):
        raise NotImplementedError()

    def forward(self, x):
        raise NotImplementedError()


class ForwardStub(RightMLP):
    def forward(self, x):
        raise NotImplementedError()


class PlainList(RightMLP):
    def __init__(self, sizes):
        super().__init__(sizes)
        del self.layers
        self.layers = [nn.Linear(a, b) for a, b in pairs(sizes)]


class PlainDict(RightMLP):
    def __init__(self, sizes):
        super().__init__(sizes)
        del self.layers
        self.layers = {str(i): nn.Linear(a, b) for i, (a, b) in enumerate(pairs(sizes))}


class NoSuper(RightMLP):
    def __init__(self, sizes):
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in pairs(sizes)])


class NoSuperPlainList(RightMLP):
    def __init__(self, sizes):
        self.layers = [nn.Linear(a, b) for a, b in pairs(sizes)]


class Swapped(RightMLP):
    def __init__(self, sizes):
        super().__init__(sizes)
        self.layers = nn.ModuleList([nn.Linear(b, a) for a, b in pairs(sizes)])


class AlwaysTwoLayers(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.linear1 = nn.Linear(sizes[0], sizes[1])
        self.linear2 = nn.Linear(sizes[1], sizes[-1])

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(x)))


class NoBias(RightMLP):
    def __init__(self, sizes):
        super().__init__(sizes)
        self.layers = nn.ModuleList([nn.Linear(a, b, bias=False) for a, b in pairs(sizes)])


class NoRelu(RightMLP):
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class ReluAfterLast(RightMLP):
    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x


class DoubledOutput(RightMLP):
    def forward(self, x):
        return 2 * super().forward(x)


class NoReturn(RightMLP):
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)


class NotAModule:
    def __init__(self, sizes):
        pass


def run(answer):
    result = check_mlp(answer)
    return result.status, result.message


@pytest.mark.parametrize("answer", [RightMLP, SequentialInside])
def test_right_classes_pass(answer):
    status, message = run(answer)
    assert status == PASSED, message
    assert "101,110" in message


@pytest.mark.parametrize("answer", [Stub, ForwardStub])
def test_unfinished_stubs_are_not_done(answer):
    assert run(answer)[0] == NOT_DONE


@pytest.mark.parametrize("answer, words", [
    (None, "None"),
    (RightMLP([3, 4]), "pass the class itself"),
    (NotAModule, "subclasses nn.Module"),
    ("MLP", "subclasses nn.Module"),
    (PlainList, "plain Python list"),
    (PlainDict, "nn.ModuleDict"),
    (NoSuper, "super().__init__()"),
    (NoSuperPlainList, "super().__init__()"),
    (Swapped, "nn.Linear takes (in_features, out_features)"),
    (AlwaysTwoLayers, "registers 2 nn.Linear layers; expected 3"),
    (NoBias, "every nn.Linear with its bias"),
    (NoRelu, "never applies ReLU"),
    (ReluAfterLast, "after the last layer"),
    (DoubledOutput, "right shape but not the values"),
    (NoReturn, "forget `return`"),
])
def test_each_planted_mistake_gets_its_diagnosis(answer, words):
    status, message = run(answer)
    assert status == WRONG, message
    assert words in message, message


def test_plain_list_message_counts_what_parameters_finds():
    message = run(PlainList)[1]
    assert "finds 0 of 101,110 parameters" in message and "nn.ModuleList" in message
