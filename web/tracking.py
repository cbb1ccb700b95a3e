"""Open pixels and click redirects, served by lean apps mounted at /t beside the main one.

They answer at once: a hit only joins an in-process queue that a thread sends on to the Redis
stream (see web.hit_sender). Unknown, forged or malformed tokens get a 404, never a redirect to
anything taken from the request. The pixel, a thousand a second under load, is a bare WSGI app:
Flask's request handling cost ten times what the pixel itself does.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, abort, current_app, redirect, request

from campaigns.tokens import InvalidToken, sign
from campaigns.tracking import Hit, click_ids, link_url, open_target, subscriber_of_send
from web.app_state import shared
from web.hit_sender import HitSender
from web.security import STRICT_TRANSPORT_SECURITY
from workers.queues import connect

LINK_CACHE_SIZE = 50_000
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


PIXEL_HEADERS = [
    ("Content-Type", "image/gif"),
    ("Content-Length", str(len(PIXEL))),
    ("Cache-Control", "no-store, max-age=0"),
]
NOT_FOUND = b"Not found\n"
StartResponse = Callable[..., Any]


def create_pixel_app(state: dict[str, Any]) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Build the WSGI app for /t/o/<token>: verify, queue the open, answer the GIF."""
    settings = state["settings"]
    common = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
    if not settings.local_mode:
        common.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))

    def pixel_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, token = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")[1:]
        if method not in ("GET", "HEAD"):
            start_response("405 METHOD NOT ALLOWED", [("Allow", "GET, HEAD"), *common])
            return []
        try:
            if "/" in token or not token:
                raise InvalidToken()
            send_id = open_target(settings.verifying_keys, token)
        except InvalidToken:
            start_response("404 NOT FOUND", [("Content-Type", "text/plain; charset=utf-8"), *common])
            return [NOT_FOUND] if method == "GET" else []
        agent = environ.get("HTTP_USER_AGENT", "")[:300]
        at = datetime.now(UTC)
        _sender(state).add(Hit("open", send_id, at, None, agent, environ.get("REMOTE_ADDR"), method))
        start_response("200 OK", [*PIXEL_HEADERS, *common])
        return [PIXEL] if method == "GET" else []

    return pixel_app


def create_tracking_app(state: dict[str, Any]) -> Flask:
    """Build the lean app for /t: no sessions, CSRF, rate limits or templates on this hot path."""
    app = Flask(__name__)
    app.extensions["nurture"] = state
    app.url_map.merge_slashes = False  # `/c//x` is a malformed token: a 404, never a redirect
    app.add_url_rule("/c/<token>", "click", click, methods=["GET", "HEAD"])
    app.after_request(_headers)
    app.register_error_handler(404, lambda _e: Response("Not found\n", 404, mimetype="text/plain"))
    return app


def _headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not _state()["settings"].local_mode:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return response


def _state() -> dict[str, Any]:
    return current_app.extensions["nurture"]


def sender() -> HitSender:
    """Return this process's hit sender."""
    return _sender(_state())


def _sender(state: dict[str, Any]) -> HitSender:
    return shared(state, "hit_sender", lambda: HitSender(connect(state["settings"]), state["sessions"]))


def _hit(kind: str, send_id: int, link_id: int | None = None) -> Hit:
    return Hit(
        kind=kind,
        send_id=send_id,
        link_id=link_id,
        at=datetime.now(UTC),
        user_agent=request.headers.get("User-Agent", "")[:300],
        ip=request.remote_addr,
        method=request.method,
    )


def cached_link_url(link_id: int) -> str | None:
    """Return a link's destination, kept in this process after the first look-up."""
    state = _state()
    cache: dict[int, str | None] = state.setdefault("link_urls", {})
    if link_id not in cache:
        if len(cache) > LINK_CACHE_SIZE:
            cache.clear()
        with state["sessions"]() as session:
            cache[link_id] = link_url(session, link_id)
    return cache[link_id]


def click(token: str):  # type: ignore[no-untyped-def]
    """Redirect to the link the token stands for, and queue the click."""
    settings = _state()["settings"]
    try:
        send_id, link_id = click_ids(settings.verifying_keys, token)
    except InvalidToken:
        abort(404)
    target = cached_link_url(link_id)
    if target is None:
        abort(404)
    sender().add(_hit("click", send_id, link_id))
    if target.startswith(f"{settings.public_base_url}/consultation"):  # lets the form know who asks
        with _state()["sessions"]() as session:
            subscriber_id = subscriber_of_send(session, send_id)
        joiner = "&" if "?" in target else "?"
        target += f"{joiner}s={sign(settings.secret_key, 'consult', [subscriber_id], datetime.now(UTC))}"
    return redirect(target, code=302)
