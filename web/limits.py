"""Rate limits (Flask-Limiter, on Redis): per IP on each form, per address on signup, per account at login."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from campaigns.settings import Settings
from web.api.auth import rate_limit_key

log = logging.getLogger(__name__)

PER_IP = "10 per minute;60 per hour"
"""Posts one IP address may make to a public form."""

PER_ADDRESS = "5 per hour"
"""Signups one email address may receive, whoever sends them."""

PER_ACCOUNT = "5 per 15 minutes"
"""Failed sign-ins (wrong password or code) one account may have, from however many addresses."""

ACCOUNT_LOCKED = (
    "Too many failed sign-ins for this account. Wait 15 minutes and try again, "
    "or ask an administrator to reset your password."
)


def storage_uri(settings: Settings) -> str:
    """Return the limits storage for the settings: their Redis, or memory in local mode without one."""
    url = settings.redis_url
    if url is None:
        return "memory://"
    return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Attach a limiter to the app; if Redis is down, requests go through rather than fail."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(settings),
        strategy="moving-window",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        key_prefix="nurture",
    )
    app.extensions["nurture"]["limiter"] = limiter
    return limiter


def exempt(app: Flask, *blueprints: Blueprint) -> None:
    """Keep the limiter off endpoints that must stay cheap or that providers call in bulk."""
    limiter: Limiter = app.extensions["nurture"]["limiter"]
    for blueprint in blueprints:
        limiter.exempt(blueprint)


def limit_per_ip(app: Flask, *endpoints: str) -> None:
    """Apply the per-IP limit to these endpoints."""
    limiter: Limiter = app.extensions["nurture"]["limiter"]
    for endpoint in endpoints:
        app.view_functions[endpoint] = limiter.limit(PER_IP, methods=["POST"])(app.view_functions[endpoint])


def limit_per_token(app: Flask, blueprint: Blueprint, limit: str) -> None:
    """Apply the API's limit to each token (each address when no token is sent)."""
    limiter: Limiter = app.extensions["nurture"]["limiter"]
    limiter.limit(limit, key_func=rate_limit_key)(blueprint)


def address_allowed(email: str) -> bool:
    """Count one signup for `email`; tell whether it is within PER_ADDRESS."""
    limiter: Limiter = current_app.extensions["nurture"]["limiter"]
    try:
        return limiter.limiter.hit(parse(PER_ADDRESS), "nurture-address", email)
    except Exception:  # Redis down: the per-IP limit and double opt-in still protect
        log.warning("per-address rate limit unavailable", exc_info=True)
        return True


def account_key() -> str:
    """Return the account a sign-in attempt is for: the typed email, or the one awaiting its code."""
    pending = session.get("pending_sign_in")
    typed = request.form.get("email", "")[:320].strip().lower()
    if not typed and isinstance(pending, dict):
        typed = str(pending.get("email", ""))
    return typed or "-"


def limit_per_account(app: Flask, *endpoints: str) -> None:
    """Count failed sign-ins per account on these endpoints; refuse even the right password past it."""
    limiter: Limiter = app.extensions["nurture"]["limiter"]
    for endpoint in endpoints:
        app.view_functions[endpoint] = limiter.limit(
            PER_ACCOUNT,
            key_func=account_key,
            methods=["POST"],
            scope="sign-in-account",
            deduct_when=lambda response: response.status_code == 401,
            error_message=ACCOUNT_LOCKED,
        )(app.view_functions[endpoint])
