"""Structural checks: what every email must carry (CAN-SPAM and honest health information)."""

from __future__ import annotations

from campaigns.claims import Finding
from campaigns.composing import PLACEHOLDER_MARK
from campaigns.rendering import RenderedEmail
from campaigns.settings import is_sample_address


def check_structure(email: RenderedEmail, postal_address: str) -> list[Finding]:
    """Return a blocking finding for each thing a rendered email is missing."""
    missing = []
    if "unsubscribe" not in email.html.lower() or "unsubscribe" not in email.text.lower():
        missing.append(
            ("unsubscribe-link", "a working unsubscribe link", "Keep the footer's unsubscribe link.")
        )
    address = postal_address.strip()
    if not address or is_sample_address(address) or address not in email.text:
        missing.append(
            (
                "postal-address",
                "the clinic's postal address",
                "Set the clinic's postal address in the settings.",
            )
        )
    lowered = email.text.lower()
    if "not medical advice" not in lowered or "not approved by the fda" not in lowered:
        missing.append(
            ("disclaimer", "the educational and FDA-status disclaimer", "Keep the footer's disclaimer.")
        )
    findings = [
        Finding(rule, "block", "email", 0, "", f"Every email must carry {what} (CAN-SPAM, FTC).", fix)
        for rule, what, fix in missing
    ]
    if PLACEHOLDER_MARK in email.text:
        findings.append(UNFILLED)
    return findings


UNFILLED = Finding(
    "placeholder",
    "warn",
    "email",
    0,
    PLACEHOLDER_MARK.strip(),
    "The email still shows a placeholder for what the clinic sells or how its consultation works.",
    "Set CLINIC_OFFERS, CONSULTATION_COST and CONSULTATION_HOST in the settings.",
)
