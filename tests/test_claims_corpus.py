"""The claims check measured on a labelled corpus: recall of risky lines and false positives on honest ones.

`tests/data/claims_corpus.txt` holds lines a compliance reviewer would stop (`block`), softer
wording worth a second look (`warn`) and honest lines (`fine`), many of them using the same words.
Run with `-s` to see the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from campaigns.claims import check_text, default_rules

CORPUS = Path(__file__).parent / "data" / "claims_corpus.txt"


@dataclass(frozen=True)
class Example:
    """One labelled line."""

    label: str  # block | warn | fine
    field: str  # body | subject
    text: str


def read_corpus() -> list[Example]:
    """Read the labelled lines, skipping comments and blank lines."""
    examples = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, text = line.partition(" | ")
        label, _, field = head.partition(" ")
        examples.append(Example(label, field or "body", text))
    return examples


def caught(example: Example) -> bool:
    """Tell whether the check reports a risky line at (at least) its labelled severity."""
    findings = check_text(example.text, example.field, default_rules())
    if example.label == "block":
        return any(f.blocks for f in findings)
    return bool(findings)


def test_the_corpus_is_large_and_mixed() -> None:
    examples = read_corpus()
    labels = [e.label for e in examples]
    assert len(examples) >= 200
    assert set(labels) == {"block", "warn", "fine"}
    assert labels.count("fine") >= 80 and labels.count("block") >= 80


def test_recall_is_at_least_90_percent_and_false_positives_at_most_5_percent() -> None:
    examples = read_corpus()
    risky = [e for e in examples if e.label != "fine"]
    honest = [e for e in examples if e.label == "fine"]
    missed = [e for e in risky if not caught(e)]
    blocked_honest = [
        e for e in honest if any(f.blocks for f in check_text(e.text, e.field, default_rules()))
    ]
    warned_honest = [e for e in honest if check_text(e.text, e.field, default_rules())]
    recall = 1 - len(missed) / len(risky)
    false_positives = len(blocked_honest) / len(honest)
    print(
        f"\nclaims corpus: {len(examples)} lines ({len(risky)} risky, {len(honest)} honest); "
        f"recall {recall:.3f}; false positives (blocked honest lines) {false_positives:.3f}; "
        f"honest lines with any finding {len(warned_honest) / len(honest):.3f}"
    )
    for example in missed:
        print(f"  missed ({example.label}): {example.text}")
    for example in blocked_honest:
        print(f"  blocked honest line: {example.text}")
    assert recall >= 0.9
    assert false_positives <= 0.05
