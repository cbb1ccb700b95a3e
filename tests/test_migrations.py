"""Migrations build the whole data model from empty, on SQLite and on PostgreSQL, and undo it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from campaigns import schema
from campaigns.db import make_engine
from campaigns.models import Base
from tests.conftest import BACKENDS, POSTGRES_URL

SCRATCH_DB = POSTGRES_URL.rsplit("/", 1)[1] + "_migrations_scratch"  # one per test database


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB}"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH_DB}"))
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{SCRATCH_DB}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"))
    admin.dispose()


def test_migrations_build_every_table_from_empty_and_match_the_models(empty_database: str) -> None:
    schema.upgrade(empty_database)
    engine = make_engine(empty_database)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_undo_to_an_empty_database(empty_database: str) -> None:
    schema.upgrade(empty_database)
    schema.downgrade(empty_database, "base")
    engine = make_engine(empty_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_the_database_carries_the_invariant_indexes(empty_database: str) -> None:
    schema.upgrade(empty_database)
    inspector = inspect(make_engine(empty_database))
    uniques = {
        table: {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
        for table in ("subscribers", "enrollments", "sends")
    }
    assert ("email",) in uniques["subscribers"]
    assert ("subscriber_id", "sequence_id") in uniques["enrollments"]
    assert ("enrollment_id", "step_id") in uniques["sends"]
    due_index = {i["name"]: i["column_names"] for i in inspector.get_indexes("enrollments")}
    assert due_index["ix_enrollments_due"] == ["status", "next_send_at", "id"]
