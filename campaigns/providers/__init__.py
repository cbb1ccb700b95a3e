"""The port every email provider adapter fills, and the factory that picks one by setting."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

from campaigns.errors import ProviderError
from campaigns.settings import Settings


class Provider(Protocol):
    """Something that hands a finished MIME message to the world and returns its message id."""

    def send(self, message: EmailMessage, send_ref: str) -> str:
        """Send `message`; `send_ref` is our id for it, carried to the provider's events."""
        ...


def provider_for(settings: Settings) -> Provider:
    """Build the provider `EMAIL_BACKEND` names."""
    from campaigns.providers.outbox import OutboxProvider

    if settings.email_backend == "outbox":
        return OutboxProvider(settings.outbox_dir)
    raise ProviderError(f"EMAIL_BACKEND={settings.email_backend} is not available in this version")
