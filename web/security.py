"""Headers every response carries, and the CSRF token every form posts back."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, abort, request, session

from web.database import get_settings

CSRF_FIELD = "csrf_token"

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
"""Sent in public mode only: a local instance on plain http must stay reachable."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def csrf_token() -> str:
    """Return this browser session's CSRF token, creating it on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse a form post whose token does not match the session's."""
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="This form has expired. Go back, reload the page and try again.")


def add_security_headers(response: Response) -> Response:
    """Keep pages out of frames, sniffing and third-party content."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if not get_settings().local_mode:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def keep_redirects_home(response: Response) -> Response:
    """Point a redirect that Werkzeug built from the request's Host header at PUBLIC_BASE_URL instead.

    Whoever sends the request chooses its Host header; a Location built from it could send a
    visitor (or a cache) to any site.
    """
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.netloc and parts.netloc == request.host:
            path = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
            response.headers["Location"] = get_settings().public_base_url + path
    return response


def init_app(app: Flask) -> None:
    """Register the headers and expose `csrf_token()` to templates."""
    app.after_request(add_security_headers)
    app.after_request(keep_redirects_home)
    app.jinja_env.globals["csrf_token"] = csrf_token
