"""`make lab` as a learner meets it: a fresh workspace, notebook 00, a blank exercise, a ✓.

JupyterLab is started by `make lab` itself (WORKSPACE= a temporary folder, --no-browser), and
the page is the link it prints. Its settings, workspaces and runtime folders are temporary and
EMPTY: no news setting is written for it, so the absent pop-up is the Makefile's doing (the
settings override it installs inside .venv). The server, its kernel and the browser are
stopped by their PIDs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest
from playwright.sync_api import expect

from lab_session import (
    KERNEL_IDLE,
    REPO,
    LabServer,
    NotebookInLab,
    empty_lab_state,
    free_port,
    require_chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOK = "00_start_here.ipynb"
START_S = 240  # make, the workspace sync and JupyterLab's start; ~20 s idle, more when busy
CHECK_S = 60


def tracked_notebooks() -> dict[str, bytes]:
    folder = REPO / "notebooks"
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def make_lab(tmp_path_factory):
    """`make lab` on a fresh workspace: (the server, the link it printed, notebooks/ before)."""
    require_chromium()
    base = tmp_path_factory.mktemp("make-lab")
    workspace = base / "workspace"
    before = tracked_notebooks()
    env = dict(os.environ, MPLBACKEND="Agg", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.update(empty_lab_state(base / "state"))
    env.setdefault("COURSE_THREADS", "1")
    port = free_port()
    log = base / "make-lab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"WORKSPACE={workspace}",
             f"LAB_ARGS=--no-browser --ServerApp.port={port} --ServerApp.port_retries=0"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = LabServer(process, f"http://127.0.0.1:{port}", "", workspace, log)
    try:
        link = None
        deadline = time.monotonic() + START_S
        while link is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            found = re.search(rf"http://127\.0\.0\.1:{port}/\S*\?token=(\w+)", log.read_text())
            link = found and found.group(0)
        assert link, f"make lab printed no link within {START_S} s:\n{server.log_tail()}"
        server.token = re.search(r"token=(\w+)", link).group(1)
        yield server, link, before
    finally:
        server.stop()


def cell(page, containing: str):
    """The code cell whose source contains `containing`."""
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea", has_text=containing)).first


def replace_source(page, target, source: str) -> None:
    """Click into the cell's editor, select its text and type `source` in its place."""
    target.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_in_place(page, target) -> None:
    """Run the cell (Ctrl+Enter: it stays selected), as a learner would."""
    target.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")


def output_of(target):
    return target.locator(".jp-OutputArea")


def test_make_lab_opens_a_blank_workspace_copy_and_a_check_turns_to_passed(make_lab, chromium):
    server, link, before = make_lab
    assert "/lab/tree/00_start_here.ipynb?token=" in link, f"the printed link: {link}"
    assert (server.root / NOTEBOOK).exists(), "make lab did not create the workspace"
    assert "Your workspace:" in server.log.read_text()

    context = chromium.browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    notebook = NotebookInLab(page, server, NOTEBOOK)
    try:
        page.goto(link)  # exactly the printed link: it must land on notebook 00
        page.get_by_text(KERNEL_IDLE).wait_for(timeout=120_000)
        server.remember_children()
        notebook.timings["open"] = time.monotonic() - notebook.started
        current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
        expect(current).to_have_text(re.compile(NOTEBOOK))
        expect(page.get_by_role("heading", name="00 · Start here")).to_be_visible()

        notebook.run_all()
        # No pop-up (JupyterLab asks about its news a moment after start; Run All took longer).
        assert page.locator(".jp-Dialog").count() == 0
        toasts = page.locator(".Toastify__toast").all_text_contents()
        assert not toasts, f"a pop-up covers the notebook: {toasts}"

        exercise = cell(page, "def count_inputs")
        check = cell(page, "check_count_inputs(count_inputs)")
        expect(exercise.locator(".jp-InputArea")).to_contain_text("raise NotImplementedError()")
        assert "n_examples * n_features" not in exercise.locator(".jp-InputArea").inner_text()
        expect(output_of(check)).to_contain_text("… not done yet")

        # A wrong answer twice in a row: the check's line points to hint().
        replace_source(page, exercise, "def count_inputs(n_examples, n_features):\n"
                                       "    return n_examples + n_features")
        run_in_place(page, exercise)
        for _ in range(2):
            run_in_place(page, check)
            expect(output_of(check)).to_contain_text("✗ not right yet", timeout=CHECK_S * 1000)
        expect(output_of(check)).to_contain_text('hint("count_inputs")')

        # The learner asks for a hint and the solution in a new cell under the check.
        check.locator(".jp-InputPrompt").click()
        page.keyboard.press("b")
        helper = page.locator(".jp-Notebook .jp-CodeCell.jp-mod-selected")
        helper.locator(".cm-content").click()
        page.keyboard.insert_text('from course_utils import hint, solution\n\n'
                                  'hint("count_inputs")\nsolution("count_inputs")')
        page.keyboard.press("Control+Enter")
        expect(output_of(helper)).to_contain_text("Hint 1 of", timeout=CHECK_S * 1000)
        expect(output_of(helper)).to_contain_text("return n_examples * n_features")

        replace_source(page, exercise, "def count_inputs(n_examples, n_features):\n"
                                       "    return n_examples * n_features")
        run_in_place(page, exercise)
        run_in_place(page, check)
        expect(output_of(check)).to_contain_text("✓ passed", timeout=CHECK_S * 1000)

        table = cell(page, "progress()")
        run_in_place(page, table)
        row = output_of(table).locator("tr", has_text="count_inputs")
        expect(row).to_contain_text("✓ passed", timeout=CHECK_S * 1000)
        expect(output_of(table)).to_contain_text(".course-progress.json")
        notebook.screenshot("00_start_here_workspace")

        saved = notebook.save_and_read()
        assert "return n_examples * n_features" in next(
            c.source for c in saved.cells if "def count_inputs" in c.source)
        verdicts = json.loads((server.root / ".course-progress.json").read_text())["verdicts"]
        assert verdicts["count_inputs"]["status"] == "passed"
        assert verdicts["count_inputs"]["notebook"] == NOTEBOOK
    except BaseException:
        notebook.screenshot("FAILED-00_start_here_workspace")
        print(f"make lab's log, last lines:\n{server.log_tail()}")
        raise
    finally:
        context.close()
    assert tracked_notebooks() == before, "the tracked notebooks/ changed"
