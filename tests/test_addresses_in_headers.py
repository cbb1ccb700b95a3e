"""Addresses go out as every server takes them, and names cannot hide or reverse text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from campaigns.addresses import clean_first_name
from campaigns.clinic import sender_for
from campaigns.models import Subscriber
from campaigns.notices import notice
from campaigns.providers.smtp import SmtpProvider
from tests.browser import free_port
from tests.conftest import make_settings
from tests.factories import outbox_messages, seeded
from tests.signup_helpers import decide_signups, post_form, post_json
from tests.smtp_server import Recorder, start


def raw_headers(message) -> str:
    return message.as_bytes().split(b"\r\n\r\n", 1)[0].decode("ascii")


def test_an_international_domain_is_punycode_in_every_header(client, db, settings, run_jobs) -> None:
    seeded(db, settings)
    assert post_form(client, email="ada@bücher.de").status_code == 303
    run_jobs()
    [message] = outbox_messages(settings.outbox_dir)
    headers = raw_headers(message)  # ASCII only: an encoded-word inside an address is undeliverable
    assert "To: ada@xn--bcher-kva.de" in headers
    assert "=?" not in headers
    decide_signups(db)
    assert db.scalars(select(Subscriber)).one().email == "ada@bücher.de"  # stored as typed


def test_the_sender_domain_and_the_smtp_envelope_are_punycode(db, settings, tmp_path) -> None:
    recorder, port = Recorder(), free_port()
    recipients: list[str] = []
    recorder.rcpt_reply = lambda address: recipients.append(address)  # type: ignore[assignment,func-returns-value]
    controller = start(recorder, port)
    try:
        idn = make_settings(tmp_path, DATABASE_URL=settings.database_url, FROM_EMAIL="care@klinik-münchen.de")
        sender = sender_for(db, idn)
        email = notice(
            "confirmation",
            "grace@bücher.de",
            {"clinic_name": "Clinic", "confirm_url": "https://news.clinic.example/confirm/x"},
            sender,
            datetime.now(UTC),
            1,
        )
        [outcome] = SmtpProvider(f"smtp://127.0.0.1:{port}?starttls=false").send_many([email])
    finally:
        controller.stop()
    assert outcome.status == "sent"
    assert recipients == ["grace@xn--bcher-kva.de"]
    [received] = recorder.messages
    assert received["To"] == "grace@xn--bcher-kva.de"
    assert received["From"].addresses[0].addr_spec == "care@xn--klinik-mnchen-3ob.de"
    assert received["Message-ID"].endswith("@xn--klinik-mnchen-3ob.de>")


@pytest.mark.parametrize("email", ["jürgen@example.de", "用户@例子.广告", "zoë@example.com"])
def test_a_non_ascii_mailbox_is_refused_at_signup_with_a_clear_message(client, db, email) -> None:
    page = post_form(client, email=email)
    assert page.status_code == 400 and "before the @" in page.text
    response = post_json(client, email=email)
    assert response.status_code == 400 and "before the @" in response.json["fields"]["email"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ada\u202egnp.exe", "Adagnp.exe"),  # right-to-left override
        ("\u2067Ada\u2069", "Ada"),  # isolates
        ("A\u200bd\u200da\ufeff", "Ada"),  # zero-width space, joiner, byte-order mark
        ("Zoë \u200e🌻", "Zoë 🌻"),
    ],
)
def test_bidi_controls_and_zero_width_characters_are_removed_from_names(
    client, db, typed: str, kept: str
) -> None:
    assert clean_first_name(typed) == kept
    assert post_form(client, first_name=typed).status_code == 303
    decide_signups(db)
    assert db.scalars(select(Subscriber)).one().first_name == kept
