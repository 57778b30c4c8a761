"""The student copy: nbgrader's rules, every leak planted, every refusal one line and no file."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from course_utils import release
from course_utils.release import (
    ReleaseError,
    SolutionMarkerError,
    main,
    near_miss,
    strip_solutions,
    student_notebook,
    write_student_copies,
)

SECRET = "grad * mask"
SOURCE = f"""def relu_backward(grad, h):
    \"\"\"Docstring stays.\"\"\"
    ### BEGIN SOLUTION
    mask = h > 0
    return {SECRET}
    ### END SOLUTION"""
SOLUTION = {"nbgrader": {"grade": False, "grade_id": "relu_backward", "locked": False,
                         "schema_version": 3, "solution": True, "task": False},
            "course": {"hints": ["multiply by a mask"]}}
GRADE = {"nbgrader": {"grade": True, "grade_id": "relu_backward_test", "locked": True,
                      "points": 1, "schema_version": 3, "solution": False, "task": False}}


def solution_cell(source=SOURCE, kind=new_code_cell):
    return kind(source, metadata=json.loads(json.dumps(SOLUTION)))


def notebook_of(*cells):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nb.cells = list(cells)
    return nb


def make_notebook():
    return notebook_of(new_markdown_cell("# 01 · Title\nThe exercise is below."),
                       solution_cell(), new_code_cell("check_relu_backward(relu_backward)"))


def test_region_replaced_with_indentation_kept():
    assert strip_solutions(SOURCE) == (
        'def relu_backward(grad, h):\n    """Docstring stays."""\n'
        "    # YOUR CODE HERE\n    raise NotImplementedError()")


def test_top_level_region_and_text_around_it():
    source = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nprint(a)"
    expected = "a = 1\n# YOUR CODE HERE\nraise NotImplementedError()\nprint(a)"
    assert strip_solutions(source) == expected


def test_two_regions_in_one_cell():
    source = SOURCE + "\n\n" + SOURCE.replace("relu_backward", "other")
    assert strip_solutions(source).count("raise NotImplementedError()") == 2


@pytest.mark.parametrize("begin, end", [
    ("# BEGIN SOLUTION", "# END SOLUTION"),
    ("###BEGIN SOLUTION", "###END SOLUTION"),
    ("#### BEGIN SOLUTION", "#### END SOLUTION"),
    ("###\tBEGIN SOLUTION", "### END SOLUTION"),
    ("### BEGIN SOLUTION (yours)", "### END SOLUTIONS"),
])
def test_every_spelling_nbgrader_accepts_is_replaced(begin, end):
    source = f"def f(x):\n    {begin}\n    return {SECRET}\n    {end}\n"
    assert strip_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nx = 1",
    "x = 1\n### END SOLUTION",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n### END SOLUTION",
])
def test_unpaired_or_nested_markers_are_refused(source):
    with pytest.raises(SolutionMarkerError):
        strip_solutions(source)


@pytest.mark.parametrize("line, meant", [
    ("### begin solution", release.BEGIN),
    ("### Begin Solution", release.BEGIN),
    ("### BEGIN\tSOLUTION", release.BEGIN),
    ("### BEGIN  SOLUTION", release.BEGIN),
    ("### BEGIN\u00a0SOLUTION", release.BEGIN),
    ("### BEGINSOLUTION", release.BEGIN),
    ("### end solution", release.END),
    ("### END SOLUTON", release.END),
    ("### EDN SOLUTION", release.END),
    ("### END OF SOLUTION", release.END),
    ("### begin hidden tests", release.BEGIN_HIDDEN),
    ("### END HIDDEN TEST", release.END_HIDDEN),
])
def test_near_misses_are_refused(line, meant):
    assert near_miss(line) == meant
    with pytest.raises(SolutionMarkerError, match="looks like"):
        strip_solutions(f"def f(x):\n    ### BEGIN SOLUTION\n    return x\n{line}")


@pytest.mark.parametrize("line", [
    "## Solution", "The solution is below.", "Resolution of the figure", "end_of_data = 3",
    "### Hidden tests", "# the end: we append a solution later, in the next cell",
])
def test_ordinary_lines_are_not_near_misses(line):
    assert near_miss(line) is None


def test_carriage_return_line_ends_are_refused_not_copied():
    source = SOURCE.replace("\n", "\r")
    with pytest.raises(SolutionMarkerError, match="carriage return"):
        strip_solutions(source)
    nb = notebook_of(solution_cell(source))
    with pytest.raises(SolutionMarkerError, match="cell 1"):
        student_notebook(nb, name="01_demo.ipynb")


