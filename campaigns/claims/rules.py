"""The claims rules: read from TOML, one risky kind of wording each, with why and a safer way."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("rules.toml")
FIELDS = ("subject", "preheader", "body")
SEVERITIES = ("block", "warn")
FLAGS = re.IGNORECASE | re.MULTILINE


@dataclass(frozen=True)
class Rule:
    """One risky kind of wording and what to say about it."""

    id: str
    pattern: re.Pattern[str]
    severity: str  # block | warn
    fields: tuple[str, ...]
    reason: str
    safer: str
    negatable: bool = True  # a negation in the same clause makes the words honest
    honest: re.Pattern[str] | None = None  # a sentence matching this is honest use of the words
    reader_questions: bool = False  # a reader's own checklist question is honest


def _alternatives(patterns: list[str], words: bool) -> str:
    source = "|".join(f"(?:{p})" for p in patterns)
    return rf"(?<![\w-])(?:{source})(?![\w-])" if words else source


def _rule(raw: dict[str, Any]) -> Rule:
    severity = {"warning": "warn"}.get(raw.get("severity", "warn"), raw.get("severity", "warn"))
    if severity not in SEVERITIES:
        raise ValueError(f"rule {raw['id']}: severity must be block or warn")
    honest = raw.get("honest")
    return Rule(
        id=raw["id"],
        pattern=re.compile(_alternatives(raw["patterns"], raw.get("words", True)), FLAGS),
        severity=severity,
        fields=tuple(raw.get("fields", FIELDS)),
        reason=raw["reason"],
        safer=raw["safer"],
        negatable=raw.get("negatable", True),
        honest=re.compile("|".join(f"(?:{p})" for p in honest), FLAGS) if honest else None,
        reader_questions=raw.get("reader_questions", False),
    )


def load_rules(*files: Path) -> list[Rule]:
    """Read rules from TOML files, in order; a later rule with the same id replaces an earlier one."""
    rules: dict[str, Rule] = {}
    for file in files:
        if file.exists():
            for raw in tomllib.loads(file.read_text(encoding="utf-8")).get("rule", []):
                rules[raw["id"]] = _rule(raw)
    return list(rules.values())


@cache
def default_rules(instance_dir: Path | None = None) -> tuple[Rule, ...]:
    """The project's rules, plus the clinic's own from `instance/claims.toml` if it exists."""
    extra = [instance_dir / "claims.toml"] if instance_dir else []
    return tuple(load_rules(RULES_FILE, *extra))
