"""What a worker process builds once: settings, the database engine and the email provider."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import make_engine, make_session_factory
from campaigns.providers import Provider, provider_for
from campaigns.settings import Settings, load_settings


@dataclass(frozen=True)
class Runtime:
    """The long-lived parts a job needs."""

    settings: Settings
    sessions: sessionmaker[Session]
    provider: Provider


@cache
def get_runtime() -> Runtime:
    """Build the runtime on first use in this process."""
    settings = load_settings()
    return Runtime(settings, make_session_factory(make_engine(settings.database_url)), provider_for(settings))
