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


UNTUNED = "# --- Untuned"
"""Where the lines begin that the rules were not changed for after first running on them."""


def read_corpus(untuned_only: bool = False) -> list[Example]:
    """Read the labelled lines (or only the untuned ones), skipping comments and blank lines."""
    examples = []
    text = CORPUS.read_text(encoding="utf-8")
    if untuned_only:
        text = text[text.index(UNTUNED) :]
    for line in text.splitlines():
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


def measure(examples: list[Example], name: str) -> tuple[float, float]:
    """Print and return recall and the rate of blocked honest lines over `examples`."""
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
        f"\n{name}: {len(examples)} lines ({len(risky)} risky, {len(honest)} honest); "
        f"recall {recall:.3f}; false positives (blocked honest lines) {false_positives:.3f}; "
        f"honest lines with any finding {len(warned_honest) / len(honest):.3f}"
    )
    for example in missed:
        print(f"  missed ({example.label}): {example.text}")
    for example in blocked_honest:
        print(f"  blocked honest line: {example.text}")
    return recall, false_positives


def test_recall_is_at_least_90_percent_and_false_positives_at_most_5_percent() -> None:
    recall, false_positives = measure(read_corpus(), "claims corpus")
    assert recall >= 0.9
    assert false_positives <= 0.05


def test_the_untuned_lines_are_measured_on_their_own() -> None:
    examples = read_corpus(untuned_only=True)
    assert len(examples) >= 40
    measure(examples, "untuned lines only (written after the rules were; see the note in the corpus)")
