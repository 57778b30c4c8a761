"""Grading the course with the real nbgrader, the way classroom/TEACHERS.md tells a teacher.

A course directory with classroom/nbgrader_config.py and one assignment per committed
notebook; `nbgrader generate_assignment "*"` with no other flag; three planted submissions
of every notebook:

- `solved`: the committed notebook, solutions included: full marks;
- `blank`: nbgrader's release, handed in untouched: 0;
- `one_wrong`: the solutions with the notebook's last exercise answered wrongly (its body
  replaced by `pass`): full marks minus that exercise's points.

Autograding runs students' code, so it runs here as an unprivileged uid (setpriv), one
student at a time, while the other students' folders are root's and unreadable: a planted
cell in `one_wrong`'s notebook 00 tries to read `solved`'s submission and must fail. Then
`nbgrader export` gives the CSV whose numbers are asserted, and `nbgrader generate_feedback`
the HTML that must show the failed exercise's verdict line, as the check printed it.
"""

from __future__ import annotations

import csv
import html
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from classroom_hub import ENV_BIN, REPO

from course_utils.nbgrader_cells import find_exercises
from course_utils.release import BEGIN, END, student_notebook

# Every notebook is autograded for each planted student (len(STUDENTS) x len(NOTEBOOKS)
# runs) while the module's fixture sets up: minutes on an idle machine, much longer on a
# crowded one. The bound only stops a hang.
pytestmark = [pytest.mark.classroom, pytest.mark.timeout(3600)]

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ASSIGNMENTS = [p.stem for p in NOTEBOOKS]
STUDENTS = ("solved", "blank", "one_wrong")
GRADER_UID = 47_816  # no account needed: setpriv runs nbgrader under this uid and gid
# The venv's Python may live under root's home (pyenv), which another uid cannot enter. As
# root, nbgrader then runs in a private mount namespace where /root is an empty tmpfs with
# only that Python bound into it: the grader sees the interpreter and nothing else of /root.
EXPOSE_PYTHON = """set -e
mkdir -p "$1"; mount --bind "$2" "$1"
mount -t tmpfs -o mode=755 none /root; mkdir -p "$2"; mount --bind "$1" "$2"
shift 2; exec "$@"
"""
PROBE = ("try:\n    open('../../../submitted/solved/00_start_here/00_start_here.ipynb').read()\n"
         "    print('PROBE: read another submission')\n"
         "except OSError as error:\n    print('PROBE:', type(error).__name__)")


def answered_wrongly(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, str]:
    """The notebook with its last exercise's solution regions replaced by `pass`."""
    wrong = nbformat.from_dict(notebook)
    exercise = find_exercises(wrong)[-1]
    lines, inside = [], False
    for line in wrong.cells[exercise.solution].source.split("\n"):
        if line.strip() == BEGIN:
            inside = True
            lines.append(line.replace(BEGIN, "pass"))
        elif line.strip() == END:
            inside = False
        elif not inside:
            lines.append(line)
    wrong.cells[exercise.solution].source = "\n".join(lines)
    return wrong, exercise.name


def points(notebook: nbformat.NotebookNode) -> dict[str, float]:
    """{exercise name: its points} from the notebook's autograded test cells."""
    grades = [c.metadata["nbgrader"] for c in notebook.cells
              if c.metadata.get("nbgrader", {}).get("grade")]
    return {g["grade_id"].removesuffix("_test"): g["points"] for g in grades}


