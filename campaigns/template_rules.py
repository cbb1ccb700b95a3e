"""What step content may contain, checked on save and again before sending; messages name the line.

Content may print the variables a step offers, give them defaults, change their case, and test
whether one is there (`{% if first_name %}`). Nothing else: no attribute access, calls, loops,
assignments or includes. That closes the sandbox's doors twice over and keeps every template
renderable once per batch, with each recipient's values substituted afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_LENGTHS = {"subject": 200, "preheader": 200, "body": 50_000}
ALLOWED_FILTERS = {"default", "d", "upper", "lower", "title", "capitalize", "trim"}
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Filter,
    nodes.If, nodes.Not, nodes.And, nodes.Or,
)  # fmt: skip
_parser = ImmutableSandboxedEnvironment()
NUL_MESSAGE = "holds a NUL character, which text may not contain"

PERSONAL = ["first_name", "email", "unsubscribe_url", "preferences_url", "open_url"]
"""Values that differ per recipient; content may print them, or test whether they are there."""

CONTENT_VARIABLES = [
    "first_name",
    "email",
    "consultation_url",
    "unsubscribe_url",
    "preferences_url",
    "clinic_name",
    "clinic_offers",
    "consultation_cost",
    "consultation_host",
]
"""The variables step content may use."""


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with a field of a step."""

    field: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.field}, line {self.line}: {self.message}"
            if self.line
            else f"{self.field}: {self.message}"
        )


def check_fields(fields: dict[str, str]) -> list[ContentProblem]:
    """Check each of subject, preheader and body; return every problem found."""
    problems = []
    for name, source in fields.items():
        limit = MAX_LENGTHS[name]
        if len(source) > limit:
            problems.append(ContentProblem(name, 0, f"is {len(source):,} characters; the limit is {limit:,}"))
            continue
        if name == "subject" and not source.strip():
            problems.append(ContentProblem(name, 0, "must not be empty"))
        problems += check_template(name, source)
    return problems


def check_template(field: str, source: str) -> list[ContentProblem]:
    """Check one template's syntax and every construct in it."""
    if "\x00" in source:
        return [ContentProblem(field, source[: source.index("\x00")].count("\n") + 1, NUL_MESSAGE)]
    try:
        tree = _parser.parse(source)
    except TemplateSyntaxError as exc:
        return [ContentProblem(field, exc.lineno, exc.message or "syntax error")]
    except RecursionError:  # e.g. a hundred nested parentheses or ifs: no email needs that
        return [ContentProblem(field, 0, "is nested too deeply; use fewer parentheses and 'if' blocks")]
    problems: list[ContentProblem] = []
    for node in tree.find_all(nodes.Node):
        message = _problem_with(node)
        problem = ContentProblem(field, node.lineno, message) if message else None
        if problem and problem not in problems and not isinstance(node, nodes.Operand):
            problems.append(problem)
    return problems


def _problem_with(node: nodes.Node) -> str | None:
    if not isinstance(node, ALLOWED_NODES):
        return f"{_describe(node)} is not allowed in email content"
    if isinstance(node, nodes.Name) and node.name not in CONTENT_VARIABLES:
        known = ", ".join(CONTENT_VARIABLES)
        return f"unknown variable '{node.name}'; the variables are {known}"
    if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
        return f"the filter '{node.name}' is not allowed; use one of {', '.join(sorted(ALLOWED_FILTERS))}"
    return None


def _describe(node: nodes.Node) -> str:
    names = {
        nodes.Getattr: "attribute access ('.')",
        nodes.Getitem: "indexing ('[...]')",
        nodes.Call: "calling a function",
        nodes.For: "a loop",
        nodes.Assign: "'set'",
        nodes.Compare: "a comparison (only '{% if variable %}' is allowed)",
    }
    return next((text for kind, text in names.items() if isinstance(node, kind)), f"'{type(node).__name__}'")
