"""Fixtures of the site tests: the site built once per session, and headless Chromium.

The site is built exactly as `make site` builds it (site/sitebuild.py, in a subprocess),
so its time limit, per-cell timeout and retry are the ones under test. Chromium is Debian's,
started and stopped (by PID) with the browser tests' helpers. The screenshots' folder is
printed at the end of the test report.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "site"))
sys.path.insert(0, str(REPO / "tests" / "browser"))

import sitebuild  # noqa: E402

from lab_session import require_chromium, start_chromium  # noqa: E402

SCREENSHOTS = REPO / "build" / "site-screenshots"
_taken_this_session: list[Path] = []


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the site (cached executions are reused); fail with the end of the build log."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(REPO / "site" / "sitebuild.py")],
        capture_output=True, text=True, timeout=sitebuild.BUILD_TIMEOUT_S + 60)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"`make site` failed:\n{log[-6000:]}"
    print(f"site built in {time.monotonic() - started:.1f} s")
    return sitebuild.OUTPUT


@pytest.fixture(scope="module")
def chromium():
    require_chromium()  # skips with an install hint; fails instead when CI=true
    browser = start_chromium()
    try:
        yield browser
    finally:
        browser.stop()


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page_or_element, "name") saves build/site-screenshots/name.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()

    def take(target, name: str, **options) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        target.screenshot(path=str(path), **options)
        _taken_this_session.append(path)
        return path

    return take


def pytest_terminal_summary(terminalreporter):
    shots = sorted(set(_taken_this_session))
    if shots:
        terminalreporter.write_sep("-", "site screenshots")
        terminalreporter.write_line(f"{len(shots)} screenshots of the built site in {SCREENSHOTS}:")
        for shot in shots:
            terminalreporter.write_line(f"  {shot.relative_to(REPO)}")
