"""Make every exercise an nbgrader assignment: solution cell, locked check, hidden test.

An exercise is a code cell holding `### BEGIN SOLUTION` ... `### END SOLUTION`; the next
code cell is its check, which calls `check_<name>(...)`. This tool gives each exercise the
three cells `nbgrader` needs to grade it, and leaves everything else alone:

1. the solution cell gets nbgrader's metadata (`solution: true`, `grade_id: <name>`); its
   other metadata (the course's hints, for instance) is kept;
2. the check cell becomes a locked read-only cell (`grade_id: <name>_check`): autograding
   puts back the teacher's version, so a student cannot grade their own work by editing it;
3. right after the check, an autograded test cell (`grade: true`, points, locked,
   `grade_id: <name>_test`) whose hidden part asserts that the check passed:

       # Grading: a hidden test here gives relu_backward its points.
       ### BEGIN HIDDEN TESTS
       assert check_relu_backward(relu_backward)
       ### END HIDDEN TESTS

   A check returns a `CheckResult` that is true only when it passed, so the assert fails
   exactly when the exercise did not pass. The student copy drops the hidden part (nbgrader's
   ClearHiddenTests), so a learner sees the check's friendly verdict and never an assert.

Running it again changes nothing (a test cell is found again by its grade_id, and the
points a teacher set in it are kept). Nothing is written when an exercise has no check cell
after it, or when a cell that is not an exercise quotes nbgrader's markers (nbgrader would
read the quote as a region): the tool names the cell and exits with status 1.

Usage:  python -m course_utils.nbgrader_cells notebooks/ [more folders or .ipynb files]
        python -m course_utils.nbgrader_cells --check notebooks/   (change nothing; exit 1
                                                                   if a notebook is not done)
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .release import BEGIN
from .release import BEGIN_HIDDEN as HIDDEN_BEGIN
from .release import END_HIDDEN as HIDDEN_END

# nbgrader finds its markers anywhere in a line, in any kind of cell, without the "###".
MARKER_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SCHEMA_VERSION = 3
DEFAULT_POINTS = 1


class ExerciseShapeError(ValueError):
    """A notebook cannot be made gradable as it is; the message says which cell and why."""


@dataclass
class Exercise:
    """One exercise: its name and the index (in notebook.cells) of its solution and check."""

    name: str
    solution: int
    check: int
    call: str  # the check's call as written in the check cell, e.g. "check_mlp(MLP)"


def nbgrader_metadata(grade_id: str, *, solution: bool = False, grade: bool = False,
                      locked: bool = False, points: float | None = None) -> dict:
    """The `nbgrader` metadata of one cell, in schema version 3."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def check_call(source: str) -> tuple[str, str] | None:
    """(exercise name, call text) of the `check_<name>(...)` statement in a check cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for statement in tree.body:
        value = statement.value if isinstance(statement, ast.Expr) else None
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id.startswith("check_")):
            return value.func.id.removeprefix("check_"), ast.get_source_segment(source, value)
    return None


def test_source(exercise: Exercise) -> str:
    """The source of the autograded test cell after an exercise's check."""
    return "\n".join([
        f"# Grading: a hidden test here gives {exercise.name} its points.",
        HIDDEN_BEGIN,
        f"assert {exercise.call}",
        HIDDEN_END,
    ])


def _first_line(cell: nbformat.NotebookNode) -> str:
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return lines[0].strip()[:60] if lines else ""


def _where(path: str, index: int, cell: nbformat.NotebookNode) -> str:
    return f"{path}: cell {index + 1} ({cell.cell_type}, `{_first_line(cell)}`)"


