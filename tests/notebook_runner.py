"""Execute a notebook in a fresh kernel, the way a student would, and explain any failure.

Used by tests/test_notebooks.py (and by the browser, classroom and site tests when they
need an executed copy). Two modes, set through COURSE_CHECKS_STRICT in the kernel:

- "solutions": the notebooks as committed. Every cell must run; every check must pass.
- "student":   the student copy. Each unfinished exercise may raise its own
               NotImplementedError, every check must answer "not done yet", and nothing
               else may error.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
# COURSE_EXECUTED_DIR keeps a second environment's run (tests/compat) from overwriting these.
EXECUTED = Path(os.environ.get("COURSE_EXECUTED_DIR", REPO / "build" / "executed"))

# nbclient can stall a widget cell until the per-cell timeout, then carry on (upstream
# jupyter/nbclient#312). A short per-cell timeout keeps such a stall cheap, and one retry
# of the whole notebook absorbs it; a real hang fails twice.
CELL_TIMEOUT_S = 45
NOTEBOOK_BOUND_S = 240
ATTEMPTS = 2


@dataclass
class Execution:
    """An executed notebook, where it was saved, how long it took and how many attempts."""

    notebook: nbformat.NotebookNode
    saved_to: Path
    seconds: float
    attempts: int


def notebook_paths() -> list[Path]:
    """Every course notebook, in course order (new ones are picked up automatically)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def kernel_environment(mode: str) -> dict[str, str]:
    env = dict(os.environ)
    env["COURSE_CHECKS_STRICT"] = mode
    # CI machines often set MPLBACKEND=Agg, which makes plt.show() draw nothing in a
    # notebook. Run with it on purpose: every figure must be displayed explicitly.
    env["MPLBACKEND"] = "Agg"
    env.setdefault("COURSE_THREADS", "1")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def execute(path: Path, mode: str, save_as: Path) -> Execution:
    """Run `path` top to bottom in a fresh kernel in its own folder; save the executed copy.

    Raises AssertionError naming the notebook, the cell and the error.
    """
    started = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            allow_error_names=["NotImplementedError"] if mode == "student" else [],
        )
        try:
            client.execute(env=kernel_environment(mode))
            break
        except (CellTimeoutError, DeadKernelError) as error:
            _save(notebook, save_as)
            if attempt == ATTEMPTS or time.monotonic() - started > NOTEBOOK_BOUND_S:
                raise AssertionError(
                    f"{path.name}: {_failing_cell(notebook)} timed out or lost its kernel "
                    f"twice: {type(error).__name__}. Executed copy: {save_as}") from None
        except CellExecutionError as error:
            _save(notebook, save_as)
            raise AssertionError(
                f"{path.name}: {_failing_cell(notebook)} failed ({mode} mode): "
                f"{error.ename}: {error.evalue}\nExecuted copy: {save_as}") from None
    _save(notebook, save_as)
    seconds = time.monotonic() - started
    if seconds > NOTEBOOK_BOUND_S:
        raise AssertionError(f"{path.name} took {seconds:.0f} s; the bound is {NOTEBOOK_BOUND_S} s")
    return Execution(notebook, save_as, seconds, attempt)


def _save(notebook: nbformat.NotebookNode, save_as: Path) -> None:
    save_as.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, save_as)


def _failing_cell(notebook: nbformat.NotebookNode) -> str:
    """'cell 12 (`first line of source`)' for the first code cell with an error output."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return f"code cell {number} (`{first_line(cell)}`)"
    last_run = [n for n, c in enumerate(code_cells, 1) if c.get("execution_count")]
    return f"code cell {last_run[-1] + 1 if last_run else 1}"


def first_line(cell: nbformat.NotebookNode) -> str:
    lines = [ln for ln in cell.source.splitlines() if ln.strip()]
    return lines[0][:70] if lines else ""


def cell_seconds(cell: nbformat.NotebookNode) -> float | None:
    """Seconds from the kernel starting `cell` to its reply (the timestamps nbclient records
    in the cell's metadata), or None if they were not recorded."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    return (_instant(end) - _instant(start)).total_seconds()


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def cell_text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell printed or displayed as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "".join(parts)


def check_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The code cells that call an exercise check (`check_...(`)."""
    return [c for c in notebook.cells
            if c.cell_type == "code" and "check_" in c.source and "def check_" not in c.source]

