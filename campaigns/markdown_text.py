"""Markdown to the two parts of an email: safe HTML, and plain text that reads well on its own."""

from __future__ import annotations

from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")


def markdown_to_html(source: str) -> str:
    """Render Markdown to HTML and clean any raw HTML in it down to a safe list of tags."""
    return nh3.clean(
        _markdown.render(source),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


@dataclass
class _Text:
    lines: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    prefix: list[str] = field(default_factory=list)
    counters: list[int | None] = field(default_factory=list)
    heading: str | None = None


def markdown_to_text(source: str) -> str:
    """Render Markdown as plain text: headings kept and underlined, lists kept, links listed at the end."""
    state = _Text()
    for token in _markdown.parse(source):
        _block(token, state)
    text = "\n".join(state.lines).strip()
    text = "\n".join(line.rstrip() for line in text.splitlines())
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if state.links:
        text += "\n\nLinks:\n" + "\n".join(f"[{n}] {url}" for n, url in enumerate(state.links, start=1))
    return text + "\n"


def _block(token: Token, state: _Text) -> None:
    if token.type in ("bullet_list_open", "ordered_list_open"):
        state.counters.append(None if token.type == "bullet_list_open" else int(token.attrGet("start") or 1))
    elif token.type in ("bullet_list_close", "ordered_list_close"):
        state.counters.pop()
        state.lines.append("")
    elif token.type == "heading_open":
        state.heading = token.tag
    elif token.type == "blockquote_open":
        state.prefix.append("> ")
    elif token.type == "blockquote_close":
        state.prefix.pop()
    elif token.type == "hr":
        state.lines += ["----", ""]
    elif token.type in ("fence", "code_block"):
        state.lines += ["    " + line for line in token.content.rstrip("\n").splitlines()] + [""]
    elif token.type == "inline":
        _paragraph(token, state)
    elif token.type in ("paragraph_close", "heading_close") and not state.counters:
        state.lines.append("")


def _paragraph(token: Token, state: _Text) -> None:
    text = _inline(token.children or [], state)
    lead = "".join(state.prefix)
    if state.counters:
        counter = state.counters[-1]
        bullet = "- " if counter is None else f"{counter}. "
        if counter is not None:
            state.counters[-1] = counter + 1
        lead += "  " * (len(state.counters) - 1) + bullet
    if state.heading:
        underline = "=" if state.heading == "h1" else "-"
        state.lines += [text, underline * len(text)]
        state.heading = None
        return
    lines = text.splitlines() or [""]
    state.lines.append(lead + lines[0])
    state.lines += [" " * len(lead) + line for line in lines[1:]]


def _inline(children: list[Token], state: _Text) -> str:
    parts: list[str] = []
    opened: list[str | None] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content or "")
        elif child.type == "link_open":
            href = child.attrGet("href")
            opened.append(str(href) if href else None)
        elif child.type == "link_close" and opened:
            href = opened.pop()
            if href:
                state.links.append(href)
                parts.append(f" [{len(state.links)}]")
    return "".join(parts)
