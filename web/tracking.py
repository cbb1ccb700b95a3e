"""Open pixels and click redirects, served by a lean app mounted at /t beside the main one.

They answer at once: a hit only joins an in-process queue that a thread sends on to the Redis
stream (see web.hit_sender). Unknown, forged or malformed tokens get a 404, never a redirect to
anything taken from the request.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, abort, current_app, redirect, request

from campaigns.tokens import InvalidToken, sign
from campaigns.tracking import Hit, click_ids, link_url, open_target, subscriber_of_send
from web.hit_sender import HitSender
from web.security import STRICT_TRANSPORT_SECURITY

LINK_CACHE_SIZE = 50_000
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def create_tracking_app(state: dict[str, Any]) -> Flask:
    """Build the lean app for /t: no sessions, CSRF, rate limits or templates on this hot path."""
    app = Flask(__name__)
    app.extensions["nurture"] = state
    app.url_map.merge_slashes = False  # `/c//x` is a malformed token: a 404, never a redirect
    app.add_url_rule("/o/<token>", "pixel", pixel, methods=["GET"])
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
    state = _state()
    if "hit_sender" not in state:
        from workers.queues import connect

        state["hit_sender"] = HitSender(connect(state["settings"]), state["sessions"])
    return state["hit_sender"]


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


def pixel(token: str) -> Response:
    """Answer a 1x1 GIF that no cache keeps, and queue the open."""
    try:
        send_id = open_target(_state()["settings"].secret_key, token)
    except InvalidToken:
        abort(404)
    sender().add(_hit("open", send_id))
    return Response(PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store, max-age=0"})


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
        send_id, link_id = click_ids(settings.secret_key, token)
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
