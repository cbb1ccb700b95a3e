"""What the API takes and gives about subscribers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from campaigns.statuses import EnrollmentStatus, SubscriberStatus
from web.api.schemas import Email, Line, Name, Strict, TimeZone


class SubscribeIn(Strict):
    """A signup from another system, with the consent it collected; a confirmation email follows."""

    email: Email
    first_name: Name = ""
    timezone: TimeZone = ""
    consent: Literal[True] = Field(description="Must be true: the person ticked the box")
    source: Line = Field(default="", description="Where the person signed up, such as a page URL")
    consent_version: Line = Field(
        default="", description="The version of the wording shown; the current one if empty"
    )
    consent_text: str = Field(
        default="", max_length=2000, description="The exact words, if not the current wording"
    )


class Accepted(BaseModel):
    """The same answer whatever the address's state, so nobody can learn who is on the list."""

    accepted: bool = True
    message: str


class EnrollmentOut(BaseModel):
    """One subscriber's place in one sequence."""

    sequence_id: int
    status: EnrollmentStatus
    next_send_at: datetime | None
    exit_reason: str | None


class SubscriberOut(BaseModel):
    """One subscriber."""

    id: int
    email: str
    first_name: str | None
    timezone: str | None
    status: SubscriberStatus
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    updated_at: datetime | None
    sequences: list[EnrollmentOut]


class SubscriberPage(BaseModel):
    """One page of subscribers; next_cursor resumes after it, later too, when more have joined."""

    subscribers: list[SubscriberOut]
    next_cursor: str
    has_more: bool


class SubscriberQuery(BaseModel):
    """Filters and paging of the subscriber list."""

    model_config = {"extra": "forbid"}

    cursor: str | None = Field(default=None, max_length=200, description="next_cursor of the page before")
    limit: int = Field(default=100, ge=1, le=500)
    status: SubscriberStatus | None = None
    sequence: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Only those in this sequence")
    updated_since: datetime | None = Field(
        default=None, description="Only those changed at or after this time"
    )


class SubscriberPatch(Strict):
    """The fields a subscriber's record may be corrected in."""

    first_name: Name | None = None
    timezone: TimeZone | None = None
