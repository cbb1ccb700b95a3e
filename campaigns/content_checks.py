"""Validate a step as it will be sent: the template rules, then a real render in both shapes."""

from __future__ import annotations

from jinja2 import TemplateError

from campaigns.composing import Content, Sender, render_step
from campaigns.template_rules import ContentProblem, check_fields


def validate_step(fields: dict[str, str], sender: Sender) -> list[ContentProblem]:
    """Check a step's fields, then render it as it will be sent, with and without a first name."""
    problems = check_fields(fields)
    if problems:
        return problems
    content = Content(fields["subject"], fields["preheader"], fields["body"])
    for has_first_name in (True, False):
        try:
            render_step(sender, content, has_first_name)
        except TemplateError as exc:
            hint = ""
            if "first_name" in str(exc):
                hint = '; some subscribers give no first name: write {{ first_name | default("there") }}'
            return [ContentProblem("body", getattr(exc, "lineno", None) or 0, f"{exc}{hint}")]
    return []
