"""Open pixels and click redirects: they answer at once and hand the hit to a buffer.

Unknown, forged or malformed tokens get a 404 page, never a redirect to anything taken from
the request. If Redis is down, the hit is recorded straight into the database instead.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, redirect, request
from redis.exceptions import RedisError

from campaigns.tokens import InvalidToken, sign
from campaigns.tracking import Hit, click_target, open_target, record_hits
from web.database import get_session, get_settings
from web.queueing import get_redis
from workers.hit_buffer import push

bp = Blueprint("tracking", __name__, url_prefix="/t")
log = logging.getLogger(__name__)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def buffer(hit: Hit) -> None:
    """Hand a hit to the buffer, or record it now if the buffer is down."""
    try:
        push(get_redis(), hit)
    except (RedisError, OSError):
        log.warning("tracking buffer unavailable; recording the hit directly")
        db = get_session()
        record_hits(db, [hit])
        db.commit()


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


@bp.get("/o/<token>")
def pixel(token: str):
    """Answer a 1x1 GIF that no cache keeps, and buffer the open."""
    try:
        send_id = open_target(get_settings().secret_key, token)
    except InvalidToken:
        abort(404)
    buffer(_hit("open", send_id))
    return Response(PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store, max-age=0"})


@bp.route("/c/<token>", methods=["GET", "HEAD"])
def click(token: str):
    """Redirect to the link the token stands for, and buffer the click."""
    settings = get_settings()
    try:
        send_id, link, subscriber_id = click_target(get_session(), settings.secret_key, token)
    except InvalidToken:
        abort(404)
    buffer(_hit("click", send_id, link.id))
    target = link.url
    if target.startswith(f"{settings.public_base_url}/consultation"):  # lets the form know who asks
        joiner = "&" if "?" in target else "?"
        target += f"{joiner}s={sign(settings.secret_key, 'consult', [subscriber_id], datetime.now(UTC))}"
    return redirect(target, code=302)
