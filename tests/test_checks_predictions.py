"""Checks of the predict exercises (05, 06, 08): each diagnosis planted by a guess with it."""

import pytest
import torch
from torch import nn

from course_utils import build_model, count_parameters
from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.predictions import (
    check_predicted_gradient_ratio,
    check_predicted_list_parameters,
    check_predicted_output_shapes,
)


def unfinished():
    raise NotImplementedError()


def returns(value):
    return lambda: value


def runs_the_model():
    model = build_model()
    return [tuple(model[0](torch.zeros(64, 1000)).shape)] * 3


def counts_with_parameters():
    return count_parameters(nn.Linear(2, 2))


def runs_backward():
    w = torch.ones(2, requires_grad=True)
    (w * 2).sum().backward()
    return 2.0


@pytest.mark.parametrize("answer, status, words", [
    (returns([(8, 64, 100), (8, 64, 100), (8, 64, 10)]), PASSED, "is right"),
    (returns([torch.Size([8, 64, 100]), [8, 64, 100], (8, 64, 10)]), PASSED, "is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (returns(None), WRONG, "returned None"),
    (returns("(8, 64, 100)"), WRONG, "return a list of shapes"),
    (returns([(8, 64, 1000), (8, 64, 100), (8, 64, 100), (8, 64, 10)]), WRONG,
     "the first is x itself"),
    (returns([(8, 64, 100), (8, 64, 10)]), WRONG, "the model has 3 modules"),
    (returns([(64, 100), (64, 100), (64, 10)]), WRONG, "the shapes for one batch"),
    (returns([(8, 100, 64), (8, 100, 64), (8, 10, 64)]), WRONG, "transposed"),
    (returns([(100, 64), (100, 64), (10, 64)]), WRONG, "transposed"),
    (returns([(100, 1000), (100, 1000), (10, 100)]), WRONG, "a weight's shape"),
    (returns([(8, 64, 100), (8, 64, 1), (8, 64, 10)]), WRONG, "ReLU works number by number"),
    (returns([(8, 64, 1000), (8, 64, 1000), (8, 64, 10)]), WRONG, "Follow x (8, 64, 1000)"),
    (runs_the_model, WRONG, "ran Linear.forward"),
])
def test_predicted_output_shapes_diagnoses(answer, status, words, capsys):
    result = check_predicted_output_shapes(answer)
    assert result.status == status and words in result.message, result.message


@pytest.mark.parametrize("answer, status, words", [
    (returns(1), PASSED, "ADDS"),
    (returns(torch.tensor(1.0)), PASSED, "ADDS"),
    (unfinished, NOT_DONE, "not written yet"),
    (returns(None), WRONG, "returned None"),
    (returns("1"), WRONG, "return one number"),
    (returns(2), WRONG, "two copies of the same gradient"),
    (returns(0.5), WRONG, "one half's share alone"),
    (returns(0), WRONG, "cancel"),
    (returns(3), WRONG, "You predicted 3"),
    (runs_backward, WRONG, "ran backward()"),
])
def test_predicted_gradient_ratio_diagnoses(answer, status, words, capsys):
    result = check_predicted_gradient_ratio(answer)
    assert result.status == status and words in result.message, result.message


@pytest.mark.parametrize("answer, status, words", [
    (returns(0), PASSED, "finds none"),
    (unfinished, NOT_DONE, "not written yet"),
    (returns([]), WRONG, "return one number"),
    (returns(101_110), WRONG, "what the layers hold"),
    (returns(2), WRONG, "You predicted 2"),
    (counts_with_parameters, WRONG, "ran parameters()"),
])
def test_predicted_list_parameters_diagnoses(answer, status, words, capsys):
    result = check_predicted_list_parameters(answer)
    assert result.status == status and words in result.message, result.message


def test_watching_torch_leaves_nothing_behind(capsys):
    check_predicted_list_parameters(counts_with_parameters)
    check_predicted_gradient_ratio(runs_backward)
    check_predicted_output_shapes(runs_the_model)
    model = nn.Linear(2, 2)
    assert [name for name, _ in model.named_parameters()] == ["weight", "bias"]
    assert nn.Module.named_parameters.__name__ == "named_parameters"
    assert torch.Tensor.backward.__name__ == "backward"
    assert not nn.modules.module._global_forward_hooks
