"""`make run`: the web app, an RQ worker and `rq cron` together, on the embedded defaults.

With `REDIS_URL` unset this process starts the embedded Redis and hands its socket to the
others. Ctrl-C (or SIGTERM) stops all of them and then the embedded Redis.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from campaigns.errors import SettingsError
from campaigns.seed import take_first_admin
from campaigns.settings import Settings, load_settings, write_running_instance
from workers.queues import PATIENT_CONNECTION_CLASS, QUEUES, WEBHOOK_QUEUE, WORKER_CLASS, redis_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP_GRACE_S = 10
# Recurring jobs run every few seconds; at INFO their lines would push the admin password off screen.
QUIET = "WARNING"


def commands(url: str, port: int) -> dict[str, list[str]]:
    """Return the command line of each process, by name."""
    worker = [str(BIN / "rq"), "worker", "--url", url, "--worker-class", WORKER_CLASS]
    worker += ["--connection-class", PATIENT_CONNECTION_CLASS, "--logging_level", QUIET]
    return {
        "web": [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
            "wsgi:app",
        ],
        "worker": [*worker, *QUEUES],
        "webhooks": [*worker, WEBHOOK_QUEUE],
        "cron": [
            str(BIN / "rq"),
            "cron",
            "--url",
            url,
            "--connection-class",
            PATIENT_CONNECTION_CLASS,
            "--logging-level",
            QUIET,
            "workers/cron.py",
        ],
    }


def main() -> int:
    """Start everything, wait for Ctrl-C or a process to die, then stop everything."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if port_taken(settings.port):
        print(
            f"Port {settings.port} is already in use by another program. Stop it, or choose another"
            f" port: PORT={settings.port + 1} make run",
            file=sys.stderr,
        )
        return 2
    url = redis_url(settings)
    env = {**os.environ, "REDIS_URL": url}
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    running = write_running_instance(settings, url, os.getpid())
    processes = {
        name: subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)
        for name, argv in commands(url, settings.port).items()
    }
    announced = False
    while not stopping:
        dead = [name for name, p in processes.items() if p.poll() is not None]
        if dead:
            print(f"{', '.join(dead)} stopped unexpectedly; stopping the rest", file=sys.stderr)
            break
        if not announced and answers(f"http://127.0.0.1:{settings.port}/healthz"):
            announce(settings)
            announced = True
        time.sleep(0.5)
    stop_all(processes)
    running.unlink(missing_ok=True)
    return 0 if stopping else 1


def port_taken(port: int) -> bool:
    """Tell whether another program already listens on the web app's port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def answers(url: str) -> bool:
    """Tell whether our web app answers yet: its health report, even one that says a part is down."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own localhost)
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    except OSError:
        return False
    try:
        return "status" in json.loads(body)
    except (ValueError, TypeError):
        return False


def announce(settings: Settings) -> None:
    """Say where everything is, with a new first admin's password last, so it stays on screen."""
    time.sleep(1)  # let the worker and cron finish their start-up lines first
    lines = [
        f"\nThe nurture engine is running at {settings.public_base_url}/ (admin at /admin).",
        f"Emails go to {settings.outbox_dir}. Ctrl-C stops it.",
    ]
    first = take_first_admin(settings.instance_dir)
    if first:
        email, password = first
        lines += [
            "",
            f"Admin account: {email}",
            f"Password:      {password}",
            "This password is shown once. Sign in at /admin and keep it somewhere safe.",
        ]
    else:
        lines.append("Lost the admin password? .venv/bin/flask --app wsgi set-password EMAIL")
    print("\n".join(lines) + "\n", flush=True)


def stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """Ask each process to stop, wait a little, then insist."""
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
