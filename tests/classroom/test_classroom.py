"""A class of 8 on one JupyterHub, each student in their own Unix account.

Starts JupyterHub as root from classroom/jupyterhub_config.py on 127.0.0.1 (free ports, a
temporary folder, a random API token) with a roster of 8 students and a teacher (an admin).
The hub creates one Unix account per student, named `ctest-<4 hex>-<name>` so it never
collides with a real account; every account is deleted at the end (`userdel -r`), failures
included. The course comes from a bare clone of this repository served by `git daemon` on
127.0.0.1, the way a teacher's git host would serve it.

1. Identity: the teacher and the 8 students log in and set their own passwords; the same
   name with another password is refused; a name not on the roster is refused; a password
   the teacher resets (classroom/reset_password.py) is set anew by the next login.
2. The class: every student clicks the nbgitpuller link (their server starts as their own
   account and the course is cloned into their home, mode 0700); all 8 run the training
   notebook (06, or 00 before 06 exists) at the same moment in their own kernels; half of
   them answer an exercise, one renames the notebook; the teacher pushes a new cell, a new
   notebook and an edit of that exercise line; everyone pulls again: each student's answer
   survived (upstream's edit of that line is dropped silently, as TEACHERS.md warns), the
   others got it, everyone got the new cell and notebook.
3. Isolation: from inside student A's kernel, B's home, B's kernel connection file, the
   hub's cookie secret, database and password file, and /proc/<hub or proxy>/environ all
   raise PermissionError; A's server and kernels run as A's uid; no secret of the hub is in
   A's server's environment.
4. Culling: a second hub with a 10 s idle setting stops a server nobody uses, and not before
   that idle time has passed since the server's last activity; the culler logs it.

Everything the hubs started is stopped by PID at the end, failures included.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from classroom_hub import (
    REPO,
    GitServer,
    Hub,
    Student,
    remove_accounts,
    require_classroom,
    run_prefix,
)

sys.path.insert(0, str(REPO / "classroom"))
from pull_link import nbgitpuller_link  # noqa: E402  (classroom/ is not a package)

pytestmark = pytest.mark.classroom

STUDENTS = 8
EDITORS = 4  # students 1-4 edit an exercise before the second pull
TEACHER = "teacher"
FOLDER = "tensors-to-nn"
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"  # the one the link opens
NEW_NOTEBOOK = "notebooks/99_added_during_class.ipynb"
NEW_CELL = "## Added by the teacher during class"
UPSTREAM_MARK = "  # corrected by the teacher"
GIT = ["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org"]
IDLE_SECONDS = 10  # the culler's setting in the culling test (the course's default is 3600)


@dataclass
class Room:
    """A running hub, its students and teacher, and where the course is served from."""

    folder: Path
    hub: Hub
    students: list[Student]
    teacher: Student
    repo_url: str
    branch: str


def temporary_folder() -> Path:
    # Short paths: kernel sockets live in the homes, and a socket path has at most 107 bytes.
    return Path(tempfile.mkdtemp(prefix="hub-", dir="/tmp"))


def tear_down(hub: Hub, people: list[Student], report: list[str]) -> None:
    """Stop every process the hub started, then delete the run's accounts; assert both."""
    for person in people:
        person.close()
    killed = hub.stop()
    still_running = hub.running_processes()
    removed = remove_accounts(hub.prefix)
    left = [a.pw_name for a in pwd.getpwall() if a.pw_name.startswith(hub.prefix)]
    report.append(f"stopped: {len(hub.known_processes)} processes seen, {len(killed)} needed a "
                  f"signal by PID, {len(still_running)} still running; {len(removed)} "
                  f"accounts {hub.prefix}* removed, {len(left)} left")
    assert not still_running, f"processes left running: {still_running}\n{hub.log_tail()}"
    assert not left, f"accounts left behind: {left}"


