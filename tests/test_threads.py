import subprocess
import sys

import pytest
import torch

from course_utils.threads import DEFAULT_THREADS, apply_thread_rule, chosen_thread_count


@pytest.mark.parametrize("setting, expected", [(None, DEFAULT_THREADS), ("2", 2), ("1", 1),
                                               ("zero", DEFAULT_THREADS), ("0", DEFAULT_THREADS)])
def test_rule(setting, expected, monkeypatch):
    if setting is None:
        monkeypatch.delenv("COURSE_THREADS", raising=False)
    else:
        monkeypatch.setenv("COURSE_THREADS", setting)
    count, reason = chosen_thread_count()
    assert count == expected and reason


def test_apply_sets_torch(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("COURSE_THREADS", "2")
        assert apply_thread_rule() == 2 and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_importing_the_course_applies_the_rule_and_starts_no_gui():
    code = ("import sys, torch, course_utils; print(torch.get_num_threads(), "
            "sum(course_utils.threads.blas_thread_counts().values()), "
            "'matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["1", "1", "False", "False"]  # torch 1, numpy's OpenBLAS 1, no GUI
