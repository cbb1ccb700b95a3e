"""Headers every response carries, and CSRF protection (Flask-WTF) on every form post.

`CSRFProtect` guards every POST of the whole app, so a new route is protected without anyone
remembering to. The exemptions below carry their own proof instead: a signed link token, a
bearer token, a provider's signature, or JSON that browsers will not send cross-site unasked.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from web.database import get_settings
from web.errors import wants_json

csrf = CSRFProtect()

EXPIRED_FORM = "This form has expired. Go back, reload the page and try again."

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
"""Sent in public mode only: a local instance on plain http must stay reachable."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

EXEMPT_VIEWS = {
    # The link's signed token is the proof; mail apps' one-click posts (RFC 8058) carry no cookie.
    "unsubscribe.act": "signed unsubscribe link",
    "unsubscribe.test_email": "test emails unsubscribe nobody",
    "confirm.confirm_submit": "signed confirmation link",
    "confirm.new_link": "signed (expired) confirmation link",
    # JSON needs a CORS preflight that only allowed origins pass; forms are checked in the view.
    "subscribe.subscribe": "JSON or an allowed embed origin; other forms need the token (see the view)",
}
EXEMPT_BLUEPRINTS = {
    "webhooks": "signed by the provider (ECDSA over the raw body)",
    "api": "bearer API token, never a cookie",
}


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


def refuse_without_token(error: CSRFError):
    """Answer a post without a valid CSRF token in plain words, in the caller's format."""
    if wants_json():
        return {"error": "That request could not be used", "message": EXPIRED_FORM}, 400
    page = render_template("error.html", code=400, title="That form has expired", message=EXPIRED_FORM)
    return page, 400


def init_app(app: Flask) -> None:
    """Register the headers and CSRF protection; exempt what proves itself another way."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the browser's session
    csrf.init_app(app)
    app.after_request(add_security_headers)
    app.after_request(keep_redirects_home)
    app.register_error_handler(CSRFError, refuse_without_token)


def exempt_views(app: Flask) -> None:
    """Exempt the views and blueprints that prove themselves another way (after registration)."""
    for endpoint in EXEMPT_VIEWS:
        csrf.exempt(app.view_functions[endpoint])
    for name, blueprint in app.blueprints.items():
        if name.partition(".")[0] in EXEMPT_BLUEPRINTS:  # nested blueprints too, such as api.subscribers
            csrf.exempt(blueprint)


def is_exempt(endpoint: str) -> bool:
    """Tell whether `endpoint` is one of the documented exemptions."""
    return endpoint in EXEMPT_VIEWS or endpoint.partition(".")[0] in EXEMPT_BLUEPRINTS


def protect_now() -> None:
    """Check this request's CSRF token now (for a view exempt from the automatic check)."""
    csrf.protect()
