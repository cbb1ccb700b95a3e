"""Tell machine hits from human ones: privacy proxies and link scanners open and click too.

Automated hits are kept and flagged, and left out of the "human" rates; both rates are shown.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta

APPLE_PROXY_NETWORK = ipaddress.IPv4Network("17.0.0.0/8")  # Apple Mail Privacy Protection fetches from here
SCANNER_AGENTS = re.compile(
    r"barracuda|proofpoint|mimecast|symantec|trend ?micro|fortinet|forcepoint|sophos|cisco|ironport|"
    r"safelinks|bot\b|spider|crawler|python-requests|python-urllib|curl/|wget/|go-http-client|"
    r"headlesschrome|phantomjs|java/|okhttp|libwww",
    re.IGNORECASE,
)
TOO_SOON_AFTER_SENDING = timedelta(seconds=10)
ALL_AT_ONCE = timedelta(seconds=2)


def open_is_automated(user_agent: str, ip: str | None) -> str | None:
    """Return why an open looks automated, or None."""
    if user_agent.strip() == "Mozilla/5.0":
        return "apple-privacy-proxy"  # Apple's proxy sends this bare agent
    if ip and _in(ip, APPLE_PROXY_NETWORK):
        return "apple-privacy-proxy"
    if SCANNER_AGENTS.search(user_agent):
        return "scanner-agent"
    return None


def click_is_automated(
    user_agent: str, method: str, clicked_at: datetime, sent_at: datetime | None
) -> str | None:
    """Return why a click looks automated (on its own), or None."""
    if method.upper() == "HEAD":
        return "head-request"
    if SCANNER_AGENTS.search(user_agent):
        return "scanner-agent"
    if sent_at is not None and clicked_at - sent_at < TOO_SOON_AFTER_SENDING:
        return "seconds-after-delivery"
    return None


def _in(ip: str, network: ipaddress.IPv4Network) -> bool:
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:
        return False
