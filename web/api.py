"""The JSON API for the clinic's other systems, behind bearer tokens (`flask api-token create`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, abort, g, jsonify, request

from campaigns.addresses import clean_first_name, has_forbidden_characters, normalize_email
from campaigns.api_tokens import authenticate_token
from campaigns.conversions import Booking, record_conversion
from campaigns.errors import ValidationError
from web.database import get_session
from web.queueing import enqueue_soon

bp = Blueprint("api", __name__, url_prefix="/api/v1")
CONVERSION_FIELDS = {"email", "name", "phone", "preferred_time", "message"}


def token_required(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow a view only with a live bearer token of `scope` (a write token may also read)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            kind, _, token = header.partition(" ")
            record = (
                authenticate_token(get_session(), token.strip(), datetime.now(UTC))
                if kind == "Bearer"
                else None
            )
            if record is None:
                abort(401, description="Send a valid API token as 'Authorization: Bearer nt_...'.")
            if scope == "write" and record.scope != "write":
                abort(403, description="This token may only read.")
            g.api_token = record
            return view(*args, **kwargs)

        return wrapped

    return decorate


@bp.post("/conversions")
@token_required("write")
def create_conversion():
    """Record a booking made in another tool: the subscriber's sequences end at once."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="Send a JSON object with at least 'email'.")
    errors: dict[str, str] = {}
    unknown = sorted(set(body) - CONVERSION_FIELDS)
    if unknown:
        errors["body"] = f"Unknown fields: {', '.join(unknown)[:200]}."
    try:
        email = normalize_email(body.get("email"))
    except ValidationError as exc:
        errors["email"], email = str(exc), ""
    extras = {}
    for field in ("name", "phone", "preferred_time", "message"):
        value = body.get(field, "")
        limit = 2000 if field == "message" else 100
        # Only the message may run over several lines; the rest are one line each.
        if (
            not isinstance(value, str)
            or len(value) > limit
            or has_forbidden_characters(
                value.replace("\r\n", "\n").replace("\n", "") if field == "message" else value
            )
        ):
            lines_note = "" if field == "message" else ", on one line"
            errors[field] = f"{field} must be text of at most {limit} characters{lines_note}"
        else:
            extras[field] = clean_first_name(value) or "" if field == "name" else value.strip()
    if errors:
        return jsonify(error="Some fields need attention.", fields=errors), 400
    db = get_session()
    conversion = record_conversion(db, Booking(email=email, source="api", **extras), datetime.now(UTC))
    db.commit()
    enqueue_soon("workers.jobs.send_consultation_emails", conversion.id)
    return jsonify(id=conversion.id, subscriber_found=conversion.subscriber_id is not None), 201
