"""Say which Python .venv runs, and warn when PYTHON=... asks for another one.

The Makefile runs this with .venv's own Python (`-I -S`: no site-packages, a few
milliseconds) at every `make lab`, `make lab-solutions` and `make test`:

    .venv/bin/python -I -S tools/venv_python.py .venv [REQUESTED]

It prints one line, e.g. `make: .venv runs Python 3.11.7 (/usr/bin/python3.11)`. REQUESTED
is given only when you passed PYTHON=... (on the command line or in the environment). An
existing .venv is never rebuilt behind your back, so when REQUESTED is another Python than
the one .venv was made with, a second line says so, and how to rebuild .venv with it.
"""

from __future__ import annotations

import os
import subprocess
import sys

# What the requested Python says about itself: its version and the real path of its binary.
PROBE = "import os, sys; print(sys.version.split()[0], os.path.realpath(sys._base_executable))"


def this_python() -> tuple[str, str]:
    """(version, real path of the base interpreter) of the Python running this script."""
    return sys.version.split()[0], os.path.realpath(sys._base_executable)


def describe(requested: str) -> tuple[str, str] | None:
    """(version, real path) of the Python `requested` names; None if it does not run."""
    try:
        done = subprocess.run([requested, "-I", "-c", PROBE], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    version, _, path = done.stdout.strip().partition(" ")
    return (version, path) if done.returncode == 0 and version and path else None


def main(argv: list[str]) -> int:
    venv = argv[0] if argv else ".venv"
    requested = argv[1] if len(argv) > 1 else ""
    version, path = this_python()
    print(f"make: {venv} runs Python {version} ({path})")
    if not requested:
        return 0
    other = describe(requested)
    if other == (version, path):
        return 0
    what = f"Python {other[0]} ({other[1]})" if other else "a Python that does not run here"
    print(f"make: warning: PYTHON={requested} is {what}, but {venv} was made with Python "
          f"{version} and keeps it; to rebuild {venv} with PYTHON: rm -rf {venv}, then make "
          "again", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
