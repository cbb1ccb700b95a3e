"""Sandbox escapes in marketer content are refused on save and cannot run at send time."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.content_checks import validate_step
from campaigns.models import Send, StepVersion
from campaigns.statuses import SendStatus
from tests.email_helpers import SENDER
from tests.factories import active_subscriber, outbox_messages, seeded
from tests.test_tick import tick

PAYLOADS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ config }}",
    "{{ self }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ request.application.__globals__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ namespace.__init__.__globals__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{% set x = ''.__class__ %}{{ x }}",
    "{% include '/etc/passwd' %}",
    "{% extends 'layout.html' %}",
    "{% import 'layout.html' as l %}",
    "{{ range(10**9) | list }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{{ first_name.__class__ }}",
    "{{ consultation_url['__class__'] }}",
    "{{ '%s' % first_name }}",
    "{% macro m() %}{% endmacro %}{{ m() }}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_sandbox_escape_is_refused_on_save(payload: str) -> None:
    problems = validate_step({"subject": "Hello", "preheader": "", "body": f"Hi,\n\n{payload}\n"}, SENDER)
    assert problems, payload
    assert problems[0].line == 3 or problems[0].line == 0


@pytest.mark.parametrize("payload", PAYLOADS[:6])
def test_a_payload_written_straight_into_the_database_cannot_run_at_send_time(
    payload: str, db: Session, settings
) -> None:
    sequence = seeded(db, settings)
    active_subscriber(db, sequence)
    version = db.scalars(select(StepVersion).where(StepVersion.step_id == sequence.steps[0].id)).one()
    version.body = f"Hi,\n\n{payload}\n"  # bypassing the editor, as an attacker with database access might
    db.commit()
    counts = tick(settings, 0)
    assert counts["failed"] == 1 and counts["sent"] == 0
    send = db.scalars(select(Send)).one()
    db.refresh(send)
    assert send.status == SendStatus.FAILED and "may not be sent" in send.error
    assert outbox_messages(settings.outbox_dir) == []
