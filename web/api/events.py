"""The event feed a warehouse follows with an opaque cursor."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from flask import Blueprint
from pydantic import BaseModel, Field

from campaigns.event_feed import FeedPosition, advance, read_feed
from web.api.auth import token_required
from web.api.cursors import make_cursor, read_cursor
from web.api.spec import answers, spec
from web.database import get_session

bp = Blueprint("events", __name__)


class EventQuery(BaseModel):
    """Where to resume, and how many to take."""

    model_config = {"extra": "forbid"}

    cursor: str | None = Field(default=None, max_length=300, description="next_cursor of the page before")
    limit: int = Field(default=100, ge=1, le=1000)


class EventOut(BaseModel):
    """One thing that happened: send, delivered, open, click, bounce, complaint, unsubscribe or booking."""

    id: str
    type: str
    occurred_at: datetime
    subscriber_id: int | None
    send_id: int | None
    step_id: int | None
    sequence_id: int | None
    url: str | None = Field(description="The link clicked, for clicks")
    automated: bool = Field(description="A scanner or privacy proxy, not a person")


class EventPage(BaseModel):
    """A page of the feed; next_cursor resumes after it, now or later."""

    events: list[EventOut]
    next_cursor: str
    has_more: bool


@bp.get("/events")
@token_required("read")
@spec.validate(query=EventQuery, resp=answers(HTTP_200=EventPage), tags=["events"])
def list_events(query: EventQuery):
    """Follow what happened, oldest first; keep next_cursor and ask again for what comes next."""
    start = asdict(FeedPosition())
    at = FeedPosition(**read_cursor("events", query.cursor, start))
    items, _ = read_feed(get_session(), at, query.limit + 1, datetime.now(UTC))
    page = items[: query.limit]
    return EventPage(
        events=[EventOut(**asdict(item)) for item in page],
        next_cursor=make_cursor("events", asdict(advance(at, page))),
        has_more=len(items) > query.limit,
    )
