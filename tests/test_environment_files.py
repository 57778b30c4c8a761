"""environment.yml installs the course through pip from pyproject.toml: the two cannot disagree."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_uses_python_311_from_conda_forge_and_pip_installs_the_course():
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*conda-forge\s*$", text, re.M)
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)
    pip_lines = re.findall(r"^\s*-\s*(-e \.\S*)\s*$", text, re.M)
    assert len(pip_lines) == 1, "environment.yml must install the course with `- -e .[extras]`"
    extras = set(re.fullmatch(r"-e \.\[(.*)\]", pip_lines[0]).group(1).split(","))
    makefile = (REPO / "Makefile").read_text()
    make_extras = set(re.search(r"^EXTRAS\s*:=\s*(\S+)", makefile, re.M).group(1).split(","))
    assert extras == make_extras == set(pyproject()["project"]["optional-dependencies"])
    # nothing else is installed by conda that could disagree with pyproject.toml's pins
    dependencies = text.split("dependencies:", 1)[1]
    conda_packages = re.findall(r"^  - ([a-z][\w.-]*)", dependencies, re.M)
    assert set(conda_packages) <= {"python", "pip"}, conda_packages


def test_every_dependency_is_pinned_exactly_and_torch_is_the_cpu_pin():
    project = pyproject()["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*", requirement), requirement
    assert "torch==2.13.0" in project["dependencies"]
    assert project["requires-python"].startswith(">=3.11")


def test_installed_versions_match_the_pins():
    from importlib import metadata

    for requirement in pyproject()["project"]["dependencies"]:
        name, version = requirement.split("==")
        installed = metadata.version(name)
        assert installed.split("+")[0] == version, f"{name}: {installed}, pinned {version}"
