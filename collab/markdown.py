"""Markdown to safe HTML: python-markdown renders, nh3 (ammonia) keeps only harmless tags and URL schemes."""

from __future__ import annotations

import re

import markdown as md  # type: ignore[import-untyped]  # no py.typed; types-Markdown is not in the lock file
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5",
    "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
MENTION_RE = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")


def render_markdown(text: str) -> str:
    """Sanitised HTML of a user's Markdown: no scripts, styles, event handlers, or non-http(s)/mailto links.

    Raw HTML in the input is escaped by nh3's allowlist rather than trusted; links get ``rel=nofollow``.
    """
    html = md.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def mentioned_usernames(text: str) -> list[str]:
    """``@name`` mentions in order of appearance, without duplicates (trailing dots are punctuation)."""
    seen: list[str] = []
    for match in MENTION_RE.finditer(text):
        name = match.group(1).rstrip(".")
        if name and name not in seen:
            seen.append(name)
    return seen
