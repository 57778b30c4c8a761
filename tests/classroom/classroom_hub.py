"""A whole classroom on this machine: a JupyterHub with the course's configuration and students.

Used by tests/classroom/test_classroom.py and benchmarks/classroom.py. Everything listens on
127.0.0.1 on free ports; the hub's state (mode 0700), the roster and the students' homes live
in one temporary folder; the test talks to the hub with a random API token. The hub runs as
root and creates one Unix account per student, named with a prefix unique to the run
(`ctest-<4 hex>-`), so they never collide with real accounts; `remove_accounts` deletes them
(`userdel -r`). `Hub.stop()` ends every process the hub started (proxy, culler, student
servers, kernels) by PID, whatever state the run is in.

A `Student` does what a person in the room does: logs in with their own password (the first
login sets it), clicks the nbgitpuller link (which starts their server and pulls the course),
edits and saves a notebook, and runs a notebook top to bottom in their own kernel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil
import websocket

REPO = Path(__file__).resolve().parents[2]
COURSE_CONFIG = REPO / "classroom" / "jupyterhub_config.py"
ENV_BIN = Path(sys.executable).parent
COURSE_SITE = Path(httpx.__file__).resolve().parents[1]  # the course environment's packages
SYSTEM_PYTHON = Path("/usr/bin/python3.11")  # Debian's, open to every account
SERVICE = "classroom-test"
READY_TIMEOUT_S = 180
CELL_TIMEOUT_S = 180  # a stall costs minutes, not the whole run; a busy machine is slow


def missing_pieces() -> list[str]:
    """What a learner's machine may lack for a classroom run (empty when all is there)."""
    missing = []
    for module in ("jupyterhub", "nbgitpuller", "configurable_http_proxy"):
        if importlib.util.find_spec(module) is None:
            missing.append(f"the Python package {module} (pip install -e '.[classroom]')")
    for program in ("jupyterhub", "jupyterhub-singleuser", "configurable-http-proxy"):
        if not (ENV_BIN / program).exists():
            missing.append(f"{ENV_BIN / program} (pip install -e '.[classroom]')")
    if shutil.which("git") is None:
        missing.append("git (nbgitpuller runs it)")
    if not (REPO / ".git").exists():
        missing.append(f"a git clone of the course at {REPO} (the test serves it to students)")
    if sys.platform != "linux":
        missing.append("Linux (the test reads process memory and kills processes by PID)")
    elif os.geteuid() != 0:
        missing.append("root (the hub creates a Unix account per student and runs each "
                       "student's server as that account)")
    for program in ("useradd", "userdel"):
        if shutil.which(program) is None:
            missing.append(f"{program} (the hub creates students' accounts with it)")
    if not course_open_to_everyone() and not SYSTEM_PYTHON.exists():
        missing.append(f"{REPO} readable by every account (students' servers import the course), "
                       f"or {SYSTEM_PYTHON} to run an open copy of it")
    if not interpreter_open_to_everyone() and not SYSTEM_PYTHON.exists():
        missing.append(f"a Python 3.11 every account can run ({sys.executable} is not; "
                       f"neither is there {SYSTEM_PYTHON})")
    return missing


def require_classroom() -> None:
    """Skip the calling test with one line when this machine cannot run a classroom
    (`missing_pieces`); under CI=true fail instead: CI must run the classroom tests."""
    import pytest  # here, not at the top: benchmarks/classroom.py imports this module too

    missing = missing_pieces()
    if missing:
        message = "the classroom test needs " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the classroom tests must run in CI)")
        pytest.skip(message)


def open_to_everyone(path: Path) -> bool:
    """Whether every account can walk to `path` (and run it, for a file)."""
    return all(step.stat().st_mode & stat.S_IXOTH for step in [*reversed(path.parents), path])


def course_open_to_everyone() -> bool:
    """Whether students' accounts can import the course from where it is (clone and .venv)."""
    return all(open_to_everyone(needed) for needed in (REPO / "course_utils", COURSE_SITE))


def open_copy_of_the_course(folder: Path) -> Path:
    """The course's installed packages where every account can read them, for a clone in a
    closed folder (CI may clone under /root): hard links (no data copied, the same files), and
    a real copy of course_utils with the editable install's finder pointed at it. Returns the
    copy's site-packages."""
    site = folder / "course-site"
    shutil.copytree(COURSE_SITE, site, symlinks=True, copy_function=_link_or_copy)
    course = folder / "course_utils"
    shutil.copytree(REPO / "course_utils", course, ignore=shutil.ignore_patterns("__pycache__"))
    for finder in site.glob("__editable__*finder.py"):
        text = finder.read_text().replace(str(REPO / "course_utils"), str(course))
        finder.unlink()  # a hard link: never write through it into the course's own .venv
        finder.write_text(text)
    return site


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def interpreter_open_to_everyone() -> bool:
    return (open_to_everyone(Path(os.path.realpath(sys.executable)))
            and open_to_everyone(Path(os.__file__).parent))


