"""The workspace sync: every case of `course_utils.workspace`, on small fixture notebooks."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils import release, workspace
from course_utils.places import RECORD

# an nbgrader solution cell, as every exercise cell of the course is (release refuses others)
SOLUTION_CELL = {"grade": False, "grade_id": "f", "locked": False, "schema_version": 3,
                 "solution": True, "task": False}


def exercise_notebook(title: str, answer: str = "return a * b") -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nb.cells = [new_markdown_cell(f"# {title}"),
                new_code_cell(f"def f(a, b):\n    ### BEGIN SOLUTION\n    {answer}\n"
                              "    ### END SOLUTION", metadata={"nbgrader": SOLUTION_CELL}),
                new_code_cell("check_f(f)")]
    return nb


@pytest.fixture
def course(tmp_path):
    """A course folder with two notebooks, and an empty place for the workspace."""
    source = tmp_path / "notebooks"
    source.mkdir()
    nbformat.write(exercise_notebook("00 · Start"), source / "00_start.ipynb")
    nbformat.write(exercise_notebook("01 · Next"), source / "01_next.ipynb")
    return source, tmp_path / "workspace"


def verbs(actions) -> dict[str, str]:
    return {a.name: a.what for a in actions}


def edit(path, text="# my own note"):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell(text))
    nbformat.write(nb, path)


def change_course(source, name="01_next.ipynb", answer="return b * a"):
    nbformat.write(exercise_notebook("01 · Next, improved", answer), source / name)


def test_first_run_adds_the_student_copy_of_every_notebook(course):
    source, ws = course
    assert verbs(workspace.sync(source, ws)) == {"00_start.ipynb": "added",
                                                 "01_next.ipynb": "added"}
    text = (ws / "00_start.ipynb").read_text()
    assert "return a * b" not in text and "raise NotImplementedError()" in text
    assert json.loads((ws / RECORD).read_text())["source"] == "../notebooks"


def test_the_copy_is_exactly_what_release_writes(course, tmp_path):
    source, ws = course
    workspace.sync(source, ws)
    release.write_student_copies(source, tmp_path / "released")
    for name in ("00_start.ipynb", "01_next.ipynb"):
        assert (ws / name).read_bytes() == (tmp_path / "released" / name).read_bytes()


def test_second_run_changes_nothing(course):
    source, ws = course
    workspace.sync(source, ws)
    before = {p.name: p.stat().st_mtime_ns for p in ws.glob("*.ipynb")}
    assert set(verbs(workspace.sync(source, ws)).values()) == {"up to date"}
    assert {p.name: p.stat().st_mtime_ns for p in ws.glob("*.ipynb")} == before


def test_a_new_notebook_of_the_course_is_added(course):
    source, ws = course
    workspace.sync(source, ws)
    nbformat.write(exercise_notebook("02 · New"), source / "02_new.ipynb")
    assert verbs(workspace.sync(source, ws))["02_new.ipynb"] == "added"
    assert (ws / "02_new.ipynb").exists()


def test_an_unchanged_copy_is_replaced_by_the_courses_new_version(course):
    source, ws = course
    workspace.sync(source, ws)
    change_course(source)
    assert verbs(workspace.sync(source, ws))["01_next.ipynb"] == "replaced"
    assert "improved" in (ws / "01_next.ipynb").read_text()
    assert not (ws / "01_next.updated.ipynb").exists()


def test_a_changed_copy_is_kept_when_the_course_did_not_move(course):
    source, ws = course
    workspace.sync(source, ws)
    edit(ws / "01_next.ipynb")
    mine = (ws / "01_next.ipynb").read_bytes()
    assert verbs(workspace.sync(source, ws))["01_next.ipynb"] == "edited by you"
    assert (ws / "01_next.ipynb").read_bytes() == mine
    assert not (ws / "01_next.updated.ipynb").exists()


def test_a_changed_copy_is_never_overwritten_the_new_version_goes_beside_it(course):
    source, ws = course
    workspace.sync(source, ws)
    edit(ws / "01_next.ipynb")
    mine = (ws / "01_next.ipynb").read_bytes()
    change_course(source)
    action = next(a for a in workspace.sync(source, ws) if a.name == "01_next.ipynb")
    assert action.what == "kept" and "01_next.updated.ipynb" in str(action)
    assert (ws / "01_next.ipynb").read_bytes() == mine
    beside = (ws / "01_next.updated.ipynb").read_text()
    assert "improved" in beside and "return b * a" not in beside  # a student copy too
    # again: still kept, the file beside it left as it is
    stamp = (ws / "01_next.updated.ipynb").stat().st_mtime_ns
    assert verbs(workspace.sync(source, ws))["01_next.ipynb"] == "kept"
    assert (ws / "01_next.ipynb").read_bytes() == mine
    assert (ws / "01_next.updated.ipynb").stat().st_mtime_ns == stamp


def test_an_updated_copy_the_learner_edited_is_not_overwritten_either(course):
    source, ws = course
    workspace.sync(source, ws)
    edit(ws / "01_next.ipynb")
    change_course(source)
    workspace.sync(source, ws)
    edit(ws / "01_next.updated.ipynb", "# working in the new version")
    theirs = (ws / "01_next.updated.ipynb").read_bytes()
    change_course(source, answer="return (a * b)")
    action = next(a for a in workspace.sync(source, ws) if a.name == "01_next.ipynb")
    assert action.what == "kept" and "has your edits too" in action.detail
    assert (ws / "01_next.updated.ipynb").read_bytes() == theirs


def test_a_deleted_notebook_is_not_restored_unless_asked(course):
    source, ws = course
    workspace.sync(source, ws)
    (ws / "00_start.ipynb").unlink()
    action = next(a for a in workspace.sync(source, ws) if a.name == "00_start.ipynb")
    assert action.what == "not restored" and "make lab RESTORE=00_start" in action.detail
    assert not (ws / "00_start.ipynb").exists()
    assert verbs(workspace.sync(source, ws, restore=["00"]))["00_start.ipynb"] == "restored"
    assert "raise NotImplementedError()" in (ws / "00_start.ipynb").read_text()


def test_restore_keeps_the_learners_changed_copy_as_a_backup(course):
    source, ws = course
    workspace.sync(source, ws)
    edit(ws / "01_next.ipynb")
    mine = (ws / "01_next.ipynb").read_bytes()
    action = workspace.sync(source, ws, restore=["01_next.ipynb"])[1]
    assert action.what == "restored" and "01_next.backup-" in action.detail
    backups = list(ws.glob("01_next.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == mine
    assert "# my own note" not in (ws / "01_next.ipynb").read_text()


def test_restore_of_an_unknown_name_is_refused(course, capsys):
    source, ws = course
    with pytest.raises(ValueError, match="no notebook called 05"):
        workspace.sync(source, ws, restore=["05"])
    code = workspace.main(["--source", str(source), "--workspace", str(ws), "--restore", "05"])
    assert code == 2 and "00_start, 01_next" in capsys.readouterr().err


def test_a_lost_record_never_costs_the_learner_their_work(course):
    source, ws = course
    workspace.sync(source, ws)
    edit(ws / "01_next.ipynb")
    mine = (ws / "01_next.ipynb").read_bytes()
    (ws / RECORD).write_text("{ not json")
    result = verbs(workspace.sync(source, ws))
    assert result["00_start.ipynb"] == "up to date"  # identical to the course's copy
    assert result["01_next.ipynb"] == "kept"  # unknown origin: treated as the learner's
    assert (ws / "01_next.ipynb").read_bytes() == mine


def test_a_notebook_release_refuses_is_reported_and_the_others_still_copied(course, capsys):
    source, ws = course
    broken = exercise_notebook("02 · Broken")
    broken.cells[1].source = "### BEGIN SOLUTION\nx = 1"  # never closed
    nbformat.write(broken, source / "02_broken.ipynb")
    code = workspace.main(["--source", str(source), "--workspace", str(ws)])
    out = capsys.readouterr().out
    assert code == 1 and "not copied" in out and "02_broken.ipynb" in out
    assert (ws / "00_start.ipynb").exists() and not (ws / "02_broken.ipynb").exists()


def test_a_notebook_dropped_from_the_course_stays_in_the_workspace(course):
    source, ws = course
    workspace.sync(source, ws)
    (source / "01_next.ipynb").unlink()
    assert verbs(workspace.sync(source, ws))["01_next.ipynb"] == "kept"
    assert (ws / "01_next.ipynb").exists()


def test_main_says_what_it_did(course, capsys):
    source, ws = course
    assert workspace.main(["--source", str(source), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert f"Your workspace: {ws}" in out and "added         00_start.ipynb" in out
    assert out.rstrip().endswith("2 notebooks: 2 added")
    workspace.main(["--source", str(source), "--workspace", str(ws)])
    assert capsys.readouterr().out.rstrip().endswith("2 notebooks: 2 up to date")


def run_it(path):
    """What running a notebook in JupyterLab does to the file: outputs, counts, metadata."""
    nb = nbformat.read(path, as_version=4)
    for count, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        cell.outputs = [nbformat.v4.new_output("stream", text="… not done yet: f\n")]
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-29T13:40:00Z"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)


def test_running_a_notebook_is_not_editing_it(course):
    source, ws = course
    workspace.sync(source, ws)
    run_it(ws / "01_next.ipynb")
    ran = (ws / "01_next.ipynb").read_bytes()
    assert verbs(workspace.sync(source, ws))["01_next.ipynb"] == "up to date"
    assert (ws / "01_next.ipynb").read_bytes() == ran  # outputs kept while nothing moved
    change_course(source)
    assert verbs(workspace.sync(source, ws))["01_next.ipynb"] == "replaced"
    assert "improved" in (ws / "01_next.ipynb").read_text()


def test_restore_through_the_command_line(course):
    """`python -m course_utils.workspace --restore NAME`, as `make lab RESTORE=...` runs it."""
    source, ws = course
    workspace.sync(source, ws)
    (ws / "00_start.ipynb").unlink()
    edit(ws / "01_next.ipynb")
    mine = (ws / "01_next.ipynb").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "course_utils.workspace", "--source", str(source),
         "--workspace", str(ws), "--restore", "00", "--restore", "01_next"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored      00_start.ipynb" in done.stdout, done.stdout
    assert "restored      01_next.ipynb" in done.stdout, done.stdout
    assert done.stdout.rstrip().endswith("2 notebooks: 2 restored")
    assert (ws / "00_start.ipynb").read_bytes() == workspace.student_bytes(
        source / "00_start.ipynb")
    backups = list(ws.glob("01_next.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == mine
    assert "# my own note" not in (ws / "01_next.ipynb").read_text()


# ---- symbolic links: never written through, each refusal one line ---------------------------

@pytest.mark.parametrize("dangling", [True, False])
def test_a_workspace_that_is_a_symbolic_link_is_refused(course, capsys, dangling):
    source, ws = course
    elsewhere = ws.parent / "elsewhere"
    if not dangling:
        elsewhere.mkdir()
    ws.symlink_to(elsewhere, target_is_directory=True)
    assert workspace.main(["--source", str(source), "--workspace", str(ws)]) == 2
    said = capsys.readouterr()
    state = "a dangling symbolic link" if dangling else "a symbolic link"
    assert said.out == "" and said.err.count("\n") == 1 and "Traceback" not in said.err
    assert f"{ws} is {state} (to {elsewhere})" in said.err, said.err
    assert f"--workspace {elsewhere}" in said.err, said.err
    assert ws.is_symlink() and elsewhere.exists() == (not dangling)
    if not dangling:
        assert list(elsewhere.iterdir()) == []  # nothing written through the link


@pytest.mark.parametrize("dangling", [True, False])
def test_a_notebook_that_is_a_symbolic_link_is_left_alone(course, capsys, dangling):
    source, ws = course
    workspace.sync(source, ws)
    mine = ws.parent / "my_copy.ipynb"
    if not dangling:
        mine.write_text("my own notebook")
    (ws / "01_next.ipynb").unlink()
    (ws / "01_next.ipynb").symlink_to(mine)
    change_course(source)
    assert workspace.main(["--source", str(source), "--workspace", str(ws)]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "01_next.ipynb" in line)
    state = "a dangling symbolic link" if dangling else "a symbolic link"
    assert f"not copied    01_next.ipynb: 01_next.ipynb is {state}" in line, out
    assert "never writes through or over a link" in line
    assert (ws / "01_next.ipynb").is_symlink() and mine.exists() == (not dangling)
    if not dangling:
        assert mine.read_text() == "my own notebook"
    assert not (ws / "01_next.updated.ipynb").exists()
    assert verbs(workspace.sync(source, ws))["00_start.ipynb"] == "up to date"  # the rest syncs


def test_an_updated_twin_that_is_a_symbolic_link_is_not_written_through(course):
    source, ws = course
    workspace.sync(source, ws)
    edit(ws / "01_next.ipynb")
    elsewhere = ws.parent / "elsewhere.ipynb"
    elsewhere.write_text("precious")
    (ws / "01_next.updated.ipynb").symlink_to(elsewhere)
    change_course(source)
    action = next(a for a in workspace.sync(source, ws) if a.name == "01_next.ipynb")
    assert action.what == "not copied"
    assert "01_next.updated.ipynb is a symbolic link" in action.detail
    assert elsewhere.read_text() == "precious" and (ws / "01_next.updated.ipynb").is_symlink()


def test_a_sync_record_that_is_a_symbolic_link_is_refused(course, capsys):
    source, ws = course
    workspace.sync(source, ws)
    elsewhere = ws.parent / "record.json"
    elsewhere.write_text("{}")
    (ws / RECORD).unlink()
    (ws / RECORD).symlink_to(elsewhere)
    assert workspace.main(["--source", str(source), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{ws / RECORD} is a symbolic link" in err, err
    assert elsewhere.read_text() == "{}"