@pytest.fixture(scope="module")
def room(classroom_report):
    require_classroom()
    folder = temporary_folder()
    served = folder / "git"
    served.mkdir()
    bare = served / "course.git"
    git("clone", "-q", "--bare", str(REPO), str(bare))
    branch = git("symbolic-ref", "--short", "HEAD", cwd=bare).strip()
    git("clone", "-q", str(bare), str(folder / "upstream"))
    names = [f"student-{n}" for n in range(1, STUDENTS + 1)]
    hub = Hub(folder, roster=names, admins=(TEACHER,), prefix=run_prefix())
    people: list[Student] = []
    try:
        with GitServer(served) as server:
            hub.start()
            people = [Student(hub, name) for name in [*names, TEACHER]]
            classroom_report.append(f"hub {hub.url}, accounts {hub.prefix}*")
            yield Room(folder, hub, people[:-1], people[-1], server.url("course.git"), branch)
    finally:
        try:
            tear_down(hub, people, classroom_report)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def ensure_server(student: Student) -> None:
    """The student's server, started through the hub's API if it is not running yet."""
    model = student.hub.api("GET", f"/users/{student.name}").json()
    if not model.get("servers", {}).get("", {}).get("ready"):
        student.hub.api("POST", f"/users/{student.name}/server")
        student.hub.wait_until_ready(student.name)


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def answer_line(notebook: dict) -> tuple[int, int, str]:
    """(cell index, line index, text) of the first line inside the first solution region."""
    for index, cell in enumerate(notebook["cells"]):
        lines = "".join(cell["source"]).splitlines(keepends=True)
        for number, line in enumerate(lines):
            if "### BEGIN SOLUTION" in line:
                return index, number + 1, lines[number + 1]
    raise AssertionError("no exercise (### BEGIN SOLUTION) in the notebook")


def replace_line(notebook: dict, cell: int, line: int, text: str) -> None:
    lines = "".join(notebook["cells"][cell]["source"]).splitlines(keepends=True)
    lines[line] = text
    notebook["cells"][cell]["source"] = "".join(lines)


def student_answer(name: str, original: str) -> str:
    return original.rstrip("\n") + f"  # my answer ({name})\n"


def push_upstream_changes(upstream: Path, exercise_notebook: str) -> None:
    """The teacher, mid-course: a new cell, an edited exercise line, a new notebook."""
    path = upstream / exercise_notebook
    notebook = nbformat.read(path, as_version=4)
    cell, line, original = answer_line(notebook)
    replace_line(notebook, cell, line, original.rstrip("\n") + UPSTREAM_MARK + "\n")
    notebook.cells.insert(len(notebook.cells) - 1, nbformat.v4.new_markdown_cell(
        NEW_CELL + "\n\nA new cell reaches every student, whatever they edited."))
    nbformat.write(notebook, path)
    extra = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Added during class"),
        nbformat.v4.new_code_cell("print('a notebook added after the first pull')")])
    nbformat.write(extra, upstream / NEW_NOTEBOOK)
    git("add", exercise_notebook, NEW_NOTEBOOK, cwd=upstream)
    git("commit", "-q", "-m", "Add a cell and a notebook during class", cwd=upstream)
    git("push", "-q", "origin", "HEAD", cwd=upstream)


def training_notebook(clone: Path) -> str:
    """Notebook 06 (the training loop) if the course has it yet, else 00."""
    found = sorted(clone.glob("notebooks/06_*.ipynb"))
    return f"notebooks/{found[0].name}" if found else FIRST_NOTEBOOK


def test_roster_students_set_their_own_passwords_and_nobody_takes_a_claimed_name(room):
    hub = room.hub
    # The teacher logs in first, before any link goes out: their password is set and kept.
    room.teacher.log_in()
    assert hub.api("GET", f"/users/{TEACHER}").json()["admin"] is True
    with ThreadPoolExecutor(STUDENTS) as pool:
        list(pool.map(Student.log_in, room.students))  # the 9:00 rush: first logins at once

    first, second = room.students[0], room.students[1]
    intruder = Student(hub, "intruder")
    try:
        assert not intruder.try_log_in(first.name, "another-password-for-a-taken-name"), (
            "a claimed name let someone in with another password")
        assert not intruder.try_log_in(TEACHER, second.password), (
            "the teacher's name let a student's password in")
        assert not intruder.try_log_in("not-on-the-roster", "a-long-enough-password"), (
            "a name not on the roster got in")
        assert hub.api("GET", "/users/not-on-the-roster").status_code == 404
        with pytest.raises(KeyError):
            pwd.getpwnam(hub.unix_name("not-on-the-roster"))
        assert intruder.try_log_in(first.name, first.password), "the real password stopped working"
    finally:
        intruder.close()

    # The teacher resets a forgotten password (classroom/reset_password.py): the next login
    # sets a new one, and the old one no longer works.
    forgetful = room.students[-1]
    old_password, forgetful.password = forgetful.password, f"new-{forgetful.password}"
    reset = subprocess.run([str(hub.python), str(REPO / "classroom" / "reset_password.py"),
                            "--hub-dir", str(hub.state), forgetful.name],
                           capture_output=True, text=True, timeout=60)  # as the teacher does
    assert reset.stdout.strip().endswith("sets a new one"), reset.stdout + reset.stderr
    for password, works in ((forgetful.password, True), (old_password, False)):
        browser = Student(hub, forgetful.name)
        try:
            assert browser.try_log_in(password=password) is works
        finally:
            browser.close()
    names = {user["name"] for user in hub.api("GET", "/users").json()}
    assert names == {TEACHER, *(s.name for s in room.students)}


