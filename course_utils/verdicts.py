"""Your progress (`progress()`): the latest verdict of every exercise's check, and a table of them.

Every check calls `after_check(result)` (see `checks.core.checker`), which

- records the verdict (✓, ✗ or …) and when, in `.course-progress.json` at the top of your
  workspace. A notebook opened anywhere else (the committed `notebooks/`, the test
  runner's copies) records nothing on disk: this kernel remembers its own verdicts only;
- after a second ✗ in a row for the same exercise, adds to the line where to find a hint.

A missing, unreadable or corrupt progress file never breaks a check or `progress()`: it is
read as empty (an entry with fields of the wrong type, in part or as a whole) and rewritten at
the next check.

    >>> progress()       # notebook, exercise, verdict, when: one row per exercise
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from . import hints
from .places import find_workspace
from .places import write_atomically as _write

PROGRESS_FILE = ".course-progress.json"

_session: dict[str, dict[str, str]] = {}  # this kernel's verdicts, by exercise
_wrong_in_a_row: dict[str, int] = {}


def progress_file(start: Path | None = None) -> Path | None:
    """Where verdicts are saved: in the workspace holding `start`; None outside a workspace."""
    workspace = find_workspace(start)
    return None if workspace is None else workspace / PROGRESS_FILE


FIELDS = ("notebook", "status", "when")


def _clean(entry: Any) -> dict[str, str] | None:
    """One saved verdict with every field a string ("" for anything else); None if unusable.

    The file is plain JSON that a learner can edit, or an older course can have written, so
    each field is checked: `{"notebook": null}` must not break the table later.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
        return None
    return {field: value if isinstance(value := entry.get(field), str) else ""
            for field in FIELDS}


def read_progress(path: Path | None) -> tuple[dict[str, dict[str, str]], str]:
    """The saved verdicts {exercise: {notebook, status, when}}, and a problem, if any.

    Every value returned is a string. Entries that cannot be read are left out (and a field
    of the wrong type read as ""), and the problem says so: they are gone after the next check.
    """
    if path is None or not path.exists():
        return {}, ""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        verdicts = saved["verdicts"]
        if not isinstance(verdicts, dict):
            raise ValueError("unexpected content")
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
        return {}, (f"{path.name} could not be read ({type(error).__name__}); it starts "
                    "again at your next check")
    cleaned = {name: entry for name, raw in verdicts.items()
               if (entry := _clean(raw)) is not None}
    damaged = sum(cleaned.get(name) != raw for name, raw in verdicts.items())
    if not damaged:
        return cleaned, ""
    entries = "1 entry" if damaged == 1 else f"{damaged} entries"
    return cleaned, (f"{path.name}: {entries} could not be read in full (left out or "
                     "shown blank); the file is rewritten at your next check")


def _notebook_of(name: str) -> str:
    """The notebook an exercise belongs to: from the course's notebooks, else this session's."""
    for exercise in hints.exercises():
        if exercise.name == name:
            return exercise.notebook
    return Path(os.environ.get("JPY_SESSION_NAME", "")).name


def record(name: str, status: str, start: Path | None = None) -> None:
    """Remember the latest verdict of exercise `name` (in the workspace file, if any)."""
    entry = {"notebook": _notebook_of(name), "status": status,
             "when": datetime.now().astimezone().isoformat(timespec="seconds")}
    _session[name] = entry
    path = progress_file(start)
    if path is None:
        return
    verdicts, _ = read_progress(path)
    verdicts[name] = entry
    _write(path, (json.dumps({"verdicts": verdicts}, indent=1, ensure_ascii=False) + "\n")
           .encode("utf-8"))


def forget_session() -> None:
    """Forget this kernel's verdicts and ✗ streaks (the unit tests start each test fresh)."""
    _session.clear()
    _wrong_in_a_row.clear()


def nudge(result: Any) -> Any:
    """The result, with a pointer to `hint` on its second ✗ in a row for the same exercise."""
    name = result.name
    _wrong_in_a_row[name] = _wrong_in_a_row.get(name, 0) + 1 if result.status == "wrong" else 0
    if _wrong_in_a_row[name] < 2:
        return result
    return dataclasses.replace(result, message=(
        f'{result.message} Stuck? hint("{name}") gives a hint '
        "(from course_utils import hint)."))


def after_check(result: Any) -> Any:
    """What every check does after its verdict: record it, maybe point to a hint. Never raises."""
    try:
        result = nudge(result)
        record(result.name, result.status)
    except Exception:  # noqa: BLE001 - progress must never break a check
        pass
    return result


@dataclasses.dataclass
class Progress:
    """The progress table: rows of (notebook, exercise, verdict, when), and where it is kept."""

    rows: list[tuple[str, str, str, str]]
    note: str

    def _cells(self) -> list[tuple[str, str, str, str]]:
        return [("notebook", "exercise", "verdict", "when"), *self.rows]

    def __str__(self) -> str:
        cells = self._cells()
        widths = [max(len(row[i]) for row in cells) for i in range(4)]
        lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                 for row in cells]
        return "\n".join([*lines, "", self.note])

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        header, *rows = self._cells()
        lines = ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in rows]
        return "\n".join([*lines, "", self.note])


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def progress(start: Path | None = None) -> Progress:
    """Your latest verdict for every exercise of the course, as a table.

    ✓ passed, ✗ not right yet, … not done yet; an exercise never checked shows "-".
    """
    from .checks.core import SYMBOLS, WORDS  # here: checks.core imports this module at start

    path = progress_file(start)
    verdicts, problem = read_progress(path)
    verdicts = {**verdicts, **_session}
    rows = []
    known = hints.exercises()
    for exercise in known:
        seen = verdicts.get(exercise.name, {})
        status = seen.get("status", "")
        rows.append((exercise.notebook, exercise.name,
                     f"{SYMBOLS.get(status, '-')} {WORDS.get(status, 'not checked yet')}",
                     _when(seen.get("when", ""))))
    for name, seen in verdicts.items():
        if name not in {e.name for e in known}:
            status = seen.get("status", "")
            verdict = f"{SYMBOLS.get(status, '?')} {WORDS.get(status, status)}"
            rows.append((seen.get("notebook", ""), name, verdict, _when(seen.get("when", ""))))
    if path is None:
        note = ("This notebook is not in your workspace, so verdicts are not saved: the table "
                "shows this session's checks only. `make lab` opens your workspace.")
    else:
        note = f"Saved in {path.parent.name}/{path.name} after every check."
    return Progress(rows, f"{problem}. {note}" if problem else note)
