"""신구조문 대비표 as HTML (pure): `side_by_side` rows in two columns, 종전 | 개정, deleted text
struck through in red, inserted text underlined in green. Used by the app and by the CLI
(``python -m ingest.statutes.sync diff … --html``)."""

from __future__ import annotations

import html
from collections.abc import Callable

from ingest.statutes.versions import DiffRow, Parts

TABLE_CSS = (
    "width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 0.92rem; line-height: 1.65;"
)
HEAD_CSS = "text-align: left; padding: 0.35rem 0.6rem; border-bottom: 2px solid #8c959f; width: 50%;"
CELL_CSS = (
    "vertical-align: top; padding: 0.3rem 0.6rem; border-bottom: 1px solid #d0d7de; white-space: pre-wrap;"
)
CHANGED_ROW_CSS = "background: rgba(255, 212, 59, 0.08);"
DEL_CSS = "background: #ffd7d5; color: #82071e; text-decoration: line-through;"
INS_CSS = "background: #ccffd8; color: #055d20; text-decoration: underline;"

Escape = Callable[[str], str]


def _cell(parts: Parts, tag: str, css: str, escape: Escape) -> str:
    return "".join(
        f'<{tag} style="{css}">{escape(t)}</{tag}>' if changed else escape(t) for t, changed in parts
    )


def side_by_side_html(
    rows: list[DiffRow], old_label: str, new_label: str, *, escape: Escape = html.escape
) -> str:
    """The comparison as one HTML table; every text goes through `escape` (the app passes its
    escaper that also breaks URLs). Changed rows are tinted, deletions <del>, insertions <ins>."""
    head = (
        f'<thead><tr><th style="{HEAD_CSS}">{escape(old_label)}</th>'
        f'<th style="{HEAD_CSS}">{escape(new_label)}</th></tr></thead>'
    )
    body = []
    for row in rows:
        style = f' style="{CHANGED_ROW_CSS}"' if row.tag != "equal" else ""
        old = _cell(row.old_parts, "del", DEL_CSS, escape)
        new = _cell(row.new_parts, "ins", INS_CSS, escape)
        body.append(
            f'<tr class="diff-{row.tag}"{style}><td style="{CELL_CSS}">{old}</td>'
            f'<td style="{CELL_CSS}">{new}</td></tr>'
        )
    return f'<table class="statute-diff" style="{TABLE_CSS}">{head}<tbody>{"".join(body)}</tbody></table>'


def html_page(title: str, tables: list[tuple[str, str]]) -> str:
    """A standalone HTML document (for the CLI: open, print or attach): (heading, table) pairs."""
    sections = "".join(f"<h2>{html.escape(h)}</h2>{t}" for h, t in tables)
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="font-family: sans-serif; max-width: 1100px; margin: 2rem auto;">'
        f"<h1>{html.escape(title)}</h1>{sections}</body></html>"
    )
