"""The port every email provider adapter fills, and the factory that picks one by setting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from campaigns.outgoing import OutgoingEmail, SendOutcome
from campaigns.settings import Settings


class Provider(Protocol):
    """Something that hands finished emails to the world."""

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SendOutcome]:
        """Hand each email over and say what became of it, in order.

        Raises ProviderOutage when the provider refuses every message (a bad key, an
        unverified sender), so that sending pauses instead of failing each email.
        """
        ...


def provider_for(settings: Settings) -> Provider:
    """Build the provider `EMAIL_BACKEND` names."""
    if settings.email_backend == "sendgrid":
        from campaigns.providers.sendgrid import SendGridProvider

        assert settings.sendgrid_api_key is not None  # the settings insist on it
        return SendGridProvider(settings.sendgrid_api_key, settings.sendgrid_api_host)
    if settings.email_backend == "smtp":
        from campaigns.providers.smtp import SmtpProvider

        assert settings.smtp_url is not None
        return SmtpProvider(settings.smtp_url)
    from campaigns.providers.outbox import OutboxProvider

    return OutboxProvider(settings.outbox_dir)
