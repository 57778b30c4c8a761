"""Checks of the debug exercises stack_of_layers (05) and Standardize (08), mistakes planted."""

import pytest
import torch
from torch import nn

from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.registration import check_stack_of_layers, check_standardize


def fixed(width, depth):
    modules = []
    for _ in range(depth):
        modules += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*modules[:-1])


def given(width, depth):  # the planted bug: one Linear, used depth times
    layer = nn.Linear(width, width)
    modules = []
    for _ in range(depth):
        modules += [layer, nn.ReLU()]
    return nn.Sequential(*modules[:-1])


def relu_last(width, depth):
    modules = []
    for _ in range(depth):
        modules += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*modules)


def one_too_few(width, depth):
    return fixed(width, depth - 1) if depth > 1 else nn.Sequential(nn.ReLU())


def wide(width, depth):
    return nn.Sequential(nn.Linear(width, width + 1), nn.Linear(width + 1, width))


def unfinished(width, depth):
    raise NotImplementedError()


class Shuffled(nn.Module):  # the right layers, applied with a ReLU missing in the middle
    def __init__(self, width, depth):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


@pytest.mark.parametrize("answer, status, words", [
    (fixed, PASSED, "216 parameters"),
    (unfinished, NOT_DONE, "not written yet"),
    (given, WRONG, "used again: parameters() counts each once (72 of 216"),
    (relu_last, WRONG, "ends with a ReLU"),
    (one_too_few, WRONG, "applies 2 Linear layers; expected 3"),
    (wide, WRONG, "applies 2 Linear layers"),
    (lambda width, depth: [nn.Linear(width, width)] * depth, WRONG, "return the model"),
    (Shuffled, WRONG, "does not compute Linear, ReLU"),
])
def test_stack_of_layers_diagnoses(answer, status, words, capsys):
    result = check_stack_of_layers(answer)
    assert result.status == status and words in result.message, result.message


def test_stack_of_layers_names_a_wrong_weight_shape(capsys):
    def odd(width, depth):
        return nn.Sequential(*[nn.Linear(width, width, bias=False) for _ in range(depth)])

    result = check_stack_of_layers(odd)
    assert result.status == WRONG and "parameters; expected" in result.message, result.message


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std


class Given(Standardize):  # the planted bug: mean is a plain attribute
    def __init__(self, mean, std):
        nn.Module.__init__(self)
        self.mean = mean
        self.register_buffer("std", std)


class AsParameters(Standardize):
    def __init__(self, mean, std):
        nn.Module.__init__(self)
        self.mean = nn.Parameter(mean)
        self.register_buffer("std", std)


class NotPersistent(Standardize):
    def __init__(self, mean, std):
        nn.Module.__init__(self)
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("std", std)


class OtherNames(Standardize):
    def __init__(self, mean, std):
        nn.Module.__init__(self)
        self.register_buffer("mu", mean)
        self.register_buffer("std", std)


class ChangedForward(Standardize):
    def forward(self, x):
        return x - self.mean


class Unfinished(Standardize):
    def __init__(self, mean, std):
        super().__init__(mean, std)
        raise NotImplementedError()


@pytest.mark.parametrize("answer, status, words", [
    (Standardize, PASSED, "mean and std are buffers"),
    (Unfinished, NOT_DONE, "not written yet"),
    (Given, WRONG, "self.mean is a plain tensor attribute"),
    (AsParameters, WRONG, "mean is an nn.Parameter"),
    (NotPersistent, WRONG, "persistent=False"),
    (OtherNames, WRONG, "expected the buffers 'mean' and 'std'"),
    (ChangedForward, WRONG, "not (x - mean) / std"),
    (Standardize(torch.zeros(3), torch.ones(3)), WRONG, "pass the class itself"),
    (None, WRONG, "pass the class itself"),
])
def test_standardize_diagnoses(answer, status, words, capsys):
    result = check_standardize(answer)
    assert result.status == status and words in result.message, result.message
