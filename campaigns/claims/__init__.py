"""The claims check: risky health-marketing claims in a step, and the structure every email needs.

The rules live in `rules.toml` beside this file (and, for a clinic's own additions, in
`instance/claims.toml`). Each finding names the rule, its severity (`block` stops publishing
unless an admin records a reason; `warn` is shown), the field, line and column, the words
matched, why they are risky and a safer wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaigns.claims.clauses import is_reader_question, negated, normalize, sentence_around
from campaigns.claims.rules import FIELDS, RULES_FILE, Rule, default_rules, load_rules

__all__ = [
    "FIELDS",
    "RULES_FILE",
    "Finding",
    "Rule",
    "blocking_rules",
    "check_claims",
    "check_text",
    "default_rules",
    "load_rules",
]


@dataclass(frozen=True)
class Finding:
    """One place a rule matched."""

    rule: str
    severity: str  # block | warn
    field: str
    line: int
    matched: str
    reason: str
    safer: str
    column: int = 0

    @property
    def blocks(self) -> bool:
        """Tell whether this finding stops publishing without an admin's reason."""
        return self.severity == "block"


def check_text(text: str, field: str, rules: Iterable[Rule]) -> list[Finding]:
    """Return every risky claim in one field's text, in reading order."""
    plain = normalize(text)
    findings = []
    for rule in rules:
        if field not in rule.fields:
            continue
        for match in rule.pattern.finditer(plain):
            if _excused(rule, plain, match.start(), match.end()):
                continue
            line_start = plain.rfind("\n", 0, match.start()) + 1
            findings.append(
                Finding(
                    rule.id,
                    rule.severity,
                    field,
                    plain.count("\n", 0, match.start()) + 1,
                    text[match.start() : match.end()],
                    rule.reason,
                    rule.safer,
                    match.start() - line_start + 1,
                )
            )
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule))


def check_claims(subject: str, preheader: str, body: str, rules: Iterable[Rule]) -> list[Finding]:
    """Return every risky claim in a step's subject, preheader and body, in reading order."""
    rules = tuple(rules)
    texts = {"subject": subject, "preheader": preheader, "body": body}
    return [finding for field in FIELDS for finding in check_text(texts[field], field, rules)]


def blocking_rules(subject: str, preheader: str, body: str) -> list[str]:
    """Return the ids of the project's rules that block this content, for delivery's second check."""
    return sorted({f.rule for f in check_claims(subject, preheader, body, default_rules()) if f.blocks})


def _excused(rule: Rule, text: str, start: int, end: int) -> bool:
    """Tell whether the words are honest where they stand: negated, a reader's question, honest use."""
    if rule.negatable and negated(text, start):
        return True
    sentence = sentence_around(text, start, end)
    if rule.reader_questions and is_reader_question(sentence):
        return True
    return rule.honest is not None and rule.honest.search(sentence) is not None