def students_python(folder: Path, always: bool = False) -> Path:
    """The Python the hub runs from, and so the students' servers and kernels: one that every
    account can run.

    The course's .venv when its interpreter is open to every account. Otherwise (a pyenv
    Python under /root, as on the machines we test on; TEACHERS.md tells a teacher to build
    .venv from a Python every account can run) a thin environment in `folder`: Debian's
    python3.11 with the course's installed packages added by `site.addsitedir`, its `etc` and
    `share` (Jupyter's extensions and JupyterLab), and the three scripts the hub runs pointing
    at it. The hub's own checks then pass for real. `always`: build it even when not needed.
    """
    if interpreter_open_to_everyone() and course_open_to_everyone() and not always:
        return ENV_BIN / "python"
    env = folder / "env"
    if (env / "bin" / "python").exists():
        return env / "bin" / "python"
    scripts = env / "bin"
    site = env / "lib" / "python3.11" / "site-packages"
    scripts.mkdir(parents=True)
    site.mkdir(parents=True)
    (scripts / "python").symlink_to(SYSTEM_PYTHON)
    (env / "pyvenv.cfg").write_text(f"home = {SYSTEM_PYTHON.parent}\n"
                                    "include-system-site-packages = false\n")
    course_site = COURSE_SITE if course_open_to_everyone() else open_copy_of_the_course(folder)
    (site / "course-env.pth").write_text(f"import site; site.addsitedir({str(course_site)!r})\n")
    for shared in ("etc", "share"):  # server extensions (nbgitpuller), JupyterLab, kernelspecs
        if course_open_to_everyone():
            (env / shared).symlink_to(ENV_BIN.parent / shared)
        else:  # hard links: the closed clone's own files, where students can reach them
            shutil.copytree(ENV_BIN.parent / shared, env / shared, symlinks=True,
                            copy_function=_link_or_copy)
    for name in ("jupyterhub", "jupyterhub-singleuser", "configurable-http-proxy"):
        _shebang, body = (ENV_BIN / name).read_text().split("\n", 1)
        (scripts / name).write_text(f"#!{scripts / 'python'}\n{body}")
        (scripts / name).chmod(0o755)
    return scripts / "python"


def run_prefix() -> str:
    """A Unix account prefix for one test run: `ctest-` and 4 random hex digits, then `-`."""
    return f"ctest-{secrets.token_hex(2)}-"


def remove_accounts(prefix: str) -> list[str]:
    """Delete every account whose name starts with `prefix` (and its home): `userdel -r`."""
    if not prefix.startswith("ctest-"):
        raise ValueError(f"refusing to delete accounts named {prefix}*: not a test prefix")
    removed = []
    for account in pwd.getpwall():
        if account.pw_name.startswith(prefix):
            subprocess.run(["userdel", "-r", account.pw_name], capture_output=True)
            removed.append(account.pw_name)
    return removed


class GitServer:
    """`git daemon` on 127.0.0.1 serving the bare repositories in `folder`: the teacher's git
    host. (A student's account may not clone a local path owned by root: git refuses a
    repository owned by another user, "dubious ownership".)"""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def __enter__(self) -> GitServer:
        self.process = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={self.port}",
             f"--base-path={self.folder}", "--export-all", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError("git daemon did not listen within 30 s")

    def __exit__(self, *exc_info) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TEST_CONFIG = """\
# The course's configuration, plus a service the test drives the hub with.
import os
load_subconfig({course_config!r})
c.JupyterHub.services.append(
    {{"name": {service!r}, "api_token": os.environ["CLASSROOM_TEST_TOKEN"]}})
c.JupyterHub.load_roles.append({{
    "name": {service!r},
    "scopes": ["admin:users", "admin:servers", "tokens", "shutdown"],
    "services": [{service!r}],
}})
"""