@pytest.mark.timeout(600)
def test_a_class_of_eight_pulls_the_course_runs_it_and_keeps_their_work(room, classroom_report):
    hub, students, repo_url, branch = room.hub, room.students, room.repo_url, room.branch
    report = classroom_report
    link = nbgitpuller_link(hub_url="", repo=repo_url, branch=branch, targetpath=FOLDER,
                            notebook=FIRST_NOTEBOOK)
    # Students run, save, then answer an exercise in the same notebook: the hardest merge.
    exercise_notebook = training_notebook(room.folder / "upstream")
    run_path = exercise_path = f"{FOLDER}/{exercise_notebook}"
    names = [student.name for student in students]
    report.append(f"notebook run by everyone: {run_path}")

    # 1. Log in and click the link, all at once, as a class does at 9:00.
    def first_click(student: Student) -> None:
        student.log_in()
        page = student.click(link)
        assert page.status_code == 200 and page.url.path == f"/user/{student.name}/git-pull", (
            f"{student.name}'s click ended at {page.url} ({page.status_code})")
        student.git_pull(repo_url, branch, FOLDER)

    with ThreadPoolExecutor(STUDENTS) as pool:
        list(pool.map(first_click, students))
    for student in students:
        assert (student.home / FOLDER / FIRST_NOTEBOOK).is_file(), f"{student.name}: no course"
        home = student.home.stat()
        assert (home.st_uid, oct(home.st_mode & 0o777)) == (student.uid, "0o700"), (
            f"{student.name}'s home should be theirs alone")
        assert (student.home / FOLDER / FIRST_NOTEBOOK).stat().st_uid == student.uid

    # 2. Everyone runs the training notebook at the same moment, each in their own kernel.
    kernels = {}
    with ThreadPoolExecutor(STUDENTS) as pool:
        for student, started in zip(students, pool.map(
                lambda s: s.start_kernel(run_path), students), strict=True):
            kernels[student.name] = started
    for student in students:
        connection_files = list((student.home / ".jupyter-run").glob("kernel-*.json"))
        assert connection_files, f"{student.name}: no kernel connection file in their home"
        transports = {json.loads(f.read_text())["transport"] for f in connection_files}
        assert transports == {"ipc"}, f"{student.name}'s kernel uses {transports}, not ipc"

    together = threading.Barrier(STUDENTS)

    def run(student: Student) -> tuple[float, list[str]]:
        notebook, seconds, errors = student.run_notebook(
            run_path, kernels[student.name][1], start_together=together)
        student.save_notebook(run_path, notebook)  # Ctrl+S: outputs go into the file
        return seconds, errors

    with ThreadPoolExecutor(STUDENTS) as pool:
        results = dict(zip(names, pool.map(run, students), strict=True))
    memory = {name: usage for name, usage in hub.memory_per_student().items()
              if name in names}  # the teacher's server is up too
    threads = {}
    for student in students:
        with student.channels(kernels[student.name][1]) as channels:
            _reply, outputs = channels.execute(
                "import os, torch; print(os.environ.get('OMP_NUM_THREADS'), "
                "torch.get_num_threads())", timeout=60)
        threads[student.name] = "".join(o.get("text", "") for o in outputs).strip()
        student.stop_session(kernels[student.name][0])

    times = sorted(seconds for seconds, _errors in results.values())
    report.append("per-student run time (s): " + ", ".join(
        f"{name}={results[name][0]:.1f}" for name in names))
    report.append(f"median {statistics.median(times):.1f} s, max {times[-1]:.1f} s; "
                  f"kernel start median "
                  f"{statistics.median(k[2] for k in kernels.values()):.1f} s")
    report.append("memory per student with a kernel (MB, RSS / PSS): " + ", ".join(
        f"{m['rss_mb']:.0f}/{m['pss_mb']:.0f}" for m in memory.values()))
    failures = {name: errors for name, (_s, errors) in results.items() if errors}
    assert not failures, f"notebook runs failed: {failures}"
    assert set(threads.values()) == {"1 1"}, (
        f"every kernel should have OMP_NUM_THREADS=1 and 1 torch thread: {threads}")
    assert set(memory) == set(names), f"memory measured for {sorted(memory)} only"

    # 3. Half the class answers an exercise; one student wants a fresh copy of the notebook.
    original = None
    for student in students[:EDITORS]:
        notebook = student.read_notebook(exercise_path)
        cell, line, original = answer_line(notebook)
        replace_line(notebook, cell, line, student_answer(student.name, original))
        student.save_notebook(exercise_path, notebook)
    fresh_copy_student = students[-1]
    renamed = exercise_path.replace(".ipynb", "-mine.ipynb")
    fresh_copy_student.server_api("PATCH", f"/contents/{exercise_path}",
                                  json={"path": renamed}).raise_for_status()

    # 4. The teacher pushes a new cell, a new notebook and an edit of the exercise line.
    push_upstream_changes(room.folder / "upstream", exercise_notebook)

    # 5. Everyone clicks the link again.
    def second_click(student: Student) -> None:
        page = student.click(link)
        assert page.status_code == 200, f"{student.name}'s second click: {page.status_code}"
        student.git_pull(repo_url, branch, FOLDER)

    with ThreadPoolExecutor(STUDENTS) as pool:
        list(pool.map(second_click, students))

    for number, student in enumerate(students, start=1):
        course = student.home / FOLDER
        assert (course / NEW_NOTEBOOK).is_file(), f"{student.name}: the new notebook is missing"
        for path in sorted(course.glob("notebooks/*.ipynb")):
            nbformat.validate(nbformat.read(path, as_version=4))  # raises if the merge broke it
        notebook = json.loads((course / exercise_notebook).read_text())
        text = json.dumps(notebook)
        assert json.dumps(NEW_CELL)[1:-1] in text, f"{student.name}: the new cell is missing"
        _cell, _line, line = answer_line(notebook)
        if number <= EDITORS:
            assert line == student_answer(student.name, original), (
                f"{student.name}'s answer did not survive the pull: {line!r}")
        else:
            assert UPSTREAM_MARK in line, (
                f"{student.name} left the exercise alone but missed upstream's edit: {line!r}")
    renamed_copy = fresh_copy_student.home / renamed
    assert renamed_copy.is_file(), "the renamed copy should be kept"
    assert NEW_CELL not in renamed_copy.read_text(), "the renamed copy should be untouched"
    kept = nbformat.read(renamed_copy, as_version=4)
    assert any(c.get("outputs") for c in kept.cells if c.cell_type == "code"), (
        "the renamed copy should keep the student's outputs")
    fresh = nbformat.read(fresh_copy_student.home / exercise_path, as_version=4)
    assert all(not c.get("outputs") for c in fresh.cells if c.cell_type == "code"), (
        "the fresh copy should be upstream's notebook, without the student's outputs")
    report.append(f"nbgitpuller: {EDITORS} answers kept (upstream's edit of those lines "
                  "dropped), the others got it; new cell and notebook reached all 8")


