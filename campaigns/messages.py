"""Build the MIME message every provider sends: the same bytes whatever the backend."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from campaigns.addresses import ascii_email
from campaigns.rendering import RenderedEmail

MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF line ends, and headers folded only past SMTP's own limit, so a link in a header stays whole."""


def build_message(
    email: RenderedEmail,
    to: str,
    sender: Address,
    unsubscribe_url: str | None,
    sent_at: datetime,
    message_id: str | None = None,
    reply_to: Address | None = None,
) -> EmailMessage:
    """Return a multipart/alternative message, text first, with one-click unsubscribe headers.

    Only a confirmation request goes without `unsubscribe_url`: its reader is not subscribed yet.
    Addresses go into headers with their domains in punycode, which every server accepts.
    """
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    message["Reply-To"] = reply_to or sender
    message["To"] = ascii_email(to)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id or make_msgid(domain=sender.domain)
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text, subtype="plain", charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message
