# JupyterHub configuration for running "From tensors to torch.nn" for a class on ONE machine,
# the way The Littlest JupyterHub does it: one Unix account per student, a password each,
# idle servers stopped.
#
# Start it as root (it creates the students' accounts), from the course environment:
#
#     printf '%s\n' alice bob chen > /root/tensors-to-nn-class/roster.txt   # who may log in
#     COURSE_HUB_ADMINS=teacher .venv/bin/jupyterhub -f classroom/jupyterhub_config.py
#
# then log in as the teacher at once (your first login sets your password), and read
# classroom/TEACHERS.md for the whole walk-through. Every setting is an environment variable,
# so you never edit this file:
#
#   COURSE_HUB_ROSTER          the roster: one user name per line (# starts a comment);
#                              $COURSE_HUB_DIR/roster.txt by default. Only these names (and
#                              the admins) may log in; each sets their password at first login.
#   COURSE_HUB_ADMINS          comma-separated admin user names (the teacher); admins log in
#                              with their own first-use password like everyone else
#   COURSE_HUB_DIR             the hub's private state (database, cookie secret, passwords,
#                              proxy pid), mode 0700; ~/tensors-to-nn-class by default
#   COURSE_HUB_HOMES           where students' home folders are created; /home by default
#   COURSE_UNIX_PREFIX         Unix account name = prefix + hub name; "jupyter-" by default
#                              (as in The Littlest JupyterHub), so a student called "root" or
#                              "www-data" never maps onto a system account
#   COURSE_CULL_IDLE_SECONDS   stop a server after this many seconds without activity; 3600
#   COURSE_SPAWN_LIMIT         servers allowed to be starting at the same moment; 10
#   COURSE_THREADS             torch threads per student kernel; 1 by default (the course's rule)
#   COURSE_HUB_IP              where the hub listens; 127.0.0.1 (this machine only) by default
#   COURSE_HUB_PORT            the port students connect to; 8000 by default
#   COURSE_PROXY_API_PORT      the proxy's control port on 127.0.0.1; 8001 by default
#   COURSE_HUB_API_PORT        the hub's own port on 127.0.0.1; 8081 by default
#   COURSE_HUB_DEMO=1          single-user demo: lets a non-root user start the hub, every
#                              server then runs as that same user, with NO isolation between
#                              accounts. For trying the hub alone on your laptop, never a class.

import asyncio
import os
import pwd
import re
import stat
import subprocess
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

COURSE_ENV_BIN = Path(sys.executable).parent  # the hub runs from the course environment
COURSE_REPO = Path(__file__).resolve().parents[1]
HUB_DIR = Path(os.environ.get("COURSE_HUB_DIR", "~/tensors-to-nn-class")).expanduser()
HOMES = Path(os.environ.get("COURSE_HUB_HOMES", "/home"))
ROSTER = Path(os.environ.get("COURSE_HUB_ROSTER", str(HUB_DIR / "roster.txt")))
UNIX_PREFIX = os.environ.get("COURSE_UNIX_PREFIX", "jupyter-")
DEMO = os.environ.get("COURSE_HUB_DEMO", "") == "1"
THREADS = os.environ.get("COURSE_THREADS", "").strip() or "1"
IDLE_SECONDS = int(os.environ.get("COURSE_CULL_IDLE_SECONDS", "3600"))
SPAWN_LIMIT = int(os.environ.get("COURSE_SPAWN_LIMIT", "10"))
NAME = re.compile(r"^[a-z][a-z0-9_-]*$")  # what useradd accepts, lower case (the hub's form)

if os.geteuid() != 0 and not DEMO:
    sys.exit("The classroom hub must be started as root: it creates one Unix account per "
             "student and runs each server as that account (for a single-user demo on your "
             "own machine, set COURSE_HUB_DEMO=1; see classroom/TEACHERS.md).")


def _names(text: str, where: str) -> set[str]:
    """User names from a roster (one per line, # comments) or a comma-separated list."""
    names = {line.split("#", 1)[0].strip().lower() for line in re.split(r"[\n,]", text)}
    names.discard("")
    bad = sorted(n for n in names if not NAME.match(n) or len(UNIX_PREFIX + n) > 32)
    if bad:
        sys.exit(f"{where}: not usable as account names (a-z, 0-9, _ and -, starting with a "
                 f"letter, at most {32 - len(UNIX_PREFIX)} characters): {', '.join(bad)}")
    return names


