"""Email content kept as files: `key: value` lines, a `---` line, then the body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EMAILS_DIR = Path(__file__).resolve().parent.parent / "templates" / "emails"


@dataclass(frozen=True)
class ContentFile:
    """The fields and body of one content file."""

    fields: dict[str, str]
    body: str


def read_content_file(path: Path) -> ContentFile:
    """Parse a content file."""
    header, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in header.splitlines() if line.strip())
    return ContentFile(fields, body.strip() + "\n")
