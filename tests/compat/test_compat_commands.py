"""The second environment's pip commands, checked without installing anything (not marked
`compat`: part of `make test`). tests/compat/test_compat.py runs them."""

from __future__ import annotations

from pathlib import Path

from compat_env import REPO, course_install, held_constraints, newest_first

PYTHON = Path("/venv/bin/python")


def test_step_one_upgrades_torch_and_ipykernel_to_their_newest():
    assert newest_first(PYTHON) == [str(PYTHON), "-m", "pip", "install", "--quiet",
                                    "--upgrade", "torch", "ipykernel"]


def test_the_course_install_upgrades_the_other_dependencies_every_run(tmp_path):
    command = course_install(PYTHON, tmp_path / "held.txt")
    assert command[:4] == [str(PYTHON), "-m", "pip", "install"]
    assert "--upgrade" in command
    strategy = command.index("--upgrade-strategy")
    assert command[strategy + 1] == "eager"
    assert command[-2:] == ["-e", f"{REPO}[test]"]  # no lock: -c names only the held file
    assert [command[i + 1] for i, part in enumerate(command) if part == "-c"] == [
        str(tmp_path / "held.txt")]
    assert "constraints.txt" not in " ".join(command)


def test_torch_is_held_at_exactly_what_step_one_installed(tmp_path):
    """The eager upgrade must never fetch another torch build (CUDA wheels from the network)."""
    held = held_constraints({"torch": "2.14.1", "ipykernel": "7.4.0", "numpy": "2.4.1"},
                            tmp_path / "held.txt")
    assert held.read_text() == "torch==2.14.1\n"  # ipykernel may move: the test asserts it
    held = held_constraints({"torch": "2.13.0+cpu"}, tmp_path / "held.txt")
    assert held.read_text() == "torch==2.13.0+cpu\n"
