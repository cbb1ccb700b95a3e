"""Webhook endpoints registered through the API; each gets a signing secret shown once."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint
from pydantic import BaseModel, Field

from campaigns.errors import ValidationError
from campaigns.models import WebhookEndpoint
from campaigns.webhooks.endpoints import add_endpoint, live_endpoints, remove_endpoint
from campaigns.webhooks.events import EVENT_TYPES
from web.api.auth import token_required
from web.api.problems import ProblemError
from web.api.schemas import Strict
from web.api.spec import answers, spec
from web.database import get_session, get_settings

bp = Blueprint("webhooks", __name__)


class EndpointIn(Strict):
    """An endpoint to register."""

    url: str = Field(max_length=2000, examples=["https://crm.example/hooks/nurture"])
    events: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES), description=", ".join(EVENT_TYPES))
    description: str = Field(default="", max_length=200)


class EndpointOut(BaseModel):
    """A registered endpoint."""

    id: int
    url: str
    events: list[str]
    description: str
    created_at: datetime


class EndpointCreated(EndpointOut):
    """A new endpoint with its signing secret: store it now, it is never shown again."""

    secret: str


class EndpointList(BaseModel):
    """The live endpoints."""

    endpoints: list[EndpointOut]


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, object]:
    """Describe an endpoint without its secret."""
    fields = ("id", "url", "events", "description", "created_at")
    return {name: getattr(endpoint, name) for name in fields}


@bp.post("/webhooks")
@token_required("write")
@spec.validate(json=EndpointIn, resp=answers(HTTP_201=EndpointCreated), tags=["webhooks"])
def create_endpoint(json: EndpointIn):
    """Register an endpoint for some events; the answer carries its secret, once."""
    db = get_session()
    try:
        endpoint, secret = add_endpoint(
            db, json.url, json.events, json.description, datetime.now(UTC), get_settings().local_mode
        )
    except ValidationError as exc:
        field = "url" if "URL" in str(exc) else "events"
        raise ProblemError(400, "Some fields need attention", "See 'errors'.", {field: str(exc)}) from exc
    db.commit()
    return EndpointCreated(**endpoint_out(endpoint), secret=secret), 201  # type: ignore[arg-type]


@bp.get("/webhooks")
@token_required("read")
@spec.validate(resp=answers(HTTP_200=EndpointList), tags=["webhooks"])
def list_endpoints():
    """List the live endpoints (secrets are never shown again)."""
    return EndpointList(endpoints=[EndpointOut(**endpoint_out(e)) for e in live_endpoints(get_session())])  # type: ignore[arg-type]


@bp.delete("/webhooks/<int:endpoint_id>")
@token_required("write")
@spec.validate(resp=answers(HTTP_204=None), tags=["webhooks"])
def delete_endpoint(endpoint_id: int):
    """Remove an endpoint: nothing more is sent to it, pending retries included."""
    db = get_session()
    endpoint = db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.removed_at is not None:
        raise ProblemError(404, "Not found", f"There is no webhook endpoint {endpoint_id}.")
    remove_endpoint(db, endpoint, datetime.now(UTC))
    db.commit()
    return "", 204
