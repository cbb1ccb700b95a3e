"""Post a webhook body to a receiver with short timeouts; every failure becomes an answer, never an error."""

from __future__ import annotations

import urllib.error
import urllib.request

from campaigns.webhooks.delivery import Answer

TIMEOUT_S = 5
"""How long a receiver has to answer before the attempt counts as failed and is retried later."""

ANSWER_BYTES = 500
"""How much of the receiver's answer is kept in the delivery log."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to record, not a place to send the signed body again."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """Post the body and return the receiver's status and the start of its answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) checked on registration)
    try:
        with _opener.open(request, timeout=TIMEOUT_S) as response:
            return Answer(response.status, response.read(ANSWER_BYTES).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(ANSWER_BYTES).decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Answer(0, f"no answer: {getattr(error, 'reason', error)}"[:ANSWER_BYTES])
