"""nbgrader's rules for one notebook: solutions replaced, hidden tests removed, outputs cleared.

The rules are nbgrader 0.9.6's (`ClearSolutions`, `ClearHiddenTests`, `ClearOutput`), so the
code cells come out as `nbgrader generate_assignment` writes them:

- a line that CONTAINS the text `BEGIN SOLUTION` starts a region and a line that contains
  `END SOLUTION` ends it (`### BEGIN SOLUTION`, `# BEGIN SOLUTION`, `#### BEGIN SOLUTION` all
  count). In a code cell the region becomes the stub below, with the indentation of the
  BEGIN line; in a markdown or raw cell it becomes "YOUR ANSWER HERE":

      def relu_backward(grad_h_relu, h):          def relu_backward(grad_h_relu, h):
          ### BEGIN SOLUTION                 ->        # YOUR CODE HERE
          return grad_h_relu * (h > 0)                 raise NotImplementedError()
          ### END SOLUTION

- a cell whose metadata says `"nbgrader": {"solution": true}` and holds no region is
  replaced as a whole; a region in a cell NOT marked so is refused (nbgrader refuses it too);
- the lines from `BEGIN HIDDEN TESTS` to `END HIDDEN TESTS` are removed, in grade cells only;
- every output and execution count is cleared; cell metadata (nbgrader, course hints) is kept.

Anything ambiguous is refused, never copied: an unpaired or nested marker, a near miss
(`### begin solution`, a tab inside the marker, `### END SOLUTON`), a marker in a cell whose
lines are broken by a bare carriage return (nbgrader splits on "\\n" only).
"""

from __future__ import annotations

import copy as copying
import re
from difflib import SequenceMatcher
from typing import Any

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
# What nbgrader looks for inside a line (its default delimiters), and the markers they belong to.
DELIMITERS = {"BEGIN SOLUTION": BEGIN, "END SOLUTION": END,
              "BEGIN HIDDEN TESTS": BEGIN_HIDDEN, "END HIDDEN TESTS": END_HIDDEN}
# Output-related cell metadata that nbconvert's ClearOutputPreprocessor removes too.
OUTPUT_METADATA = ("collapsed", "scrolled")

