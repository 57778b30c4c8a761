"""Forget a student's password, so that their next login sets a new one.

    sudo .venv/bin/python classroom/reset_password.py alice          # one student
    sudo COURSE_HUB_DIR=/srv/class-state .venv/bin/python classroom/reset_password.py alice bob

Run it as root, on the hub's machine, with the same COURSE_HUB_DIR as the hub (the passwords
live in its private folder, in $COURSE_HUB_DIR/passwords.dbm, as bcrypt hashes). The hub can
keep running. Until the student logs in again, ANYONE who types that name may set its
password: tell the student to log in right away. Their files and account are not touched.
"""

from __future__ import annotations

import argparse
import dbm
import os
from pathlib import Path


def forget_passwords(hub_dir: Path, names: list[str]) -> list[str]:
    """Remove `names` from the hub's password file; one line per name saying what happened."""
    lines = []
    with dbm.open(str(hub_dir / "passwords.dbm"), "c", 0o600) as passwords:
        for name in names:
            key = name.strip().lower().encode("utf8")  # the hub's form of a user name
            if key in passwords:
                del passwords[key]
                lines.append(f"{name}: password forgotten; their next login sets a new one")
            else:
                lines.append(f"{name}: no password stored (never logged in, or already reset)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="hub user names, as on the roster")
    default = os.environ.get("COURSE_HUB_DIR", "~/tensors-to-nn-class")
    parser.add_argument("--hub-dir", default=default,
                        help=f"the hub's private folder (COURSE_HUB_DIR; now {default})")
    arguments = parser.parse_args()
    for line in forget_passwords(Path(arguments.hub_dir).expanduser(), arguments.names):
        print(line)


if __name__ == "__main__":
    main()
