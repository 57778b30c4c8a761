"""Every notebook, as committed: clean, numbered, shaped like the course's notebooks."""

import re

import nbformat
import pytest

from course_utils.release import BEGIN, strip_solutions

from notebook_runner import NOTEBOOKS, notebook_paths

PATHS = notebook_paths()
IDS = [p.stem for p in PATHS]
MAX_CODE_LINES = 20  # STYLE.md: "about 15 lines at most"


def load(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks_and_names_are_numbered_uniquely():
    names = [p.name for p in NOTEBOOKS.glob("*.ipynb")]
    assert names, "no notebooks found"
    for name in names:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), f"{name}: expected NN_name.ipynb"
    numbers = [name[:2] for name in names]
    assert len(numbers) == len(set(numbers)), f"two notebooks share a number: {sorted(names)}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_valid_and_stored_without_outputs(path):
    nb = load(path)
    nbformat.validate(nb)
    for cell in code_cells(nb):
        assert not cell.outputs, f"{path.name}: a cell has stored outputs: {cell.source[:50]!r}"
        assert cell.execution_count is None, f"{path.name}: stored execution count"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_python3_kernelspec(path):
    assert load(path).metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_opens_with_title_goals_and_prerequisites(path):
    first = load(path).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# {path.name[:2]} · "), "title must be '# NN · Title'"
    assert "You will learn" in first.source and "You need" in first.source
    bullets = [ln for ln in first.source.splitlines() if ln.startswith("- ")]
    assert 3 <= len(bullets) <= 6, f"{path.name}: {len(bullets)} learning goals; expected 3-5"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_ends_with_summary_and_link_to_the_next_notebook(path):
    last = load(path).cells[-1]
    assert last.cell_type == "markdown" and "## Summary" in last.source
    later = [p for p in PATHS if p.name > path.name]
    if later:
        assert f"({later[0].name})" in last.source, f"{path.name} should link to {later[0].name}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_exercise_is_followed_by_its_check(path):
    cells = code_cells(load(path))
    for index, cell in enumerate(cells):
        if BEGIN in cell.source:
            strip_solutions(cell.source)  # markers are balanced
            following = cells[index + 1] if index + 1 < len(cells) else None
            assert following is not None and "check_" in following.source, (
                f"{path.name}: the exercise `{cell.source.splitlines()[0]}` is not followed by "
                "a check cell")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_code_cells_are_short(path):
    for cell in code_cells(load(path)):
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        assert len(lines) <= MAX_CODE_LINES, (
            f"{path.name}: a code cell has {len(lines)} lines (at most {MAX_CODE_LINES}); move "
            f"the long part into course_utils: {cell.source[:60]!r}")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_figures_are_shown_explicitly(path):
    for cell in code_cells(load(path)):
        assert "plt.show()" not in cell.source, (
            f"{path.name}: plt.show() draws nothing with MPLBACKEND=Agg; use show_figure(fig)")
