"""The Flask app: public pages, health, admin UI and the command line."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

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
        SECRET_KEY_FALLBACKS=list(settings.secret_key_fallbacks),  # sessions signed before a rotation
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

    from web import (
        admin,
        api,
        cli,
        confirm,
        consultation,
        database,
        errors,
        health,
        limits,
        public,
        request_guards,
        security,
        subscribe,
        tracking,
        unsubscribe,
        webhooks,
    )  # fmt: skip

    database.init_app(app)
    request_guards.init_app(app)  # before any blueprint: it sets how URL rules are read
    security.init_app(app)
    admin.access.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    limits.init_app(app, settings)
    blueprints = [public.bp, subscribe.bp, confirm.bp, unsubscribe.bp, consultation.bp]
    blueprints += [webhooks.bp, health.bp, admin.bp]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    limits.limit_per_token(app, api.init_app(app), settings.api_rate_limit)
    # Tracking must stay cheap; one-click unsubscribes and webhooks arrive in bulk from a few providers.
    limits.exempt(app, unsubscribe.bp, webhooks.bp, health.bp)
    security.exempt_views(app)
    # /t (open pixels, click redirects) is a lean app of its own: it must answer in microseconds.
    state = app.extensions["nurture"]
    mounts = {"/t": tracking.create_tracking_app(state), "/t/o": tracking.create_pixel_app(state)}
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, mounts)  # type: ignore[method-assign]
    if settings.trusted_proxy_count:  # outermost, so that /t sees the visitor's address too
        proxies = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    limits.limit_per_ip(
        app,
        "subscribe.subscribe",
        "confirm.confirm_submit",
        "confirm.new_link",
        "consultation.submit",
        "admin.login_submit",
        "admin.login_code_submit",
    )
    limits.limit_per_account(app, "admin.login_submit", "admin.login_code_submit")
    return app
