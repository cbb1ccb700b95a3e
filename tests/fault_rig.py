"""Real processes for the fault tests: a PostgreSQL cluster and a Redis server of the test's own,
`rq worker` and `rq cron` processes, and a provider that counts every email by send id.

The cluster (`initdb`, `pg_ctl`) and the Redis server live in a temporary folder on free ports,
so restarting them disturbs nobody else's tests.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis import Redis
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bench.sendgrid_server import FakeSendGrid
from campaigns.models import Send
from campaigns.statuses import SendStatus
from tests.conftest import SECRET_KEY
from workers.queues import PATIENT_CONNECTION_CLASS, QUEUES, WORKER_CLASS

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin(name: str) -> str:
    """Return the path of a PostgreSQL server program, newest version first."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or name]
    return found[-1]


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder of its own, on a port of its own."""

    def __init__(self) -> None:
        # Not under pytest's private temporary folder: as root the cluster belongs to the postgres
        # user (initdb refuses root), who must be able to reach its folder.
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="nurture-faults-pg-")), free_port()
        self.data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run(
            postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the cluster's `postgres` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _ctl(self, *action: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", *action)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._ctl("start")

    def stop(self) -> None:
        """Stop the server at once, cutting every connection."""
        self._ctl("-m", "immediate", "stop")

    def restart(self, down_s: float = 0) -> None:
        """Stop the server abruptly, stay down `down_s`, then start it again."""
        self.stop()
        time.sleep(down_s)
        self.start()

    def remove(self) -> None:
        """Stop the server and delete the cluster."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    """A redis-server of the test's own that keeps nothing on disk: a restart comes back empty."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        """Return the server's URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server, empty, and wait until it answers."""
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen([*argv, "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        wait_until(lambda: _answers(self.url), 10, "redis-server to start")

    def stop(self) -> None:
        """Kill the server: whatever it held is gone."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def restart(self, down_s: float = 0) -> None:
        """Kill the server, stay down `down_s`, and start it again empty."""
        self.stop()
        time.sleep(down_s)
        self.start()


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _answers_http(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)  # noqa: S310 (a local URL of the test's own)
    except urllib.error.HTTPError:
        return True  # an answer all the same
    except OSError:
        return False
    return True


def environment(
    database_url: str, redis_url: str, provider_url: str, folder: Path, **extra: str
) -> dict[str, str]:
    """Return the environment of a worker or cron process on these services."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": "SG.faults",
        "SENDGRID_API_HOST": provider_url,
        "INSTANCE_DIR": str(folder / "instance"),
        "PUBLIC_BASE_URL": "",
        "POSTAL_ADDRESS": "12 Harbor Street, Portland, ME 04101",
        **extra,
    }


class Processes:
    """The worker and cron processes a test started; each in its own process group, logging to a file."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.started: list[subprocess.Popen[bytes]] = []

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}-{len(self.started)}.log", "wb")  # noqa: SIM115 (the process owns it)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append(process)
        return process

    def worker(self) -> subprocess.Popen[bytes]:
        """Start an `rq worker` on the send and default queues."""
        url = self.env["REDIS_URL"]
        return self._start(
            "worker",
            [
                str(BIN / "rq"),
                "worker",
                "--url",
                url,
                "--worker-class",
                WORKER_CLASS,
                "--connection-class",
                PATIENT_CONNECTION_CLASS,
                *QUEUES,
            ],
        )

    def cron(self) -> subprocess.Popen[bytes]:
        """Start an `rq cron workers/cron.py`, as the Procfile does."""
        url = self.env["REDIS_URL"]
        argv = [
            str(BIN / "rq"),
            "cron",
            "--url",
            url,
            "--connection-class",
            PATIENT_CONNECTION_CLASS,
            "workers/cron.py",
        ]
        return self._start("cron", argv)

    def web(self, port: int) -> subprocess.Popen[bytes]:
        """Start the web app under gunicorn, as the Procfile does, and wait until it answers."""
        argv = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"]
        process = self._start("web", argv)
        wait_until(lambda: _answers_http(f"http://127.0.0.1:{port}/healthz"), 30, "the web app to start")
        return process

    def stop_all(self) -> None:
        """End every process this test started."""
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until(
    condition: Callable[[], object], timeout_s: float, what: str, state: Callable[[], object] | None = None
) -> float:
    """Wait until `condition` holds; return how long it took, or fail naming `what` (and `state()`)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            found = f"; found {state()}" if state else ""
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}{found}")
        time.sleep(0.2)
    return time.monotonic() - started


def statuses(engine: Engine) -> dict[str, int]:
    """Count the sends in each status (0 when the database is away)."""
    try:
        with Session(engine) as session:
            rows = session.execute(select(Send.status, func.count()).group_by(Send.status))
            return {str(status): count for status, count in rows}
    except Exception:
        return {}


def settled(engine: Engine, count: int) -> bool:
    """Tell whether all `count` sends ended sent or unknown."""
    found = statuses(engine)
    return found.get("sent", 0) + found.get("unknown", 0) == count and sum(found.values()) == count


def assert_exactly_once(engine: Engine, provider: FakeSendGrid, count: int) -> dict[str, int]:
    """Sent means received once; unknown means received at most once; nothing twice. Return the counts."""
    with Session(engine) as session:
        sends = session.execute(select(Send.id, Send.status)).all()
    assert len(sends) == count
    assert not provider.accepted or max(provider.accepted.values()) == 1, (
        "an email reached the provider twice"
    )
    for send_id, status in sends:
        received = provider.accepted.get(f"send-{send_id}", 0)
        assert status in (SendStatus.SENT, SendStatus.UNKNOWN), (send_id, status)
        assert received == 1 if status == SendStatus.SENT else received <= 1, (send_id, status, received)
    return statuses(engine)


def make_due(engine: Engine, count: int, at: datetime | None = None) -> None:
    """Make `count` more enrollments' next email due at `at` (now by default)."""
    at = at or datetime.now(UTC) - timedelta(seconds=1)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE enrollments SET next_send_at = :at WHERE id IN "
                "(SELECT id FROM enrollments WHERE next_send_at IS NULL AND status = 'active' "
                " AND id NOT IN (SELECT enrollment_id FROM sends) ORDER BY id LIMIT :n)"
            ),
            {"at": at, "n": count},
        )
