"""The step editor's form (Flask-WTF): the fields a marketer types, and what they read when a number is off.

The content itself (templates, lengths, the claims check) is judged by the domain when the
draft is saved; this form only turns what was posted into a `Draft`, or says which field is
not a number it can use. The live preview posts the same fields and reads its content here too.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from campaigns.step_publishing import Draft
from campaigns.template_rules import ContentProblem

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_DIGITS = 7
"""More digits than any of the editor's numbers needs: a longer one is refused before `int()`."""


class WholeNumber:
    """Refuse anything but plain digits (0-9) from `low` to `high`."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __call__(self, form: FlaskForm, field: Field) -> None:
        """Validate the field's text."""
        raw = (field.data or "").strip()
        digits = raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS
        if not (digits and self.low <= int(raw) <= self.high):
            raise ValidationError(f"must be a whole number from {self.low:,} to {self.high:,}")


def _number(label: str, low: int, high: int, optional: bool = False) -> StringField:
    checks = [Optional(), WholeNumber(low, high)] if optional else [WholeNumber(low, high)]
    return StringField(label, validators=checks, filters=[lambda value: (value or "").strip()])


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n")


class StepForm(FlaskForm):
    """One step's draft: subjects, preheader, body, delay and send window."""

    subject = StringField("subject", filters=[_text])
    subject_b = StringField("subject B", filters=[_text])
    ab_sample_size = _number("sample size", 10, 1_000_000, optional=True)
    preheader = StringField("preheader", filters=[_text])
    body = TextAreaField("body", filters=[_text])
    delay_days = _number("days after the previous email", 0, 365)
    delay_hours = _number("hours after the previous email", 0, 23)
    window_start_hour = _number("hour sending starts", 0, 23)
    window_end_hour = _number("hour sending ends", 1, 24)
    day0 = BooleanField("Mon")
    day1 = BooleanField("Tue")
    day2 = BooleanField("Wed")
    day3 = BooleanField("Thu")
    day4 = BooleanField("Fri")
    day5 = BooleanField("Sat")
    day6 = BooleanField("Sun")

    def content(self) -> dict[str, str]:
        """Return the subject, preheader and body as typed."""
        return {"subject": self.subject.data, "preheader": self.preheader.data, "body": self.body.data}

    def weekdays(self) -> list[int]:
        """Return the ticked days, Monday as 0."""
        return [d for d in range(7) if self[f"day{d}"].data]

    def draft(self) -> Draft:
        """Return the validated form as the domain's draft."""
        return Draft(
            **self.content(),
            delay_minutes=int(self.delay_days.data) * 1440 + int(self.delay_hours.data) * 60,
            window_start_hour=int(self.window_start_hour.data),
            window_end_hour=int(self.window_end_hour.data),
            window_weekdays=sum(1 << d for d in self.weekdays()),
            subject_b=self.subject_b.data,
            ab_sample_size=int(self.ab_sample_size.data) if self.ab_sample_size.data else None,
        )

    def values(self) -> dict[str, object]:
        """Return what was typed, for the editor to show again beside its problems."""
        names = ("subject", "subject_b", "ab_sample_size", "preheader", "body", "delay_days", "delay_hours")
        typed: dict[str, object] = {name: self[name].data for name in names}
        typed |= {name: self[name].data for name in ("window_start_hour", "window_end_hour")}
        return typed | {"weekdays": self.weekdays()}

    def problems(self) -> list[ContentProblem]:
        """Return each field's first message, as the editor lists problems."""
        return [
            ContentProblem(self[name].label.text, 0, messages[0])
            for name, messages in self.errors.items()
            if messages and name != "csrf_token"
        ]
