"""The learner's own copy of the course: `workspace/`, every exercise blank, kept across updates.

`make lab` runs `python -m course_utils.workspace` before it opens JupyterLab on `workspace/`.
The committed notebooks in `notebooks/` hold the solutions and are never edited by a learner;
`workspace/` (git-ignored) holds the student copy of each one, made by `course_utils.release`.

Running it again brings the workspace up to date without ever losing the learner's work. It
knows what it copied by a record of hashes (`workspace/.course-sync.json`), not by timestamps:

    new in the course                     -> added
    you never changed your copy           -> replaced by the course's new version
    you changed it, the course moved on   -> yours kept; the new version written beside it,
                                             e.g. 07_learning_rate_explorer.updated.ipynb
    you deleted it                        -> left deleted, unless you ask:
                                             python -m course_utils.workspace --restore 07

`--restore NAME` writes a fresh copy of one notebook; your own copy, if you changed it, is
renamed to NAME.backup-<time>.ipynb first, never thrown away.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import release
from .places import PATTERN, RECORD, REPO, has_notebooks, read_record
from .places import write_atomically as _write

QUIET = ("up to date", "edited by you")  # counted in the summary line, not listed


@dataclass
class Action:
    """What the sync did to one notebook: `what` is a short verb, `detail` says why."""

    name: str
    what: str
    detail: str = ""

    def __str__(self) -> str:
        return f"  {self.what:<13} {self.name}" + (f": {self.detail}" if self.detail else "")


def digest(data: bytes) -> str:
    """The sha256 of some bytes, as hex: how the sync recognises a file it wrote."""
    return hashlib.sha256(data).hexdigest()


def student_bytes(path: Path) -> bytes:
    """The student copy of the notebook at `path`, as the bytes `nbformat.write` would write."""
    copy, _ = release.student_notebook(nbformat.read(path, as_version=4))
    text = nbformat.writes(copy)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def _matches(name: str, wanted: str) -> bool:
    """`wanted` names the notebook: "07", "07_learning_rate_explorer" or the file name."""
    wanted = Path(wanted).name
    return wanted in (name, name.removesuffix(".ipynb")) or name.startswith(f"{wanted}_")


def sync(source: Path, workspace: Path, restore: list[str] | tuple[str, ...] = ()
         ) -> list[Action]:
    """Bring `workspace` up to date with the student copies of the notebooks in `source`.

    `restore` names notebooks to copy afresh (see the module's docstring). Raises
    ValueError for a name in `restore` that is not a notebook of the course. Returns one
    `Action` per notebook; a notebook that `release` refuses is reported, not copied.
    """
    paths = sorted(source.glob(PATTERN))
    unknown = [w for w in restore if not any(_matches(p.name, w) for p in paths)]
    if unknown:
        names = ", ".join(p.stem for p in paths)
        raise ValueError(f"no notebook called {', '.join(unknown)} in {source}; "
                         f"the notebooks are: {names}")
    workspace.mkdir(parents=True, exist_ok=True)
    record = read_record(workspace)
    copied: dict = record["notebooks"]
    actions = []
    for path in paths:
        entry = copied.setdefault(path.name, {})
        try:
            new = student_bytes(path)
        except Exception as error:  # noqa: BLE001 - one refused notebook must not stop the rest
            actions.append(Action(path.name, "not copied", f"release refused it: {error}"))
            continue
        wants_restore = any(_matches(path.name, w) for w in restore)
        actions.append(_sync_one(path.name, new, workspace, entry, wants_restore))
    for name in sorted(set(copied) - {p.name for p in paths}):
        if (workspace / name).exists():
            actions.append(Action(name, "kept", "no longer in the course; your copy stays"))
    record["source"] = os.path.relpath(source.resolve(), workspace.resolve())
    record["about"] = ("written by `python -m course_utils.workspace`: the sha256 of each "
                       "notebook as it copied it, to know which ones you changed")
    _write(workspace / RECORD, (json.dumps(record, indent=1) + "\n").encode("utf-8"))
    return actions


def _sync_one(name: str, new: bytes, workspace: Path, entry: dict, wants_restore: bool
              ) -> Action:
    target = workspace / name
    new_hash = digest(new)
    current = _file_digest(target)
    if wants_restore:
        detail = "a fresh copy"
        if current is not None and current not in (new_hash, entry.get("copied")):
            backup = target.with_name(f"{target.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}"
                                      ".ipynb")
            target.rename(backup)
            detail += f"; your copy was renamed to {backup.name}"
        _write(target, new)
        entry["copied"] = new_hash
        return Action(name, "restored", detail)
    if current is None:
        if "copied" in entry:
            return Action(name, "not restored", "you deleted it; to get a fresh copy run "
                          f"`python -m course_utils.workspace --restore {target.stem}`")
        _write(target, new)
        entry["copied"] = new_hash
        return Action(name, "added")
    if current == new_hash:
        entry["copied"] = new_hash
        return Action(name, "up to date")
    if current == entry.get("copied"):
        _write(target, new)
        entry["copied"] = new_hash
        return Action(name, "replaced", "you had not changed it; this is the course's new version")
    if entry.get("copied") == new_hash:
        return Action(name, "edited by you", "the course's version has not moved")
    return _write_beside(target, new, new_hash, entry)


def _write_beside(target: Path, new: bytes, new_hash: str, entry: dict) -> Action:
    """The learner changed `target` and the course moved on: the new version goes beside it."""
    beside = target.with_name(f"{target.stem}.updated.ipynb")
    kept = "you changed it, so it is kept as it is; "
    current = _file_digest(beside)
    if current == new_hash:
        return Action(target.name, "kept", kept + f"the course's new version is in {beside.name}")
    if current is None and entry.get("updated") == new_hash:
        return Action(target.name, "edited by you", f"and you deleted {beside.name}")
    if current is not None and current != entry.get("updated"):
        return Action(target.name, "kept", kept + f"{beside.name} has your edits too, so the "
                      "course's newest version was not written: rename it, then run again")
    _write(beside, new)
    entry["updated"] = new_hash
    return Action(target.name, "kept", kept + f"the course's new version is beside it: "
                  f"{beside.name}")


def main(argv: list[str] | None = None) -> int:
    default_source = REPO / "notebooks" if has_notebooks(REPO / "notebooks") \
        else Path("notebooks")
    parser = argparse.ArgumentParser(description="Create or update your workspace: your own "
                                     "copies of the course's notebooks, every exercise blank.")
    parser.add_argument("--restore", action="append", default=[], metavar="NAME",
                        help="copy this notebook afresh (e.g. 07 or 07_learning_rate_explorer); "
                        "a changed copy of yours is renamed to NAME.backup-<time>.ipynb first")
    parser.add_argument("--workspace", type=Path, default=default_source.parent / "workspace",
                        help="your folder (default: workspace/ beside notebooks/)")
    parser.add_argument("--source", type=Path, default=default_source,
                        help="the course's notebooks (default: notebooks/)")
    args = parser.parse_args(argv)
    if not has_notebooks(args.source):
        print(f"workspace: no course notebooks in {args.source}", file=sys.stderr)
        return 2
    try:
        actions = sync(args.source, args.workspace, args.restore)
    except (ValueError, OSError) as error:
        print(f"workspace: {error}", file=sys.stderr)
        return 2
    print(f"Your workspace: {args.workspace.resolve()} (your copies of the notebooks, "
          "exercises blank; the course's own are in notebooks/)")
    for action in actions:
        if action.what not in QUIET:
            print(action)
    counts: dict[str, int] = {}
    for action in actions:
        counts[action.what] = counts.get(action.what, 0) + 1
    print(f"  {len(actions)} notebooks: " + ", ".join(f"{n} {w}" for w, n in counts.items()))
    return 1 if "not copied" in counts else 0


if __name__ == "__main__":
    sys.exit(main())
