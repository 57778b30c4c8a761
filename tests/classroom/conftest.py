"""The classroom test's report: per-student times and memory, printed at the end of the run."""

from __future__ import annotations

import pytest

REPORT_KEY = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def classroom_report(request) -> list[str]:
    """Lines the test adds here are printed in pytest's summary (and kept on failure too)."""
    return request.config.stash.setdefault(REPORT_KEY, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(REPORT_KEY, [])
    if lines:
        terminalreporter.section("classroom: 8 students on one JupyterHub; grading with nbgrader")
        for line in lines:
            terminalreporter.write_line(line)
