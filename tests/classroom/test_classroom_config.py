"""classroom/jupyterhub_config.py and classroom/pull_link.py, without starting a hub.

The configuration is loaded in a fresh process by the Python the hub would run from (one every
account can run: `classroom_hub.students_python`), as root, or as `nobody` to see the hub
refuse an ordinary user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from classroom_hub import (
    COURSE_CONFIG,
    REPO,
    open_to_everyone,
    require_classroom,
    students_python,
)

sys.path.insert(0, str(REPO / "classroom"))
from pull_link import nbgitpuller_link  # noqa: E402  (classroom/ is not a package)
from reset_password import forget_passwords  # noqa: E402

pytestmark = pytest.mark.classroom
NOBODY = 65534

# Loads the configuration as JupyterHub does and prints what the tests look at, as JSON.
LOAD = """
import json, sys
from traitlets.config.loader import PyFileConfigLoader
c = PyFileConfigLoader(sys.argv[1]).load_config()
hub, auth, spawner = c.JupyterHub, c.Authenticator, c.Spawner
print(json.dumps({
    "ip": hub.ip, "hub_ip": hub.hub_ip, "authenticator": hub.authenticator_class,
    "create_users": c.FirstUseAuthenticator.create_users, "allow_all": auth.allow_all,
    "allowed": sorted(auth.allowed_users), "admins": sorted(auth.admin_users),
    "private": [hub.db_url.removeprefix("sqlite:///"), hub.cookie_secret_file,
                c.FirstUseAuthenticator.dbm_path, c.ConfigurableHTTPProxy.pid_file],
    "spawner": [k.__name__ for k in hub.spawner_class.__mro__], "args": spawner.args,
    "cmd": spawner.cmd, "env_keep": spawner.env_keep,
    "environment": {k: v for k, v in spawner.environment.items() if isinstance(v, str)},
    "services": hub.services, "spawn_limit": hub.concurrent_spawn_limit,
}))
"""


@pytest.fixture
def folder():
    """A folder every account can enter (pytest's tmp_path is closed to other users)."""
    require_classroom()
    made = Path(tempfile.mkdtemp(prefix="hubconf-", dir="/tmp"))
    made.chmod(0o755)
    yield made
    shutil.rmtree(made, ignore_errors=True)


def load(folder: Path, roster: str | None = "alice\nbob  # second row\n\n", as_nobody=False,
         python: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    """Load the course's configuration in a fresh process, as the hub would."""
    if roster is not None:
        (folder / "roster.txt").write_text(roster)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    environment.update(HOME=str(folder), COURSE_HUB_DIR=str(folder / "state"),
                       COURSE_HUB_ROSTER=str(folder / "roster.txt"), **env)

    def become_nobody() -> None:
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    config = COURSE_CONFIG
    if not open_to_everyone(COURSE_CONFIG):  # a clone in a closed folder: `nobody` reads a copy
        config = folder / "course" / "classroom" / COURSE_CONFIG.name
        config.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(COURSE_CONFIG, config)
    return subprocess.run([str(python or students_python(folder)), "-c", LOAD, str(config)],
                          env=environment, cwd=folder, capture_output=True, text=True,
                          preexec_fn=become_nobody if as_nobody else None, timeout=120)


def loaded(folder: Path, **kwargs) -> dict:
    result = load(folder, **kwargs)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_only_the_roster_and_the_teacher_log_in_each_with_their_own_password(folder):
    config = loaded(folder, COURSE_HUB_ADMINS="Teacher")
    assert config["ip"] == config["hub_ip"] == "127.0.0.1"
    assert config["authenticator"] == "firstuseauthenticator.FirstUseAuthenticator"
    assert config["create_users"] is False  # names the hub does not know are refused
    assert config["allow_all"] is False
    assert config["allowed"] == ["alice", "bob", "teacher"]
    assert config["admins"] == ["teacher"]
    text = COURSE_CONFIG.read_text()
    assert "shared-password" not in text and "COURSE_HUB_PASSWORD" not in text


def test_the_hubs_state_is_private(folder):
    config = loaded(folder)
    state = folder / "state"
    assert oct(state.stat().st_mode & 0o777) == "0o700"
    for path in config["private"]:
        assert path.startswith(str(state) + "/"), f"{path} is outside the hub's private folder"


def test_each_server_runs_as_the_students_account_with_nothing_of_the_hubs_environment(folder):
    config = loaded(folder)
    assert config["spawner"][:2] == ["CourseSpawner", "LocalProcessSpawner"]
    assert "--allow-root" not in config["args"]
    assert "--KernelManager.transport=ipc" in config["args"]
    assert config["env_keep"] == []
    environment = config["environment"]
    assert environment["OMP_NUM_THREADS"] == environment["COURSE_THREADS"] == "1"
    assert not [k for k in environment if "PASSWORD" in k or "TOKEN" in k or "SECRET" in k]
    assert config["cmd"] == [str(students_python(folder).parent / "jupyterhub-singleuser")]


def test_idle_servers_are_culled_after_an_hour_and_spawns_are_limited(folder):
    config = loaded(folder)
    (culler,) = [s for s in config["services"] if s["name"] == "idle-culler"]
    assert "--timeout=3600" in culler["command"]
    assert config["spawn_limit"] == 10
    shorter = loaded(folder, COURSE_CULL_IDLE_SECONDS="600", COURSE_THREADS="2")
    (culler,) = [s for s in shorter["services"] if s["name"] == "idle-culler"]
    assert "--timeout=600" in culler["command"]
    assert shorter["environment"]["OMP_NUM_THREADS"] == "2"


@pytest.mark.parametrize("roster, message", [
    (None, "Write the class roster to"),
    ("alice\nRoot Kit\n", "not usable as account names"),
])
def test_a_missing_or_broken_roster_stops_the_hub_with_one_line(folder, roster, message):
    result = load(folder, roster=roster)
    assert result.returncode != 0 and message in result.stderr, result.stderr[-2000:]


def test_the_hubs_private_folder_may_not_hold_the_students_homes(folder):
    result = load(folder, COURSE_HUB_HOMES=str(folder / "state" / "homes"))
    assert result.returncode != 0 and "cannot contain" in result.stderr, result.stderr[-2000:]


def test_the_hub_refuses_a_course_environment_students_cannot_run(folder):
    closed = folder / "closed"
    closed.mkdir(mode=0o700)
    python = students_python(closed, always=True)
    result = load(folder, python=python)
    assert result.returncode != 0
    assert "Students' accounts cannot use" in result.stderr, result.stderr[-2000:]


def test_the_hub_refuses_to_start_as_an_ordinary_user_with_one_clear_line(folder):
    folder.chmod(0o777)
    result = load(folder, as_nobody=True)
    assert result.returncode != 0
    assert "The classroom hub must be started as root" in result.stderr, result.stderr[-2000:]
    assert "COURSE_HUB_DEMO=1" in result.stderr


def test_the_demo_flag_lets_an_ordinary_user_try_the_hub_alone(folder):
    folder.chmod(0o777)
    config = loaded(folder, as_nobody=True, COURSE_HUB_DEMO="1")
    assert config["spawner"][:2] == ["CourseSpawner", "SimpleLocalProcessSpawner"]


def test_the_link_sends_each_student_to_their_own_git_pull():
    link = nbgitpuller_link("https://hub.example.org/", "https://github.com/you/class",
                            branch="student", targetpath="course", notebook="00_start_here.ipynb")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("https", "hub.example.org")
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": ["https://github.com/you/class"], "branch": ["student"],
        "targetpath": ["course"], "urlpath": ["lab/tree/course/00_start_here.ipynb"]}


def test_forgetting_a_password_lets_the_next_login_set_a_new_one(tmp_path):
    import dbm

    with dbm.open(str(tmp_path / "passwords.dbm"), "c", 0o600) as passwords:
        passwords[b"alice"] = b"a bcrypt hash"
        passwords[b"bob"] = b"another hash"
    assert forget_passwords(tmp_path, ["Alice", "chen"]) == [
        "Alice: password forgotten; their next login sets a new one",
        "chen: no password stored (never logged in, or already reset)"]
    with dbm.open(str(tmp_path / "passwords.dbm"), "r") as passwords:
        assert list(passwords.keys()) == [b"bob"]
