"""The pattern every exercise check follows.

A check looks at what the learner wrote, prints ONE line and returns a `CheckResult`:

    ✓ passed: my_linear matches nn.Linear on 3 random inputs.
    ✗ not right yet: my_linear returned shape (128, 20); expected (128, 30). Did you multiply ...
    … not done yet: my_linear is not written yet: replace `raise NotImplementedError()` ...

The verdict's word follows its symbol, so a screen reader says what the symbol means.

It never raises from inside course_utils, whatever it is given. A checker is written as a
`diagnose` function decorated with `@checker`: it returns the success message, or raises
`Wrong("what is wrong and how to fix it")` or `NotDone(...)`. The decorator turns those,
and anything unexpected (SystemExit included; only KeyboardInterrupt, the learner pressing
stop, goes through), into the printed verdict: one line, at most MESSAGE_LIMIT characters.

Learner code runs through `call_learner` (or under `time_limit`): at most TIME_LIMIT_S
seconds per call. Answers are compared as plain Python values (module `plain`: numbers,
bools, shapes; `number_answer` refuses a non-number in one line), so numpy scalars,
one-element tensors and torch.Size are accepted and an object whose `==` lies is not.

Strict mode (used by the test suite, never by learners): with COURSE_CHECKS_STRICT=solutions
a check that does not pass raises `StrictModeError`; with COURSE_CHECKS_STRICT=student a
check that does not answer "not done yet" raises it. That is how the runner proves that
the committed notebooks pass every check and that a blank student copy passes none.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..verdicts import after_check
from .introspection import helper_called, spying
from .learner_code import (
    SHOWN_LIMIT,
    TIME_LIMIT_S,
    LearnerTimeout,
    error_text,
    safe_type_name,
    shown,
    time_limit,
)
from .plain import as_int, plain_bool, plain_number, plain_shape

PASSED, WRONG, NOT_DONE = "passed", "wrong", "not done"
SYMBOLS = {PASSED: "✓", WRONG: "✗", NOT_DONE: "…"}
WORDS = {PASSED: "passed", WRONG: "not right yet", NOT_DONE: "not done yet"}
NOT_DONE_HINT = "replace `raise NotImplementedError()` with your code, then run this cell again."
MESSAGE_LIMIT = 500  # characters in a verdict's message; learner text inside it: SHOWN_LIMIT

__all__ = [
    "MESSAGE_LIMIT", "NOT_DONE", "NOT_DONE_HINT", "PASSED", "SHOWN_LIMIT", "TIME_LIMIT_S", "WRONG",
    "CheckResult", "LearnerTimeout", "NotDone", "StrictModeError", "Wrong", "as_int",
    "call_learner", "checker", "close", "describe", "error_text", "expect_array",
    "helper_called", "number_answer", "plain_bool", "plain_number", "plain_shape",
    "reject_helper", "safe_type_name", "shown", "spying", "time_limit",
]


class Wrong(Exception):
    """Raised inside a diagnose function: the answer is wrong; the text says why and what to do."""


class NotDone(Exception):
    """Raised inside a diagnose function: the exercise has not been attempted yet."""


class StrictModeError(AssertionError):
    """Raised only in strict mode (the test suite), when a verdict is not the expected one."""


@dataclass
class CheckResult:
    """The verdict of one check: `name`, `status` (passed / wrong / not done) and `message`.

    `bool(result)` is True when it passed. The verdict line was already printed by the
    check, so showing the result again in a notebook displays nothing more.
    """

    name: str
    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        return f"{SYMBOLS[self.status]} {WORDS[self.status]}: {self.message}"

    def _ipython_display_(self) -> None:
        """Already printed when the check ran; do not print it twice."""


def checker(diagnose: Callable[..., str]) -> Callable[..., CheckResult]:
    """Turn `diagnose(...) -> success message` into a check that prints and never raises."""

    @functools.wraps(diagnose)
    def check(*args: Any, **kwargs: Any) -> CheckResult:
        name = diagnose.__name__.removeprefix("check_")
        try:
            result = CheckResult(name, PASSED, diagnose(*args, **kwargs))
        except NotDone as reason:
            result = CheckResult(name, NOT_DONE, shown(reason, MESSAGE_LIMIT))
        except NotImplementedError:
            result = CheckResult(name, NOT_DONE, f"{name} is not written yet: {NOT_DONE_HINT}")
        except Wrong as reason:
            result = CheckResult(name, WRONG, shown(reason, MESSAGE_LIMIT))
        except LearnerTimeout as timeout:
            result = CheckResult(name, WRONG, f"your code {timeout}: an endless loop?")
        except KeyboardInterrupt:
            raise  # the learner pressed stop
        except BaseException as error:  # a crash inside the checker must never reach the learner
            result = CheckResult(name, WRONG, (
                f"{name}: the check could not use what you gave it ({error_text(error)}). "
                "Re-read the task and the hint above."))
        result.message = shown(result.message, MESSAGE_LIMIT)
        result = after_check(result)  # course_utils.verdicts: record it; 2nd ✗ points to hint()
        print(result)
        _enforce_strict_mode(result)
        return result

    return check


def _enforce_strict_mode(result: CheckResult) -> None:
    mode = os.environ.get("COURSE_CHECKS_STRICT", "")
    if mode == "solutions" and result.status != PASSED:
        raise StrictModeError(f"strict mode: check {result.name!r} did not pass: {result}")
    if mode == "student" and result.status != NOT_DONE:
        raise StrictModeError(
            f"strict mode: in the student copy check {result.name!r} should say 'not done yet', "
            f"but said: {result}")


def call_learner(function: Any, *args: Any, name: str = "your function",
                 seconds: float | None = None) -> Any:
    """Call the learner's function; turn its failures into `NotDone` or a clear `Wrong`.

    The call gets `seconds` (default TIME_LIMIT_S) to return (see `time_limit`). SystemExit
    and other BaseExceptions become a `Wrong`; only KeyboardInterrupt goes through.
    """
    if function is None:
        raise Wrong(f"{name} is None: pass the function itself, e.g. check({name}), "
                    "not its result.")
    if not callable(function):
        raise Wrong(f"{name} should be a function, but it is {describe(function)}.")
    limit = TIME_LIMIT_S if seconds is None else seconds
    try:
        with time_limit(limit):
            return function(*args)
    except NotImplementedError:
        raise NotDone(f"{name} is not written yet: {NOT_DONE_HINT}") from None
    except LearnerTimeout:
        raise Wrong(f"{name} did not return within {limit:g} s: an endless loop?") from None
    except SystemExit:
        raise Wrong(f"{name} called exit() (it raised SystemExit): return a result "
                    "instead of stopping Python.") from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        raise Wrong(f"{name} raised {error_text(error)}") from None


def describe(value: Any) -> str:
    """A short description of a value for a message: "a tensor of shape (3, 4), float32"."""
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}, {str(value.dtype).replace('torch.', '')}"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}, {value.dtype}"
    number = plain_number(value)
    if number is not None and type(value) in (int, float):
        return f"the number {number!r}"
    kind = safe_type_name(value)
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    if number is not None:
        return f"the number {number!r} ({article} {kind})"
    return f"{article} {kind}"


def expect_array(value: Any, name: str, shape: tuple[int, ...], kind: str = "any") -> np.ndarray:
    """Check that `value` is an array (kind "numpy", "tensor" or "any") of `shape`, free of NaN.

    Returns it as a float64 numpy array to compare with the expected numbers.
    Raises `Wrong` with the likely mistake: None (a missing `return`), a numpy array where a
    tensor was expected (or the reverse), a transposed result, a wrong shape, NaN or inf.
    """
    if value is None:
        raise Wrong(f"{name} is None. Did you forget `return`?")
    if kind == "tensor" and isinstance(value, np.ndarray):
        raise Wrong(f"{name} is a numpy array; expected a torch tensor. Use torch operations "
                    "(or torch.from_numpy) so the result stays a tensor.")
    if kind == "numpy" and isinstance(value, torch.Tensor):
        raise Wrong(f"{name} is a torch tensor; expected a numpy array. Use numpy operations here.")
    if not isinstance(value, (np.ndarray, torch.Tensor)):
        raise Wrong(f"{name} should be an array of shape {shape}, but it is {describe(value)}.")
    actual = tuple(value.shape)
    if actual != tuple(shape):
        hint = ""
        if len(shape) == 2 and actual == tuple(reversed(shape)):
            hint = " It looks transposed: check which side of `@` each factor goes, or add `.T`."
        raise Wrong(f"{name} has shape {actual}; expected {tuple(shape)}.{hint}")
    array = value.detach().cpu().double().numpy() if isinstance(value, torch.Tensor) \
        else np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise Wrong(f"{name} contains NaN or inf. Look for a division by zero or an update that "
                    "grew without bound.")
    return array


def close(actual: np.ndarray, expected: np.ndarray, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """True when two arrays agree to the given tolerances (numpy's allclose)."""
    return bool(np.allclose(actual, expected, rtol=rtol, atol=atol))


def reject_helper(function: Any, name: str, helpers: dict[Any, str], instead: str) -> None:
    """Wrong if the learner's `function` is, or calls, one of the course's `helpers`.

    An exercise must not be solvable by calling the function that already does its job;
    `instead` says what to write: "count in*out + out for each pair of widths".
    """
    used = helper_called(function, helpers)
    if used:
        raise Wrong(f"{name} calls the course's own {used}, which already does this job: "
                    f"{instead}")


def number_answer(value: Any, name: str, expected: str = "return one number") -> int | float:
    """The learner's answer as a plain, finite int or float; else `Wrong` saying why.

    np.float32, np.int64 and a one-element tensor or array count as numbers (see
    plain_number). A check that teaches `.item()` refuses a tensor itself, before this.
    `expected` ends the refusal: "return one number, e.g. `return 1.23`".
    """
    if value is None:
        raise Wrong(f"{name} returned None. Did you forget `return`?")
    number = plain_number(value)
    if number is None:
        raise Wrong(f"{name} returned {describe(value)}; {expected}.")
    if not math.isfinite(number):
        raise Wrong(f"{name} returned {number}, not a finite number; {expected}.")
    return number
