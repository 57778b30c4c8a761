"""The course map, read from the notebooks themselves.

Each notebook starts with a markdown cell: a `# Title` line and, a little later, a
"You will learn" list of bullets. `read_course_map` collects them, so the map in
notebook 00 and in the README never goes stale when a notebook changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

NOTEBOOK_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


@dataclass
class NotebookEntry:
    """One line of the course map: number, title, file name and learning goals."""

    number: str
    title: str
    filename: str
    you_will_learn: list[str]


def _markdown_text(notebook_path: Path) -> list[str]:
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    return ["".join(c["source"]) for c in cells[:3]]


def _entry(path: Path) -> NotebookEntry:
    lines = "\n".join(_markdown_text(path)).splitlines()
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), path.stem)
    goals: list[str] = []
    in_list = False
    for line in lines:
        if "you will learn" in line.lower():
            in_list = True
        elif in_list and line.lstrip().startswith(("- ", "* ")):
            goals.append(line.lstrip()[2:].strip())
        elif in_list and goals and line.strip():
            break
    return NotebookEntry(path.name[:2], title, path.name, goals)


def read_course_map(folder: str | Path = ".") -> list[NotebookEntry]:
    """Every `NN_name.ipynb` in `folder`, in course order, with its title and goals."""
    paths = sorted(p for p in Path(folder).glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
    return [_entry(path) for path in paths]


def course_map_markdown(entries: list[NotebookEntry]) -> str:
    """The course map as markdown: a linked heading and the goals for each notebook."""
    parts = []
    for entry in entries:
        parts.append(f"**[{entry.title}]({entry.filename})**")
        parts.extend(f"  - {goal}" for goal in entry.you_will_learn)
        parts.append("")
    return "\n".join(parts)


def readme_course_map(entries: list[NotebookEntry], folder: str = "notebooks") -> str:
    """The course map for the README: one line per notebook, linked into `folder`."""
    lines = ["| # | notebook | you will learn |", "|---|---|---|"]
    for entry in entries:
        title = entry.title.split("·", 1)[-1].strip()
        goals = "; ".join(entry.you_will_learn)
        lines.append(f"| {entry.number} | [{title}]({folder}/{entry.filename}) | {goals} |")
    return "\n".join(lines)


BEGIN_MARK, END_MARK = "<!-- course-map:begin -->", "<!-- course-map:end -->"


def update_readme(readme: Path, notebooks: Path) -> bool:
    """Rewrite the course map between the README's markers; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN_MARK, 1)
    _old, tail = rest.split(END_MARK, 1)
    table = readme_course_map(read_course_map(notebooks))
    new = f"{head}{BEGIN_MARK}\n{table}\n{END_MARK}{tail}"
    readme.write_text(new, encoding="utf-8")
    return new != text

