"""The exercise rules of BRIEF/DESIGN for notebooks 00-04 (issue 17), checked on the files.

- every solution cell carries nbgrader's metadata, its grade_id is the name its check uses
  (`check_<grade_id>(<grade_id>)` in the next code cell), and at least one hint;
- hints live in the metadata, not as "*Hint:*" prose;
- each of 01-04 has a derive, a debug and a predict exercise; a debug exercise's planted
  bug is a `given_<name>` function defined in an earlier cell;
- the answer never appears before its exercise, in notebooks 00-09: none of its FORBIDDEN
  fragments (tests/exercise_answers.py) in what the learner saw before it, earlier notebooks
  included (cell sources, figure alt texts, text drawn in the network figure), and no line
  of a solution (for a debug exercise, no line of the fix) in an earlier cell.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.release import BEGIN, END

from exercise_answers import (
    FORBIDDEN,
    KNOWN_GAPS,
    WRITE_FROM_SCRATCH,
    giveaways,
    shown_text,
)
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


def course_notebooks(folder=None):
    """(name, notebook) for 00-09 in course order, from `folder` (default: notebooks/).

    COURSE_RULE_NOTEBOOKS=/path/to/notebooks runs the rule on another copy of the course,
    e.g. main's, to show that it catches what it should.
    """
    folder = Path(folder or os.environ.get("COURSE_RULE_NOTEBOOKS") or NOTEBOOKS)
    return [(path.stem, nbformat.read(path, as_version=4))
            for path in sorted(folder.glob("[0-9][0-9]_*.ipynb"))]


COURSE = course_notebooks()
COURSE_NAMES = [name for name, _ in COURSE]
# Lines a solution shares with the notebook's teaching, not its answer: boilerplate every
# module writes, and a switch notebook 09 explains just before asking to combine it.
NOT_ANSWER_LINES = ("super().__init__()", "model.eval()")


@functools.cache
def _shown(name, index):
    """(where, what a learner saw of cell `index` of notebook `name`), computed once."""
    cell = dict(COURSE)[name].cells[index]
    first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
    return f"{name}, cell `{first}`", shown_text(cell)


def test_every_exercise_of_the_course_lists_the_fragments_that_would_give_it_away():
    names = {grade_id for _, nb in COURSE for _, _, grade_id in exercises(nb)}
    assert set(WRITE_FROM_SCRATCH) | set(KNOWN_GAPS) <= names
    assert names == set(FORBIDDEN), (
        f"exercises without FORBIDDEN fragments: {sorted(names - set(FORBIDDEN))}; "
        f"FORBIDDEN entries without an exercise: {sorted(set(FORBIDDEN) - names)}")


def answer_problems(name):
    """{exercise: [where its answer appears before it]} for notebook `name`: a FORBIDDEN
    fragment in what a learner saw before it, the earlier notebooks included (cell sources,
    figure alt texts, text drawn in the network figures: tests/exercise_answers.py), or a line
    of its solution (for a debug exercise, of the fix) in an earlier cell of the notebook."""
    position = COURSE_NAMES.index(name)
    before = [(earlier, i) for earlier, nb in COURSE[:position] for i in range(len(nb.cells))]
    nb = COURSE[position][1]
    problems = {}
    for index, cell, grade_id in exercises(nb):
        fragments = FORBIDDEN.get(grade_id, ())
        if _given([c.source for c in nb.cells[:index]], grade_id) is None:
            fragments += WRITE_FROM_SCRATCH.get(grade_id, ())
        found = []
        for where, text in (_shown(*key) for key in before + [(name, i) for i in range(index)]):
            found += [f"{fragment!r} in {where}" for fragment in giveaways(fragments, text)]
        found += _solution_lines_before(nb, index, cell, grade_id)
        if found:
            problems[grade_id] = found
    return problems


@pytest.mark.parametrize("name", COURSE_NAMES)
def test_the_answer_never_appears_before_its_exercise(name):
    problems = answer_problems(name)
    known = {grade_id for grade_id in problems if grade_id in KNOWN_GAPS}
    unknown = {grade_id: where for grade_id, where in problems.items() if grade_id not in known}
    assert not unknown, "the answer appears before its exercise:\n" + "\n".join(
        f"{grade_id}: {where}" for grade_id, found in unknown.items() for where in found)
    in_notebook = {grade_id for _, _, grade_id in exercises(COURSE[COURSE_NAMES.index(name)][1])}
    fixed = (set(KNOWN_GAPS) & in_notebook) - known
    assert not fixed, f"{sorted(fixed)} no longer give their answer away: drop them from KNOWN_GAPS"


def _given(earlier, grade_id):
    """The cell with a debug exercise's planted bug: given_<name>, <name>_with_a_bug,
    Given<Name>, or a markdown copy `def <name>(`; None for another kind of exercise."""
    camel = "".join(part.title() for part in grade_id.split("_"))
    marks = (f"def given_{grade_id}(", f"def {grade_id}_with_a_bug(", f"class Given{camel}(",
             f"def {grade_id}(")
    return next((source for source in reversed(earlier) if any(m in source for m in marks)), None)


def _solution_lines_before(nb, index, cell, grade_id):
    earlier = [c.source for c in nb.cells[:index]]
    lines = solution_lines(cell.source)
    given = _given(earlier, grade_id)
    if given is not None:
        given_lines = [line for line in (g.split("#")[0].strip() for g in given.splitlines())
                       if line and not line.startswith(("def ", "class ", '"""', "```"))]
        if [line for line in given_lines if line in lines] == lines and \
                len(given_lines) == len(lines):
            return ["the solution is the given function unchanged"]
        lines = [line for line in lines if line not in given_lines]  # the new lines of the fix
    return [f"the solution line `{line}` in an earlier cell"
            for line in lines if len(line) >= 12 and line not in NOT_ANSWER_LINES
            and not line.startswith(("return layer", "with torch.no_grad()"))
            and any(line in source for source in earlier)]