def test_windows_line_ends_work_as_in_nbgrader():
    stripped = strip_solutions(SOURCE.replace("\n", "\r\n"))
    assert SECRET not in stripped and "raise NotImplementedError()" in stripped


def test_markdown_and_raw_regions_become_your_answer_here():
    text = "Why (out, in)?\n### BEGIN SOLUTION\nOne row per output unit.\n### END SOLUTION"
    nb = notebook_of(solution_cell(text, new_markdown_cell), solution_cell(text, new_raw_cell))
    copy, solutions = student_notebook(nb)
    assert solutions == 2
    for cell in copy.cells:
        assert cell.source == "Why (out, in)?\nYOUR ANSWER HERE"


@pytest.mark.parametrize("kind", [new_markdown_cell, new_raw_cell, new_code_cell])
def test_a_region_outside_a_solution_cell_is_refused(kind):
    text = "between `### BEGIN SOLUTION` and\n`### END SOLUTION`:"
    nb = notebook_of(new_markdown_cell("# Title"), kind(text))
    with pytest.raises(SolutionMarkerError, match=r"00_start\.ipynb, cell 2 .*not marked"):
        student_notebook(nb, name="00_start.ipynb")


def test_an_unclosed_region_in_markdown_is_refused():
    nb = notebook_of(solution_cell("### BEGIN SOLUTION\nthe answer", new_markdown_cell))
    with pytest.raises(SolutionMarkerError, match="never closed"):
        student_notebook(nb)


def test_cells_marked_only_by_metadata_are_replaced_whole():
    nb = notebook_of(solution_cell(f"x = {SECRET}"), solution_cell("the answer", new_markdown_cell))
    copy, solutions = student_notebook(nb)
    assert solutions == 2
    assert copy.cells[0].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert copy.cells[1].source == "YOUR ANSWER HERE"


def test_outputs_and_counts_cleared_everywhere_metadata_kept():
    nb = make_notebook()
    for cell in nb.cells[1:]:
        cell.execution_count = 7
        cell.outputs = [new_output("stream", name="stdout", text=f"{SECRET}\n")]
        cell.metadata.update(collapsed=True, scrolled=True)
    nb.metadata["celltoolbar"] = "Create Assignment"
    copy, _ = student_notebook(nb)
    for cell in copy.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None
        assert "collapsed" not in cell.metadata and "scrolled" not in cell.metadata
    assert copy.cells[1].metadata["nbgrader"] == SOLUTION["nbgrader"]
    assert copy.cells[1].metadata["course"] == SOLUTION["course"]
    assert "celltoolbar" not in copy.metadata
    assert SECRET not in json.dumps(copy)


def test_hidden_tests_are_removed_from_grade_cells_only():
    test = ("check_relu_backward(relu_backward)\n### BEGIN HIDDEN TESTS\n"
            "assert check_relu_backward(relu_backward)\n### END HIDDEN TESTS")
    copy, _ = student_notebook(notebook_of(new_code_cell(test, metadata=GRADE)))
    assert copy.cells[0].source == "check_relu_backward(relu_backward)"
    with pytest.raises(SolutionMarkerError, match="not marked as a grade cell"):
        student_notebook(notebook_of(new_code_cell(test)))
    with pytest.raises(SolutionMarkerError, match="never closed"):
        student_notebook(notebook_of(new_code_cell("### BEGIN HIDDEN TESTS\nx", metadata=GRADE)))


def test_nothing_else_changes_and_the_original_is_kept():
    nb = make_notebook()
    copy, solutions = student_notebook(nb)
    assert solutions == 1
    assert copy.cells[0] == nb.cells[0] and copy.cells[2] == nb.cells[2]
    assert copy.cells[1].id == nb.cells[1].id and copy.metadata == nb.metadata
    assert SECRET not in copy.cells[1].source and SECRET in nb.cells[1].source


