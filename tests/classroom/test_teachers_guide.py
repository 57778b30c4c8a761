"""classroom/TEACHERS.md's commands, run as written: collecting submissions from the homes.

The guide's copy loop (Grading with nbgrader, "Collecting submissions") is taken from the
guide itself and run against a fake homes folder (`COURSE_HUB_HOMES`), with the current user as
the grading account (the guide's loop runs as root and chowns to the grader; chown to oneself
needs no root). It must produce nbgrader's `submitted/<student>/<assignment>/<notebook>.ipynb`
with the hub names (`alice`, not the account `jupyter-alice`), as tests/classroom/test_nbgrader.py
lays out the submissions it grades.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "classroom" / "TEACHERS.md"
ASSIGNMENT = "03_autograd"


def copy_loop() -> str:
    """The shell block under "From the students' homes" in TEACHERS.md, dedented."""
    text = GUIDE.read_text(encoding="utf-8")
    after = text[text.index("**From the students' homes**"):]
    block = re.search(r"```bash\n(.*?)\n\s*```", after, re.DOTALL)
    assert block, "TEACHERS.md: no bash block after 'From the students' homes'"
    return textwrap.dedent(block.group(1))


def make_home(homes: Path, account: str, notebooks: list[str]) -> None:
    course = homes / account / "tensors-to-nn"
    course.mkdir(parents=True)
    for name in notebooks:
        (course / f"{name}.ipynb").write_text(f'{{"by": "{account}", "nb": "{name}"}}\n')
    (homes / account).chmod(0o700)


@pytest.mark.parametrize("prefix", [None, "ctest-"])
def test_the_guides_copy_loop_fills_submitted_by_hub_name(tmp_path, prefix):
    loop = copy_loop()
    me = pwd.getpwuid(os.getuid())
    assert f"a={ASSIGNMENT}; grader=grader\n" in loop, loop
    loop = loop.replace("grader=grader", f"grader={me.pw_name}")
    account = (prefix if prefix is not None else "jupyter-") + "{}"
    homes = tmp_path / "homes"
    make_home(homes, account.format("alice"), [ASSIGNMENT, "00_start_here"])
    make_home(homes, account.format("bob"), ["00_start_here"])  # has not started 03 yet
    make_home(homes, account.format("chen-li"), [ASSIGNMENT])
    make_home(homes, "grader", [ASSIGNMENT])  # another account's home: not a student
    grading = tmp_path / "grading"
    grading.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COURSE_HUB_HOMES": str(homes)}
    if prefix is not None:
        env["COURSE_UNIX_PREFIX"] = prefix
    done = subprocess.run(["bash", "-euc", loop], cwd=grading, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr

    found = sorted(str(p.relative_to(grading)) for p in grading.rglob("*") if p.is_file())
    assert found == [f"submitted/{name}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
                     for name in ("alice", "chen-li")]
    for name in ("alice", "chen-li"):
        copy = grading / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        original = homes / account.format(name) / "tensors-to-nn" / f"{ASSIGNMENT}.ipynb"
        assert copy.read_bytes() == original.read_bytes()  # copied, not moved
        for path in (copy, copy.parent, copy.parent.parent):
            assert path.stat().st_uid == me.pw_uid, f"{path} should belong to the grader"
    assert (grading / "submitted").stat().st_uid == me.pw_uid