_LOOSE_MARKER = re.compile(r"(?i)\b(begin|end)[\W_]*(solution|hidden[\W_]*tests?)")
_ODD_LINE_BREAK = re.compile(r"\r(?!\n)|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class ReleaseError(Exception):
    """The student copy cannot be written; the message says why, in one line."""


class SolutionMarkerError(ReleaseError, ValueError):
    """A marker is unpaired, nested, misspelt or in a cell that is not marked for it."""


def strip_solutions(source: str, stub: str = CODE_STUB) -> str:
    """`source` with each solution region replaced by `stub` (nbgrader's ClearSolutions).

    Raises SolutionMarkerError for anything ambiguous (see the module docstring).
    """
    _refuse_ambiguous_lines(source)
    return _replace_regions(source, "BEGIN SOLUTION", "END SOLUTION", stub.split("\n"))[0]


def _replace_regions(source: str, begin: str, end: str, stub: list[str]) -> tuple[str, int]:
    """Replace every region from a line containing `begin` to one containing `end` by `stub`."""
    result: list[str] = []
    inside, regions = False, 0
    for number, line in enumerate(source.split("\n"), start=1):
        if begin in line:
            if inside:
                raise SolutionMarkerError(f"line {number}: '{begin}' inside a region that is "
                                          f"not closed yet: add the missing '{end}' line")
            inside, regions = True, regions + 1
            indent = re.match(r"\s*", line).group(0)
            result += [indent + stub_line for stub_line in stub]
        elif end in line:
            if not inside:
                raise SolutionMarkerError(f"line {number}: '{end}' without a '{begin}' before "
                                          "it: add the BEGIN line, or delete this one")
            inside = False
        elif not inside:
            result.append(line)
    if inside:
        raise SolutionMarkerError(f"'{begin}' is never closed: add a line '### {end}' "
                                  "after the answer")
    return "\n".join(result), regions


def near_miss(line: str) -> str | None:
    """The marker that `line` seems meant to be without being spelt so nbgrader reads it."""
    if any(delimiter in line for delimiter in DELIMITERS):
        return None
    loose = _LOOSE_MARKER.search(line)
    words = re.findall(r"[A-Za-z]+", loose.group(0) if loose else line)
    if not loose and not 1 <= len(words) <= 4:
        return None
    letters = "".join(words).lower()
    for delimiter, marker in DELIMITERS.items():
        target = delimiter.replace(" ", "").lower()
        if letters.rstrip("s") == target.rstrip("s") or (
                abs(len(letters) - len(target)) <= 2
                and SequenceMatcher(None, letters, target).ratio() >= 0.88):
            return marker
    return None


def _refuse_ambiguous_lines(source: str) -> None:
    for number, line in enumerate(source.splitlines(), start=1):
        meant = near_miss(line)
        if meant:
            raise SolutionMarkerError(
                f"line {number}, {quote(line)}, looks like '{meant}' but nbgrader would not "
                f"read it as one: write it exactly '{meant}' (or reword it)")
        if _ODD_LINE_BREAK.search(source) and any(d in line for d in DELIMITERS):
            raise SolutionMarkerError(
                "its lines are broken by a bare carriage return (\\r) or another unusual line "
                "separator, and nbgrader splits lines on \\n only, so it would misread the "
                "markers: save the notebook again with \\n line ends")


def student_notebook(notebook: nbformat.NotebookNode,
                     name: str = "notebook") -> tuple[nbformat.NotebookNode, int]:
    """A cleared copy of `notebook` and the number of solutions replaced (regions and cells).

    `name` (the notebook's path) starts the message of any SolutionMarkerError raised.
    """
    copy = nbformat.from_dict(copying.deepcopy(dict(notebook)))
    language = copy.metadata.get("kernelspec", {}).get("language", "python")
    if language != "python":
        raise ReleaseError(f"{name}: kernel language {language!r}; only python is supported")
    solutions = 0
    for index, cell in enumerate(copy.cells, start=1):
        try:
            solutions += _clear_cell(cell)
        except ReleaseError as error:
            raise type(error)(f"{name}, cell {index} ({cell.get('cell_type')}, "
                              f"{quote(_first_line(cell))}): {error}") from None
    copy.metadata.pop("celltoolbar", None)
    return copy, solutions


def _clear_cell(cell: nbformat.NotebookNode) -> int:
    """Clear one cell in place, as nbgrader's preprocessors do; return the solutions replaced."""
    if isinstance(cell.get("source"), list):
        cell.source = "".join(cell.source)
    grading = cell.get("metadata", {}).get("nbgrader", {})
    if not isinstance(grading, dict):
        raise ReleaseError("its metadata 'nbgrader' is not a dictionary")
    _refuse_ambiguous_lines(cell.source)
    stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
    cell.source, replaced = _replace_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION",
                                             stub.split("\n"))
    if replaced and not grading.get("solution", False):
        raise SolutionMarkerError(
            "a solution region in a cell not marked as a solution cell (nbgrader refuses it "
            "too): give the cell the metadata \"nbgrader\": {\"solution\": true, ...}, or, if "
            "it is prose, reword it so that no line holds the text 'BEGIN SOLUTION'")
    if grading.get("solution", False) and not replaced:
        cell.source, replaced = stub, 1
    if replaced:
        cell.pop("attachments", None)  # the replaced text no longer refers to them
    cell.source, hidden = _replace_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                                           [])
    if hidden and not grading.get("grade", False):
        raise SolutionMarkerError(
            "hidden tests in a cell not marked as a grade cell (nbgrader refuses it too): give "
            "the cell the metadata \"nbgrader\": {\"grade\": true, ...}")
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
        for field in OUTPUT_METADATA:
            cell.metadata.pop(field, None)
    return replaced


def _first_line(cell: Any) -> str:
    source = cell.get("source", "")
    lines = ("".join(source) if isinstance(source, list) else str(source)).split("\n")
    return next((line.strip() for line in lines if line.strip()), "")


def quote(text: str, limit: int = 40) -> str:
    """`text` quoted on one line, cut to `limit` characters."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")