class Course:
    """A course directory and the nbgrader commands, run as the grader uid when we are root."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / ".grader-home"
        self.as_root = os.geteuid() == 0
        self.env = {"PATH": f"{ENV_BIN}:/usr/bin:/bin", "HOME": str(self.home),
                    "USER": "grader", "LOGNAME": "grader", "LANG": "C.UTF-8",
                    "COURSE_THREADS": "1", "MPLBACKEND": "Agg"}
        self.seconds: dict[str, float] = {}

    def nbgrader(self, *args: str) -> str:
        prefix = ["setpriv", f"--reuid={GRADER_UID}", f"--regid={GRADER_UID}",
                  "--clear-groups"] if self.as_root else []
        python = Path(sys.base_prefix).resolve()
        if self.as_root and python.is_relative_to("/root"):
            prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                      EXPOSE_PYTHON, "sh", str(self.root / ".python"), str(python), *prefix]
        started = time.monotonic()
        # its own process group, so that nbgrader and the kernels it started can all be
        # stopped if the test gives up (a timeout, or pytest-timeout's)
        process = subprocess.Popen([*prefix, str(ENV_BIN / "nbgrader"), *args], cwd=self.root,
                                   env=self.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, stderr = process.communicate(timeout=1800)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.seconds[" ".join(args)] = time.monotonic() - started
        assert process.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{stderr[-3000:]}"
        return stderr

    def hand_over(self, path: Path, to_grader: bool) -> None:
        """Give a folder to the grader uid, or take it back (root's, unreadable to others)."""
        if not self.as_root or not path.exists():
            return
        owner = GRADER_UID if to_grader else 0
        for item in [path, *path.rglob("*")]:
            os.chown(item, owner, owner)
        path.chmod(0o755 if to_grader else 0o700)


@pytest.fixture(scope="module")
def course(classroom_report):
    if shutil.which("nbgrader", path=str(ENV_BIN)) is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nbgrader is missing: pip install -e '.[classroom]'")
        pytest.skip("nbgrader is missing: pip install -e '.[classroom]'")
    root = Path(tempfile.mkdtemp(prefix="course-grading-"))
    root.chmod(0o755)
    course = Course(root)
    try:
        shutil.copy(REPO / "classroom" / "nbgrader_config.py", root)
        for path in NOTEBOOKS:
            (root / "source" / path.stem).mkdir(parents=True)
            shutil.copy(path, root / "source" / path.stem)
        course.home.mkdir()
        course.hand_over(root, to_grader=True)
        course.nbgrader("generate_assignment", "*")
        plant_submissions(course)
        for student in STUDENTS:
            for other in STUDENTS:
                for step in ("submitted", "autograded"):
                    course.hand_over(root / step / other, to_grader=other == student)
            course.nbgrader("autograde", "*", "--student", student)
        for student in STUDENTS:
            for step in ("submitted", "autograded"):
                course.hand_over(root / step / student, to_grader=True)
        course.nbgrader("export")
        course.nbgrader("generate_feedback", "*", "--student", "one_wrong")
        for command, seconds in course.seconds.items():
            classroom_report.append(f"nbgrader {command}: {seconds:.0f} s")
        yield course
    finally:
        shutil.rmtree(root, ignore_errors=True)


def plant_submissions(course: Course) -> None:
    for path in NOTEBOOKS:
        source = nbformat.read(path, as_version=4)
        released = nbformat.read(course.root / "release" / path.stem / path.name, as_version=4)
        wrong, _ = answered_wrongly(source)
        if path.stem == ASSIGNMENTS[0]:
            wrong.cells.append(nbformat.v4.new_code_cell(PROBE))
        for student, notebook in zip(STUDENTS, (source, released, wrong), strict=True):
            folder = course.root / "submitted" / student / path.stem
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / path.name)


def test_nbgraders_release_is_the_course_student_copy(course):
    for path in NOTEBOOKS:
        released = nbformat.read(course.root / "release" / path.stem / path.name, as_version=4)
        ours, _ = student_notebook(nbformat.read(path, as_version=4))
        assert [c.source for c in released.cells if c.cell_type == "code"] == \
            [c.source for c in ours.cells if c.cell_type == "code"], path.name


def test_the_gradebook_has_full_marks_zero_and_one_exercise_less(course):
    with open(course.root / "grades.csv", newline="") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        worth = points(notebook)
        _, wrong = answered_wrongly(notebook)
        full = sum(worth.values())
        expected = {"solved": full, "blank": 0, "one_wrong": full - worth[wrong]}
        for student, score in expected.items():
            row = rows[(path.stem, student)]
            assert float(row["max_score"]) == full, (path.stem, row)
            assert float(row["score"]) == score, (
                f"{path.stem}: {student} scored {row['score']}, expected {score}")


def test_feedback_names_the_failed_exercise_with_the_checks_verdict(course):
    for path in NOTEBOOKS:
        _, wrong = answered_wrongly(nbformat.read(path, as_version=4))
        graded = nbformat.read(course.root / "autograded" / "one_wrong" / path.stem / path.name,
                               as_version=4)
        check = next(c for c in graded.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") == f"{wrong}_check")
        verdict = "".join(o.get("text", "") for o in check.outputs).strip()
        assert verdict.startswith("✗ not right yet:") and len(verdict.splitlines()) == 1, verdict
        page = html.unescape((course.root / "feedback" / "one_wrong" / path.stem /
                              path.with_suffix(".html").name).read_text())
        assert verdict in page, f"{path.stem}: the feedback does not show {verdict!r}"
        assert f"{wrong}_test" in page and f"gives {wrong} its points" in page


def test_a_students_code_cannot_read_another_submission_while_graded(course):
    if not course.as_root:
        pytest.skip("needs root to grade as another uid")
    first = NOTEBOOKS[0]
    graded = nbformat.read(course.root / "autograded" / "one_wrong" / first.stem / first.name,
                           as_version=4)
    probe = next(c for c in graded.cells if c.source == PROBE)
    assert "".join(o.get("text", "") for o in probe.outputs).strip() == "PROBE: PermissionError"
