"""The SMTP adapter against a real SMTP server the tests start: TLS, auth, and each error class."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.errors import ProviderOutage
from campaigns.providers.smtp import SmtpProvider
from tests.browser import free_port
from tests.email_helpers import emails
from tests.smtp_server import Recorder, password_check, self_signed, start, tls_context


@pytest.fixture
def relay():
    recorder, port = Recorder(), free_port()
    controller = start(recorder, port)
    recorder.url = f"smtp://127.0.0.1:{port}?starttls=false"  # type: ignore[attr-defined]
    yield recorder
    controller.stop()


def test_a_batch_goes_over_one_connection_as_complete_messages(relay: Recorder) -> None:
    outcomes = SmtpProvider(relay.url).send_many(emails(3, ["Ada", None, "Grace"]))  # type: ignore[attr-defined]
    assert [o.status for o in outcomes] == ["sent"] * 3
    assert [m["To"] for m in relay.messages] == [f"reader{n}@example.com" for n in range(3)]
    first = relay.messages[0]
    assert first["Subject"] == "A note for Ada"
    assert relay.messages[1]["Subject"] == "A note for you"
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert outcomes[0].message_id == first["Message-ID"].strip("<>")
    assert "%%nurture" not in first.as_string()


def test_a_refused_recipient_fails_alone_and_a_deferred_one_is_retried(relay: Recorder) -> None:
    replies = {"reader0@example.com": "550 5.1.1 No such user", "reader1@example.com": "451 4.3.0 Try later"}
    relay.rcpt_reply = replies.get
    outcomes = SmtpProvider(relay.url).send_many(emails(3))  # type: ignore[attr-defined]
    assert [o.status for o in outcomes] == ["failed", "retry", "sent"]
    assert "550" in outcomes[0].error and "No such user" in outcomes[0].error
    assert [m["To"] for m in relay.messages] == ["reader2@example.com"]


def test_a_refused_message_body_is_failed(relay: Recorder) -> None:
    relay.data_reply = lambda message: "554 5.7.1 Message rejected"
    [outcome] = SmtpProvider(relay.url).send_many(emails(1))  # type: ignore[attr-defined]
    assert outcome.status == "failed" and "554" in outcome.error


def test_a_relay_that_is_down_means_retry_later() -> None:
    outcomes = SmtpProvider(f"smtp://127.0.0.1:{free_port()}?starttls=false").send_many(emails(2))
    assert [o.status for o in outcomes] == ["retry", "retry"]


def test_smtp_urls_insist_on_starttls(relay: Recorder) -> None:
    plain_url = relay.url.removesuffix("?starttls=false")  # type: ignore[attr-defined]
    outcomes = SmtpProvider(plain_url).send_many(emails(1))
    assert outcomes[0].status == "retry"
    assert relay.messages == []  # nothing went out in clear


def test_starttls_and_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    recorder, port = Recorder(), free_port()
    controller = start(
        recorder,
        port,
        tls_context=tls_context(cert, key),
        require_starttls=True,
        authenticator=password_check("clinic", "s3cret pass"),
    )
    try:
        url = f"smtp://clinic:s3cret%20pass@127.0.0.1:{port}?cafile={cert}"
        assert SmtpProvider(url).send_many(emails(1))[0].status == "sent"
        with pytest.raises(ProviderOutage, match="refused the login"):
            SmtpProvider(f"smtp://clinic:wrong@127.0.0.1:{port}?cafile={cert}").send_many(emails(1))
    finally:
        controller.stop()
    assert len(recorder.messages) == 1


def test_tls_from_the_start(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    recorder, port = Recorder(), free_port()
    controller = start(recorder, port, ssl_context=tls_context(cert, key))
    try:
        outcomes = SmtpProvider(f"smtps://127.0.0.1:{port}?cafile={cert}").send_many(emails(2))
    finally:
        controller.stop()
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert len(recorder.messages) == 2