def _is_test_cell(cell: nbformat.NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and str(meta.get("grade_id", "")).endswith("_test") \
        and HIDDEN_BEGIN in cell.source


def find_exercises(notebook: nbformat.NotebookNode, path: str = "notebook") -> list[Exercise]:
    """Every exercise of `notebook`, in order. Raises ExerciseShapeError naming the cell."""
    exercises: list[Exercise] = []
    cells = notebook.cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        following = next((i for i in range(index + 1, len(cells))
                          if cells[i].cell_type == "code" and not _is_test_cell(cells[i])), None)
        found = check_call(cells[following].source) if following is not None else None
        if found is None:
            raise ExerciseShapeError(
                f"{_where(path, index, cell)}: this exercise is not followed by a check cell "
                "calling check_<name>(...) in the next code cell; add one, then run again")
        name, call = found
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise ExerciseShapeError(f"{_where(path, following, cells[following])}: "
                                     f"'{name}' cannot be an nbgrader grade_id")
        if any(e.name == name for e in exercises):
            raise ExerciseShapeError(f"{_where(path, following, cells[following])}: a second "
                                     f"exercise checked by check_{name}; grade ids must differ")
        exercises.append(Exercise(name, index, following, call))
    return exercises


def _refuse_stray_markers(notebook: nbformat.NotebookNode, exercises: list[Exercise],
                          path: str) -> None:
    solutions = {e.solution for e in exercises}
    for index, cell in enumerate(notebook.cells):
        words = [w for w in MARKER_WORDS if w in cell.source]
        if not words or index in solutions or _is_test_cell(cell):
            continue
        raise ExerciseShapeError(
            f"{_where(path, index, cell)} quotes '{words[0]}': nbgrader would read it as a "
            "region in a cell that is not an exercise. Reword it without the marker")


def make_gradable(notebook: nbformat.NotebookNode,
                  path: str = "notebook") -> tuple[nbformat.NotebookNode, list[Exercise]]:
    """A copy of `notebook` with every exercise shaped for nbgrader; also the exercises.

    Raises ExerciseShapeError (and changes nothing) when the notebook cannot be shaped.
    """
    result = copy.deepcopy(notebook)
    exercises = find_exercises(result, path)
    _refuse_stray_markers(result, exercises, path)
    ids = {cell.get("id") for cell in result.cells}
    new_cells = []
    by_check = {e.check: e for e in exercises}
    by_solution = {e.solution: e for e in exercises}
    pending_tests: dict[str, nbformat.NotebookNode] = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in result.cells if _is_test_cell(cell)}
    for index, cell in enumerate(result.cells):
        if _is_test_cell(cell):
            continue  # put back right after its check below; dropped if its exercise is gone
        if index in by_solution:
            name = by_solution[index].name
            cell.metadata["nbgrader"] = nbgrader_metadata(name, solution=True)
        new_cells.append(cell)
        if index in by_check:
            exercise = by_check[index]
            cell.metadata["nbgrader"] = nbgrader_metadata(f"{exercise.name}_check", locked=True)
            new_cells.append(_test_cell(exercise, pending_tests.get(f"{exercise.name}_test"),
                                        ids))
    result.cells = new_cells
    return result, exercises


def _test_cell(exercise: Exercise, existing: nbformat.NotebookNode | None,
               ids: set) -> nbformat.NotebookNode:
    grade_id = f"{exercise.name}_test"
    points = DEFAULT_POINTS
    if existing is not None:
        points = existing.metadata["nbgrader"].get("points", DEFAULT_POINTS)
        cell = existing
        cell.source = test_source(exercise)
    else:
        cell = nbformat.v4.new_code_cell(test_source(exercise))
        cell_id = grade_id.replace("_", "-")[:64]
        while cell_id in ids:
            cell_id = f"{cell_id[:60]}-{len(ids)}"
        cell["id"] = cell_id
        ids.add(cell_id)
    cell.metadata["nbgrader"] = nbgrader_metadata(grade_id, grade=True, locked=True,
                                                  points=points)
    return cell


def process(paths: list[Path], check_only: bool = False) -> tuple[list[str], list[str]]:
    """Shape every notebook in `paths` (folders: their NN_*.ipynb); write only if all can be.

    Returns (lines to print, errors). Nothing is written when there is an error, or when
    `check_only` is set.
    """
    notebooks: list[Path] = []
    for path in paths:
        notebooks += sorted(path.glob("[0-9][0-9]_*.ipynb")) if path.is_dir() else [path]
    lines, errors, writes = [], [], []
    for path in notebooks:
        before = nbformat.read(path, as_version=4)
        try:
            after, exercises = make_gradable(before, str(path))
        except ExerciseShapeError as error:
            errors.append(str(error))
            continue
        changed = nbformat.writes(after) != nbformat.writes(before)
        if changed:
            writes.append((path, after))
        lines.append(f"{path}: {len(exercises)} exercise{'s' * (len(exercises) != 1)}, "
                     + ("<state>" if changed else "unchanged"))
    write = not errors and not check_only
    lines = [line.replace("<state>", "updated" if write else "would change") for line in lines]
    if write:
        for path, notebook in writes:
            nbformat.write(notebook, path)
    if check_only and writes:
        errors.append(f"{len(writes)} notebook(s) not shaped for nbgrader; run "
                      "`python -m course_utils.nbgrader_cells` on them")
    return lines, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Give every exercise nbgrader's solution, locked check and hidden test.")
    parser.add_argument("paths", type=Path, nargs="+", help="folders of notebooks, or notebooks")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    lines, errors = process(args.paths, args.check)
    print("\n".join(lines))
    for error in errors:
        print(f"nbgrader_cells: {error}", file=sys.stderr)
    if errors and not args.check:
        print("nbgrader_cells: nothing written", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
