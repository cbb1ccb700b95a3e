"""The claims check: risky health-marketing claims in a step, and the structure every email needs.

The rules live in `rules.toml` beside this file (and, for a clinic's own additions, in
`instance/claims.toml`). Each finding names the rule, the field and line, the words matched,
why they are risky and a safer wording.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("rules.toml")
NEGATIONS = {
    "no", "not", "never", "without", "isn't",  # the rule's own list
    "aren't", "cannot", "can't", "don't", "doesn't", "won't", "nor",  # the same rule in other words
}  # fmt: skip
NEGATION_REACH = 3  # words before a match in which a negation suppresses it
FIELDS = ("subject", "preheader", "body")


@dataclass(frozen=True)
class Rule:
    """One risky pattern and what to say about it."""

    id: str
    pattern: re.Pattern[str]
    severity: str
    fields: tuple[str, ...]
    reason: str
    safer: str


@dataclass(frozen=True)
class Finding:
    """One place a rule matched."""

    rule: str
    severity: str  # warning | block
    field: str
    line: int
    matched: str
    reason: str
    safer: str

    @property
    def blocks(self) -> bool:
        """Tell whether this finding stops publishing without an admin's reason."""
        return self.severity == "block"


def load_rules(*files: Path) -> list[Rule]:
    """Read rules from TOML files, in order; a later rule with the same id replaces an earlier one."""
    rules: dict[str, Rule] = {}
    for file in files:
        if not file.exists():
            continue
        for raw in tomllib.loads(file.read_text(encoding="utf-8")).get("rule", []):
            alternatives = "|".join(f"(?:{p})" for p in raw["patterns"])
            source = rf"(?<!\w)(?:{alternatives})(?!\w)" if raw.get("words", True) else alternatives
            rules[raw["id"]] = Rule(
                id=raw["id"],
                pattern=re.compile(source, re.IGNORECASE | re.MULTILINE),
                severity=raw.get("severity", "warning"),
                fields=tuple(raw.get("fields", FIELDS)),
                reason=raw["reason"],
                safer=raw["safer"],
            )
    return list(rules.values())


@cache
def default_rules(instance_dir: Path | None = None) -> tuple[Rule, ...]:
    """The project's rules, plus the clinic's own from `instance/claims.toml` if it exists."""
    extra = [instance_dir / "claims.toml"] if instance_dir else []
    return tuple(load_rules(RULES_FILE, *extra))


def check_claims(
    subject: str, preheader: str, body: str, rules: tuple[Rule, ...] | list[Rule]
) -> list[Finding]:
    """Return every risky claim in a step's subject, preheader and body, in reading order."""
    texts = {"subject": subject, "preheader": preheader, "body": body}
    findings = []
    for field in FIELDS:
        text = texts[field]
        for rule in rules:
            if field not in rule.fields:
                continue
            for match in rule.pattern.finditer(text):
                if _negated(text, match.start()):
                    continue
                line = text.count("\n", 0, match.start()) + 1
                findings.append(
                    Finding(rule.id, rule.severity, field, line, match.group(0), rule.reason, rule.safer)
                )
    return sorted(findings, key=lambda f: (FIELDS.index(f.field), f.line))


def _negated(text: str, start: int) -> bool:
    before = re.findall(r"[\w']+", text[:start].lower())[-NEGATION_REACH:]
    return any(word in NEGATIONS for word in before)
