"""Exercise checks: one module per notebook, all following the pattern in `core`."""

from .core import (
    NOT_DONE,
    PASSED,
    WRONG,
    CheckResult,
    NotDone,
    StrictModeError,
    Wrong,
    call_learner,
    checker,
    describe,
    expect_array,
)
from .start import check_count_inputs

__all__ = [
    "NOT_DONE", "PASSED", "WRONG", "CheckResult", "NotDone", "StrictModeError", "Wrong",
    "call_learner", "checker", "describe", "expect_array",
    # notebook 00
    "check_count_inputs",
]
