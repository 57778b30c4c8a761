"""The learner's own copy of the course: `workspace/`, every exercise blank, kept across updates.

`make lab` runs `python -m course_utils.workspace` before it opens JupyterLab on `workspace/`.
The committed notebooks in `notebooks/` hold the solutions and are never edited by a learner;
`workspace/` (git-ignored) holds the student copy of each one, made by `course_utils.release`.

Running it again brings the workspace up to date without ever losing the learner's work. It
knows what it copied by a record of hashes (`workspace/.course-sync.json`), not by timestamps.
A hash covers each cell's type and source: running a notebook (outputs) is not editing it.

    new in the course                     -> added
    you never edited your copy            -> replaced by the course's new version
    you edited it, the course moved on    -> yours kept; the new version written beside it,
                                             e.g. 07_learning_rate_explorer.updated.ipynb
    you deleted it                        -> left deleted, unless you ask:
                                             make lab RESTORE=07, or
                                             python -m course_utils.workspace --restore 07

`--restore NAME` writes a fresh copy of one notebook; your own copy, if you changed it, is
renamed to NAME.backup-<time>.ipynb first, never thrown away.

Nothing is written through a symbolic link: a `workspace/` that is one is refused (one line,
exit 2: name the real folder instead), and a notebook in it that is one is left alone and
reported "not copied".
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
from .places import PATTERN, RECORD, REPO, has_notebooks, link_state, read_record
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
    _refuse_linked_workspace(workspace)
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
        linked = _linked_copy(workspace, path.name)
        if linked:
            actions.append(Action(path.name, "not copied", linked))
            continue
        wants_restore = any(_matches(path.name, w) for w in restore)
        actions.append(_sync_one(path.name, new, workspace, entry, wants_restore))
    for name in sorted(set(copied) - {p.name for p in paths}):
        if (workspace / name).exists():
            actions.append(Action(name, "kept", "no longer in the course; your copy stays"))
    record["source"] = os.path.relpath(source.resolve(), workspace.resolve())
    record["about"] = ("written by `python -m course_utils.workspace`: the sha256 of each "
                       "notebook it copied (content: its cells' types and sources), to know "
                       "which ones you edited")
    _write(workspace / RECORD, (json.dumps(record, indent=1) + "\n").encode("utf-8"))
    return actions


def _refuse_linked_workspace(workspace: Path) -> None:
    """ValueError (one line) if the workspace folder or its record is a symbolic link.

    A link may point anywhere (another clone's workspace, the course's own notebooks), so
    the sync never writes through one; whoever made it on purpose names the real folder.
    """
    state = link_state(workspace)
    if state:
        real = os.path.realpath(workspace)
        raise ValueError(f"{workspace} is {state} (to {real}): the sync never writes through "
                         f"a link; name the real folder (--workspace {real}, or make lab "
                         f"WORKSPACE={real}), or remove the link")
    state = link_state(workspace / RECORD)
    if state:
        raise ValueError(f"{workspace / RECORD} is {state}: the sync never writes through a "
                         "link; delete it (it is only the sync's record) and run again")


def _linked_copy(workspace: Path, name: str) -> str | None:
    """Why the learner's copy of `name` is left alone: it (or its .updated twin) is a link."""
    for path in (workspace / name, updated_twin(workspace / name)):
        state = link_state(path)
        if state:
            return (f"{path.name} is {state}; the sync never writes through or over a link: "
                    "replace it with a real file (or delete it) and run again")
    return None


def content_digest(data: bytes | None) -> str | None:
    """The sha256 of what a learner edits: each cell's type and source.

    Outputs, execution counts and metadata are left out: running a notebook is not
    changing it. None for no file; a notebook that cannot be read gets a digest of its
    bytes, which matches nothing the sync wrote, so it counts as the learner's.
    """
    if data is None:
        return None
    try:
        cells = [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
                  else c["source"]] for c in json.loads(data)["cells"]]
    except (ValueError, KeyError, TypeError):
        return "unreadable:" + digest(data)
    return digest(json.dumps(cells, ensure_ascii=False).encode("utf-8"))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _sync_one(name: str, new: bytes, workspace: Path, entry: dict, wants_restore: bool
              ) -> Action:
    target = workspace / name
    new_content = content_digest(new)
    current = content_digest(_read(target))
    copied = {"copied": digest(new), "content": new_content}
    if wants_restore:
        detail = "a fresh copy"
        if current is not None and current not in (new_content, entry.get("content")):
            backup = target.with_name(f"{target.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}"
                                      ".ipynb")
            target.rename(backup)
            detail += f"; your copy was renamed to {backup.name}"
        _write(target, new)
        entry.update(copied)
        return Action(name, "restored", detail)
    if current is None:
        if "content" in entry:
            return Action(name, "not restored", "you deleted it; for a fresh copy: "
                          f"`make lab RESTORE={target.stem}` (or `python -m "
                          f"course_utils.workspace --restore {target.stem}`)")
        _write(target, new)
        entry.update(copied)
        return Action(name, "added")
    if current == new_content:  # the same cells (its outputs, if you ran it, are kept)
        entry.update(copied)
        return Action(name, "up to date")
    if current == entry.get("content"):
        _write(target, new)
        entry.update(copied)
        return Action(name, "replaced", "you had not edited it; this is the course's new "
                      "version (run it again to see its outputs)")
    if entry.get("content") == new_content:
        return Action(name, "edited by you", "the course's version has not moved")
    return _write_beside(target, new, new_content, entry)


def updated_twin(target: Path) -> Path:
    """Where the course's new version goes when the learner edited `target`: NAME.updated.ipynb."""
    return target.with_name(f"{target.stem}.updated.ipynb")


def _write_beside(target: Path, new: bytes, new_content: str | None, entry: dict) -> Action:
    """The learner changed `target` and the course moved on: the new version goes beside it."""
    beside = updated_twin(target)
    kept = "you edited it, so it is kept as it is; "
    current = content_digest(_read(beside))
    if current == new_content:
        return Action(target.name, "kept", kept + f"the course's new version is in {beside.name}")
    if current is None and entry.get("updated") == new_content:
        return Action(target.name, "edited by you", f"and you deleted {beside.name}")
    if current is not None and current != entry.get("updated"):
        return Action(target.name, "kept", kept + f"{beside.name} has your edits too, so the "
                      "course's newest version was not written: rename it, then run again")
    _write(beside, new)
    entry["updated"] = new_content
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
