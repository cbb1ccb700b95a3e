"""Compose sequence emails: render each step version once per recipient shape, then personalize."""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.utils import make_msgid
from typing import Any

from campaigns.outgoing import OutgoingEmail, placeholder, substitutions_for, to_html_placeholders
from campaigns.rendering import RenderedEmail, render_email
from campaigns.tokens import sign

DISCLAIMER = (
    "This email is educational and is not medical advice. Stem cell therapies for fibromyalgia "
    "are not approved by the FDA. Talk with your own physician about your care."
)
PERSONAL = ["first_name", "email", "unsubscribe_url", "consultation_url"]
"""Variables that differ per recipient; content may only print them, never branch on them."""


@dataclass(frozen=True)
class Sender:
    """Who the emails come from and what every footer says."""

    secret_key: str
    public_base_url: str
    address: Address
    clinic_name: str
    postal_address: str
    brand_color: str
    fallback_zone: str

    def footer(self, unsubscribe_url: str | None) -> dict[str, str]:
        """Return what every email's footer shows."""
        return {
            "clinic_name": self.clinic_name,
            "postal_address": self.postal_address,
            "brand_color": self.brand_color,
            "disclaimer": DISCLAIMER,
            "unsubscribe_url": unsubscribe_url or "",
        }

    def unsubscribe_url(self, subscriber_id: int, send_id: int, now: datetime) -> str:
        """Return the signed link that unsubscribes this subscriber, naming the send."""
        token = sign(self.secret_key, "unsubscribe", [subscriber_id, send_id], now)
        return f"{self.public_base_url}/unsubscribe/{token}"


@dataclass(frozen=True)
class Recipient:
    """What composing needs of one send."""

    send_id: int
    subscriber_id: int
    email: str
    first_name: str | None
    version_id: int
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    """A published step version's content."""

    subject: str
    preheader: str
    body: str


class Composer:
    """Build the emails of a batch, rendering each (version, shape) once."""

    def __init__(self, sender: Sender, contents: dict[int, Content], now: datetime) -> None:
        self.sender, self.contents, self.now = sender, contents, now
        self._renderings: dict[tuple[int, bool], tuple[RenderedEmail, frozenset[str]]] = {}

    def compose(self, recipients: Seq[Recipient]) -> list[OutgoingEmail]:
        """Return one email per recipient, in order."""
        return [self.email_for(recipient) for recipient in recipients]

    def email_for(self, recipient: Recipient) -> OutgoingEmail:
        """Return one recipient's email (raises jinja2.TemplateError if the content is broken)."""
        unsubscribe_url = self.sender.unsubscribe_url(recipient.subscriber_id, recipient.send_id, self.now)
        values = {
            "email": recipient.email,
            "unsubscribe_url": unsubscribe_url,
            "consultation_url": f"{self.sender.public_base_url}/consultation",
        }
        if recipient.first_name:
            values["first_name"] = recipient.first_name
        template, used = self.rendering(recipient.version_id, bool(recipient.first_name))
        return OutgoingEmail(
            template=template,
            to=recipient.email,
            sender=self.sender.address,
            substitutions={tag: v for tag, v in substitutions_for(values).items() if tag in used},
            send_ref=f"send-{recipient.send_id}",
            unsubscribe_url=unsubscribe_url,
            sent_at=self.now,
            message_id=make_msgid(domain=self.sender.address.domain),
            categories=recipient.categories,
        )

    def rendering(self, version_id: int, has_first_name: bool) -> tuple[RenderedEmail, frozenset[str]]:
        """Render a version once for recipients with (or without) a first name; say which tags it uses."""
        key = (version_id, has_first_name)
        if key not in self._renderings:
            names = [n for n in PERSONAL if has_first_name or n != "first_name"]
            context: dict[str, Any] = {name: placeholder(name) for name in names}
            content = self.contents[version_id]
            footer = self.sender.footer(placeholder("unsubscribe_url"))
            rendered = render_email(content.subject, content.preheader, content.body, context, footer)
            html = to_html_placeholders(rendered.html, PERSONAL)
            shared = RenderedEmail(rendered.subject, rendered.preheader, rendered.text, html)
            everything = f"{shared.subject}\n{shared.text}\n{shared.html}"
            tags = substitutions_for(dict.fromkeys(PERSONAL, ""))
            used = frozenset(tag for tag in tags if tag in everything)
            self._renderings[key] = (shared, used)
        return self._renderings[key]
