"""Checks of notebook 04: every diagnosis is planted by a function that makes that mistake."""

import pytest
import torch
import torch.nn.functional as F

from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.linear import check_linear_parameter_shapes, check_my_linear


def unfinished(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("my_linear, status, words", [
    (lambda x, W, b: x @ W.T + b, PASSED, "matches nn.Linear"),
    (lambda x, W, b: F.linear(x, W, b), PASSED, "matches nn.Linear"),
    (unfinished, NOT_DONE, "not written yet"),
    (None, WRONG, "is None"),
    (lambda x, W, b: None, WRONG, "forget `return`"),
    (lambda x, W, b: (x @ W.T + b).numpy(), WRONG, "numpy array; expected a torch tensor"),
    (lambda x, W, b: x @ W + b, WRONG, "Did you multiply by W instead of W.T?"),
    (lambda x, W, b: W @ x + b, WRONG, "x comes first"),
    (lambda x, W, b: x @ W.T, WRONG, "leaves out the bias"),
    (lambda x, W, b: x @ W.T - b, WRONG, "subtracts the bias"),
    (lambda x, W, b: x @ W.T + b[:, None], WRONG, "broadcasting error when adding the bias"),
    (lambda x, W, b: W @ x.T + b[:, None], WRONG, "Andrew Ng's layout"),
    (lambda x, W, b: (x @ W.T + b) * float("nan"), WRONG, "NaN"),
    (lambda x, W, b: x @ W.T + 2 * b, WRONG, "different values"),
    (lambda x, W, b: (x @ W.T + b)[:, :-1], WRONG, "expected (128, 30)"),
])
def test_my_linear_diagnoses(my_linear, status, words, capsys):
    result = check_my_linear(my_linear)
    assert result.status == status and words in result.message, result.message


def square_only(mistake):
    """Right on rectangular sizes (where the mistake would raise); `mistake` on square ones."""
    def my_linear(x, W, b):
        if W.shape[0] == W.shape[1] == x.shape[0]:
            return mistake(x, W, b)
        return x @ W.T + b
    return my_linear


@pytest.mark.parametrize("mistake, words", [
    (lambda x, W, b: x @ W + b, "the weight looks transposed"),
    (lambda x, W, b: x @ W, "looks transposed), and it leaves out the bias"),
    (lambda x, W, b: x @ W.T + b[:, None], "bias along the wrong axis"),
    (lambda x, W, b: W @ x.T + b[:, None], "returns the result transposed"),
])
def test_mistakes_that_only_square_sizes_reveal(mistake, words, capsys):
    result = check_my_linear(square_only(mistake))
    assert result.status == WRONG and words in result.message, result.message


def test_check_prints_one_line(capsys):
    check_my_linear(lambda x, W, b: x @ W.T + b)
    assert capsys.readouterr().out.count("\n") == 1


@pytest.mark.parametrize("answer, status, words", [
    (lambda i, o: ((o, i), (o,)), PASSED, "matches nn.Linear"),
    (lambda i, o: (torch.Size([o, i]), [o]), PASSED, "matches nn.Linear"),
    (unfinished, NOT_DONE, "not written yet"),
    (lambda i, o: None, WRONG, "forget `return`"),
    (lambda i, o: (o, i), WRONG, "return two shapes"),
    (lambda i, o: ((i, o), (o,)), WRONG, "is transposed"),
    (lambda i, o: ((o, i), (i,)), WRONG, "one number per INPUT"),
    (lambda i, o: ((o, i), (1, o)), WRONG, "is 2-D"),
    (lambda i, o: ((o, i), (o, 1)), WRONG, "is 2-D"),
    (lambda i, o: ((o, i), o), WRONG, "needs its comma"),
    (lambda i, o: ((o, i), (o + 1,)), WRONG, "nn.Linear's is"),
    (lambda i, o: ((o, i, 1), (o,)), WRONG, "nn.Linear's is"),
    (lambda i, o: ((30, 20), (30,)), WRONG, "linear_parameter_shapes(1000, 100)"),  # hard-coded
])
def test_linear_parameter_shapes_diagnoses(answer, status, words, capsys):
    result = check_linear_parameter_shapes(answer)
    assert result.status == status and words in result.message, result.message


def test_my_linear_receives_copies_so_an_in_place_solution_cannot_spoil_the_check(capsys):
    def in_place(x, W, b):
        out = x @ W.T
        out += b
        x.zero_()
        return out
    assert check_my_linear(in_place).status == PASSED
