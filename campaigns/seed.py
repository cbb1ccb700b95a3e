"""First-run data: the clinic's profile, the default sequence and the first admin."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import count_users, create_user, generate_password
from campaigns.clinic import ensure_profile
from campaigns.content_files import EMAILS_DIR, read_content_file
from campaigns.models import Sequence, Step, StepVersion
from campaigns.settings import Settings
from campaigns.statuses import Role, SequenceStatus

DEFAULT_SEQUENCE_DIR = EMAILS_DIR / "default_sequence"
DEFAULT_SLUG = "fibromyalgia-education"
WEEKDAYS = 0b0011111  # Monday to Friday


@dataclass(frozen=True)
class SeedResult:
    """What `seed` created; the admin password is shown once and never stored in clear."""

    sequence_created: bool
    admin_email: str | None
    admin_password: str | None


@dataclass(frozen=True)
class StepContent:
    """One email of the default sequence, as read from its Markdown file."""

    subject: str
    preheader: str
    delay_days: int
    body: str


FIRST_ADMIN_FILE = "first-admin.txt"
"""Where `seed --hold-credentials` leaves a new admin's password for `make run` to print, then delete."""


def hold_first_admin(instance_dir: Path, email: str, password: str) -> Path:
    """Write the first admin's credentials where only this user can read them; return the file."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / FIRST_ADMIN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{email}\n{password}\n")
    return path


def take_first_admin(instance_dir: Path) -> tuple[str, str] | None:
    """Read and delete the held credentials of the first admin, if `seed` left them."""
    path = instance_dir / FIRST_ADMIN_FILE
    if not path.exists():
        return None
    email, password = path.read_text().split("\n")[:2]
    path.unlink()
    return email, password


def read_step_file(path: Path) -> StepContent:
    """Parse a step file of the default sequence."""
    content = read_content_file(path)
    fields = content.fields
    return StepContent(fields["subject"], fields["preheader"], int(fields["delay_days"]), content.body)


def seed(
    session: Session, settings: Settings, now: datetime, admin_email: str = "admin@clinic.example"
) -> SeedResult:
    """Create whatever of the first-run data is missing; running it twice changes nothing."""
    ensure_profile(session, settings, now)
    created = seed_default_sequence(session, now)
    if count_users(session):
        return SeedResult(created, None, None)
    password = generate_password()
    create_user(session, admin_email, Role.ADMIN, password, now)
    return SeedResult(created, admin_email, password)


def seed_default_sequence(session: Session, now: datetime) -> bool:
    """Create and publish the default educational sequence unless it exists."""
    if session.scalar(select(Sequence.id).where(Sequence.slug == DEFAULT_SLUG)):
        return False
    sequence = Sequence(
        name="Understanding fibromyalgia",
        slug=DEFAULT_SLUG,
        status=SequenceStatus.ACTIVE,
        is_default=True,
        created_at=now,
        updated_at=now,
    )
    session.add(sequence)
    previous_day = 0
    for position, path in enumerate(sorted(DEFAULT_SEQUENCE_DIR.glob("*.md")), start=1):
        content = read_step_file(path)
        step = Step(
            position=position,
            # The first delay counts from enrollment, the others from the previous send.
            delay_minutes=(content.delay_days - previous_day) * 24 * 60,
            window_start_hour=9,
            window_end_hour=17,
            window_weekdays=WEEKDAYS,
            subject=content.subject,
            preheader=content.preheader,
            body=content.body,
            created_at=now,
            updated_at=now,
        )
        previous_day = content.delay_days
        step.versions.append(
            StepVersion(
                version=1, subject=step.subject, preheader=step.preheader, body=step.body, published_at=now
            )
        )
        sequence.steps.append(step)
    session.flush()
    return True
