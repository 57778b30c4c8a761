"""The pattern every check follows: one printed line, a result, no raise (but in strict mode)."""

import numpy as np
import pytest
import torch

from course_utils.checks.core import (
    NOT_DONE,
    PASSED,
    WRONG,
    StrictModeError,
    Wrong,
    call_learner,
    checker,
    describe,
    expect_array,
)


@checker
def check_double(double):
    """A toy check: double(x) must return 2 * x as a tensor of shape (2, 3)."""
    x = torch.ones(2, 3)
    result = expect_array(call_learner(double, x, name="double"), "double(x)", (2, 3), "tensor")
    if not np.allclose(result, 2):
        raise Wrong("double(x) is not 2 * x.")
    return "double is right."



def unfinished(x):
    raise NotImplementedError()


def crashes(x):
    return x.no_such_method()


@pytest.mark.parametrize("answer, status, words", [
    (lambda x: 2 * x, PASSED, "double is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (None, WRONG, "is None"),
    (42, WRONG, "should be a function"),
    (lambda x: None, WRONG, "forget `return`"),
    (lambda x: (2 * x).numpy(), WRONG, "numpy array; expected a torch tensor"),
    (lambda x: (2 * x).T, WRONG, "looks transposed"),
    (lambda x: torch.ones(5), WRONG, "has shape (5,)"),
    (lambda x: x * float("nan"), WRONG, "NaN"),
    (lambda x: 3 * x, WRONG, "not 2 * x"),
    (crashes, WRONG, "raised AttributeError"),
    (lambda x: [1, 2], WRONG, "should be an array"),
])
def test_every_answer_gets_one_line_and_a_result(answer, status, words, capsys):
    result = check_double(answer)
    printed = capsys.readouterr().out
    assert result.status == status
    assert words in result.message
    assert printed.count("\n") == 1 and printed.strip() == str(result)
    assert bool(result) == (status == PASSED)


def test_a_bug_inside_a_checker_is_reported_not_raised(capsys):
    @checker
    def check_broken(value):
        return 1 / 0

    result = check_broken(3)
    assert result.status == WRONG and "could not use what you gave it" in result.message


def test_strict_solutions_mode_raises_unless_passed(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "solutions")
    assert check_double(lambda x: 2 * x)
    with pytest.raises(StrictModeError, match="did not pass"):
        check_double(unfinished)


def test_strict_student_mode_raises_unless_not_done(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "student")
    assert check_double(unfinished).status == NOT_DONE
    with pytest.raises(StrictModeError, match="not done yet"):
        check_double(lambda x: 2 * x)
    with pytest.raises(StrictModeError):
        check_double(None)


def test_describe():
    assert describe(None) == "None"
    assert describe(torch.zeros(2, 3)) == "a tensor of shape (2, 3), float32"
    assert describe(np.zeros(4)) == "a numpy array of shape (4,), float64"
    assert describe(3) == "the number 3"


def test_expect_array_accepts_and_converts():
    out = expect_array(torch.ones(2, 2, dtype=torch.float32, requires_grad=True), "w", (2, 2))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    with pytest.raises(Wrong, match="expected a numpy array"):
        expect_array(torch.ones(2), "w", (2,), kind="numpy")
