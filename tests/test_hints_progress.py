"""hint(), solution() and progress(), on small fixture notebooks; and every course exercise
has a hint (the hygiene test at the end)."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils import hints, verdicts, workspace
from course_utils.checks import check_count_inputs
from course_utils.places import REPO

from notebook_runner import notebook_paths

GRADING = {"grade": False, "grade_id": "count_inputs", "locked": False, "schema_version": 3,
           "solution": True, "task": False}
HINTS = ["Think of a table.", "Rows times columns."]


def fixture_notebook(hints_list=HINTS) -> nbformat.NotebookNode:
    nb = new_notebook()
    exercise = new_code_cell("def count_inputs(n_examples, n_features):\n"
                             "    ### BEGIN SOLUTION\n    return n_examples * n_features\n"
                             "    ### END SOLUTION")
    exercise.metadata.update(nbgrader=GRADING, course={"hints": hints_list})
    nb.cells = [new_markdown_cell("# 00 · Start"), exercise,
                new_code_cell("check_count_inputs(count_inputs)"),
                new_code_cell("check_other_thing(thing)")]
    return nb


@pytest.fixture
def course(tmp_path, monkeypatch):
    """notebooks/ with one exercise, its workspace, and the kernel's folder in the workspace."""
    source = tmp_path / "notebooks"
    source.mkdir()
    nbformat.write(fixture_notebook(), source / "00_start.ipynb")
    ws = tmp_path / "workspace"
    workspace.sync(source, ws)
    monkeypatch.chdir(ws)
    monkeypatch.delenv("COURSE_NOTEBOOKS", raising=False)
    hints._given.clear()
    verdicts._session.clear()
    verdicts._wrong_in_a_row.clear()
    return source, ws


def test_hint_gives_the_next_hint_on_each_call(course, capsys):
    hints.hint("count_inputs")
    first = capsys.readouterr().out
    assert "Hint 1 of 2 for count_inputs" in first and "Think of a table." in first
    hints.hint("count_inputs")
    second = capsys.readouterr().out
    assert "Hint 2 of 2" in second and "Rows times columns." in second
    assert "solution('count_inputs')" in second  # the last one says where to go next
    hints.hint("count_inputs")
    assert "No more hints" in capsys.readouterr().out


def test_hint_takes_the_check_name_or_the_function(course, capsys):
    def count_inputs(n_examples, n_features):
        raise NotImplementedError()

    hints.hint(count_inputs)
    hints.hint("check_count_inputs")
    out = capsys.readouterr().out
    assert "Hint 1 of 2" in out and "Hint 2 of 2" in out


def test_an_unknown_name_gets_a_suggestion(course, capsys):
    hints.hint("count_input")
    assert "did you mean 'count_inputs'" in capsys.readouterr().out


def test_an_exercise_without_hints_says_so(course, capsys):
    source, _ = course
    nbformat.write(fixture_notebook([]), source / "00_start.ipynb")
    hints.hint("count_inputs")
    assert "has no hints yet" in capsys.readouterr().out


def test_solution_is_read_from_the_committed_notebook(course, capsys):
    source, ws = course
    assert "return n_examples" not in (ws / "00_start.ipynb").read_text()
    hints.solution("count_inputs")
    out = capsys.readouterr().out
    assert "    return n_examples * n_features" in out and "00_start.ipynb" in out
    assert "BEGIN SOLUTION" not in out
    # one source: a change to the committed notebook shows at once
    changed = fixture_notebook()
    changed.cells[1].source = changed.cells[1].source.replace("n_examples * n_features",
                                                              "n_features * n_examples")
    nbformat.write(changed, source / "00_start.ipynb")
    hints.solution("count_inputs")
    assert "n_features * n_examples" in capsys.readouterr().out


def test_a_check_call_without_solution_cell_has_no_solution_to_show(course, capsys):
    hints.solution("other_thing")
    assert "no solution cell" in capsys.readouterr().out


def test_without_the_course_folder_hint_says_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("course_utils.places.REPO", tmp_path)
    hints.hint("count_inputs")
    assert "notebooks/ folder was not found" in capsys.readouterr().out


def test_every_check_records_its_verdict_in_the_workspace(course):
    _, ws = course
    check_count_inputs(lambda n, d: n * d)
    saved = json.loads((ws / verdicts.PROGRESS_FILE).read_text())["verdicts"]
    assert saved["count_inputs"]["status"] == "passed"
    assert saved["count_inputs"]["notebook"] == "00_start.ipynb"
    table = verdicts.progress()
    assert ("00_start.ipynb", "count_inputs") == table.rows[0][:2]
    assert table.rows[0][2] == "✓ passed" and table.rows[0][3]
    assert "| 00_start.ipynb | count_inputs | ✓ passed |" in table._repr_markdown_()
    assert "workspace/.course-progress.json" in str(table)


def test_the_latest_verdict_wins_and_survives_a_new_kernel(course):
    check_count_inputs(lambda n, d: n * d)
    check_count_inputs(lambda n, d: n + d)
    verdicts._session.clear()  # a restarted kernel remembers nothing itself
    assert verdicts.progress().rows[0][2] == "✗ not right yet"


@pytest.mark.parametrize("content", ["{ not json", '{"verdicts": [1, 2]}', "", '"text"'])
def test_a_corrupt_progress_file_never_breaks_a_check(course, content, capsys):
    _, ws = course
    (ws / verdicts.PROGRESS_FILE).write_text(content)
    assert verdicts.progress().note.startswith(".course-progress.json could not be read")
    result = check_count_inputs(lambda n, d: n * d)
    assert result and capsys.readouterr().out.startswith("✓ passed")
    saved = json.loads((ws / verdicts.PROGRESS_FILE).read_text())["verdicts"]
    assert saved["count_inputs"]["status"] == "passed"


