"""The second environment's pip commands (tests/compat/test_compat.py runs them; the unit
test tests/compat/test_compat_commands.py checks them without installing anything).

1. `newest_first`: the newest torch and ipykernel pip can install here, as a learner who
   upgraded them has (torch 2.14.1 comes from this machine's disk: pip's configuration caps
   torch there; no pin of ours).
2. `course_install`: the course as a learner installs it, `pip install -e .[test]` without the
   lock, with `--upgrade --upgrade-strategy eager` so that the other dependencies are at their
   newest within pyproject.toml's ranges on every run, not only when the cached venv was made.
   A constraints file holds torch at exactly what step 1 installed, so the eager upgrade can
   never fetch another torch build (several GB of CUDA wheels from the network): if the
   course's range did not admit that torch, pip stops with a conflict instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON_TAG = f"py{sys.version_info.major}.{sys.version_info.minor}"
VENV = Path(os.environ.get("COURSE_COMPAT_VENV",
                           Path.home() / ".cache" / "tensors-to-nn" / f"compat-{PYTHON_TAG}"))
NEWEST_FIRST = ["torch", "ipykernel"]  # installed at their newest before the course
HELD = ["torch"]  # kept exactly as step 1 installed it while the course is installed


def newest_first(python: Path) -> list[str]:
    return [str(python), "-m", "pip", "install", "--quiet", "--upgrade", *NEWEST_FIRST]


def held_constraints(installed: dict[str, str], path: Path) -> Path:
    """Write a pip constraints file pinning HELD at their installed versions; returns it."""
    path.write_text("".join(f"{name}=={installed[name]}\n" for name in HELD))
    return path


def course_install(python: Path, constraints: Path) -> list[str]:
    return [str(python), "-m", "pip", "install", "--quiet", "--upgrade",
            "--upgrade-strategy", "eager", "-c", str(constraints), "-e", f"{REPO}[test]"]