def test_same_code_cells_as_nbgrader():
    """Where nbgrader 0.9.6 is installed (the nbgrader extra), compare with it directly."""
    preprocessors = pytest.importorskip("nbgrader.preprocessors")
    text = "Answer:\n### BEGIN SOLUTION\nrows\n### END SOLUTION"
    hidden = "x = 1\n    ### BEGIN HIDDEN TESTS\nassert x\n    ### END HIDDEN TESTS\ny = 2"
    nb = notebook_of(solution_cell(), solution_cell("x = 1"),
                     solution_cell(text, new_markdown_cell),
                     solution_cell(SOURCE.replace("### ", "#### ").replace("\n", "\r\n")),
                     new_code_cell(hidden, metadata=GRADE), new_code_cell("print(1)"))
    theirs = nbformat.from_dict(json.loads(json.dumps(nb)))
    for step in (preprocessors.ClearSolutions, preprocessors.ClearOutput,
                 preprocessors.ClearHiddenTests):
        theirs, _ = step().preprocess(theirs, {})
    ours, _ = student_notebook(nb)
    assert [c.source for c in ours.cells] == [c.source for c in theirs.cells]


# ------------------------------------------------------------------- files and the command line

def write_source(tmp_path, *names, notebook=None):
    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    for name in names:
        nbformat.write(notebook or make_notebook(), source / name)
    return source


def refused(capsys, argv, *words):
    """Run the CLI, expecting a refusal: exit 2 and one line on stderr holding `words`."""
    assert main([str(a) for a in argv]) == 2
    said = capsys.readouterr()
    assert said.out == "" and said.err.count("\n") == 1 and "Traceback" not in said.err
    for word in words:
        assert word in said.err, said.err
    return said.err


