"""Build provider-ready emails for provider tests, the way delivery does."""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address

from campaigns.composing import Composer, Content, Recipient, Sender
from campaigns.outgoing import OutgoingEmail

SENDER = Sender(
    secret_key="test-secret-key-that-is-long-enough-0123456789",
    public_base_url="https://news.clinic.example",
    address=Address("Harbor Regenerative Clinic", "care", "clinic.example"),
    clinic_name="Harbor Regenerative Clinic",
    postal_address="12 Harbor Street, Portland, ME 04101",
    brand_color="#1f5f8b",
    fallback_zone="America/New_York",
)
CONTENT = Content(
    subject="A note for {{ first_name | default('you') }}",
    preheader="Three things to know.",
    body="Hi {{ first_name | default('there') }},\n\n[Read more]({{ consultation_url }})\n",
)
NOW = datetime(2030, 1, 7, 15, 0, tzinfo=UTC)


def emails(count: int, first_names: list[str | None] | None = None) -> list[OutgoingEmail]:
    """Return `count` emails of one step version to reader0@example.com, reader1@..."""
    composer = Composer(SENDER, {1: CONTENT}, NOW, lambda version_id, urls: list(range(1, len(urls) + 1)))
    names = first_names or ["Ada"] * count
    return [
        composer.email_for(
            Recipient(n + 1, n + 1, f"reader{n}@example.com", names[n], 1, ("sequence-x", "step-1"))
        )
        for n in range(count)
    ]
