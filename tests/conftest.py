import sys
from pathlib import Path

import pytest

# tests/ holds helper modules (notebook_runner) next to the tests that use them.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def learner_mode(monkeypatch):
    """Checks answer as they do for a learner unless a test sets strict mode itself.

    The notebook runner sets COURSE_CHECKS_STRICT only in its kernels' environment; this
    keeps a value inherited from the shell from changing what a unit test sees.
    """
    monkeypatch.delenv("COURSE_CHECKS_STRICT", raising=False)


@pytest.fixture(autouse=True)
def fresh_verdicts():
    """Each test starts with no remembered verdicts, so a ✗ in an earlier test does not make
    a check's line point to `hint(...)` (that happens on the second ✗ in a row)."""
    from course_utils.verdicts import forget_session

    forget_session()
