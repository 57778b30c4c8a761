"""Build the student copy of the course: `python -m course_utils.release OUTDIR`.

Every NN_*.ipynb notebook is cleared by nbgrader's rules (`solution_regions`: solutions
replaced, hidden tests removed, outputs cleared). A refusal is one line naming the notebook
and the cell, exit status 2, and writes nothing: every notebook is read and converted in
memory first, then written to a temporary folder and moved into place. Nothing is ever
written through a symbolic link, nor over an existing copy without --force.

Usage:  python -m course_utils.release OUTDIR [--source notebooks] [--force]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from .places import link_state
from .solution_regions import (  # re-exported: the student copy's public names
    BEGIN,
    BEGIN_HIDDEN,
    CODE_STUB,
    END,
    END_HIDDEN,
    TEXT_STUB,
    ReleaseError,
    SolutionMarkerError,
    near_miss,
    quote,
    strip_solutions,
    student_notebook,
)

__all__ = ["BEGIN", "BEGIN_HIDDEN", "CODE_STUB", "END", "END_HIDDEN", "TEXT_STUB",
           "ReleaseError", "SolutionMarkerError", "TargetExistsError", "main", "near_miss",
           "read_notebook", "strip_solutions", "student_notebook", "write_student_copies"]


class TargetExistsError(ReleaseError, FileExistsError):
    """The output folder already holds a student copy and --force was not given."""


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read and validate one notebook; every failure becomes a one-line ReleaseError."""
    if path.is_dir():
        raise ReleaseError(f"{path} is a folder, not a notebook: rename or move it")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ReleaseError(f"{path} is not UTF-8 text, so not a notebook") from None
    except OSError as error:
        raise ReleaseError(f"cannot read {path}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReleaseError(f"{path} is not valid JSON (line {error.lineno}, column "
                           f"{error.colno}: {error.msg}): restore it from git") from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise ReleaseError(f"{path} holds JSON but not a notebook (no 'nbformat' version)")
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises many kinds for a broken notebook
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ReleaseError(f"{path} is not a valid notebook: {quote(reason, 100)}") from None
    return notebook


def write_student_copies(source: Path, out: Path, force: bool = False) -> list[tuple[Path, int]]:
    """Write the student copy of every NN_*.ipynb in `source` into `out`.

    Everything is checked before anything is written. Refuses (TargetExistsError) to
    overwrite a file unless `force` is true, and never writes through a symbolic link:
    neither `out` itself nor a notebook in it may be one.
    Returns [(written path, number of solutions replaced), ...].
    """
    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise ReleaseError(f"{source}: no such folder" if not source.exists()
                           else f"{source} is not a folder")
    paths = sorted(source.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ReleaseError(f"{source} holds no course notebooks (NN_name.ipynb)")
    _refuse_link(out, "name the real folder instead")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} is a file, not a folder")
    if out.exists() and out.resolve() == source.resolve():
        raise ReleaseError(f"{out} is the source folder: the student copy would overwrite "
                           "the notebooks with their solutions")
    copies = []
    for path in paths:
        notebook, solutions = student_notebook(read_notebook(path), name=str(path))
        copies.append((path.name, nbformat.writes(notebook), solutions))
    existing = []
    for name, _, _ in copies:
        target = out / name
        _refuse_link(target, "delete it and run again")
        if target.is_dir():
            raise ReleaseError(f"{target} is a folder: move it away and run again")
        if target.exists():
            existing.append(name)
    if existing and not force:
        raise TargetExistsError(f"{out} already holds {', '.join(existing)}; pass --force to "
                                "overwrite them")
    _write_atomically(out, [(name, text) for name, text, _ in copies])
    return [(out / name, solutions) for name, _, solutions in copies]


def _refuse_link(path: Path, what_to_do: str) -> None:
    """ReleaseError if `path` itself is a symbolic link (dangling or not): never write through."""
    state = link_state(path)
    if state:
        raise ReleaseError(f"{path} is {state}: the student copy is never written through a "
                           f"link; {what_to_do}")


def _write_atomically(out: Path, files: list[tuple[str, str]]) -> None:
    """Write `files` into a temporary folder next to (or inside) `out`, then move them in."""
    staging = None
    try:
        if out.exists():
            staging = Path(tempfile.mkdtemp(prefix=".release-", dir=out))
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
            staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; `out` should not be
        for name, text in files:
            (staging / name).write_text(text if text.endswith("\n") else text + "\n",
                                        encoding="utf-8")
        if out.exists():
            for name, _ in files:
                os.replace(staging / name, out / name)
        else:
            os.rename(staging, out)
            staging = None
    except OSError as error:
        raise ReleaseError(f"cannot write the student copy into {out}: "
                           f"{error.strerror or error}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(argv: list[str] | None = None) -> int:
    """The command line: 0 when every notebook was written, 2 (and one line) when refused."""
    parser = argparse.ArgumentParser(description="Write the student copy of the course.")
    parser.add_argument("outdir", type=Path, help="folder for the student notebooks")
    parser.add_argument("--source", type=Path, default=Path("notebooks"),
                        help="folder of the committed notebooks (default: notebooks)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.source, args.outdir, args.force)
    except (ReleaseError, OSError) as error:
        message = " ".join(str(error).split("\n"))
        print(f"release: refused, nothing written: {message}", file=sys.stderr)
        return 2
    for path, solutions in written:
        print(f"wrote {path} ({solutions} solution{'s' if solutions != 1 else ''} replaced)")
    print(f"{len(written)} notebooks written to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
