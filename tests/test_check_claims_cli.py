"""`flask --app wsgi check-claims [FILE|-] [--subject TEXT]`: one finding a line, exit 1 on a blocking one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from campaigns.seed import DEFAULT_SEQUENCE_DIR

ROOT = Path(__file__).resolve().parent.parent
FINDING = re.compile(r'^(\d+):(\d+) (block|warn) ([a-z-]+) "([^"]*)": (.+)$')
REVERSE_REASON = "A reversal claim; the FTC acted against it (FTC v. Regenerative Medical Group)."
OWN_CELLS_REASON = "Using a person's own cells, or calling a procedure natural, does not remove the risks."
RISKY = "Hi,\n\nThere is no cure.\nOur therapy reverses the damage, and it uses your own cells.\n"


def findings(output: str) -> list[tuple[str, ...]]:
    """Return the output's finding lines split into parts; every line that starts with a digit is one."""
    lines = [line for line in output.splitlines() if line[:1].isdigit()]
    assert all(FINDING.match(line) for line in lines), lines
    return [FINDING.match(line).groups() for line in lines]  # type: ignore[union-attr]


def test_a_file_with_a_blocking_claim_prints_each_finding_and_exits_1(runner, tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    path.write_text(RISKY, encoding="utf-8")
    result = runner.invoke(args=["check-claims", str(path)])
    assert result.exit_code == 1
    assert findings(result.stdout) == [
        ("4", "13", "block", "reverse", "reverses", REVERSE_REASON),
        ("4", "46", "warn", "own-cells", "your own cells", OWN_CELLS_REASON),
    ]


def test_only_warnings_exit_0(runner, tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("A natural approach, using your own cells.\n", encoding="utf-8")
    result = runner.invoke(args=["check-claims", str(path)])
    assert result.exit_code == 0 and {f[2] for f in findings(result.stdout)} == {"warn"}


def test_the_default_emails_pass_with_their_subjects_and_preheaders(runner) -> None:
    for path in sorted(DEFAULT_SEQUENCE_DIR.glob("*.md")):
        result = runner.invoke(args=["check-claims", str(path)])
        assert result.exit_code == 0 and findings(result.stdout) == [], path.name


def test_a_content_files_subject_is_checked_at_its_own_line(runner, tmp_path: Path) -> None:
    path = tmp_path / "step.md"
    path.write_text(
        "subject: Your fibromyalgia questions\npreheader: A note\n---\nHello.\n", encoding="utf-8"
    )
    result = runner.invoke(args=["check-claims", str(path)])
    assert result.exit_code == 1
    assert [f[:5] for f in findings(result.stdout)] == [
        ("1", "15", "block", "condition-in-subject", "fibromyalgia")
    ]


def test_the_subject_option_is_checked_as_line_0(runner) -> None:
    result = runner.invoke(args=["check-claims", "-", "--subject", "Re: your results"], input="Hello.\n")
    assert result.exit_code == 1
    assert [f[:4] for f in findings(result.stdout)] == [("0", "1", "block", "deceptive-subject")]
    clean = runner.invoke(args=["check-claims", "-", "--subject", "A note for you"], input="Hello.\n")
    assert clean.exit_code == 0 and findings(clean.stdout) == []


def test_stdin_through_the_real_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "PUBLIC_BASE_URL": "",
        "FLASK_APP": "wsgi",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "check-claims", "-"]
    text = "It\u2019s not a miracle cure, but our patients see results.\n"
    blocked = subprocess.run(flask, input=text, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert blocked.returncode == 1, blocked.stderr
    assert {f[3] for f in findings(blocked.stdout)} == {"efficacy", "testimonials"}
    honest = "FDA-approved medicines for fibromyalgia include pregabalin.\n"
    passed = subprocess.run(
        flask, input=honest, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert passed.returncode == 0 and findings(passed.stdout) == []
