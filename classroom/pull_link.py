"""Build the nbgitpuller link that hands this course to every student of a JupyterHub.

    python classroom/pull_link.py https://hub.example.org https://github.com/you/tensors-to-nn
    python classroom/pull_link.py https://hub.example.org https://github.com/you/tensors-to-nn \\
        --branch student --notebook notebooks/00_start_here.ipynb

The repository is the public git address of YOUR copy of the course (a fork, or the
repository you publish the student copy to): every student's server clones it.

A student who clicks the link logs in (if needed), gets a server, and finds the course in
the folder `targetpath` of their home, opened on `notebook` in JupyterLab. Clicking it again
later pulls the teacher's updates and keeps the student's own edits (see TEACHERS.md).
"""

from __future__ import annotations

import argparse
from urllib.parse import urlencode

COURSE_FOLDER = "tensors-to-nn"
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"


def nbgitpuller_link(hub_url: str, repo: str, branch: str = "main",
                     targetpath: str = COURSE_FOLDER, notebook: str = FIRST_NOTEBOOK) -> str:
    """The link to send: `<hub>/hub/user-redirect/git-pull?repo=...&branch=...&...`.

    Example:
        nbgitpuller_link("https://hub.example.org", "https://github.com/a/b", "main", "b",
                         "notebooks/00_start_here.ipynb")
        -> "https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com
            %2Fa%2Fb&branch=main&targetpath=b&urlpath=lab%2Ftree%2Fb%2Fnotebooks%2F00_..."
    `user-redirect` sends each student to their own server (/user/<name>/git-pull?...).
    """
    query = urlencode({
        "repo": repo,
        "branch": branch,
        "targetpath": targetpath,
        "urlpath": f"lab/tree/{targetpath}/{notebook}",
    })
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hub_url", help="the address students open, e.g. https://hub.example.org")
    parser.add_argument("repo", help="the git repository to hand out (an https:// address)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--targetpath", default=COURSE_FOLDER,
                        help="the folder it lands in, inside each student's home")
    parser.add_argument("--notebook", default=FIRST_NOTEBOOK, help="the notebook JupyterLab opens")
    args = parser.parse_args()
    print(nbgitpuller_link(args.hub_url, args.repo, args.branch, args.targetpath, args.notebook))


if __name__ == "__main__":
    main()