PROBE = """\
import json, os
found = {}
for label, path in json.loads(%r).items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").close()
        found[label] = "read"
    except OSError as error:
        found[label] = type(error).__name__
print(json.dumps({"uid": os.getuid(), "found": found}))
"""


def test_a_student_cannot_reach_a_classmate_or_the_hub(room, classroom_report):
    hub = room.hub
    a, b = room.students[0], room.students[1]
    for student in (a, b):
        student.log_in()
        ensure_server(student)
    sessions = [student.start_kernel(f"probe-{student.name}.ipynb") for student in (a, b)]
    try:
        proxy = next(p for p in hub.known_processes
                     if "configurable-http-proxy" in " ".join(p.cmdline()))
        connection_file = next((b.home / ".jupyter-run").glob("kernel-*.json"))
        targets = {
            "A's own home": str(a.home),  # the control: A reads their own files
            "B's home": str(b.home),
            "B's kernel connection file": str(connection_file),
            "the hub's state folder": str(hub.state),
            "the cookie secret": str(hub.state / "jupyterhub_cookie_secret"),
            "the hub's database": str(hub.state / "jupyterhub.sqlite"),
            # the first-use authenticator's password hashes (a dbm: one file or several)
            "the password file": str(min(hub.state.glob("passwords.dbm*"))),
            "/proc/<hub>/environ": f"/proc/{hub.process.pid}/environ",
            "/proc/<proxy>/environ": f"/proc/{proxy.pid}/environ",
        }
        for label, path in targets.items():
            assert os.path.exists(path), f"{label} ({path}) must exist for the probe to mean much"
        with a.channels(sessions[0][1]) as channels:
            _reply, outputs = channels.execute(PROBE % json.dumps(targets), timeout=60)
        answer = json.loads("".join(o.get("text", "") for o in outputs))
        classroom_report.append("from student-1's kernel: " + ", ".join(
            f"{label}: {result}" for label, result in answer["found"].items()))
        assert answer["found"] == {label: "read" if label == "A's own home" else
                                   "PermissionError" for label in targets}
        assert answer["uid"] == a.uid != 0

        # A's server and kernels run as A; nothing of the hub's secrets is in their environment.
        processes = hub.server_processes(a.name)
        assert len(processes) >= 2, f"{a.name}: expected a server and a kernel, saw {processes}"
        for process in processes:
            assert set(process.uids()) == {a.uid}, f"{process.cmdline()} runs as {process.uids()}"
            assert "--allow-root" not in process.cmdline()
        secrets = {hub.token, proxy.environ().get("CONFIGPROXY_AUTH_TOKEN", hub.token)}
        environment = processes[0].environ()
        leaked = [key for key, value in environment.items()
                  if value in secrets or key.startswith(("CLASSROOM_", "CONFIGPROXY"))]
        assert not leaked, f"the hub's secrets reached {a.name}'s server: {leaked}"
    finally:
        for student, (session_id, _kernel, _s) in zip((a, b), sessions, strict=True):
            student.stop_session(session_id)


