"""The SendGrid adapter, the real `sendgrid` client, against a local server speaking the v3 API."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bench.sendgrid_server import FakeSendGrid, Reply, RunningServer
from campaigns.errors import ProviderOutage
from campaigns.providers.sendgrid import SendGridProvider
from tests.email_helpers import emails

API_KEY = "SG.test-key"


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    state = FakeSendGrid()
    server = RunningServer(state)
    state.url = server.url  # type: ignore[attr-defined]
    yield state
    server.stop()


def provider(sendgrid: FakeSendGrid, timeout_s: float = 5) -> SendGridProvider:
    return SendGridProvider(API_KEY, host=sendgrid.url, timeout_s=timeout_s)  # type: ignore[attr-defined]


def test_a_batch_sharing_one_rendering_goes_in_one_request(sendgrid: FakeSendGrid) -> None:
    batch = emails(3, ["Ada", "Grace", None])
    outcomes = provider(sendgrid).send_many(batch)
    assert [o.status for o in outcomes] == ["sent"] * 3
    assert sendgrid.authorizations == {f"Bearer {API_KEY}"}
    assert len(sendgrid.requests) == 2  # one rendering for named readers, one for the unnamed
    [named] = [r for r in sendgrid.requests if len(r["personalizations"]) == 2]  # they run concurrently
    assert [p["to"][0]["email"] for p in named["personalizations"]] == [
        "reader0@example.com",
        "reader1@example.com",
    ]
    assert named["content"][0]["type"] == "text/plain" and named["content"][1]["type"] == "text/html"
    assert named["from"] == {"email": "care@clinic.example", "name": "Harbor Regenerative Clinic"}
    assert named["reply_to"] == named["from"]
    assert named["categories"] == ["sequence-x", "step-1"]
    first = named["personalizations"][0]
    assert first["custom_args"] == {"send_ref": "send-1", "send_id": "1"}
    assert first["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["headers"]["List-Unsubscribe"].startswith("<https://news.clinic.example/unsubscribe/")
    assert first["substitutions"]["%%nurture:first-name%%"] == "Ada"
    assert "%%nurture:first-name%%" in named["subject"]
    assert sendgrid.accepted == {"send-1": 1, "send-2": 1, "send-3": 1}


def test_a_thousand_personalizations_at_most_per_request(sendgrid: FakeSendGrid) -> None:
    sendgrid.keep_requests = True
    outcomes = provider(sendgrid).send_many(emails(2500))
    assert all(o.status == "sent" for o in outcomes)
    assert sorted(len(r["personalizations"]) for r in sendgrid.requests) == [500, 1000, 1000]
    assert len(sendgrid.accepted) == 2500 and set(sendgrid.accepted.values()) == {1}


def test_names_are_escaped_in_html_but_not_in_text(sendgrid: FakeSendGrid) -> None:
    provider(sendgrid).send_many(emails(1, ["<b>Ada</b> & co"]))
    substitutions = sendgrid.requests[0]["personalizations"][0]["substitutions"]
    assert substitutions["%%nurture:first-name%%"] == "<b>Ada</b> & co"
    assert substitutions["%%nurture:first-name:html%%"] == "&lt;b&gt;Ada&lt;/b&gt; &amp; co"


def test_a_rate_limit_waits_until_the_reset_sendgrid_gives(sendgrid: FakeSendGrid) -> None:
    reset = int(time.time()) + 120
    sendgrid.expect(Reply(429, {"X-RateLimit-Reset": str(reset)}, {"errors": [{"message": "too many"}]}))
    [outcome] = provider(sendgrid).send_many(emails(1))
    assert outcome.status == "retry"
    assert 100 < outcome.retry_after_s <= 120
    assert sendgrid.accepted == {}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(sendgrid: FakeSendGrid, status: int) -> None:
    sendgrid.expect(Reply(status, {}, {"errors": [{"message": "busy"}]}))
    [outcome] = provider(sendgrid).send_many(emails(1))
    assert outcome.status == "retry" and f"SendGrid {status}" in outcome.error


@pytest.mark.parametrize("status", [400, 413])
def test_a_refused_message_is_recorded_with_sendgrids_words(sendgrid: FakeSendGrid, status: int) -> None:
    sendgrid.expect(Reply(status, {}, {"errors": [{"message": "The to email is invalid", "field": "to"}]}))
    [outcome] = provider(sendgrid).send_many(emails(1))
    assert outcome.status == "failed"
    assert outcome.error == f"SendGrid {status}: The to email is invalid"


def test_a_refused_batch_is_split_so_only_the_bad_email_fails(sendgrid: FakeSendGrid) -> None:
    bad = {"errors": [{"message": "invalid address"}]}
    sendgrid.expect(Reply(400, {}, bad), Reply(202), Reply(400, {}, bad), Reply(202))
    outcomes = provider(sendgrid).send_many(emails(3))
    assert [o.status for o in outcomes] == ["sent", "failed", "sent"]
    assert sendgrid.accepted == {"send-1": 1, "send-3": 1}


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "The provided authorization grant is invalid"),
        (403, "does not match a verified Sender Identity"),
    ],
)
def test_a_bad_key_or_unverified_sender_is_an_outage(sendgrid: FakeSendGrid, status: int, words: str) -> None:
    sendgrid.expect(Reply(status, {}, {"errors": [{"message": words}]}))
    with pytest.raises(ProviderOutage, match=words):
        provider(sendgrid).send_many(emails(1))


def test_no_answer_after_the_request_went_out_is_unknown(sendgrid: FakeSendGrid) -> None:
    sendgrid.expect(Reply(hang_s=3))
    [outcome] = provider(sendgrid, timeout_s=0.5).send_many(emails(1))
    assert outcome.status == "unknown"
    assert sendgrid.accepted == {"send-1": 1}  # it did reach SendGrid: resending would duplicate it


def test_a_dropped_connection_after_the_request_is_unknown(sendgrid: FakeSendGrid) -> None:
    sendgrid.expect(Reply(drop=True))
    [outcome] = provider(sendgrid).send_many(emails(1))
    assert outcome.status == "unknown"


def test_a_refused_connection_is_retried() -> None:
    [outcome] = SendGridProvider(API_KEY, host="http://127.0.0.1:1").send_many(emails(1))
    assert outcome.status == "retry" and "could not reach SendGrid" in outcome.error
