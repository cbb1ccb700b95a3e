"""The clinic's other systems, for admins: webhook endpoints with their delivery log, and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, g, redirect, render_template, request, url_for

from campaigns.api_tokens import SCOPES, create_token, list_tokens, revoke_token
from campaigns.errors import ValidationError
from campaigns.models import WebhookDelivery, WebhookEndpoint
from campaigns.statuses import Role
from campaigns.webhooks.delivery import recent_deliveries, replay
from campaigns.webhooks.endpoints import add_endpoint, live_endpoints, remove_endpoint
from campaigns.webhooks.events import EVENT_TYPES
from web.admin import bp
from web.admin.access import audit, role_required
from web.database import get_session, get_settings


def _webhooks_page(secret: str | None = None, error: str | None = None, status: int = 200):
    db = get_session()
    page = render_template(
        "admin/webhooks.html",
        endpoints=live_endpoints(db),
        deliveries=recent_deliveries(db),
        event_types=EVENT_TYPES,
        secret=secret,
        error=error,
        user=g.user,
    )
    return page, status


@bp.get("/webhooks")
@role_required(Role.ADMIN)
def webhooks():
    """List the endpoints and the latest deliveries."""
    return _webhooks_page()


@bp.post("/webhooks")
@role_required(Role.ADMIN)
def add_webhook():
    """Register an endpoint and show its secret, this once."""
    db, now = get_session(), datetime.now(UTC)
    events = [e for e in request.form.getlist("events") if e in EVENT_TYPES]
    try:
        endpoint, secret = add_endpoint(
            db, request.form.get("url", ""), events, request.form.get("description", ""), now,
            get_settings().local_mode,
        )  # fmt: skip
    except ValidationError as exc:
        db.rollback()
        return _webhooks_page(error=str(exc), status=400)
    audit("webhook.add", f"webhook:{endpoint.id}", now, url=endpoint.url, events=endpoint.events)
    db.commit()
    return _webhooks_page(secret=secret, status=201)


@bp.post("/webhooks/<int:endpoint_id>/remove")
@role_required(Role.ADMIN)
def remove_webhook(endpoint_id: int):
    """Stop sending to an endpoint."""
    db, now = get_session(), datetime.now(UTC)
    endpoint = db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.removed_at is not None:
        abort(404, description="That endpoint is not registered.")
    remove_endpoint(db, endpoint, now)
    audit("webhook.remove", f"webhook:{endpoint.id}", now)
    db.commit()
    return redirect(url_for("admin.webhooks"), code=303)


@bp.post("/webhooks/deliveries/<int:delivery_id>/replay")
@role_required(Role.ADMIN)
def replay_delivery(delivery_id: int):
    """Send an event again to its endpoint, with the same webhook-id."""
    db, now = get_session(), datetime.now(UTC)
    delivery = db.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint.removed_at is not None:
        abort(404, description="That delivery's endpoint is not registered any more.")
    again = replay(db, delivery, now)
    audit("webhook.replay", f"webhook-delivery:{delivery.id}", now, replayed_as=again.id)
    db.commit()
    return redirect(url_for("admin.webhooks"), code=303)


def _tokens_page(token: str | None = None, error: str | None = None, status: int = 200):
    tokens = list_tokens(get_session())
    page = render_template(
        "admin/api_tokens.html", tokens=tokens, scopes=SCOPES, token=token, error=error, user=g.user
    )
    return page, status


@bp.get("/api-tokens")
@role_required(Role.ADMIN)
def api_tokens():
    """List the API tokens (only their hashes are kept)."""
    return _tokens_page()


@bp.post("/api-tokens")
@role_required(Role.ADMIN)
def create_api_token():
    """Create a token and show it, this once."""
    db, now = get_session(), datetime.now(UTC)
    name, scope = request.form.get("name", "")[:200], request.form.get("scope", "")

    try:
        token = create_token(db, name, scope, now, g.user.id)
    except ValidationError as exc:
        db.rollback()
        return _tokens_page(error=str(exc), status=400)
    audit("api_token.create", f"api-token:{name.strip()}", now, scope=scope)
    db.commit()
    return _tokens_page(token=token, status=201)


@bp.post("/api-tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_api_token(token_id: int):
    """Revoke a token at once."""
    db, now = get_session(), datetime.now(UTC)
    try:
        revoke_token(db, token_id, now)
    except ValidationError:
        abort(404, description="That token is not live.")
    audit("api_token.revoke", f"api-token:{token_id}", now)
    db.commit()
    return redirect(url_for("admin.api_tokens"), code=303)
