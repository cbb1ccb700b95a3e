"""The claims check on every row of the table in the content facts: plain, negated and mixed case."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.claims import check_claims, default_rules, load_rules

# (rule, a risky sentence, the same sentence made honest by a negation)
TABLE = [
    ("cure", "This treatment can cure fibromyalgia.", "There is no cure for fibromyalgia."),
    ("heal", "Let your body start healing.", "It does not heal anything."),
    ("reverse", "Therapy that reverses symptoms.", "It does not reverse the condition."),
    ("pain-elimination", "Eliminate your pain for good.", "We cannot eliminate your pain."),
    ("pain-elimination", "Live pain-free again.", "Treatment will not make you pain-free."),
    ("durability", "Results are permanent.", "Results are not permanent."),
    ("root-cause", "We treat the root cause.", "There is no root cause we know."),
    ("repair", "Stem cells repair damaged nerves.", "Stem cells do not repair nerves."),
    ("guarantee", "Guaranteed results.", "There is never a guarantee."),
    ("typical-results", "It works for everyone.", "No treatment works for everyone."),
    ("success-rate", "85% of patients improved.", "We do not claim 85% of patients improve."),
    ("hype", "A breakthrough therapy.", "This is not a breakthrough."),
    ("life-changing", "Get your life back.", "We cannot promise to get your life back."),
    ("proven", "Clinically proven to help.", "It is not proven to help."),
    ("promising", "Promising early results.", "There are no promising results yet."),
    ("fda-status", "Our FDA-approved protocol.", "Our protocol is not FDA approved."),
    ("trial-claims", "Join our clinical trial.", "This is not a clinical trial."),
    ("safety", "A safe procedure.", "It is not safe to assume anything."),
    ("own-cells", "It uses your own cells.", "It is not your own cells that matter."),
    ("non-invasive", "A non-invasive option.", "It is not non-invasive."),
    ("comparison", "Better than medication.", "It is not better than medication."),
    ("medication", "Stop taking your medication.", "Never stop taking your medication alone."),
    ("vulnerability", "When nothing else works.", "It is not your last hope."),
    ("cause-claims", "Inflammation causes fibromyalgia.", "There is no inflammation in fibromyalgia."),
    ("multi-disease", "Also treats Parkinson's.", "We do not treat Parkinson's."),
    ("pressure", "Limited spots, act now.", "There are no limited spots."),
    ("insurance", "Insurance covers it.", "No insurance covers it."),
    ("self-diagnosis", "Take our quiz.", "There is no quiz."),
]


@pytest.mark.parametrize(
    ("rule", "risky", "honest"), TABLE, ids=[f"{r}-{n}" for n, (r, _, _) in enumerate(TABLE)]
)
def test_each_risky_pattern_is_found_and_a_negation_lets_it_pass(rule: str, risky: str, honest: str) -> None:
    rules = default_rules()
    found = check_claims("", "", risky, rules)
    assert rule in {f.rule for f in found}
    assert rule in {f.rule for f in check_claims("", "", risky.swapcase(), rules)}  # mixed case
    finding = next(f for f in found if f.rule == rule)
    assert finding.reason and finding.safer and finding.severity == "warning"
    assert rule not in {f.rule for f in check_claims("", "", honest, rules)}


def test_re_and_fwd_subjects_block_publishing() -> None:
    rules = default_rules()
    [finding] = check_claims("RE: your question", "", "", rules)
    assert finding.rule == "deceptive-subject" and finding.blocks
    assert check_claims("Fwd:  the next step", "", "", rules)[0].rule == "deceptive-subject"
    assert check_claims("Refreshing ideas: sleep", "", "", rules) == []
    assert [f.field for f in check_claims("", "Re: x", "Re: x", rules)] == []  # subject only


def test_findings_name_the_field_and_line() -> None:
    [finding] = check_claims("", "", "First line.\n\nA miracle on line three.", default_rules())
    assert (finding.field, finding.line, finding.matched) == ("body", 3, "miracle")


def test_words_inside_other_words_do_not_match() -> None:
    rules = default_rules()
    assert (
        check_claims("", "", "Safety first. Naturally, curious readers ask. Regenerative medicine.", rules)
        == []
    )


def test_a_clinic_extends_the_rules_in_its_own_file(tmp_path: Path) -> None:
    extra = tmp_path / "claims.toml"
    extra.write_text(
        '[[rule]]\nid = "brand"\npatterns = ["wonder clinic"]\nseverity = "warning"\n'
        'reason = "Our counsel asked us not to say this."\nsafer = "Use the clinic\'s name."\n'
    )
    from campaigns.claims import RULES_FILE

    rules = load_rules(RULES_FILE, extra)
    assert [f.rule for f in check_claims("", "", "The Wonder Clinic way.", rules)] == ["brand"]
