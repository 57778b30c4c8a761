"""Running learner code inside a check: the time limit, helper spotting, copies, one-line text."""

from __future__ import annotations

import functools
import signal
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
import torch
from torch import nn

import course_utils
from course_utils import problem
from course_utils.checks import core
from course_utils.checks.core import (
    PASSED,
    WRONG,
    as_int,
    call_learner,
    checker,
    describe,
    plain_number,
)
from course_utils.checks.introspection import helper_called, spying
from course_utils.checks.learner_code import (
    LearnerTimeout,
    alarm_available,
    changed_in_place,
    shown,
    time_limit,
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")


@checker
def check_twice(twice):
    """A toy check: twice(3) == 6."""
    if core.plain_number(call_learner(twice, 3, name="twice")) != 6:
        raise core.Wrong("twice(3) is not 6.")
    return "twice is right."


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.5)


def spins(x):
    while True:
        pass


def spins_and_swallows(x):
    while True:
        try:
            time.sleep(0.01)
        except Exception:
            pass


def sleeps(x):
    time.sleep(60)


@pytest.mark.parametrize("hangs", [spins, spins_and_swallows, sleeps])
def test_a_function_that_never_returns_gets_a_verdict(hangs, short_limit, capsys):
    result = check_twice(hangs)
    assert result.status == WRONG
    assert result.message == "twice did not return within 0.5 s: an endless loop?"


