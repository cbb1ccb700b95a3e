"""An email ready for a provider: a shared rendering plus one recipient's substitutions.

Marketer content is rendered once per step version and recipient shape, with placeholders
where each recipient differs (first name, links with their own tokens). A recipient's email
is that rendering with their values substituted: SMTP and the outbox substitute here, SendGrid
does it on its side from the same substitutions, so every provider delivers the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage

from campaigns.messages import build_message
from campaigns.placeholders import substitute
from campaigns.rendering import RenderedEmail


@dataclass(frozen=True)
class OutgoingEmail:
    """One recipient's email: the shared rendering, their substitutions and their headers."""

    template: RenderedEmail
    to: str
    sender: Address
    substitutions: dict[str, str]
    send_ref: str  # our id for it: "send-12" or "confirmation-3"; SendGrid carries it to its events
    unsubscribe_url: str | None
    sent_at: datetime
    message_id: str
    categories: tuple[str, ...] = ()
    reply_to: Address | None = None  # the sender, unless the clinic set its own reply-to address

    @property
    def subject(self) -> str:
        """Return this recipient's subject."""
        return substitute(self.template.subject, self.substitutions)

    def message(self) -> EmailMessage:
        """Return the complete MIME message for this recipient."""
        personal = RenderedEmail(
            subject=self.subject,
            preheader=substitute(self.template.preheader, self.substitutions),
            text=substitute(self.template.text, self.substitutions),
            html=substitute(self.template.html, self.substitutions),
        )
        return build_message(
            personal, self.to, self.sender, self.unsubscribe_url, self.sent_at, self.message_id, self.reply_to
        )


@dataclass(frozen=True)
class SendOutcome:
    """What a provider did with one email."""

    status: str  # sent | retry | failed | unknown
    message_id: str | None = None
    error: str | None = None
    retry_after_s: float | None = None

    @classmethod
    def sent(cls, message_id: str) -> SendOutcome:
        """The provider accepted it."""
        return cls("sent", message_id=message_id)

    @classmethod
    def retry(cls, error: str, after_s: float | None = None) -> SendOutcome:
        """It did not reach the provider, or the provider asked us to come back later."""
        return cls("retry", error=error, retry_after_s=after_s)

    @classmethod
    def failed(cls, error: str) -> SendOutcome:
        """The provider refused this message for good."""
        return cls("failed", error=error)

    @classmethod
    def unknown(cls, error: str) -> SendOutcome:
        """It may have reached the provider: never resend blindly."""
        return cls("unknown", error=error)
