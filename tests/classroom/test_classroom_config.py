"""classroom/jupyterhub_config.py and classroom/pull_link.py, without starting a hub."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from classroom_hub import COURSE_CONFIG, ENV_BIN, REPO, missing_pieces
from traitlets.config.loader import PyFileConfigLoader

sys.path.insert(0, str(REPO / "classroom"))
from pull_link import nbgitpuller_link  # noqa: E402  (classroom/ is not a package)

pytestmark = pytest.mark.classroom


def load_course_config(monkeypatch, tmp_path, **env: str):
    monkeypatch.setenv("COURSE_HUB_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_HUB_PASSWORD", "a-shared-password")
    monkeypatch.delenv("COURSE_THREADS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return PyFileConfigLoader(COURSE_CONFIG.name, path=str(COURSE_CONFIG.parent)).load_config()


def test_the_hub_listens_on_loopback_and_takes_the_password_from_the_environment(
        monkeypatch, tmp_path):
    config = load_course_config(monkeypatch, tmp_path)
    assert config.JupyterHub.ip == "127.0.0.1"
    assert config.JupyterHub.hub_ip == "127.0.0.1"
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.SharedPasswordAuthenticator.user_password == "a-shared-password"
    assert "a-shared-password" not in COURSE_CONFIG.read_text()
    assert str(tmp_path) in config.JupyterHub.db_url, "the hub's state belongs in COURSE_HUB_DIR"


def test_each_student_gets_the_course_environment_one_thread_and_ipc_kernels(
        monkeypatch, tmp_path):
    config = load_course_config(monkeypatch, tmp_path)
    environment = config.Spawner.environment
    assert environment["OMP_NUM_THREADS"] == environment["COURSE_THREADS"] == "1"
    assert "--KernelManager.transport=ipc" in config.Spawner.args
    assert config.Spawner.cmd == [str(ENV_BIN / "jupyterhub-singleuser")]
    assert config.SimpleLocalProcessSpawner.home_dir_template.startswith(str(tmp_path))
    assert ("--allow-root" in config.Spawner.args) == (os.geteuid() == 0)


def test_course_threads_in_the_environment_reaches_every_student(monkeypatch, tmp_path):
    config = load_course_config(monkeypatch, tmp_path, COURSE_THREADS="2")
    assert config.Spawner.environment["OMP_NUM_THREADS"] == "2"


def test_the_hub_refuses_to_start_without_a_password(tmp_path):
    if missing_pieces() and os.environ.get("CI") != "true":
        pytest.skip("the classroom test needs " + "; ".join(missing_pieces()))
    env = {k: v for k, v in os.environ.items() if k != "COURSE_HUB_PASSWORD"}
    env["COURSE_HUB_DIR"] = str(tmp_path)
    result = subprocess.run([str(ENV_BIN / "jupyterhub"), "-f", str(COURSE_CONFIG)], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Set COURSE_HUB_PASSWORD" in result.stderr + result.stdout


def test_the_link_sends_each_student_to_their_own_git_pull():
    link = nbgitpuller_link("https://hub.example.org/", "https://github.com/you/class",
                            branch="student", targetpath="course", notebook="00_start_here.ipynb")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("https", "hub.example.org")
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": ["https://github.com/you/class"], "branch": ["student"],
        "targetpath": ["course"], "urlpath": ["lab/tree/course/00_start_here.ipynb"]}
