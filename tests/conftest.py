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


@pytest.fixture(autouse=True)
def fresh_run_record():
    """Each test trains what it asks for: no run of the running example remembered from an
    earlier test (course_utils.run_record), so `recall_or_train` trains or recalls the same
    whatever ran before."""
    from course_utils.run_record import forget_recorded_runs

    forget_recorded_runs()


@pytest.fixture
def train_calls(monkeypatch):
    """The positional arguments of every real training from here on: `train` is wrapped
    where the explorer and the checks reach it (course_utils.training.train)."""
    from course_utils import training

    calls = []
    real_train = training.train
    monkeypatch.setattr(training, "train",
                        lambda *args, **kwargs: calls.append(args) or real_train(*args, **kwargs))
    return calls
