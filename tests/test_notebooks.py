"""The notebook runner: every notebook, as committed and as the student copy, in a fresh kernel.

One test per notebook and mode; a new notebook is picked up with no code change. The
executed copies are kept in build/executed/ (solutions) and build/executed/student/.
"""

from __future__ import annotations

import pytest

from course_utils.release import write_student_copies

from notebook_runner import (
    EXECUTED,
    NOTEBOOKS,
    REPO,
    cell_text,
    check_cells,
    execute,
    notebook_paths,
)

STUDENT = REPO / "build" / "student"
PATHS = notebook_paths()


@pytest.fixture(scope="session")
def student_copies() -> None:
    write_student_copies(NOTEBOOKS, STUDENT, force=True)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_with_every_check_passing(path):
    run = execute(path, "solutions", EXECUTED / path.name)
    for cell in check_cells(run.notebook):
        text = cell_text(cell)
        assert "✓" in text, f"{path.name}: check cell `{cell.source[:60]}` printed no ✓: {text!r}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_student_copy_runs_with_every_check_not_done(path, student_copies):
    run = execute(STUDENT / path.name, "student", EXECUTED / "student" / path.name)
    for cell in run.notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                assert "# YOUR CODE HERE" in cell.source, (
                    f"{path.name}: cell `{cell.source[:60]}` raised {output['ename']} in the "
                    "student copy, but it is not an exercise cell")
    checks = check_cells(run.notebook)
    for cell in checks:
        text = cell_text(cell)
        assert "…" in text and "✓" not in text, (
            f"{path.name}: in the student copy, check cell `{cell.source[:60]}` should answer "
            f"'not done yet' but printed {text!r}")
