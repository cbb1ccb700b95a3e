"""SendGrid through the official `sendgrid` package: personalizations batched, requests in flight.

Emails that share a rendering go out together, up to 1,000 personalizations per request, each
carrying its recipient's substitutions, headers and our send reference in `custom_args`.
Requests run several at a time, so a worker is not one blocking round trip after another.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from email.headerregistry import Address
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

from campaigns.addresses import ascii_email
from campaigns.errors import ProviderOutage
from campaigns.outgoing import OutgoingEmail, SendOutcome

MAX_PERSONALIZATIONS = 1000
TIMEOUT_S = 15
CONCURRENCY = 8
OUTAGE_STATUSES = {401, 403}  # a bad key or an unverified sender: every message would fail
PERMANENT_STATUSES = {400, 413}


class SendGridProvider:
    """Send through SendGrid's v3 mail-send API."""

    def __init__(self, api_key: str, host: str | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.client = SendGridAPIClient(api_key=api_key, host=host or "https://api.sendgrid.com")
        self.client.client.timeout = timeout_s

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SendOutcome]:
        """Send every email, grouped by shared rendering, several requests at once."""
        groups: dict[int, list[int]] = {}
        for index, email in enumerate(emails):
            groups.setdefault(id(email.template), []).append(index)
        chunks = [
            indexes[start : start + MAX_PERSONALIZATIONS]
            for indexes in groups.values()
            for start in range(0, len(indexes), MAX_PERSONALIZATIONS)
        ]
        if len(chunks) == 1:  # the usual batch: one rendering, one request, no threads to start
            return self._send_chunk(list(emails))
        outcomes: list[SendOutcome | None] = [None] * len(emails)
        with ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(chunks) or 1)) as pool:
            results = pool.map(lambda chunk: self._send_chunk([emails[i] for i in chunk]), chunks)
            for chunk, chunk_outcomes in zip(chunks, results, strict=True):
                for index, outcome in zip(chunk, chunk_outcomes, strict=True):
                    outcomes[index] = outcome
        return [outcome for outcome in outcomes if outcome is not None]

    def _send_chunk(self, emails: list[OutgoingEmail]) -> list[SendOutcome]:
        """Send emails sharing one rendering in one request; split a refused batch to find the culprit."""
        outcome = self._post(payload(emails))
        if outcome.status == "failed" and len(emails) > 1:
            return [self._post(payload([email])) for email in emails]
        if outcome.status == "sent":
            return [SendOutcome.sent(f"{outcome.message_id}.{n}") for n in range(len(emails))]
        return [outcome] * len(emails)

    def _post(self, body: dict[str, Any]) -> SendOutcome:
        """Make one mail-send request and say what it means for its emails."""
        try:
            response = self.client.send(body)
        except HTTPError as exc:
            return classify(exc.status_code, exc.body, exc.headers)
        except urllib.error.URLError as exc:  # no connection: the request never went out
            return SendOutcome.retry(f"could not reach SendGrid: {exc.reason}")
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            return SendOutcome.unknown(f"no answer from SendGrid after the request went out: {exc!r}")
        return SendOutcome.sent(response.headers.get("X-Message-Id") or "")


def classify(status: int, body: bytes | str | None, headers: Any) -> SendOutcome:
    """Turn an error answer into an outcome; raise ProviderOutage for account-wide refusals."""
    message = f"SendGrid {status}: {error_text(body)}"
    if status in OUTAGE_STATUSES:
        raise ProviderOutage(message)
    if status == 429:
        reset = headers.get("X-RateLimit-Reset") if headers else None
        wait = float(reset) - time.time() if reset and str(reset).isdigit() else None
        return SendOutcome.retry(message, after_s=max(wait, 1.0) if wait is not None else None)
    if status >= 500:
        return SendOutcome.retry(message)
    return SendOutcome.failed(message)


def error_text(body: bytes | str | None) -> str:
    """Return SendGrid's own error messages, or the body's start."""
    raw = body.decode(errors="replace") if isinstance(body, bytes) else (body or "")
    try:
        return "; ".join(str(e.get("message")) for e in json.loads(raw)["errors"])[:1000]
    except (ValueError, KeyError, TypeError, AttributeError):
        return raw[:500]


def _contact(address: Address) -> dict[str, str]:
    return {"email": address.addr_spec, "name": address.display_name}


def payload(emails: list[OutgoingEmail]) -> dict[str, Any]:
    """Build the v3 mail-send body for emails that share one rendering."""
    first = emails[0]
    sender = {"email": first.sender.addr_spec, "name": first.sender.display_name}
    body: dict[str, Any] = {
        "personalizations": [personalization(email) for email in emails],
        "from": sender,
        "reply_to": (
            {"email": first.reply_to.addr_spec, "name": first.reply_to.display_name}
            if first.reply_to
            else sender
        ),
        "subject": first.template.subject,
        "content": [
            {"type": "text/plain", "value": first.template.text},
            {"type": "text/html", "value": first.template.html},
        ],
    }
    if first.categories:
        body["categories"] = list(first.categories[:10])
    # The engine tracks opens and clicks itself; SendGrid's own tracking would rewrite our links.
    body["tracking_settings"] = {"click_tracking": {"enable": False}, "open_tracking": {"enable": False}}
    return body


def personalization(email: OutgoingEmail) -> dict[str, Any]:
    """Return one recipient's part of a request."""
    headers = {"Message-ID": email.message_id}
    if email.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    custom_args = {"send_ref": email.send_ref}
    if email.send_ref.startswith("send-"):
        custom_args["send_id"] = email.send_ref.removeprefix("send-")
    to = [{"email": ascii_email(email.to)}]
    part: dict[str, Any] = {"to": to, "headers": headers, "custom_args": custom_args}
    if email.substitutions:
        part["substitutions"] = email.substitutions
    return part