class Hub:
    """A JupyterHub started as root from classroom/jupyterhub_config.py in `folder`.

    Use as a context manager: `with Hub(folder, roster) as hub: ...` stops everything on the way
    out (the accounts stay until `remove_accounts(hub.prefix)`). `roster` is who may log in,
    `admins` the teachers; `threads` is what the hub gives each student's kernel
    (COURSE_THREADS, OMP_NUM_THREADS); `idle_seconds` the culler's setting.
    """

    def __init__(self, folder: Path, roster: list[str], admins: tuple[str, ...] = (),
                 threads: str = "1", idle_seconds: int = 3600, prefix: str | None = None) -> None:
        self.folder = folder
        self.roster = roster
        self.admins = admins
        self.threads = threads
        self.idle_seconds = idle_seconds
        self.prefix = prefix or run_prefix()
        self.token = secrets.token_hex(32)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = folder / "hub"  # COURSE_HUB_DIR: database, cookie secret, passwords
        self.homes = folder / "homes"
        self.log_path = folder / "jupyterhub.log"
        self.python = ENV_BIN / "python"
        self.process: subprocess.Popen | None = None
        self._known: dict[int, psutil.Process] = {}

    def unix_name(self, name: str) -> str:
        return self.prefix + name

    # --- starting and stopping ---------------------------------------------------------------
    def start(self) -> Hub:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # students enter it to reach their homes
        config = self.folder / "jupyterhub_test_config.py"
        config.write_text(TEST_CONFIG.format(course_config=str(COURSE_CONFIG), service=SERVICE))
        roster = self.folder / "roster.txt"
        roster.write_text("# the test's class\n" + "\n".join(self.roster) + "\n")
        self.python = students_python(self.folder)  # what the hub (and the teacher) run
        env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
        env.update({
            "COURSE_HUB_DIR": str(self.state),
            "COURSE_HUB_HOMES": str(self.homes),
            "COURSE_HUB_ROSTER": str(roster),
            "COURSE_HUB_ADMINS": ",".join(self.admins),
            "COURSE_UNIX_PREFIX": self.prefix,
            "COURSE_CULL_IDLE_SECONDS": str(self.idle_seconds),
            "COURSE_HUB_PORT": str(self.port),
            "COURSE_PROXY_API_PORT": str(free_port()),
            "COURSE_HUB_API_PORT": str(free_port()),
            "COURSE_THREADS": self.threads,
            "CLASSROOM_TEST_TOKEN": self.token,
        })
        # The log is the hub's: nobody else reads it.
        descriptor = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "wb") as log:
            self.process = subprocess.Popen(
                [str(self.python), "-m", "jupyterhub", "-f", str(config)],
                cwd=self.folder, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._remember(self.process.pid)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            try:
                if self.api("GET", "/").status_code == 200:
                    self.remember_processes()
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise RuntimeError("JupyterHub did not answer within 90 s:\n" + self.log_tail())

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> list[int]:
        """Stop the hub and everything it started; returns the PIDs that had to be killed.

        First the polite way (the hub's shutdown API stops the servers, kernels and proxy),
        then every process ever seen under the hub is terminated by PID, then killed.
        """
        if self.process is None:
            return []
        self.remember_processes()
        if self.process.poll() is None:
            try:
                self.api("POST", "/shutdown", json={"servers": True, "proxy": True}, timeout=10)
            except httpx.HTTPError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        leftovers = [p for p in self._known.values() if _alive(p)]
        for process in leftovers:
            _signal(process, signal.SIGTERM)
        _gone, still_alive = psutil.wait_procs(leftovers, timeout=10)
        for process in still_alive:
            _signal(process, signal.SIGKILL)
        psutil.wait_procs(still_alive, timeout=10)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        return [p.pid for p in leftovers]

    def _remember(self, pid: int) -> None:
        try:
            self._known.setdefault(pid, psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass

    def remember_processes(self) -> None:
        """Record every process under the hub now (a kernel can outlive its server)."""
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self._known.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass

    @property
    def known_processes(self) -> list[psutil.Process]:
        """Every process seen under the hub so far (hub, proxy, servers, kernels)."""
        return list(self._known.values())

    def running_processes(self) -> list[psutil.Process]:
        """Processes the hub started that still run (after stop(): should be none)."""
        return [p for p in self._known.values() if _alive(p)]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- talking to the hub ------------------------------------------------------------------
    def api(self, method: str, path: str, timeout: float = 30, **kwargs) -> httpx.Response:
        """A request to the hub's REST API as the test service."""
        return httpx.request(method, f"{self.url}/hub/api{path}", timeout=timeout,
                             headers={"Authorization": f"token {self.token}"}, **kwargs)

    def wait_until_ready(self, name: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                self.remember_processes()
                return
            if not model.get("pending") and not server:
                raise RuntimeError(f"{name}'s server is neither starting nor running:\n"
                                   + self.log_tail())
            time.sleep(0.5)
        raise RuntimeError(f"{name}'s server was not ready after {READY_TIMEOUT_S} s")

    def server_processes(self, name: str) -> list[psutil.Process]:
        """The student's server and everything under it (kernels), as the hub sees them."""
        found = []
        for server in psutil.Process(self.process.pid).children():
            try:
                if server.environ().get("JUPYTERHUB_USER") == name:
                    found += [server, *server.children(recursive=True)]
            except psutil.Error:
                continue
        return found

    def memory_per_student(self) -> dict[str, dict[str, float]]:
        """MB per student (their server and kernels): RSS, and PSS (shared pages split fairly)."""
        usage: dict[str, dict[str, float]] = {}
        for server in psutil.Process(self.process.pid).children():
            try:
                name = server.environ().get("JUPYTERHUB_USER")
                if not name:
                    continue  # the proxy
                tree = [server, *server.children(recursive=True)]
                rss = pss = 0
                for process in tree:
                    info = process.memory_full_info()
                    rss += info.rss
                    pss += info.pss
            except psutil.Error:
                continue
            usage[name] = {"rss_mb": rss / 2**20, "pss_mb": pss / 2**20, "processes": len(tree)}
        return usage


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _signal(process: psutil.Process, number: int) -> None:
    try:
        process.send_signal(number)  # psutil checks the PID still names the same process
    except psutil.Error:
        pass


# --- students ------------------------------------------------------------------------------------
@dataclass
class RunResult:
    """One student's run of a notebook: seconds from the first cell to the last, and errors."""

    student: str
    kernel_start_s: float
    run_s: float
    errors: list[str] = field(default_factory=list)


class Student:
    """One person in the room, with their own browser session (cookies), password and account."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub = hub
        self.name = name
        self.unix_name = hub.unix_name(name)
        self.password = secrets.token_urlsafe(12)  # what they type at their first login
        self.home = hub.homes / self.unix_name
        self.browser = httpx.Client(base_url=hub.url, follow_redirects=True, timeout=60)
        self._token: str | None = None

    def close(self) -> None:
        self.browser.close()

    # --- in the browser ----------------------------------------------------------------------
    def try_log_in(self, name: str | None = None, password: str | None = None) -> bool:
        """Fill in the hub's login form (by default as this student); True if it let us in."""
        page = self.browser.get("/hub/login")
        if 'name="_xsrf"' not in page.text:  # logged in already: the hub sent us on
            return "/hub/login" not in page.url.path
        xsrf = page.text.split('name="_xsrf" value="', 1)[1].split('"', 1)[0]
        answer = self.browser.post("/hub/login", data={
            "username": name or self.name, "password": password or self.password,
            "_xsrf": xsrf})
        return "/hub/login" not in answer.url.path

    def log_in(self) -> None:
        """Log in with this student's own password (the first login sets it)."""
        if not self.try_log_in():
            raise AssertionError(f"{self.name} could not log in")

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.unix_name).pw_uid

    def click(self, link: str) -> httpx.Response:
        """Open `link` like a browser: the hub starts the server if needed, OAuth, the page."""
        page = self.browser.get(link)
        if "/hub/spawn-pending/" in page.url.path or "/hub/spawn/" in page.url.path:
            self.hub.wait_until_ready(self.name)  # the pending page polls the same thing
            page = self.browser.get(link)
        return page

    # --- what the pages do, through the student's server's API ------------------------------
    def server_api(self, method: str, path: str, timeout: float = 60, **kwargs) -> httpx.Response:
        return httpx.request(method, f"{self.hub.url}/user/{self.name}/api{path}",
                             headers={"Authorization": f"token {self.token}"},
                             timeout=timeout, **kwargs)

    @property
    def token(self) -> str:
        """An API token for this student (what the JupyterLab page holds in its session)."""
        if self._token is None:
            answer = self.hub.api("POST", f"/users/{self.name}/tokens",
                                  json={"note": "classroom test", "expires_in": 3600})
            answer.raise_for_status()
            self._token = answer.json()["token"]
        return self._token

    def git_pull(self, repo: str, branch: str, targetpath: str) -> list[str]:
        """What the nbgitpuller page does after the click: stream /git-pull/api to the end."""
        query = urlencode({"repo": repo, "branch": branch, "targetpath": targetpath})
        url = f"{self.hub.url}/user/{self.name}/git-pull/api?{query}"
        output: list[str] = []
        with httpx.stream("GET", url, headers={"Authorization": f"token {self.token}"},
                          timeout=120) as events:
            for line in events.iter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[len("data:"):])
                if event.get("output"):
                    output.append(event["output"])
                if event.get("phase") == "error":
                    raise AssertionError(f"{self.name}'s pull failed: {event.get('message')}\n"
                                         + "".join(output))
                if event.get("phase") == "finished":
                    return output
        raise AssertionError(f"{self.name}'s pull ended without 'finished':\n" + "".join(output))

    def read_notebook(self, path: str) -> dict:
        answer = self.server_api("GET", f"/contents/{path}?content=1")
        answer.raise_for_status()
        return answer.json()["content"]

    def save_notebook(self, path: str, notebook: dict) -> None:
        """Save as JupyterLab does (Ctrl+S): the whole notebook through the contents API."""
        answer = self.server_api("PUT", f"/contents/{path}",
                                 json={"type": "notebook", "format": "json", "content": notebook})
        answer.raise_for_status()

    def start_kernel(self, path: str) -> tuple[str, str, float]:
        """Open `path` (a session and its kernel, in the notebook's folder); wait until idle."""
        started = time.monotonic()
        answer = self.server_api("POST", "/sessions", json={
            "path": path, "name": Path(path).name, "type": "notebook",
            "kernel": {"name": "python3"}})
        answer.raise_for_status()
        session = answer.json()
        kernel_id = session["kernel"]["id"]
        self.hub.remember_processes()
        with self.channels(kernel_id) as channels:
            channels.request("kernel_info_request", {}, timeout=READY_TIMEOUT_S)
        return session["id"], kernel_id, time.monotonic() - started

    def run_notebook(self, path: str, kernel_id: str,
                     start_together: threading.Barrier | None = None,
                     cell_timeout: float = CELL_TIMEOUT_S) -> tuple[dict, float, list[str]]:
        """Run every code cell in order (Run All), keeping outputs: (notebook, seconds, errors)."""
        notebook = self.read_notebook(path)
        errors: list[str] = []
        with self.channels(kernel_id) as channels:
            if start_together is not None:
                start_together.wait(timeout=READY_TIMEOUT_S)
            started = time.monotonic()
            for number, cell in enumerate(notebook["cells"], start=1):
                if cell["cell_type"] != "code":
                    continue
                reply, outputs = channels.execute(cell["source"], timeout=cell_timeout)
                cell["outputs"] = outputs
                cell["execution_count"] = reply.get("execution_count")
                if reply.get("status") != "ok":
                    errors.append(f"cell {number}: {reply.get('ename')}: {reply.get('evalue')}")
                    break
            seconds = time.monotonic() - started
        return notebook, seconds, errors

    def stop_session(self, session_id: str) -> None:
        self.server_api("DELETE", f"/sessions/{session_id}")

    def channels(self, kernel_id: str) -> KernelChannels:
        url = (f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{kernel_id}/channels"
               f"?session_id={uuid.uuid4()}")
        return KernelChannels(url, self.token)


class KernelChannels:
    """The kernel's websocket, as JupyterLab uses it: send requests, collect replies and outputs."""

    def __init__(self, url: str, token: str) -> None:
        self.socket = websocket.create_connection(
            url, header=[f"Authorization: token {token}"], timeout=CELL_TIMEOUT_S)
        self.session = uuid.uuid4().hex

    def __enter__(self) -> KernelChannels:
        return self

    def __exit__(self, *exc_info) -> None:
        self.socket.close()

    def _send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": "student", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content,
            "channel": "shell", "buffers": []}))
        return msg_id

    def request(self, msg_type: str, content: dict, timeout: float) -> dict:
        """Send on the shell channel; return the reply's content."""
        reply, _outputs = self._exchange(self._send(msg_type, content), timeout, want_idle=False)
        return reply

    def execute(self, code: str, timeout: float) -> tuple[dict, list[dict]]:
        content = {"code": code, "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        return self._exchange(self._send("execute_request", content), timeout, want_idle=True)

    def _exchange(self, msg_id: str, timeout: float, want_idle: bool) -> tuple[dict, list[dict]]:
        reply: dict | None = None
        idle = not want_idle
        outputs: list[dict] = []
        deadline = time.monotonic() + timeout
        while reply is None or not idle:
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                raise AssertionError(f"no answer from the kernel within {timeout} s") from None
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            content = message["content"]
            if message.get("channel") == "shell":
                reply = content
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"],
                                "text": content["text"]})
            elif kind in ("display_data", "execute_result"):
                output = {"output_type": kind, "data": content["data"],
                          "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    output["execution_count"] = content["execution_count"]
                outputs.append(output)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"],
                                "evalue": content["evalue"], "traceback": content["traceback"]})
        return reply, outputs