@pytest.mark.parametrize("entry", [
    {"notebook": None, "status": "passed", "when": "2026-11-29T10:00:00+00:00"},
    {"notebook": ["00_start.ipynb"], "status": "wrong", "when": 1732874400},
    {"notebook": "00_start.ipynb", "status": None, "when": None},
    {"notebook": {"a": 1}, "status": 3, "when": []},
    {"status": "passed"},
    {"notebook": "00_start.ipynb", "status": "no such status", "when": "yesterday"},
    None, "passed", 7, ["00_start.ipynb", "passed"],
])
@pytest.mark.parametrize("name", ["count_inputs", "an_old_exercise"])
def test_a_progress_file_with_fields_of_the_wrong_type_never_breaks_anything(
        course, name, entry, capsys):
    """Valid JSON, wrong content in one entry (a hand edit, another version of the course)."""
    _, ws = course
    (ws / verdicts.PROGRESS_FILE).write_text(json.dumps({"verdicts": {name: entry}}))
    table = verdicts.progress()
    shown = str(table) + table._repr_markdown_()  # how a notebook displays it
    assert all(isinstance(value, str) for row in table.rows for value in row)
    assert "count_inputs" in shown
    result = check_count_inputs(lambda n, d: n * d)
    assert result and capsys.readouterr().out.startswith("✓ passed")
    saved = json.loads((ws / verdicts.PROGRESS_FILE).read_text())["verdicts"]
    assert saved["count_inputs"]["status"] == "passed"
    assert all(isinstance(v, str) for entry in saved.values() for v in entry.values())
    assert verdicts.progress().rows[0][2] == "✓ passed"


def test_a_progress_entry_that_is_partly_damaged_keeps_what_can_be_read(course):
    _, ws = course
    (ws / verdicts.PROGRESS_FILE).write_text(json.dumps({"verdicts": {
        "count_inputs": {"notebook": None, "status": "wrong", "when": 5}}}))
    table = verdicts.progress()
    assert table.rows[0] == ("00_start.ipynb", "count_inputs", "✗ not right yet", "")
    assert table.note.startswith(".course-progress.json: 1 entry could not be read in full")


def test_a_deeply_nested_progress_file_is_read_as_empty(course):
    _, ws = course
    (ws / verdicts.PROGRESS_FILE).write_text("[" * 100_000 + "]" * 100_000)
    assert verdicts.progress().note.startswith(".course-progress.json could not be read")
    assert check_count_inputs(lambda n, d: n * d)


def test_an_unwritable_progress_file_never_breaks_a_check(course, capsys):
    _, ws = course
    (ws / verdicts.PROGRESS_FILE).mkdir()  # a folder where the file should be
    assert check_count_inputs(lambda n, d: n * d)
    assert capsys.readouterr().out.startswith("✓ passed")


def test_outside_a_workspace_nothing_is_written(tmp_path, monkeypatch):
    """The committed notebooks and the test runner's copies: verdicts stay in the kernel."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(fixture_notebook(), folder / "00_start.ipynb")
    monkeypatch.chdir(folder)
    verdicts._session.clear()
    check_count_inputs(lambda n, d: n * d)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["00_start.ipynb", "notebooks"]
    table = verdicts.progress()
    assert table.rows[0][2] == "✓ passed" and "not in your workspace" in table.note


def test_the_second_wrong_answer_in_a_row_points_to_hint(course, capsys):
    wrong = lambda n, d: n + d  # noqa: E731
    first = check_count_inputs(wrong)
    assert "hint(" not in first.message
    second = check_count_inputs(wrong)
    line = capsys.readouterr().out.splitlines()[-1]
    assert 'hint("count_inputs")' in second.message and 'hint("count_inputs")' in line
    assert line.startswith("✗ not right yet") and "\n" not in second.message


def test_a_pass_in_between_resets_the_count(course):
    wrong = lambda n, d: n + d  # noqa: E731
    check_count_inputs(wrong)
    check_count_inputs(lambda n, d: n * d)
    assert "hint(" not in check_count_inputs(wrong).message


def test_the_committed_notebooks_leave_no_progress_file(monkeypatch):
    monkeypatch.chdir(REPO / "notebooks")
    check_count_inputs(lambda n, d: n * d)
    assert not (REPO / "notebooks" / verdicts.PROGRESS_FILE).exists()
    assert verdicts.progress_file() is None


# --- hygiene: every exercise of the course has a hint --------------------------------------
# Exercises are written by the content branches; until they are merged, notebooks without
# the metadata fail here.

@pytest.mark.parametrize("path", notebook_paths(), ids=[p.stem for p in notebook_paths()])
def test_every_exercise_has_a_name_and_at_least_one_hint(path):
    notebook = nbformat.read(path, as_version=4)
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or "BEGIN SOLUTION" not in cell.source:
            continue
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        found = cell.metadata.get("course", {}).get("hints")
        if not name:
            problems.append(f"cell {number}: no nbgrader grade_id (the name hint() looks up)")
        if not (isinstance(found, list) and found and
                all(isinstance(h, str) and h.strip() for h in found)):
            problems.append(f"cell {number} ({name}): no hints in metadata course.hints")
    assert not problems, f"{path.name}: " + "; ".join(problems)