def test_an_outer_timer_is_restored(short_limit, capsys):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        check_twice(spins)
        delay, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < delay <= 30
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_outer_timer_due_first_is_left_alone():
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    previous = signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError()))
    try:
        with pytest.raises(TimeoutError), time_limit(5):
            time.sleep(2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_time_spent_importing_does_not_count(tmp_path, monkeypatch, capsys):
    """The first torch.optim.SGD imports torch._dynamo (15 s on a busy machine): not a hang."""
    (tmp_path / "slow_module_for_the_time_limit.py").write_text("import time\ntime.sleep(1.2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.5)

    def imports_slowly(x):
        import slow_module_for_the_time_limit  # noqa: F401
        return 2 * x

    assert check_twice(imports_slowly).status == PASSED
    assert "slow_module_for_the_time_limit" in sys.modules


def test_off_the_main_thread_code_runs_without_a_limit():
    results = []

    def worker():
        results.append(alarm_available())
        with time_limit(0.1):
            time.sleep(0.3)
        results.append("finished")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert results == [False, "finished"]


def test_the_timeout_is_not_an_exception_a_learner_catches():
    assert not issubclass(LearnerTimeout, Exception)


def test_keyboard_interrupt_still_stops_the_cell(capsys):
    def pressed_stop(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_twice(pressed_stop)


def test_the_time_limit_works_in_a_real_kernel(tmp_path):
    """In a Jupyter kernel (ipykernel) cells run in the main thread, where SIGALRM arrives."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent("""\
        from course_utils.checks import core, check_count_inputs
        core.TIME_LIMIT_S = 1

        def count_inputs(n_examples, n_features):
            while True:
                pass

        check_count_inputs(count_inputs)"""))])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for o in notebook.cells[0].outputs)
    assert printed == "✗ not right yet: count_inputs did not return within 1 s: an endless loop?\n"


# ---------------------------------------------------------------- verdicts: one line, no raise

class UnprintableError(Exception):
    def __str__(self):
        raise ValueError("no text for you")


def exits(x):
    sys.exit(3)


@pytest.mark.parametrize("answer, words", [
    (exits, "twice called exit() (it raised SystemExit)"),
    (lambda x: (_ for _ in ()).throw(UnprintableError()), "<a UnprintableError that cannot be"),
    (lambda x: (_ for _ in ()).throw(ValueError("one\ntwo\n" + "x" * 900)), "one two x"),
    (lambda x: (_ for _ in ()).throw(ValueError(str(torch.ones(3, 3)))), "tensor([[1., 1., 1.],"),
])
def test_whatever_the_learner_raises_the_verdict_is_one_short_line(answer, words, capsys):
    result = check_twice(answer)
    printed = capsys.readouterr().out
    assert result.status == WRONG and words in result.message, result.message
    assert printed.count("\n") == 1 and len(printed) < core.MESSAGE_LIMIT + 30


def test_a_system_exit_inside_a_check_is_a_verdict(capsys):
    @checker
    def check_exits(value):
        raise SystemExit(2)

    assert check_exits(1).status == WRONG


def test_a_long_message_is_cut(capsys):
    @checker
    def check_talks(value):
        raise core.Wrong("word " * 400)

    message = check_talks(1).message
    assert len(message) <= core.MESSAGE_LIMIT and message.endswith("…")


def test_shown_never_raises_and_stays_on_one_line():
    assert shown(torch.ones(3, 3)).startswith("tensor([[1., 1., 1.], [1., 1., 1.]")
    assert shown(UnprintableError()) == "<a UnprintableError that cannot be shown>"
    assert len(shown("x" * 1000)) == core.SHOWN_LIMIT


# ---------------------------------------------------------------- plain numbers

class Liar:
    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return False


class LyingInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__

    def __int__(self):
        return 0


@pytest.mark.parametrize("value, expected", [
    (3, 3), (0.2, 0.2), (np.int64(7), 7), (np.float32(0.5), 0.5), (np.array(4), 4),
    (torch.tensor(2.5), 2.5), (LyingInt(5), 5),
    (True, None), (np.bool_(True), None), (Liar(), None), ("3", None), (torch.ones(2), None),
])
def test_plain_number(value, expected):
    number = plain_number(value)
    assert number == expected and type(number) in (int, float, type(None))


def test_as_int_and_describe():
    assert as_int(np.int64(30)) == 30 and as_int(30.0) is None and as_int(True) is None
    assert describe(np.float32(0.5)) == "the number 0.5 (a float32)"
    assert describe(Liar()) == "a Liar"


# ---------------------------------------------------------------- spotting the course's helpers

def helpers():
    return {problem.as_tensors: "as_tensors", course_utils.count_parameters: "count_parameters"}


def uses_alias(arrays):
    from course_utils.problem import as_tensors as convert
    return convert(arrays)


renamed = problem.as_tensors


def by_global_alias(arrays):
    return renamed(arrays)


def by_attribute_chain(model):
    return course_utils.anatomy.count_parameters(model)


def my_helper(model):
    return course_utils.count_parameters(model)


def through_my_own_helper(model):
    return my_helper(model)


def in_a_comprehension(models):
    return [course_utils.count_parameters(m) for m in models]


@functools.wraps(problem.as_tensors)
def decorated(*args):
    return problem.as_tensors(*args)


@pytest.mark.parametrize("function, name", [
    (problem.as_tensors, "as_tensors"),
    (functools.partial(problem.as_tensors, dtype=torch.float64), "as_tensors"),
    (lambda arrays: problem.as_tensors(arrays), "as_tensors"),
    (by_global_alias, "as_tensors"),
    (by_attribute_chain, "count_parameters"),
    (through_my_own_helper, "count_parameters"),
    (in_a_comprehension, "count_parameters"),
    (decorated, "as_tensors"),
    (lambda model: sum(p.numel() for p in model.parameters()), None),
    (print, None),
    (None, None),
])
def test_helper_called(function, name):
    assert helper_called(function, helpers()) == name


def test_a_local_import_alias_is_seen_by_name():
    # `from ... import as_tensors as convert` inside the function: the attribute name shows
    assert helper_called(uses_alias, helpers()) == "as_tensors"


# ---------------------------------------------------------------- copies and spies

def test_changed_in_place():
    kept = {"x": np.ones(3), "t": torch.ones(2)}
    given = {"x": np.ones(3), "t": torch.zeros(2)}
    assert changed_in_place(kept, given) == ["t"]


def test_spying_records_and_restores():
    original = nn.Sequential.forward
    with spying(nn.Sequential, "forward") as calls:
        nn.Sequential(nn.Identity())(torch.ones(1))
    assert len(calls) == 1 and nn.Sequential.forward is original
