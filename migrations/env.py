"""Alembic's entry point: migrate the database named by the settings, or the one given."""

from __future__ import annotations

from alembic import context

from campaigns.db import make_engine
from campaigns.models import Base

config = context.config


def database_url() -> str:
    """Use the URL the caller set, else the engine's own settings."""
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from campaigns.settings import load_settings

    return load_settings().database_url


def run_migrations() -> None:
    """Run the migrations on one connection, in batch mode so SQLite can alter tables."""
    engine = make_engine(database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