if not ROSTER.is_file():
    sys.exit(f"Write the class roster to {ROSTER} (one user name per line) or point "
             "COURSE_HUB_ROSTER at it; only names on the roster may log in.")
STUDENTS = _names(ROSTER.read_text(), str(ROSTER))
ADMINS = _names(os.environ.get("COURSE_HUB_ADMINS", ""), "COURSE_HUB_ADMINS")

# The hub's private state: readable by the hub's user alone. It must not hold what students
# need (closing it would lock them out), so it may not contain the course or their homes.
for _inside in (COURSE_REPO, HOMES):
    if _inside.resolve().is_relative_to(HUB_DIR.resolve()):
        sys.exit(f"COURSE_HUB_DIR ({HUB_DIR}) is made private (mode 0700), so it cannot contain "
                 f"{_inside}: give the hub a folder of its own, e.g. ~/tensors-to-nn-class.")
HUB_DIR.mkdir(parents=True, exist_ok=True)
HUB_DIR.chmod(0o700)


def _unreachable(path: Path) -> Path | None:
    """The first folder on the way to `path` (or `path` itself) that other accounts cannot
    enter or run, if any."""
    for step in [*reversed(path.parents), path]:
        if not step.stat().st_mode & stat.S_IXOTH:
            return step
    return None


if not DEMO:
    # Students' servers run this environment's Python as the students: every account must be
    # able to run the interpreter (a pyenv Python under /root cannot be) and read the packages.
    import importlib.util

    import jupyterhub

    # where the students' kernels will import course_utils from (found, not imported: no torch)
    _course_spec = importlib.util.find_spec("course_utils")
    _course_utils = (Path(_course_spec.origin).parent if _course_spec and _course_spec.origin
                     else COURSE_REPO / "course_utils")
    for needed in (COURSE_ENV_BIN / "jupyterhub-singleuser",
                   Path(os.path.realpath(sys.executable)), Path(os.__file__).parent,
                   Path(jupyterhub.__file__).parent, _course_utils):
        closed = _unreachable(needed)
        if closed is not None:
            sys.exit(f"Students' accounts cannot use {needed} ({closed} is closed to other "
                     "accounts): clone the course where every account can read it (e.g. "
                     "/srv/tensors-to-nn) and build its .venv from a Python every account can "
                     "run (e.g. make test PYTHON=/usr/bin/python3.11); see classroom/TEACHERS.md.")

# --- Where the hub listens -------------------------------------------------------------------
# Loopback by default: reach it from other machines only on purpose, behind HTTPS (see
# TEACHERS.md), by setting COURSE_HUB_IP=0.0.0.0.
c.JupyterHub.ip = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + os.environ.get("COURSE_PROXY_API_PORT",
                                                                      "8001")
if "COURSE_HUB_API_PORT" in os.environ:
    c.JupyterHub.hub_port = int(os.environ["COURSE_HUB_API_PORT"])

# The proxy: configurable-http-proxy from npm if you installed it, otherwise its Python port
# from PyPI (installed with the course's `classroom` extra), so no Node.js is needed. The hub
# hands it its token in its environment; only the hub's user can read that process's memory.
# The Python port buffers each response whole and gives up on one after 20 s by default, so
# the "Your server is starting up" page (an event stream that lasts as long as the spawn) never
# moved on when a spawn took longer (we saw it with a busy machine): allow the spawn's time.
_python_proxy = COURSE_ENV_BIN / "configurable-http-proxy"
if _python_proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(_python_proxy), "--proxy-timeout=150000"]
c.ConfigurableHTTPProxy.pid_file = str(HUB_DIR / "proxy.pid")

