"""Check a whole document (Markdown or text, or a content file with its header) as a reviewer reads it."""

from __future__ import annotations

import re
from dataclasses import replace

from campaigns.claims import Finding, Rule, check_text

HEADER_LINE = re.compile(r"^(subject|preheader|[a-z_]+): ?(.*)$")


def check_document(text: str, rules: tuple[Rule, ...], subject: str | None = None) -> list[Finding]:
    """Return every finding in `text`, numbered by the document's own lines (the `subject` is line 0).

    A content file (`subject: ...` lines, a `---` line, then the body) has its subject and
    preheader checked as such, at their own lines.
    """
    findings = check_text(subject, "subject", rules) if subject else []
    findings = [replace(f, line=0) for f in findings]
    lines = text.split("\n")
    body_start = _body_start(lines)
    for number, line in enumerate(lines[: max(body_start - 1, 0)], start=1):
        match = HEADER_LINE.match(line)
        if match and match.group(1) in ("subject", "preheader"):
            for finding in check_text(match.group(2), match.group(1), rules):
                findings.append(replace(finding, line=number, column=finding.column + match.start(2)))
    body = "\n".join(lines[body_start:])
    for finding in check_text(body, "body", rules):
        findings.append(replace(finding, line=finding.line + body_start))
    return findings


def _body_start(lines: list[str]) -> int:
    """Return how many lines a content file's header takes (0 for plain Markdown or text)."""
    if not lines or not HEADER_LINE.match(lines[0]) or "---" not in lines:
        return 0
    end = lines.index("---")
    return end + 1 if all(HEADER_LINE.match(line) or not line.strip() for line in lines[:end]) else 0


def format_finding(finding: Finding) -> str:
    """Return a finding as `LINE:COL SEVERITY RULE "matched text": reason`, on one line."""
    matched = " ".join(finding.matched.split()).replace('"', "'")
    return f'{finding.line}:{finding.column} {finding.severity} {finding.rule} "{matched}": {finding.reason}'
