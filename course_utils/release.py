"""Build the student copy: every solution region replaced, nothing else touched.

A solution region uses nbgrader's markers, so a teacher who uses nbgrader can take the
notebooks as they are:

    def relu_backward(grad_h_relu, h):
        ### BEGIN SOLUTION
        return grad_h_relu * (h > 0)
        ### END SOLUTION

becomes, keeping the indentation of the markers,

    def relu_backward(grad_h_relu, h):
        # YOUR CODE HERE
        raise NotImplementedError()

Usage:  python -m course_utils.release OUTDIR [--source notebooks] [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


class SolutionMarkerError(ValueError):
    """A solution region is not closed, or closed without being opened."""


def strip_solutions(source: str) -> str:
    """The cell source with each solution region replaced by the student stub."""
    result: list[str] = []
    inside = False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise SolutionMarkerError(f"'{BEGIN}' inside another solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            result += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
        elif marker == END:
            if not inside:
                raise SolutionMarkerError(f"'{END}' without '{BEGIN}'")
            inside = False
        elif not inside:
            result.append(line)
    if inside:
        raise SolutionMarkerError(f"'{BEGIN}' is never closed by '{END}'")
    return "\n".join(result)


def strip_hidden_tests(source: str) -> str:
    """The cell source without its hidden test regions, markers included (nbgrader's way)."""
    result: list[str] = []
    inside = False
    for line in source.split("\n"):
        if line.strip() in (HIDDEN_BEGIN, HIDDEN_END):
            inside = line.strip() == HIDDEN_BEGIN
        elif not inside:
            result.append(line)
    return "\n".join(result)


def student_notebook(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of `notebook` with every solution region stripped; also the number of regions."""
    copy = nbformat.from_dict(notebook)
    regions = 0
    for cell in copy.cells:
        if cell.cell_type == "code" and BEGIN in cell.source:
            regions += cell.source.count(BEGIN)
            cell.source = strip_solutions(cell.source)
        if cell.cell_type == "code" and HIDDEN_BEGIN in cell.source:
            cell.source = strip_hidden_tests(cell.source)
    return copy, regions


def write_student_copies(source: Path, out: Path, force: bool = False) -> list[tuple[Path, int]]:
    """Write the student copy of every NN_*.ipynb in `source` into `out`.

    Refuses (FileExistsError) to overwrite a file unless `force` is true.
    Returns [(written path, number of solution regions replaced), ...].
    """
    paths = sorted(source.glob("[0-9][0-9]_*.ipynb"))
    targets = [out / p.name for p in paths]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(t.name for t in existing)
        raise FileExistsError(f"{out} already holds {names}; pass --force to overwrite them")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, target in zip(paths, targets, strict=True):
        copy, regions = student_notebook(nbformat.read(path, as_version=4))
        nbformat.write(copy, target)
        written.append((target, regions))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the student copy of the course.")
    parser.add_argument("outdir", type=Path, help="folder for the student notebooks")
    parser.add_argument("--source", type=Path, default=Path("notebooks"),
                        help="folder of the committed notebooks (default: notebooks)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.source, args.outdir, args.force)
    except (FileExistsError, SolutionMarkerError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    for path, regions in written:
        print(f"wrote {path} ({regions} solution region{'s' if regions != 1 else ''} replaced)")
    print(f"{len(written)} notebooks written to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
