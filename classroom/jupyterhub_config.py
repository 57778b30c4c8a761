# JupyterHub configuration for running "From tensors to torch.nn" for a class on ONE machine.
#
# Start it from the course environment (the one `make test` builds, with the `classroom` extra):
#
#     export COURSE_HUB_PASSWORD='a-long-workshop-password'   # nothing secret lives in this file
#     .venv/bin/jupyterhub -f classroom/jupyterhub_config.py
#
# and read classroom/TEACHERS.md for the whole walk-through (the nbgitpuller link, the merge
# rule, larger classes). Every setting below can be changed by an environment variable, so
# you never need to edit this file for a workshop:
#
#   COURSE_HUB_PASSWORD        the shared password students type (required, 8 characters or more)
#   COURSE_HUB_ADMINS          comma-separated admin user names (optional) ...
#   COURSE_HUB_ADMIN_PASSWORD  ... and the password only they may use (required with admins)
#   COURSE_HUB_IP              where the hub listens; 127.0.0.1 (this machine only) by default
#   COURSE_HUB_PORT            the port students connect to; 8000 by default
#   COURSE_HUB_DIR             the hub's state (database, cookie secret) and the students' homes;
#                              ~/tensors-to-nn-class by default. Keep this path short: kernel
#                              sockets live under it and Unix limits a socket path to 107 bytes.
#   COURSE_THREADS             torch threads per student kernel; 1 by default (the course's rule)
#   COURSE_PROXY_API_PORT      the proxy's control port on 127.0.0.1; 8001 by default
#   COURSE_HUB_API_PORT        the hub's own port on 127.0.0.1; 8081 by default
#
# The spawner: SimpleLocalProcessSpawner runs every student's server as the user who runs
# the hub, each in its own home folder. It needs no system accounts, which is what makes it
# easy for a one-day workshop, but students are NOT isolated from each other: any of them
# can read the others' files and run commands as the hub's user. Use it only on a machine
# (or VM) you made for the class, with nothing else of value on it. For real isolation use
# the system spawner (LocalProcessSpawner, one Unix account per student, see TEACHERS.md)
# or Zero to JupyterHub on Kubernetes.

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

COURSE_ENV_BIN = Path(sys.executable).parent  # the hub runs from the course environment
HUB_DIR = Path(os.environ.get("COURSE_HUB_DIR", "~/tensors-to-nn-class")).expanduser()
STATE_DIR = HUB_DIR / "hub"
HOMES = HUB_DIR / "homes"
THREADS = os.environ.get("COURSE_THREADS", "").strip() or "1"

STATE_DIR.mkdir(parents=True, exist_ok=True)
HOMES.mkdir(parents=True, exist_ok=True)

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
# from PyPI (installed with the course's `classroom` extra), so no Node.js is needed.
_python_proxy = COURSE_ENV_BIN / "configurable-http-proxy"
if _python_proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(_python_proxy)]
c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "proxy.pid")

# The hub's own files, all in one folder (nothing is written to the current directory).
c.JupyterHub.db_url = "sqlite:///" + str(STATE_DIR / "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE_DIR / "jupyterhub.pid")

# --- Who may log in ----------------------------------------------------------------------------
# One password for the whole room, from the environment. A student picks any user name
# (ask them to use a name you will recognise) and types the shared password.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("COURSE_HUB_PASSWORD", "")
if not c.SharedPasswordAuthenticator.user_password:
    sys.exit("Set COURSE_HUB_PASSWORD (8 characters or more) before starting the hub.")
c.Authenticator.allow_all = True
_admins = {name.strip() for name in os.environ.get("COURSE_HUB_ADMINS", "").split(",")}
_admins.discard("")
if _admins:
    c.Authenticator.admin_users = _admins
    c.SharedPasswordAuthenticator.admin_password = os.environ.get("COURSE_HUB_ADMIN_PASSWORD", "")

# --- Each student's server -------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner; see the note at the top
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.cmd = [str(COURSE_ENV_BIN / "jupyterhub-singleuser")]  # the course environment
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.args = [
    # Kernels talk to their server over Unix sockets, not TCP ports on 127.0.0.1: with many
    # kernels starting at once, two can pick the same free port and one dies (we saw it).
    "--KernelManager.transport=ipc",
]
if os.geteuid() == 0:
    # Jupyter refuses to run as root unless told; the hub runs the servers as its own user.
    c.Spawner.args.append("--allow-root")


def _runtime_dir(spawner) -> str:
    """Kernel connection files and sockets: short, inside the student's own home."""
    home = getattr(spawner, "home_dir", "") or os.path.expanduser(f"~{spawner.user.name}")
    return os.path.join(home, ".jupyter-run")


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
c.JupyterHub.concurrent_spawn_limit = 0  # no limit: the whole room logs in at once

# Idle servers are not culled here; stop them from the admin page (/hub/admin) after class.
