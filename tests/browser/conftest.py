"""Fixtures of the browser tests: one JupyterLab and one headless Chromium per test module.

Module scope, not session: the site tests start a Playwright of their own, and two sync
Playwright instances cannot share a thread, so these must be gone when the site tests start.
Both are stopped by their own PIDs in a `finally`, whatever happens in the tests.
Without Chromium the tests skip with an install hint, except on CI (CI=true), where a
missing Chromium is a failure: CI must run them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_session import (  # noqa: E402
    NotebookInLab,
    copy_notebooks,
    require_chromium,
    start_chromium,
    start_lab,
)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    require_chromium()
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    copy_notebooks(root)
    server = start_lab(root, base / "state")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    browser = start_chromium()
    try:
        yield browser
    finally:
        browser.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, for the screenshot on failure below."""
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def open_notebook(request, lab_server, chromium):
    """open_notebook("00_start_here.ipynb") -> a NotebookInLab in a fresh browser context.

    When the test fails, a screenshot of each page it opened is saved (the path is printed)
    and the server's log is shown.
    """
    contexts, notebooks = [], []

    def open_(name: str) -> NotebookInLab:
        if not (lab_server.root / name).exists():
            pytest.fail(f"{name} is not in notebooks/")
        context = chromium.browser.new_context(viewport={"width": 1280, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        notebook = NotebookInLab(page, lab_server, name)
        notebooks.append(notebook)
        notebook.open()
        return notebook

    try:
        yield open_
    finally:
        if getattr(request.node, "browser_test_failed", False):
            for notebook in notebooks:
                try:
                    notebook.screenshot(f"FAILED-{Path(notebook.name).stem}")
                except Exception as error:  # noqa: BLE001 - a dead page has no picture
                    print(f"no screenshot of {notebook.name}: {error}")
            print(f"JupyterLab's log ({lab_server.log}), last lines:\n{lab_server.log_tail()}")
        for context in contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001 - the browser is stopped by PID anyway
                pass
