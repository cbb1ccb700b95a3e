"""The consent wording shown beside the signup checkbox, versioned so each record keeps its exact text."""

from __future__ import annotations

CONSENT_VERSION = "2026-12-1"
"""Change this whenever the wording below changes; records keep the version and the full text."""

_CONSENT_TEMPLATE = (
    "Yes, send me {clinic}'s educational emails: about six over three weeks, ending with an "
    "invitation to a consultation. I can unsubscribe at any time from the link in every email."
)
_SERIES_TEMPLATE = (
    "Yes, send me {clinic}'s educational email series \u201c{series}\u201d. I can unsubscribe at any "
    "time from the link in every email."
)
"""For a sequence other than the main one: its name, and no promise about its length or its end."""


def consent_text(clinic_name: str, series: str | None = None) -> str:
    """Return the exact words a visitor agrees to: for the main sequence, or for the series named."""
    if series is None:
        return _CONSENT_TEMPLATE.format(clinic=clinic_name)
    return _SERIES_TEMPLATE.format(clinic=clinic_name, series=series)