@pytest.mark.timeout(300)
def test_the_culler_stops_a_server_nobody_uses(classroom_report):
    require_classroom()
    folder = temporary_folder()
    hub = Hub(folder, roster=["idle-student"], idle_seconds=IDLE_SECONDS, prefix=run_prefix())
    student = None
    try:
        hub.start()
        student = Student(hub, "idle-student")
        student.log_in()
        ensure_server(student)
        started = time.monotonic()
        deadline = started + IDLE_SECONDS * 6
        last_activity = None  # the latest the hub reported while the server ran
        while time.monotonic() < deadline:
            server = hub.api("GET", f"/users/{student.name}").json()["servers"].get("")
            if not server:
                break
            if server.get("last_activity"):
                last_activity = datetime.fromisoformat(server["last_activity"])
            time.sleep(1)
        else:
            pytest.fail(f"the culler left an idle server running for {IDLE_SECONDS * 6} s "
                        f"(setting: {IDLE_SECONDS} s)\n{hub.log_tail()}")
        stopped = datetime.now(UTC)
        # Stopped by the culler, not by a crash: the server ran at least the idle limit past
        # its last activity (the culler compares the same clock), and the culler says so.
        assert last_activity is not None, f"the hub reported no activity\n{hub.log_tail()}"
        idle = (stopped - last_activity).total_seconds()
        assert idle >= IDLE_SECONDS, (
            f"the server stopped {idle:.1f} s after its last activity, before the idle limit "
            f"({IDLE_SECONDS} s): not the culler's doing\n{hub.log_tail()}")
        assert f"Culling server {student.name} (inactive for" in hub.log_path.read_text(
            errors="replace"), f"the culler did not log stopping it\n{hub.log_tail()}"
        classroom_report.append(f"culler: idle server stopped {time.monotonic() - started:.0f} s "
                                f"after it was ready, {idle:.0f} s after its last activity "
                                f"(setting: {IDLE_SECONDS} s)")
    finally:
        try:
            tear_down(hub, [student] if student else [], classroom_report)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
