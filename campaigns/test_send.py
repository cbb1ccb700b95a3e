"""Send a marketer a test of a step's draft, exactly as a subscriber would see it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from email.utils import make_msgid

from campaigns.composing import Content, Sender, render_step
from campaigns.outgoing import OutgoingEmail, SendOutcome
from campaigns.placeholders import substitutions_for
from campaigns.providers import Provider

SAMPLE_NAME = "Alex"
SAMPLE_LINK_TOKEN = "sample"  # noqa: S105 (a path segment, not a secret)
"""Stands in for the unsubscribe token in previews and test sends; its page says it was a test."""


def preview(sender: Sender, content: Content, first_name: str | None = SAMPLE_NAME) -> OutgoingEmail:
    """Return the draft as a sample subscriber would get it, links going straight to their targets."""
    rendering = render_step(sender, content, has_first_name=bool(first_name))
    sample = f"{sender.public_base_url}/unsubscribe/{SAMPLE_LINK_TOKEN}"
    values = {
        "email": "subscriber@example.com",
        "unsubscribe_url": sample,
        "preferences_url": sample,
        "open_url": "",
    }
    if first_name:
        values["first_name"] = first_name
    values.update({f"link-{n}": url for n, url in enumerate(rendering.links, start=1)})
    return OutgoingEmail(
        template=rendering.email,
        to="subscriber@example.com",
        sender=sender.address,
        reply_to=sender.reply_to,
        substitutions=substitutions_for(values),
        send_ref="preview",
        unsubscribe_url=sample,
        sent_at=datetime.now().astimezone(),
        message_id=make_msgid(domain=sender.address.domain),
    )


def send_test(sender: Sender, content: Content, to: str, provider: Provider, now: datetime) -> SendOutcome:
    """Send the draft to `to`, marked as a test in its subject."""
    email = preview(sender, content)
    template = replace(email.template, subject=f"[Test] {email.template.subject}")
    test = replace(email, template=template, to=to, send_ref=f"test-{now.timestamp():.0f}", sent_at=now)
    return provider.send_many([test])[0]
