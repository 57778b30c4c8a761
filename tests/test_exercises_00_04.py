"""The exercise rules of BRIEF/DESIGN for notebooks 00-04 (issue 17), checked on the files.

- every solution cell carries nbgrader's metadata, its grade_id is the name its check uses
  (`check_<grade_id>(<grade_id>)` in the next code cell), and at least one hint;
- hints live in the metadata, not as "*Hint:*" prose;
- each of 01-04 has a derive, a debug and a predict exercise; a debug exercise's planted
  bug is a `given_<name>` function defined in an earlier cell;
- the answer never appears before its exercise: no line of a solution (for a debug exercise,
  no line of the fix) occurs in an earlier cell.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from course_utils.release import BEGIN, END

from notebook_runner import NOTEBOOKS

NAMES = ["00_start_here", "01_numpy_network", "02_tensors", "03_autograd", "04_linear_layer"]
NBGRADER = {"grade": False, "locked": False, "schema_version": 3, "solution": True,
            "task": False}


def load(name):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def solution_lines(source: str) -> list[str]:
    inside, lines = False, []
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif inside:
            lines.append(line.split("#")[0].strip())
    return [line for line in lines if line]


def exercises(nb):
    """(index, solution cell, exercise name) for every solution cell."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            yield index, cell, cell.metadata.get("nbgrader", {}).get("grade_id")


@pytest.mark.parametrize("name", NAMES)
def test_solution_cells_carry_nbgrader_metadata_and_hints(name):
    nb = load(name)
    found = list(exercises(nb))
    assert found, f"{name}: no exercise"
    for index, cell, grade_id in found:
        assert grade_id, f"{name} cell {index}: no nbgrader grade_id"
        assert {k: v for k, v in cell.metadata["nbgrader"].items() if k != "grade_id"} == NBGRADER
        assert re.search(rf"^def {grade_id}\(", cell.source, re.M), (
            f"{name}: the solution cell of {grade_id} does not define {grade_id}")
        following = next(c for c in nb.cells[index + 1:] if c.cell_type == "code")
        assert f"check_{grade_id}({grade_id})" in following.source, (
            f"{name}: {grade_id} is not followed by check_{grade_id}({grade_id})")
        hints = cell.metadata.get("course", {}).get("hints")
        assert hints and all(isinstance(h, str) and h.strip() for h in hints), (
            f"{name}: {grade_id} has no hints in metadata course.hints")


@pytest.mark.parametrize("name", NAMES[1:])  # 00's inline hint sits in the cell issue 16 rewrites
def test_no_inline_hint_prose(name):
    for cell in load(name).cells:
        if cell.cell_type == "markdown":
            assert "*Hint:*" not in cell.source, f"{name}: move the hint into course.hints"


@pytest.mark.parametrize("name", NAMES[1:])
def test_each_notebook_has_a_derive_a_debug_and_a_predict_exercise(name):
    nb = load(name)
    kinds = {cell.metadata["course"].get("kind") for _, cell, _ in exercises(nb)}
    assert {"derive", "debug", "predict"} <= kinds, f"{name}: kinds {kinds}"
    for index, cell, grade_id in exercises(nb):
        if cell.metadata["course"].get("kind") == "debug":
            earlier = "\n".join(c.source for c in nb.cells[:index])
            assert f"def given_{grade_id}(" in earlier, (
                f"{name}: debug exercise {grade_id} has no given_{grade_id} before it")


@pytest.mark.parametrize("name", NAMES)
def test_the_answer_never_appears_before_its_exercise(name):
    nb = load(name)
    for index, cell, grade_id in exercises(nb):
        earlier = [c.source for c in nb.cells[:index]]
        lines = solution_lines(cell.source)
        if cell.metadata["course"].get("kind") == "debug":
            given = next(s for s in earlier if f"def given_{grade_id}(" in s)
            planted = {line.split("#")[0].strip() for line in given.splitlines()}
            fixed = [line for line in lines if line not in planted]
            given_order = [line for line in (g.split("#")[0].strip()
                                             for g in given.splitlines()) if line in lines]
            assert fixed or given_order != lines, (
                f"{name}: {grade_id}'s solution is the given function unchanged")
            lines = fixed  # a fix by reordering lines has no new line to look for
        for line in lines:
            if len(line) < 12 or line.startswith(("return layer", "with torch.no_grad()")):
                continue
            for source in earlier:
                assert line not in source, (
                    f"{name}: the answer line `{line}` of {grade_id} appears before it")
