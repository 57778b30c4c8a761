"""ruff is clean over the code (configured in pyproject.toml), so `make test` keeps it clean."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ruff_is_clean():
    ruff = Path(sys.executable).parent / "ruff"
    folders = ["course_utils", "tests", "benchmarks", "site", "tools"]
    result = subprocess.run([str(ruff), "check", *folders], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, f"ruff found problems (run `make lint`):\n{result.stdout}"


def test_every_course_utils_module_stays_small():
    for path in sorted((REPO / "course_utils").rglob("*.py")):
        lines = len(path.read_text().splitlines())
        assert lines <= 300, f"{path.relative_to(REPO)} has {lines} lines; split it (limit ~300)"