# The hub's own files, all in its private folder (nothing is written to the current directory).
c.JupyterHub.db_url = "sqlite:///" + str(HUB_DIR / "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = str(HUB_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB_DIR / "jupyterhub.pid")

# --- Who may log in ----------------------------------------------------------------------------
# FirstUseAuthenticator (what The Littlest JupyterHub uses): the password typed at a name's
# first login becomes that name's password (bcrypt hash, in a file only the hub can read).
# Chosen over NativeAuthenticator because the roster already says who may come in: Native
# adds a sign-up form and an approval step per student, which a class on a timetable does
# not need. create_users=False: a name the hub does not know (not on the roster, not added
# by an admin) is refused before any password is stored.
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(HUB_DIR / "passwords.dbm")
c.FirstUseAuthenticator.create_users = False
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.allow_all = False
c.Authenticator.allowed_users = STUDENTS | ADMINS
c.Authenticator.admin_users = ADMINS

# --- Each student's server -------------------------------------------------------------------
_accounts = asyncio.Lock()  # useradd locks /etc/passwd: create accounts one at a time


def ensure_account(unix_name: str, hub_name: str) -> pwd.struct_passwd:
    """The student's Unix account (created if missing), home folder private (mode 0700)."""
    try:
        account = pwd.getpwnam(unix_name)
    except KeyError:
        HOMES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["useradd", "--create-home", "--home-dir", str(HOMES / unix_name),
                        "--shell", "/bin/bash", "--user-group",
                        "--comment", f"tensors-to-nn student {hub_name}", unix_name],
                       check=True, capture_output=True, text=True)
        account = pwd.getpwnam(unix_name)
    if account.pw_uid < 1000:
        raise RuntimeError(f"{unix_name} is a system account (uid {account.pw_uid}): refused")
    home = Path(account.pw_dir)
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, account.pw_uid, account.pw_gid)
    home.chmod(0o700)
    return account


if DEMO:
    from jupyterhub.spawner import SimpleLocalProcessSpawner as _Base
else:
    from jupyterhub.spawner import LocalProcessSpawner as _Base
    from jupyterhub.spawner import set_user_setuid


class CourseSpawner(_Base):
    """Runs the student's server as their own account, `COURSE_UNIX_PREFIX` + hub name."""

    @property
    def unix_name(self) -> str:
        return UNIX_PREFIX + self.user.name

    if not DEMO:
        def make_preexec_fn(self, name):
            return set_user_setuid(self.unix_name)  # setgid, setgroups, setuid, cd home

        def user_env(self, env):
            account = pwd.getpwnam(self.unix_name)
            env.update(USER=self.unix_name, LOGNAME=self.unix_name, HOME=account.pw_dir,
                       SHELL=account.pw_shell)
            return env

        async def start(self):
            async with _accounts:
                await asyncio.to_thread(ensure_account, self.unix_name, self.user.name)
            return await super().start()


def _runtime_dir(spawner) -> str:
    """Kernel connection files and sockets: short, inside the student's own (0700) home."""
    if DEMO:
        return os.path.join(spawner.home_dir, ".jupyter-run")
    return os.path.join(pwd.getpwnam(spawner.unix_name).pw_dir, ".jupyter-run")


c.JupyterHub.spawner_class = CourseSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(HUB_DIR / "demo-homes" / "{username}")
c.Spawner.cmd = [str(COURSE_ENV_BIN / "jupyterhub-singleuser")]  # the course environment
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.args = [
    # Kernels talk to their server over Unix sockets, not TCP ports on 127.0.0.1: with many
    # kernels starting at once, two can pick the same free port and one dies (we saw it).
    # The sockets and connection files sit in the student's home, which only they can enter.
    "--KernelManager.transport=ipc",
]
# Nothing from the hub's own environment reaches a student's server (the hub may hold
# secrets there); the server gets exactly what is listed here, plus its own API token.
c.Spawner.env_keep = []
c.Spawner.environment = {
    "PATH": f"{COURSE_ENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "JUPYTER_RUNTIME_DIR": _runtime_dir,
    # The course's thread rule, for torch (course_utils reads COURSE_THREADS) and for every
    # other OpenMP/BLAS library a kernel might load. With torch's default (a thread per core
    # in each of 30 kernels) a full room collapses: see the README, "Teaching with this course".
    "COURSE_THREADS": THREADS,
    "OMP_NUM_THREADS": THREADS,
    "MKL_NUM_THREADS": THREADS,
    "OPENBLAS_NUM_THREADS": THREADS,
}

# A class starts its servers at the same moment; on a small machine that takes a while.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# More logins than this starting at once get "too many users trying to log in, try again".
c.JupyterHub.concurrent_spawn_limit = SPAWN_LIMIT

# --- Stopping idle servers ---------------------------------------------------------------------
# jupyterhub-idle-culler, run by the hub as a service: a server with no activity (no open
# tab talking to it, no running cell) for COURSE_CULL_IDLE_SECONDS is stopped. Its files stay;
# the student's next click starts it again.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_SECONDS}",
                f"--cull-every={max(5, min(300, IDLE_SECONDS // 4))}"],
    "cwd": str(HUB_DIR),
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
# How often the hub asks the proxy for activity: often enough for a short idle setting.
c.JupyterHub.last_activity_interval = max(5, min(300, IDLE_SECONDS // 4))
