"""The request's database session: opened on first use, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from campaigns.settings import Settings


def get_settings() -> Settings:
    """Return the app's settings."""
    return current_app.extensions["nurture"]["settings"]


def get_engine() -> Engine:
    """Return the app's database engine."""
    return current_app.extensions["nurture"]["engine"]


def get_sessions() -> sessionmaker[Session]:
    """Return the app's session factory, for work that owns its own transaction."""
    return current_app.extensions["nurture"]["sessions"]


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_sessions()()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Close the session after every request and CLI command."""
    app.teardown_appcontext(close_session)
