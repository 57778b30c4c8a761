"""The course in a learner's own environment: the newest torch and ipykernel 7, no lock.

`make test-compat` (CI runs it after `make test`). A second venv, kept across runs outside
the clone (COURSE_COMPAT_VENV, default ~/.cache/tensors-to-nn/compat-py3.11), gets the newest
torch that pip can install here and the newest ipykernel first, then the course with
`pip install -e .[test]` (no lock), as a learner would, upgrading its other dependencies to
their newest on every run (`--upgrade --upgrade-strategy eager`; torch held where step one put
it: compat_env.py). That install must not downgrade torch or ipykernel (pyproject.toml's
ranges admit them); then every notebook runs there, as committed, with its checks in strict
mode, and so do the torch facts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from compat_env import NEWEST_FIRST, VENV, course_install, held_constraints, newest_first

from notebook_runner import REPO

# The first run installs about 5 GB (torch 2.14.1 is a CUDA build); later runs reuse the venv.
pytestmark = [pytest.mark.compat, pytest.mark.timeout(3000)]

MINIMUM = {"torch": (2, 14), "ipykernel": (7, 4)}  # what "newest" was when this was written


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, echoing it; fail the test with its output's tail if it fails."""
    print("$", " ".join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n"
                    f"{(done.stdout + done.stderr)[-4000:]}")
    return done


def installed(python: Path) -> dict[str, str]:
    listing = run([str(python), "-m", "pip", "list", "--format", "json"]).stdout
    return {p["name"].lower(): p["version"] for p in json.loads(listing)}


def release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("+")[0].split(".")[:2])


@pytest.fixture(scope="module")
def compat_python() -> Path:
    """The second environment's python, created or updated; prints what it took."""
    python = VENV / "bin" / "python"
    started = time.monotonic()
    if not python.exists() or subprocess.run([str(python), "-c", "pass"]).returncode != 0:
        VENV.parent.mkdir(parents=True, exist_ok=True)
        run([sys._base_executable, "-m", "venv", "--clear", str(VENV)])
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run(newest_first(python))
    before = installed(python)
    # the course, its other dependencies upgraded to their newest, torch held (compat_env.py)
    run(course_install(python, held_constraints(before, VENV / "held-constraints.txt")))
    after = installed(python)
    for name in NEWEST_FIRST:
        assert after[name] == before[name], (
            f"installing the course changed {name} {before[name]} -> {after[name]}: "
            "pyproject.toml's range does not admit the learner's version")
        assert release(after[name]) >= MINIMUM[name], f"{name} {after[name]} is not the newest"
    print(f"compat environment ready in {time.monotonic() - started:.0f} s: "
          f"torch {after['torch']}, ipykernel {after['ipykernel']}, numpy {after['numpy']}, "
          f"matplotlib {after['matplotlib']}, jupyterlab {after.get('jupyterlab', '-')}")
    return python


def test_installing_the_course_keeps_the_learners_torch_and_ipykernel(compat_python):
    versions = installed(compat_python)
    lock = (REPO / "constraints.txt").read_text()
    # the point of the second environment: versions the lock does not have
    assert f"torch=={versions['torch'].split('+')[0]}\n" not in lock
    assert f"ipykernel=={versions['ipykernel']}\n" not in lock


def test_notebooks_and_torch_facts_pass_there(compat_python):
    started = time.monotonic()
    env = dict(os.environ, COURSE_EXECUTED_DIR=str(REPO / "build" / "executed-compat"),
               COURSE_THREADS="1")
    env.pop("COURSE_CHECKS_STRICT", None)
    done = subprocess.run(
        [str(compat_python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_torch_facts.py", "tests/test_notebooks.py",
         "-k", "facts or every_check_passing"],
        cwd=REPO, env=env, capture_output=True, text=True)
    tail = (done.stdout + done.stderr)[-3000:]
    print(tail)
    print(f"notebooks and facts in the compat environment: {time.monotonic() - started:.0f} s")
    assert done.returncode == 0, f"the course fails with the learner's versions:\n{tail}"
    assert " passed" in tail and "failed" not in tail
