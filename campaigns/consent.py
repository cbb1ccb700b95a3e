"""The consent wording shown beside the signup checkbox, versioned so each record keeps its exact text."""

from __future__ import annotations

CONSENT_VERSION = "2026-12-1"
"""Change this whenever the wording below changes; records keep the version and the full text."""

_CONSENT_TEMPLATE = (
    "Yes, send me {clinic}'s educational emails: about six over three weeks, ending with an "
    "invitation to a consultation. I can unsubscribe at any time from the link in every email."
)


def consent_text(clinic_name: str) -> str:
    """Return the exact words a visitor agrees to, for this clinic."""
    return _CONSENT_TEMPLATE.format(clinic=clinic_name)
