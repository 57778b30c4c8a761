"""environment.yml and the Makefile install the course alike: pyproject.toml through the lock."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_uses_conda_forge_python_and_pip_installs_the_course_through_the_lock():
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*conda-forge\s*$", text, re.M)
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)
    assert re.search(r"^\s*-\s*-c constraints\.txt\s*$", text, re.M), \
        "environment.yml must install through the lock: `- -c constraints.txt`"
    pip_lines = re.findall(r"^\s*-\s*(-e \.\S*)\s*$", text, re.M)
    assert len(pip_lines) == 1, "environment.yml must install the course with `- -e .[extras]`"
    extras = set(re.fullmatch(r"-e \.\[(.*)\]", pip_lines[0]).group(1).split(","))
    makefile = (REPO / "Makefile").read_text()
    make_extras = set(re.search(r"^EXTRAS\s*:=\s*(\S+)", makefile, re.M).group(1).split(","))
    assert extras == make_extras == set(pyproject()["project"]["optional-dependencies"])
    # nothing else is installed by conda that could disagree with the lock
    dependencies = text.split("dependencies:", 1)[1]
    conda_packages = re.findall(r"^  - ([a-z][\w.-]*)", dependencies, re.M)
    assert set(conda_packages) <= {"python", "pip"}, conda_packages


def test_the_makefile_installs_through_the_lock_and_picks_a_supported_python():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"pip install .*-c constraints\.txt -e '\.\[\$\(EXTRAS\)\]'", makefile)
    assert "SUPPORTED := python3.13 python3.12 python3.11" in makefile
    assert "(3, 11)" not in makefile.replace(">= (3, 11)", ""), "no assertion of one Python"
    assert pyproject()["project"]["requires-python"] == ">=3.11"
