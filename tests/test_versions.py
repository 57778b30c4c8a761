"""Two kinds of pins: pyproject.toml declares ranges, constraints.txt (the lock) exact versions.

The ranges let a learner install the course into an environment of their own without a
downgrade; the lock makes `make lab`, `make test` and environment.yml reproducible. Every
locked version must lie inside its range, and .venv must hold what the lock says.
"""

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent


def requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    return [Requirement(text) for text in listed]


def lock() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            assert name not in pins, f"constraints.txt lists {name} twice"
            pins[canonicalize_name(name)] = Version(version)
    return pins


@pytest.mark.parametrize("requirement", requirements(), ids=str)
def test_every_dependency_declares_a_range_with_an_upper_bound(requirement):
    operators = {spec.operator for spec in requirement.specifier}
    assert ">=" in operators and "<" in operators, (
        f"{requirement}: declare the oldest tested version and the next major, e.g. >=2.13,<3")


@pytest.mark.parametrize("requirement", requirements(), ids=str)
def test_the_lock_pins_every_dependency_inside_its_range(requirement):
    pins = lock()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement.name} is not in constraints.txt: run `make lock`"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"constraints.txt has {name}=={pins[name]}, outside pyproject.toml's {requirement}")


def test_the_lock_has_the_cpu_torch_of_these_machines_and_the_calmer_ipykernel():
    pins = lock()
    assert pins["torch"] == Version("2.13.0")
    assert pins["ipykernel"] == Version("6.31.0")  # README: fewer kernel stalls than 7.4.0


def test_this_environment_holds_the_locked_versions():
    mismatched = []
    for name, version in lock().items():
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            continue  # a platform-specific package this machine does not need
        if Version(installed.public) != version:  # torch 2.13.0+cpu is 2.13.0
            mismatched.append(f"{name} {installed} (lock: {version})")
    assert not mismatched, "run `make test` again to reinstall from the lock: " + ", ".join(
        mismatched)
