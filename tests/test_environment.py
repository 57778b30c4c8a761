"""Notebook 00's environment report: every line fits, and the site's copy shows no paths."""

import sys

from course_utils.environment import environment_report, format_report


def test_long_values_wrap_under_their_column():
    report = {"Python": "3.11", "CPU threads": "torch uses 1 (chosen: 1, because " + "x " * 60}
    lines = format_report(report, width=60).splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[0] == "Python       3.11"
    assert lines[1].startswith("CPU threads  torch uses 1")
    assert all(line.startswith(" " * 13) and line[13] != " " for line in lines[2:])


def test_the_report_names_the_kernels_python_unless_paths_are_hidden(monkeypatch):
    monkeypatch.delenv("COURSE_REPORT_PATHS", raising=False)
    assert sys.executable in environment_report()["Python"]
    monkeypatch.setenv("COURSE_REPORT_PATHS", "hide")
    python = environment_report()["Python"]
    assert sys.executable not in python and sys.prefix not in python
    assert "not shown on the website" in python
    assert all(len(line) <= 78 for line in format_report(environment_report()).splitlines())
