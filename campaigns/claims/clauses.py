"""Where a match stands: its sentence, its clause, and whether a negation governs it there.

A negation reaches to the end of its clause and no further: commas, semicolons, dashes and
contrasting words ("but", "yet") end a clause, so "not a miracle cure, but our patients see
results" negates the cure and leaves the results a claim. Some negations govern nothing:
"not only", "don't wait", "never thought".
"""

from __future__ import annotations

import re

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
NEGATION = re.compile(
    r"\b(?:no|not|never|neither|nor|none|nothing|nobody|no one|without|cannot|"
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|wo|would|should|must)n't|can't|won't)\b",
    re.IGNORECASE,
)
NOT_GOVERNING = re.compile(
    r"\s*(?:only|just|merely|simply|wait|hesitate|delay|miss|let|put off|settle|"
    r"suffer|thought|think|believe|believed|imagined|expected|dreamed)\b",
    re.IGNORECASE,
)
CLAUSE_END = re.compile(
    r"[.!?;:,()\u2014\u2013]|\s-\s|\n|\b(?:but|yet|however|although|though|whereas|instead|while)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|my|me|myself)\b", re.IGNORECASE)
ASKING = re.compile(
    r"^\W*(?:\d+[.)]\s*)?"
    r"(?:is|are|was|does|do|did|has|have|will|would|can|could|who|which|how|what(?! if))\b",
    re.IGNORECASE,
)
SECOND_PERSON = re.compile(r"\b(?:you|your|you're)\b", re.IGNORECASE)


def normalize(text: str) -> str:
    """Make curly apostrophes and quotes straight, keeping every offset."""
    return text.translate(APOSTROPHES)


def sentence_around(text: str, start: int, end: int) -> str:
    """Return the sentence (or list item, or line) that holds text[start:end]."""
    begin = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return text[begin : after.end() if after else len(text)]


def negated(text: str, start: int) -> bool:
    """Tell whether a negation earlier in the same clause governs the words at `start`."""
    clause_start = max((m.end() for m in CLAUSE_END.finditer(text, 0, start)), default=0)
    before = text[clause_start:start]
    return any(not NOT_GOVERNING.match(before, m.end()) for m in NEGATION.finditer(before))


def is_reader_question(sentence: str) -> bool:
    """Tell whether a sentence is a question a reader asks (a checklist item), not a pitch."""
    plain = sentence.strip()
    if not plain.endswith("?") or not ASKING.match(plain):
        return False
    return bool(FIRST_PERSON.search(plain)) or not SECOND_PERSON.search(plain)
