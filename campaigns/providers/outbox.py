"""The embedded default provider: every email becomes an RFC 5322 `.eml` file in a folder."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from campaigns.outgoing import OutgoingEmail, SendOutcome


class OutboxProvider:
    """Write each email to `folder` as `<send ref>.eml`, atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SendOutcome]:
        """Write every email; readers never see half a file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        outcomes = []
        for email in emails:
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", email.send_ref)
            partial = self.folder / f".{name}.{os.getpid()}.tmp"
            partial.write_bytes(email.message().as_bytes())
            partial.replace(self.folder / f"{name}.eml")
            outcomes.append(SendOutcome.sent(email.message_id.strip("<>")))
        return outcomes
