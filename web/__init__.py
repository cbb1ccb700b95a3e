"""The Flask app: public pages, health, admin UI and the command line."""

from __future__ import annotations

from flask import Flask

from campaigns.db import make_engine, make_session_factory
from campaigns.settings import Settings, load_settings

MAX_REQUEST_BYTES = 1024 * 1024
"""Bodies larger than this are refused with 413 before any view reads them."""


def create_app(settings: Settings | None = None) -> Flask:
    """Create and configure the app."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.local_mode,
    )
    engine = make_engine(settings.database_url)
    app.extensions["nurture"] = {
        "settings": settings,
        "engine": engine,
        "sessions": make_session_factory(engine),
    }

    from web import admin, cli, database, errors, health, public, security

    database.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(admin.bp)
    return app
