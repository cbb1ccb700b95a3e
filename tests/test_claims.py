"""The claims check: each kind of risky wording, its severity, and the precision rules for honest lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.claims import RULES_FILE, check_claims, check_text, default_rules, load_rules

# (rule, severity, a risky sentence, the same words made honest)
TABLE = [
    ("cure", "block", "This treatment can cure fibromyalgia.", "There is no cure for fibromyalgia."),
    ("heal", "block", "Let your body start healing.", "It does not heal anything."),
    ("reverse", "block", "Therapy that reverses symptoms.", "It does not reverse the condition."),
    ("pain-elimination", "block", "Eliminate your pain for good.", "We cannot eliminate your pain."),
    ("durability", "block", "Results are permanent.", "Results are not permanent."),
    ("cause-claims", "block", "We treat the root cause.", "The cause of fibromyalgia is not known."),
    ("repair", "block", "Stem cells repair damaged nerves.", "Stem cells do not repair nerves."),
    ("guarantee", "block", "Guaranteed results.", "There is never a guarantee."),
    ("typical-results", "block", "It works for everyone.", "No treatment works for everyone."),
    ("success-rate", "block", "9 out of 10 patients improved.", "We do not claim 9 out of 10 improve."),
    (
        "efficacy",
        "block",
        "Get back to the life you love.",
        "Pregabalin brings modest relief to some people.",
    ),
    ("evidence", "block", "Backed by science.", "It is not proven to help."),
    ("fda-status", "block", "Our FDA-approved protocol.", "Our protocol is not FDA approved."),
    ("trial-claims", "block", "Join our patient-funded research.", "We run no patient-funded research."),
    ("safety", "block", "Virtually no risk.", "Ask your doctor which exercises are safe for you."),
    (
        "testimonials",
        "block",
        "Patients report less pain.",
        "Stories are not evidence that a treatment works.",
    ),
    ("urgency", "block", "Book now, spots are filling fast.", "There is no rush."),
    ("vulnerability", "block", "When nothing else works.", "Living with pain is hard."),
    (
        "disparaging-care",
        "block",
        "Pills only mask the symptoms.",
        "Medicines help some people and not others.",
    ),
    ("medication", "block", "Stop taking your medication.", "Never stop taking your medication alone."),
    ("own-cells", "warn", "It uses your own cells.", "It is not your own cells that matter."),
    ("inflammation", "warn", "Inflammation is everywhere.", "There is no inflammation in fibromyalgia."),
    ("non-invasive", "warn", "A non-invasive option.", "It is not non-invasive."),
    ("multi-disease", "warn", "Also treats Parkinson's.", "We do not treat Parkinson's."),
    ("insurance", "warn", "Insurance covers it.", "No insurance covers it."),
    ("self-diagnosis", "warn", "Take our quiz.", "There is no quiz."),
    (
        "results-vary",
        "warn",
        "Results differ from person to person.",
        "Some people feel better after a placebo.",
    ),
]


@pytest.mark.parametrize(
    ("rule", "severity", "risky", "honest"), TABLE, ids=[f"{r}-{n}" for n, (r, *_) in enumerate(TABLE)]
)
def test_each_kind_of_risky_wording_is_found_and_its_honest_use_passes(
    rule: str, severity: str, risky: str, honest: str
) -> None:
    found = check_text(risky, "body", default_rules())
    assert rule in {f.rule for f in found}
    assert rule in {f.rule for f in check_text(risky.swapcase(), "body", default_rules())}  # any case
    finding = next(f for f in found if f.rule == rule)
    assert finding.reason and finding.safer and finding.severity == severity
    assert check_text(honest, "body", default_rules()) == []


@pytest.mark.parametrize(
    "claim",
    [
        "This is not only safe but effective.",
        "It\u2019s not a miracle cure, but our patients see results.",
        "Medications don't address the root cause.",
        "Medications don\u2019t address the root cause.",
        "Don\u2019t wait to find relief.",
        "I never thought I'd be pain-free again.",
    ],
)
def test_a_negation_does_not_excuse_a_claim_outside_its_reach(claim: str) -> None:
    assert any(f.blocks for f in check_text(claim, "body", default_rules()))


@pytest.mark.parametrize(
    "honest",
    [
        "FDA-approved medicines for fibromyalgia include pregabalin.",
        "Ask your doctor which exercises are safe for you.",
        "Is this treatment approved by the FDA for my condition?",
        "Ask whether a study is an FDA-authorized clinical trial.",
        "It isn\u2019t a cure, and there isn\u2019t a guarantee.",
        "Stem cell therapy hasn\u2019t been shown to be safe.",
        "Blood tests and scans come back normal.",
    ],
)
def test_honest_lines_that_use_the_same_words_are_not_flagged(honest: str) -> None:
    assert check_text(honest, "body", default_rules()) == []


def test_a_negation_reaches_only_to_the_end_of_its_clause() -> None:
    [finding] = check_text("There is no cure; our protocol reverses the damage.", "body", default_rules())
    assert finding.rule == "reverse"


def test_a_condition_in_the_subject_or_preheader_blocks_but_not_in_the_body() -> None:
    rules = default_rules()
    assert [f.rule for f in check_claims("Your fibromyalgia questions", "", "", rules)] == [
        "condition-in-subject"
    ]
    assert [f.field for f in check_claims("", "Notes on chronic pain", "", rules)] == ["preheader"]
    assert check_claims("A note for you", "", "Fibromyalgia is common.", rules) == []


def test_re_and_fwd_subjects_block_publishing() -> None:
    rules = default_rules()
    [finding] = check_claims("RE: your question", "", "", rules)
    assert finding.rule == "deceptive-subject" and finding.blocks
    assert check_claims("Fwd:  the next step", "", "", rules)[0].rule == "deceptive-subject"
    assert check_claims("Refreshing ideas: sleep", "", "", rules) == []
    assert check_claims("", "Re: x", "Re: x", rules) == []  # the subject only


def test_findings_name_the_field_line_and_column() -> None:
    [finding] = check_claims("", "", "First line.\n\nA miracle on line three.", default_rules())
    assert (finding.field, finding.line, finding.column, finding.matched) == ("body", 3, 3, "miracle")


def test_words_inside_other_words_do_not_match() -> None:
    text = "Safety first. Curious readers ask. Regenerative medicine. Anti-inflammatory drugs."
    assert check_text(text, "body", default_rules()) == []


def test_a_clinic_extends_the_rules_in_its_own_file(tmp_path: Path) -> None:
    extra = tmp_path / "claims.toml"
    extra.write_text(
        '[[rule]]\nid = "brand"\npatterns = ["wonder clinic"]\nseverity = "block"\n'
        'reason = "Our counsel asked us not to say this."\nsafer = "Use the clinic\'s name."\n'
    )
    rules = load_rules(RULES_FILE, extra)
    [finding] = check_claims("", "", "The Wonder Clinic way.", rules)
    assert finding.rule == "brand" and finding.blocks
