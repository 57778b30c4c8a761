"""Where the course's files are: the committed notebooks and the learner's workspace.

Seen from a running kernel, whose current folder is the notebook's own: `workspace/`
(the learner's copies), `notebooks/` (as committed, solutions in place), or a copy made
elsewhere (the test runner's). `hints`, `progress` and `workspace` all ask here.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

RECORD = ".course-sync.json"  # the workspace's sync record (see `workspace`)
REPO = Path(__file__).resolve().parents[1]
PATTERN = "[0-9][0-9]_*.ipynb"


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a crash never leaves half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def link_state(path: Path) -> str | None:
    """ "a symbolic link" or "a dangling symbolic link" when `path` itself is one, else None.

    The student copy and the workspace never write through a link (nor replace one): the
    file it points to may be anything, anywhere.
    """
    if not path.is_symlink():
        return None
    return "a symbolic link" if path.exists() else "a dangling symbolic link"


def read_record(workspace: Path) -> dict:
    """The sync record of `workspace`; an empty one if it is missing or unreadable."""
    try:
        record = json.loads((workspace / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"notebooks": {}}
    if not isinstance(record, dict) or not isinstance(record.get("notebooks"), dict):
        return {"notebooks": {}}
    return record


def find_workspace(start: Path | None = None) -> Path | None:
    """The workspace holding `start` (default: the current folder), found by its sync record."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RECORD).is_file():
            return folder
    return None


def has_notebooks(folder: Path) -> bool:
    """True when `folder` holds course notebooks (NN_name.ipynb)."""
    return folder.is_dir() and any(folder.glob(PATTERN))


def course_notebooks(start: Path | None = None) -> Path | None:
    """The committed notebooks (`notebooks/`, solutions in place), seen from `start`.

    Looked for, in order: $COURSE_NOTEBOOKS; the source recorded by the workspace holding
    `start`; a `notebooks` folder at or above `start`; the clone this package lives in.
    """
    here = (start or Path.cwd()).resolve()
    candidates = [Path(os.environ["COURSE_NOTEBOOKS"])] if os.environ.get("COURSE_NOTEBOOKS") \
        else []
    workspace = find_workspace(here)
    if workspace is not None and isinstance(read_record(workspace).get("source"), str):
        candidates.append(workspace / read_record(workspace)["source"])
    for folder in (here, *here.parents):
        candidates += [folder] if folder.name == "notebooks" else [folder / "notebooks"]
    candidates.append(REPO / "notebooks")
    return next((c.resolve() for c in candidates if has_notebooks(c)), None)
