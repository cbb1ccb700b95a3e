"""Open pixels and click redirects. Unknown or forged tokens get a 404, never a redirect."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, redirect, request

from campaigns.tokens import InvalidToken, sign
from campaigns.tracking import record_hit, resolve_click, resolve_open
from web.database import get_session, get_settings

bp = Blueprint("tracking", __name__, url_prefix="/t")

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.get("/o/<token>")
def pixel(token: str):
    """Record an open and answer a 1x1 GIF that no cache keeps."""
    db = get_session()
    try:
        send = resolve_open(db, get_settings().secret_key, token)
    except InvalidToken:
        abort(404)
    record_hit(db, "open", send, datetime.now(UTC), user_agent=request.headers.get("User-Agent", "")[:300])
    db.commit()
    return Response(PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store, max-age=0"})


@bp.route("/c/<token>", methods=["GET", "HEAD"])
def click(token: str):
    """Record a click and redirect to the link the token stands for; nothing taken from the request."""
    db, settings = get_session(), get_settings()
    try:
        hit = resolve_click(db, settings.secret_key, token)
    except InvalidToken:
        abort(404)
    now = datetime.now(UTC)
    record_hit(
        db,
        "click",
        hit.send,
        now,
        hit.link.id,
        method=request.method,
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
    db.commit()
    target = hit.link.url
    if target.startswith(f"{settings.public_base_url}/consultation"):  # lets the form know who asks
        joiner = "&" if "?" in target else "?"
        target += f"{joiner}s={sign(settings.secret_key, 'consult', [hit.send.subscriber_id], now)}"
    return redirect(target, code=302)
