"""What the learner's code is, and what it calls: an exercise must not be solvable by
calling the course's own helper that already does the job.

    helper_called(training_step, {correct_step: "correct_step"})   # -> "correct_step" or None
    with spying(nn.Sequential, "forward") as calls:                # who ran Sequential.forward
        mine(x)

    with course_calls({"find_zones", "zone_of"}) as ran:           # which of those ran
        predicted_zones()

`helper_called` reads the code (no call needed); `spying` and `course_calls` watch
behaviour, for what reading cannot see (a class that builds an nn.Sequential inside its
forward; a helper reached by a computed name, `getattr(course_utils, "find_" + "zones")`).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import types
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


@contextmanager
def spying(owner: type, attribute: str) -> Iterator[list[Any]]:
    """Record every call of the method `owner.attribute` while the `with` block runs.

    Yields a list that fills with each call's first argument (`self`). For behaviour that
    introspection cannot see: `with spying(nn.Sequential, "forward") as calls: mine(x)`
    tells whether the learner's forward let an nn.Sequential do the work.
    """
    original = owner.__dict__[attribute]
    calls: list[Any] = []

    @functools.wraps(original)
    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(self)
        return original(self, *args, **kwargs)

    setattr(owner, attribute, spy)
    try:
        yield calls
    finally:
        setattr(owner, attribute, original)


@contextmanager
def course_calls(names: Collection[str]) -> Iterator[list[str]]:
    """Record which course_utils functions or methods called one of `names` run in the block.

    Nothing is replaced: a profile function (sys.setprofile, this thread only, the previous
    one restored afterwards) sees every Python call, so a helper counts however it was
    reached: an alias, getattr with a computed name, a method of an object it returned.
    Only code defined in course_utils counts; a learner's own `train` does not.
    """
    package = os.path.dirname(os.path.dirname(__file__))  # course_utils/, as co_filename says
    ran: list[str] = []

    def watch(frame: types.FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        if event == "call" and code.co_name in names and code.co_name not in ran \
                and code.co_filename.startswith(package):
            ran.append(code.co_name)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        yield ran
    finally:
        sys.setprofile(previous)


def helper_called(function: Any, helpers: Mapping[Any, str], depth: int = 3) -> str | None:
    """The name of the first of `helpers` that `function` is, or calls by name; else None.

    Looks through functools.partial, decorators (`__wrapped__`) and bound methods, then at
    the global names and attributes the function's code uses (nested functions, lambdas
    and comprehensions included), resolved in its own globals: `from course_utils import
    count_parameters as cp` followed by `cp(model)` is found, and so is
    `course_utils.checks.training_loop.correct_step(...)`. Functions of the learner's own
    (defined next to `function`) that it calls are followed `depth` levels deep.
    """
    by_id = {id(helper): name for helper, name in helpers.items()}
    seen: set[int] = set()
    home = getattr(_unwrap(function), "__globals__", None)

    def look(candidate: Any, level: int) -> str | None:
        candidate = _unwrap(candidate)
        if id(candidate) in by_id:
            return by_id[id(candidate)]
        code = getattr(candidate, "__code__", None)
        if not isinstance(code, types.CodeType) or level > depth or id(candidate) in seen:
            return None
        seen.add(id(candidate))
        for value in _referenced(code, getattr(candidate, "__globals__", {})):
            if id(_unwrap(value)) in by_id:
                return by_id[id(_unwrap(value))]
            if getattr(value, "__globals__", None) is home:  # the learner's own function
                found = look(value, level + 1)
                if found:
                    return found
        return None

    try:
        return look(function, 0)
    except Exception:  # an object whose attributes raise is not a course helper
        return None


def _unwrap(candidate: Any) -> Any:
    while isinstance(candidate, functools.partial):
        candidate = candidate.func
    candidate = getattr(candidate, "__func__", candidate)  # bound method -> function
    if callable(candidate) and not isinstance(candidate, type):
        candidate = inspect.unwrap(candidate)
    return candidate


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


def _referenced(code: types.CodeType, namespace: Mapping[str, Any]) -> list[Any]:
    """The objects the code's names resolve to: globals, and attributes of those (4 deep)."""
    names = _names(code)
    found = [namespace[name] for name in names if name in namespace]
    found += [sys.modules[name] for name in names if name in sys.modules]  # `import a.b` inside
    owners = [value for value in found if isinstance(value, (types.ModuleType, type))]
    for _ in range(4):
        attributes = []
        for owner in owners:
            for name in names:
                try:
                    attributes.append(getattr(owner, name))
                except Exception:  # AttributeError, or a module whose lazy import fails
                    continue
        found += attributes
        owners = [value for value in attributes if isinstance(value, (types.ModuleType, type))]
    return found
