"""The embedded default provider: every email becomes an RFC 5322 `.eml` file in a folder."""

from __future__ import annotations

import os
import re
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path


class OutboxProvider:
    """Write each message to `folder` as `<send ref>.eml`, atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, send_ref: str) -> str:
        """Write the message; readers never see half a file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", send_ref)
        final = self.folder / f"{name}.eml"
        partial = self.folder / f".{name}.{os.getpid()}.tmp"
        partial.write_bytes(message.as_bytes(policy=SMTP))
        partial.replace(final)
        return str(message["Message-ID"]).strip("<>")
