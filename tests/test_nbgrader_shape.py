"""Every exercise is shaped for nbgrader, in every notebook (new ones too, with no code change).

An exercise is a solution cell (nbgrader metadata, `### BEGIN SOLUTION` region), then its
locked check cell, then an autograded test cell whose hidden test asserts the check passed.
`python -m course_utils.nbgrader_cells notebooks/` produces that shape; these tests keep it,
and test the tool itself on small planted notebooks.
"""

from __future__ import annotations

import importlib.util
import json

import nbformat
import pytest

from course_utils.nbgrader_cells import (
    DEFAULT_POINTS,
    HIDDEN_BEGIN,
    HIDDEN_END,
    MARKER_WORDS,
    ExerciseShapeError,
    find_exercises,
    main,
    make_gradable,
)
from course_utils.release import BEGIN, student_notebook

from notebook_runner import REPO, notebook_paths

PATHS = notebook_paths()
IDS = [p.stem for p in PATHS]
FIX = "run `python -m course_utils.nbgrader_cells notebooks/`"


def load(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_the_notebook_is_already_shaped_for_nbgrader(path):
    notebook = load(path)
    shaped, _ = make_gradable(notebook, path.name)
    assert nbformat.writes(shaped) == nbformat.writes(notebook), (
        f"{path.name}: an exercise lacks nbgrader's cells or metadata; {FIX}")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_exercise_is_solution_locked_check_and_hidden_test(path):
    cells = load(path).cells
    for exercise in find_exercises(load(path), path.name):
        solution, check = cells[exercise.solution], cells[exercise.check]
        test = cells[exercise.check + 1]
        assert solution.metadata["nbgrader"] == {
            "grade": False, "grade_id": exercise.name, "locked": False,
            "schema_version": 3, "solution": True, "task": False}, path.name
        assert check.metadata["nbgrader"]["locked"] and not check.metadata["nbgrader"]["grade"]
        meta = test.metadata["nbgrader"]
        assert meta["grade"] and meta["locked"] and meta["points"] > 0, (path.name, meta)
        assert meta["grade_id"] == f"{exercise.name}_test"
        hidden = test.source.split(HIDDEN_BEGIN, 1)[1].split(HIDDEN_END, 1)[0]
        assert f"assert check_{exercise.name}(" in hidden, (
            f"{path.name}: the hidden test of {exercise.name} must assert its check; {FIX}")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_grade_ids_are_unique(path):
    ids = [c.metadata["nbgrader"]["grade_id"] for c in load(path).cells
           if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate grade ids {sorted(ids)}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_markers_appear_only_where_nbgrader_expects_them(path):
    """nbgrader reads its markers anywhere in a line of any cell: prose must not quote them."""
    for cell in load(path).cells:
        meta = cell.metadata.get("nbgrader", {})
        for word in MARKER_WORDS:
            if word not in cell.source:
                continue
            allowed = meta.get("solution") if "SOLUTION" in word else meta.get("grade")
            assert cell.cell_type == "code" and allowed, (
                f"{path.name}: a {cell.cell_type} cell quotes '{word}', which nbgrader would "
                f"read as a region: {cell.source[:70]!r}. Reword it without the marker")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_the_student_copy_shows_no_hidden_test(path):
    student, _ = student_notebook(load(path))
    for cell in student.cells:
        assert "HIDDEN TESTS" not in cell.source and "assert check_" not in cell.source


# The tool itself, on small planted notebooks.

def planted(*sources: str, markdown: str = "Intro.") -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(markdown)]
    notebook.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    return notebook


EXERCISE = f"def double(x):\n    {BEGIN}\n    return 2 * x\n    ### END SOLUTION"
CHECK = "from course_utils import check_double\n\ncheck_double(double)"


def test_the_tool_adds_the_three_cells_and_keeps_other_metadata():
    notebook = planted(EXERCISE, CHECK, "print('after')")
    notebook.cells[1].metadata["course"] = {"hints": ["multiply"]}
    shaped, exercises = make_gradable(notebook)
    assert [e.name for e in exercises] == ["double"]
    assert shaped.cells[1].metadata["course"] == {"hints": ["multiply"]}
    assert shaped.cells[1].metadata["nbgrader"]["solution"] is True
    assert shaped.cells[2].metadata["nbgrader"]["grade_id"] == "double_check"
    test = shaped.cells[3]
    assert test.metadata["nbgrader"]["points"] == DEFAULT_POINTS
    assert "assert check_double(double)" in test.source
    assert shaped.cells[4].source == "print('after')"
    nbformat.validate(shaped)


def test_running_the_tool_twice_changes_nothing_and_keeps_the_teachers_points():
    once, _ = make_gradable(planted(EXERCISE, CHECK))
    once.cells[3].metadata["nbgrader"]["points"] = 3
    twice, _ = make_gradable(once)
    assert nbformat.writes(twice) == nbformat.writes(once)
    assert twice.cells[3].metadata["nbgrader"]["points"] == 3


def test_the_test_cell_follows_its_check_when_the_exercise_moves():
    shaped, _ = make_gradable(planted(EXERCISE, CHECK))
    shaped.cells.insert(1, nbformat.v4.new_code_cell("x = 1"))
    shaped.cells[1]["id"] = "new-cell"
    test = shaped.cells.pop(4)
    shaped.cells.insert(1, test)  # the test cell left behind before the exercise
    again, _ = make_gradable(shaped)
    assert [c.source.splitlines()[0] for c in again.cells[1:]] == [
        "x = 1", "def double(x):", "from course_utils import check_double",
        "# Grading: a hidden test here gives double its points."]


def test_a_test_cell_moved_between_exercise_and_check_goes_back_after_the_check():
    shaped, _ = make_gradable(planted(EXERCISE, CHECK))
    shaped.cells.insert(2, shaped.cells.pop(3))
    again, _ = make_gradable(shaped)
    assert [c.metadata["nbgrader"]["grade_id"] for c in again.cells[1:]] == [
        "double", "double_check", "double_test"]


def test_a_test_cell_whose_exercise_is_gone_is_removed():
    shaped, _ = make_gradable(planted(EXERCISE, CHECK))
    del shaped.cells[1:3]
    again, exercises = make_gradable(shaped)
    assert exercises == [] and len(again.cells) == 1


def test_an_exercise_without_a_check_is_refused_by_name():
    with pytest.raises(ExerciseShapeError, match=r"cell 2 .*def double.*not followed by a check"):
        make_gradable(planted(EXERCISE, "print(double(2))"))


def test_markdown_quoting_a_marker_is_refused():
    notebook = planted(EXERCISE, CHECK, markdown="Write between `### BEGIN SOLUTION` and ...")
    with pytest.raises(ExerciseShapeError, match="quotes 'BEGIN SOLUTION'"):
        make_gradable(notebook)


def test_the_command_writes_nothing_when_one_notebook_is_refused(tmp_path, capsys):
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    nbformat.write(planted(EXERCISE, CHECK), good)
    nbformat.write(planted(EXERCISE), bad)
    before = good.read_text()
    assert main([str(tmp_path)]) == 1
    assert good.read_text() == before
    assert "02_bad.ipynb: cell 2" in capsys.readouterr().err
    bad.unlink()
    assert main([str(tmp_path)]) == 0 and good.read_text() != before
    assert main(["--check", str(tmp_path)]) == 0


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_the_site_leaves_out_the_hidden_test_cells(path):
    spec = importlib.util.spec_from_file_location("sitebuild", REPO / "site" / "sitebuild.py")
    sitebuild = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sitebuild)
    notebook = sitebuild.site_notebook(json.loads(path.read_text()))
    for cell in notebook["cells"]:
        if HIDDEN_BEGIN in "".join(cell["source"]):
            assert "remove-cell" in cell["metadata"]["tags"], path.name
