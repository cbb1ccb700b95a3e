"""What the API says about sequences, their steps and their numbers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from campaigns.statuses import SequenceStatus


class SequenceOut(BaseModel):
    """One sequence."""

    id: int
    name: str
    slug: str
    status: SequenceStatus
    is_default: bool
    updated_at: datetime


class SequenceList(BaseModel):
    """Every sequence."""

    sequences: list[SequenceOut]


class StepOut(BaseModel):
    """One step, with its draft and the version subscribers receive."""

    id: int
    position: int
    delay_minutes: int
    window_start_hour: int
    window_end_hour: int
    window_weekdays: int = Field(description="Bit 0 is Monday, bit 6 is Sunday")
    subject: str
    preheader: str
    body: str
    published_version: int | None = Field(description="The version sent now, or null if never published")


class SequenceDetail(SequenceOut):
    """One sequence with its live steps in order."""

    steps: list[StepOut]


class CountsOut(BaseModel):
    """Counts of one step, day or sequence, with the rates marketers read."""

    sent: int
    delivered: int
    bounced: int
    opened: int
    opened_human: int
    clicked: int
    clicked_human: int
    unsubscribed: int
    complained: int
    converted: int
    open_rate: float | None = Field(description="Human opens over sends")
    click_rate: float | None = Field(description="Human clicks over sends")


class DayOut(CountsOut):
    """One day's counts."""

    day: date


class StepStatsOut(CountsOut):
    """One step's counts."""

    step_id: int
    position: int
    subject: str


class SequenceStatsOut(BaseModel):
    """A sequence's numbers: in total, per step and per day."""

    sequence_id: int
    name: str
    total: CountsOut
    steps: list[StepStatsOut]
    daily: list[DayOut]
    median_hours_to_convert: float | None


class StepIn(BaseModel):
    """A step's new draft; it is checked, test-rendered and, with publish, sent from then on."""

    model_config = {"extra": "forbid"}

    subject: str = Field(min_length=1, max_length=200)
    preheader: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=50_000)
    delay_minutes: int = Field(ge=0, le=60 * 24 * 365)
    window_start_hour: int = Field(default=9, ge=0, le=23)
    window_end_hour: int = Field(default=17, ge=1, le=24)
    window_weekdays: int = Field(default=0b1111111, ge=1, le=0b1111111)
    publish: bool = Field(default=False, description="Publish after saving, when nothing blocks it")


class StepSaved(BaseModel):
    """The step as saved, and whether it was published."""

    step: StepOut
    published: bool
    warnings: list[str]
