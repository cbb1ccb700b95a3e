"""`make run` on a fresh instance: the whole product comes up, answers, and Ctrl-C stops all of it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.redis  # it runs on the embedded Redis, as a fresh machine does

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own localhost)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def processes_of(instance_dir: Path) -> list[psutil.Process]:
    """Every process started for this instance (they all inherit INSTANCE_DIR)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("INSTANCE_DIR") == str(instance_dir):
                found.append(process)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_make_run_serves_the_product_on_the_embedded_default_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    instance = tmp_path / "instance"
    # Empty values override a developer's .env too: this is the fresh-machine default.
    embedded = dict.fromkeys(
        ["DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "EMAIL_BACKEND", "SECRET_KEY"], ""
    )
    environ = {**os.environ, **embedded, "INSTANCE_DIR": str(instance), "PORT": str(port)}
    log = tmp_path / "run.log"
    with log.open("w") as output:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"make run did not answer within {STARTUP_TIMEOUT_S}s:\n{log.read_text()}")
        assert get(f"{base}/")[0] == 200
        status, login = get(f"{base}/admin/login")
        assert status == 200 and "Sign in" in login
        assert re.search(r"Password:\s+\S{12,}", log.read_text()), "the admin password is printed once"
        assert (instance / "nurture.db").exists()
        signup = urllib.parse.urlencode({"email": "ada@example.com", "consent": "yes"}).encode()
        urllib.request.urlopen(f"{base}/subscribe", data=signup, timeout=5)  # noqa: S310
        outbox = instance / "outbox"
        deadline = time.monotonic() + 30
        while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(outbox.glob("*.eml"))) == 1, "the worker delivers the confirmation within seconds"
        assert len(processes_of(instance)) >= 4  # launcher, web, worker, cron (and the embedded Redis)
    finally:
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        make.wait(timeout=30)
    time.sleep(1)
    assert processes_of(instance) == [], log.read_text()
    assert "Stopped." in log.read_text()
    try:
        get(f"{base}/healthz")
        raise AssertionError("the web app is still answering after Ctrl-C")
    except OSError:
        pass
