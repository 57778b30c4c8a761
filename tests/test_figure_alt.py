"""Every figure in every executed notebook carries a real text alternative.

A screen reader reads a figure's alt text; without one it reads the file name (on the
website that was a hash: "_images/5885e30d….png"). For each course notebook this reads
its executed copy in build/executed/ (written by tests/test_notebooks.py) and, if there
is none or it is older than the notebook or course_utils, executes the notebook itself,
so the result does not depend on which test ran first. Every image output, in a cell or
inside an Output widget's saved state, must hold the same good description where each
front end reads it: the output's metadata (the website) and the text/html <img alt>
(JupyterLab). See course_utils/plots/display.py.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from course_utils.plots import alt_problem

from notebook_runner import EXECUTED, REPO, execute, notebook_paths

PATHS = notebook_paths()
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def _newest_source(path: Path) -> float:
    sources = [path, *(REPO / "course_utils").rglob("*.py")]
    return max(source.stat().st_mtime for source in sources)


def _code(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def executed_copy(path: Path) -> nbformat.NotebookNode:
    """build/executed/<name>, executed now if missing or stale."""
    saved = EXECUTED / path.name
    if saved.is_file() and saved.stat().st_mtime >= _newest_source(path):
        notebook = nbformat.read(saved, as_version=4)
        if _code(notebook) == _code(nbformat.read(path, as_version=4)):
            return notebook
    return execute(path, "solutions", saved).notebook


class _ImgAlts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def image_outputs(notebook) -> list[tuple[str, dict]]:
    """(where, output) for every output holding an image: cells and Output widgets."""
    found = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")[:60]
        for output in cell.get("outputs", []):
            if any(kind in output.get("data", {}) for kind in IMAGE_TYPES):
                found.append((f"code cell {number} (`{first}`)", output))
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model_id, model in state.items():
        for output in model.get("state", {}).get("outputs", []) or []:
            if any(kind in output.get("data", {}) for kind in IMAGE_TYPES):
                found.append((f"{model['model_name']} {model_id[:8]}", output))
    return found


def alt_problems(output: dict) -> list[str]:
    """What is wrong with this image output's text alternative (empty: nothing)."""
    data, metadata = output.get("data", {}), output.get("metadata", {})
    problems = []
    for kind in IMAGE_TYPES:
        if kind in data:
            alt = metadata.get(kind, {}).get("alt")
            problem = alt_problem(alt)
            if problem:
                problems.append(f"{kind} metadata (the website): {problem}")
    if "text/html" not in data:
        problems.append("no text/html <img alt=...>: JupyterLab would show it without alt")
    else:
        parser = _ImgAlts()
        parser.feed(data["text/html"])
        if not parser.alts:
            problems.append("its text/html holds no <img>")
        problems += [f"text/html <img> (JupyterLab): {alt_problem(alt)}"
                     for alt in parser.alts if alt_problem(alt)]
    return problems


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_every_figure_has_a_real_text_alternative(path):
    notebook = executed_copy(path)
    failures = [f"{where}: {problem}" for where, output in image_outputs(notebook)
                for problem in alt_problems(output)]
    assert not failures, (
        f"{path.name}: figures a screen reader cannot describe (show each with "
        "show_figure(fig, alt='what it shows and the point it makes')):\n  "
        + "\n  ".join(failures))


def test_the_check_catches_the_website_s_old_hash_alt():
    bare = {"output_type": "display_data", "metadata": {},
            "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}
    assert len(alt_problems(bare)) == 2
    hashed = {**bare, "metadata": {"image/png": {"alt": "_images/5885e30d.png"}}}
    assert any("file name" in p for p in alt_problems(hashed))
