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
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
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


def wait_for(log: Path, pattern: str, what: str, timeout_s: float = 30) -> str:
    """Wait until the log shows `pattern`; return the log."""
    deadline = time.monotonic() + timeout_s
    while not re.search(pattern, log.read_text()):
        assert time.monotonic() < deadline, f"{what}:\n{log.read_text()}"
        time.sleep(0.3)
    return log.read_text()


def latest_email(outbox: Path, part: str = "html") -> str:
    """Return the HTML (or plain) part of the newest email in the outbox."""
    newest = max(outbox.glob("*.eml"), key=lambda path: path.stat().st_mtime)
    message = BytesParser(policy=policy.default).parsebytes(newest.read_bytes())
    return message.get_body(preferencelist=(part,)).get_content()  # type: ignore[union-attr]


def confirm(confirmation_text: str) -> None:
    """Open the confirmation link, then press the page's button, as the person would."""
    link = re.search(r"(http://\S+/confirm/[^\s\"<>]+)", confirmation_text).group(1)
    cookies = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = cookies.open(link.replace("&amp;", "&"), timeout=5).read().decode()  # a GET only shows the page
    form = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    base = link.split("/confirm/")[0]
    answer = cookies.open(base + form.replace("&amp;", "&"), data=urllib.parse.urlencode(hidden).encode())
    assert answer.status == 200


def in_send_window() -> datetime:
    """Return a weekday morning in New York a few days ahead, when the first email may go."""
    day = datetime.now(UTC).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)


def flask(environ: dict[str, str], *args: str) -> str:
    """Run `flask --app wsgi ARGS` from the project folder, as a second shell would."""
    command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def status_of(url: str) -> int:
    """Return the status of a GET, without following a redirect."""
    try:
        with urllib.request.build_opener(NoRedirects()).open(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def opens_and_clicks(stats: str) -> tuple[int, int]:
    """Read all opens and all clicks from the total row of `flask stats`."""
    row = next(line for line in stats.splitlines() if line.strip().startswith("total"))
    cells = re.split(r"\s{2,}", row.strip())
    return int(cells[5].split()[0]), int(cells[7].split()[0])


def wait_for_stats(environ: dict[str, str], timeout_s: float = 60) -> str:
    """Print the stats until the open and the click show (the drain runs every 10 s)."""
    deadline = time.monotonic() + timeout_s
    while True:
        stats = flask(environ, "stats")
        if opens_and_clicks(stats) == (1, 1):
            return stats
        if time.monotonic() > deadline:
            return stats
        time.sleep(2)


def test_make_run_serves_the_whole_product_on_the_embedded_default_and_stops_cleanly(tmp_path: Path) -> None:
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
        output = wait_for(log, r"Password:\s+\S{12,}", "the admin password is printed once")
        assert output.rindex("Password:") > output.index("is running at"), "the password is the last thing"
        assert (instance / "nurture.db").exists()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        landing = browser.open(f"{base}/", timeout=5).read().decode()  # the form carries its CSRF token
        token = re.search(r'name="csrf_token" value="([^"]+)"', landing).group(1)
        fields = {"email": "ada@example.com", "consent": "yes", "csrf_token": token}
        browser.open(f"{base}/subscribe", data=urllib.parse.urlencode(fields).encode(), timeout=5)
        outbox = instance / "outbox"
        deadline = time.monotonic() + 30
        while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(outbox.glob("*.eml"))) == 1, "the worker delivers the confirmation within seconds"
        assert len(processes_of(instance)) >= 4  # launcher, web, worker, cron (and the embedded Redis)
        confirm(latest_email(outbox, "plain"))
        # A command run beside `make run` (no PORT given) talks to the same instance: its links use this port.
        beside = {k: v for k, v in environ.items() if k != "PORT"}
        ticked = flask(beside, "tick", "--at", in_send_window().isoformat())
        assert "sent=1" in ticked, ticked
        welcome = latest_email(outbox)
        clicks = re.findall(r'href="(http://127\.0\.0\.1:(\d+)/t/c/[^"]+)"', welcome)
        assert clicks and {found_port for _, found_port in clicks} == {str(port)}, "links point at make run"
        pixel = re.search(r'src="(http://127\.0\.0\.1:\d+/t/o/[^"]+)"', welcome).group(1)
        assert status_of(clicks[0][0]) == 302  # to the article, off this machine: not followed here
        assert status_of(pixel) == 200
        stats = wait_for_stats(beside)
        assert opens_and_clicks(stats) == (1, 1), stats
    finally:
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        make.wait(timeout=30)
    time.sleep(1)
    assert processes_of(instance) == [], log.read_text()
    assert "Stopped." in log.read_text()
    after_password = log.read_text().split("This password is shown once.")[1]
    assert "Job OK" not in after_password, "recurring jobs' chatter would push the password off screen"
    try:
        get(f"{base}/healthz")
        raise AssertionError("the web app is still answering after Ctrl-C")
    except OSError:
        pass


def test_make_run_says_so_when_another_program_holds_its_port(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        embedded = dict.fromkeys(["DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "SECRET_KEY"], "")
        environ = {**os.environ, **embedded, "INSTANCE_DIR": str(tmp_path / "instance"), "PORT": str(port)}
        done = subprocess.run(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT_S,
        )
    assert done.returncode != 0
    assert f"Port {port} is already in use by another program" in done.stderr
    assert f"PORT={port + 1} make run" in done.stderr
    assert "is running at" not in done.stdout
