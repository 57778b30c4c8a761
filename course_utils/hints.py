"""Hints and reference solutions on demand, read from the committed notebooks at run time.

Each exercise's solution cell in `notebooks/` carries its name and its hints in metadata:

    "nbgrader": {"grade_id": "count_inputs", "solution": true, ...},
    "course": {"hints": ["first hint", "second hint", ...]}

    >>> hint("count_inputs")        # the first hint; call it again for the next one
    >>> solution("count_inputs")    # the lines between ### BEGIN / END SOLUTION

There is one source: the notebook as committed. The learner's workspace copy has the
solution removed, so `solution` reads `notebooks/` (found by `workspace.course_notebooks`).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .places import PATTERN, course_notebooks

CHECK_CALL = re.compile(r"(?<![\w.])check_(\w+)\(")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its name, the notebook it is in, its hints and its reference solution."""

    name: str
    notebook: str
    hints: tuple[str, ...] = ()
    solution: str | None = None  # None: no solution cell with this name (only a check call)


def solution_regions(source: str) -> str:
    """The lines between each `BEGIN SOLUTION` and `END SOLUTION` marker line, joined."""
    regions: list[list[str]] = []
    inside = False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line:
            inside = True
            regions.append([])
        elif "END SOLUTION" in line:
            inside = False
        elif inside:
            regions[-1].append(line)
    return "\n\n".join("\n".join(lines) for lines in regions)


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def read_exercises(folder: Path) -> list[Exercise]:
    """Every exercise of the notebooks in `folder`, in course order.

    An exercise is a solution cell (`nbgrader.solution` true, with a `grade_id`); a check
    call `check_NAME(...)` with no such cell still names an exercise, without hints.
    """
    found: dict[str, Exercise] = {}
    for path in sorted(folder.glob(PATTERN)):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for cell in cells:
            meta = cell.get("metadata", {})
            grading = meta.get("nbgrader", {})
            source = _text(cell.get("source", ""))
            if grading.get("solution") and isinstance(grading.get("grade_id"), str):
                hints = meta.get("course", {}).get("hints", [])
                found[grading["grade_id"]] = Exercise(
                    grading["grade_id"], path.name,
                    tuple(h for h in hints if isinstance(h, str)) if isinstance(hints, list)
                    else (), solution_regions(source))
            elif cell.get("cell_type") == "code":
                for name in CHECK_CALL.findall(source):
                    found.setdefault(name, Exercise(name, path.name))
    return list(found.values())


_cache: dict[tuple, list[Exercise]] = {}


def exercises(folder: Path | None = None) -> list[Exercise]:
    """The course's exercises (read again only when a notebook changed)."""
    folder = folder or course_notebooks()
    if folder is None:
        return []
    key = (str(folder), tuple((p.name, p.stat().st_mtime_ns) for p in folder.glob(PATTERN)))
    if key not in _cache:
        _cache.clear()
        _cache[key] = read_exercises(folder)
    return _cache[key]


def _name(exercise: Any) -> str:
    """Accept "relu_backward", "check_relu_backward" or the learner's function itself."""
    name = getattr(exercise, "__name__", exercise)
    return str(name).removeprefix("check_")


def find(exercise: Any) -> tuple[Exercise | None, str]:
    """The exercise called `exercise`, or None and a line saying why and what exists."""
    name = _name(exercise)
    folder = course_notebooks()
    if folder is None:
        return None, ("the course's notebooks/ folder was not found (hints and solutions are "
                      "read from it): open the notebooks from a clone of the course")
    known = {e.name: e for e in exercises(folder)}
    if name in known:
        return known[name], ""
    close = difflib.get_close_matches(name, known, n=3)
    if close:
        return None, (f"no exercise is called {name!r}; did you mean "
                      f"{' or '.join(repr(c) for c in close)}?")
    return None, (f"no exercise is called {name!r} in {folder}; an exercise is named after its "
                  "check: check_relu_backward checks the exercise 'relu_backward'")


_given: dict[str, int] = {}  # how many hints each exercise has had in this kernel


def hint(exercise: Any) -> None:
    """Print the next hint for `exercise` (its name, e.g. "relu_backward"); call again for more.

    After the last hint it says so and points to `solution`.
    """
    found, why = find(exercise)
    if found is None:
        print(f"hint: {why}")
        return
    name, hints = found.name, found.hints
    if not hints:
        print(f"{name} has no hints yet; solution({name!r}) shows the reference solution.")
        return
    shown = _given.get(name, 0)
    if shown >= len(hints):
        print(f"No more hints for {name}; the last one was: {hints[-1]}\n"
              f"solution({name!r}) shows the reference solution.")
        return
    _given[name] = shown + 1
    more = "; hint({0!r}) again for the next" if shown + 1 < len(hints) else \
        ": the last one; solution({0!r}) shows the reference solution"
    print(f"Hint {shown + 1} of {len(hints)} for {name}{more.format(name)}.\n{hints[shown]}")


def solution(exercise: Any) -> None:
    """Print the reference solution of `exercise`, read from the committed notebook."""
    found, why = find(exercise)
    if found is None:
        print(f"solution: {why}")
        return
    if not found.solution:
        print(f"solution: {found.name} (in {found.notebook}) has no solution cell marked with "
              "nbgrader metadata yet, so there is nothing to show.")
        return
    print(f"The reference solution of {found.name} (from notebooks/{found.notebook}); it "
          "replaces `# YOUR CODE HERE` and `raise NotImplementedError()` in your cell:\n")
    print(found.solution)