def test_cli_writes_refuses_then_forces(tmp_path, capsys):
    source, out = write_source(tmp_path, "01_demo.ipynb"), tmp_path / "out"
    (source / "notes.ipynb").write_text("{}")  # not a course notebook: ignored
    assert main([str(out), "--source", str(source)]) == 0
    said = capsys.readouterr().out
    assert "01_demo.ipynb (1 solution replaced)" in said
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb"]  # no temporary left
    written = json.loads((out / "01_demo.ipynb").read_text())
    assert "raise NotImplementedError()" in "".join(written["cells"][1]["source"])
    refused(capsys, [out, "--source", source], "--force")
    assert main([str(out), "--source", str(source), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb"]


def test_a_refusal_writes_nothing(tmp_path, capsys):
    source = write_source(tmp_path, "01_a.ipynb")
    nbformat.write(notebook_of(new_code_cell("### BEGIN SOLUTION\nsecret")), source / "02_b.ipynb")
    err = refused(capsys, [tmp_path / "new", "--source", source], "02_b.ipynb", "cell 1")
    assert "never closed" in err
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["src"]  # no temporary folder left either
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_a.ipynb").write_text("old copy")
    refused(capsys, [out, "--source", source, "--force"], "02_b.ipynb")
    assert (out / "01_a.ipynb").read_text() == "old copy"


def test_existing_files_are_not_overwritten_without_force(tmp_path):
    source = write_source(tmp_path, "01_a.ipynb", "02_b.ipynb")
    out = tmp_path / "out"
    out.mkdir()
    (out / "02_b.ipynb").write_text("mine")
    with pytest.raises(FileExistsError):
        write_student_copies(source, out)
    assert not (out / "01_a.ipynb").exists() and (out / "02_b.ipynb").read_text() == "mine"


@pytest.mark.parametrize("content, words", [
    ('{"cells": [', "not valid JSON"),
    ("[]", "not a notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "cells": 3, "metadata": {}}', "not a valid notebook"),
    (b"\xff\xfe{", "not UTF-8"),
])
def test_a_broken_notebook_is_one_line(tmp_path, capsys, content, words):
    source = write_source(tmp_path, "01_a.ipynb")
    target = source / "02_b.ipynb"
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    refused(capsys, [tmp_path / "out", "--source", source], "02_b.ipynb", words)
    assert not (tmp_path / "out").exists()


def test_folders_in_the_way_are_one_line(tmp_path, capsys):
    source = write_source(tmp_path, "01_a.ipynb")
    (source / "02_b.ipynb").mkdir()
    refused(capsys, [tmp_path / "out", "--source", source], "02_b.ipynb is a folder")
    (source / "02_b.ipynb").rmdir()
    (tmp_path / "out" / "01_a.ipynb").mkdir(parents=True)
    refused(capsys, [tmp_path / "out", "--source", source, "--force"], "01_a.ipynb is a folder")
    refused(capsys, [tmp_path / "nowhere", "--source", tmp_path / "missing"], "no such folder")
    refused(capsys, [source, "--source", source, "--force"], "source folder")
    (tmp_path / "file").write_text("x")
    refused(capsys, [tmp_path / "file", "--source", source], "is a file")
    refused(capsys, [tmp_path / "file" / "sub", "--source", source], "cannot write")


@pytest.mark.parametrize("dangling", [True, False])
def test_nothing_is_written_through_a_symbolic_link(tmp_path, capsys, dangling):
    source = write_source(tmp_path, "01_a.ipynb")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.ipynb"
    out.mkdir()
    if not dangling:
        elsewhere.write_text("precious")
    (out / "01_a.ipynb").symlink_to(elsewhere)
    refused(capsys, [out, "--source", source, "--force"], "01_a.ipynb", "symbolic link")
    assert elsewhere.exists() == (not dangling)
    if not dangling:
        assert elsewhere.read_text() == "precious"


@pytest.mark.parametrize("dangling", [True, False])
def test_an_output_folder_that_is_a_symbolic_link_is_refused(tmp_path, capsys, dangling):
    source = write_source(tmp_path, "01_a.ipynb")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    if not dangling:
        elsewhere.mkdir()
    out.symlink_to(elsewhere, target_is_directory=True)
    state = "a dangling symbolic link" if dangling else "a symbolic link"
    err = refused(capsys, [out, "--source", source, "--force"], f"{out} is {state}",
                  "never written through a link", "name the real folder")
    assert "Not a directory" not in err
    assert out.is_symlink() and elsewhere.exists() == (not dangling)
    if not dangling:
        assert list(elsewhere.iterdir()) == []  # nothing written through the link
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src", "out"] + (
        [] if dangling else ["elsewhere"]))  # no temporary folder left beside it


def test_an_unwritable_folder_is_one_line(tmp_path, capsys, monkeypatch):
    source = write_source(tmp_path, "01_a.ipynb")
    out = tmp_path / "out"
    out.mkdir()

    def no_permission(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", no_permission)
    refused(capsys, [out, "--source", source], "cannot write", "Permission denied")
    assert list(out.iterdir()) == []


NOBODY = 65534  # as root, the read-only test runs the release as this uid (setpriv)


def skip_or_fail(reason):
    """Skip with the reason on a developer's machine; on CI (CI=true) the test must run."""
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true, so this test must run, but {reason}")
    pytest.skip(reason)


def release_as_nobody(workdir, *args):
    """`python -m course_utils.release ARGS` run in `workdir` as uid/gid 65534, no groups.

    Root may write into any folder, so only an unprivileged uid can meet a read-only one.
    """
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", "COURSE_THREADS": "1"}
    return subprocess.run([*prefix, sys.executable, *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(os.name != "posix", reason="folder permissions are POSIX's")
def test_a_read_only_folder_is_one_line(tmp_path, capsys):
    if os.geteuid() != 0:
        source = write_source(tmp_path, "01_a.ipynb")
        out = tmp_path / "out"
        out.mkdir()
        out.chmod(0o500)
        try:
            refused(capsys, [out, "--source", source], "cannot write")
        finally:
            out.chmod(0o700)
        return
    if shutil.which("setpriv") is None:
        skip_or_fail("running as root, the test needs setpriv (util-linux) to drop to an "
                     "unprivileged uid, and it is missing")
    workdir = Path(tempfile.mkdtemp(prefix="release-read-only-"))  # tmp_path is root's, 0700
    try:
        workdir.chmod(0o755)
        probe = release_as_nobody(workdir, "-c", "import course_utils.release")
        if probe.returncode != 0:
            skip_or_fail(f"uid {NOBODY} cannot run {sys.executable} with course_utils (is the "
                         f"checkout or the venv under a 0700 folder?): {probe.stderr[-300:]}")
        source = write_source(workdir, "01_a.ipynb")
        out = workdir / "out"
        out.mkdir()
        out.chmod(0o555)  # the unprivileged uid may read it, not write into it
        ran = release_as_nobody(workdir, "-m", "course_utils.release", str(out),
                                "--source", str(source))
        assert ran.returncode == 2, ran
        assert ran.stdout == "" and ran.stderr.count("\n") == 1, ran
        assert "Traceback" not in ran.stderr and "cannot write" in ran.stderr, ran.stderr
        assert f"{out}: Permission denied" in ran.stderr, ran.stderr
        assert list(out.iterdir()) == []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_release_errors_are_one_line_each():
    nb = notebook_of(new_code_cell("x = 1\n" * 3 + "### END SOLUTION"))
    with pytest.raises(ReleaseError) as error:
        student_notebook(nb, name="03_c.ipynb")
    assert "\n" not in str(error.value) and "03_c.ipynb, cell 1 (code, 'x = 1')" in str(error.value)
