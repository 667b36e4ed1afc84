"""Statute text keeps its own item numbers (1. 2. …, ①…, 가. 나. …) wherever the UI renders it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ingest.documents.chunking import split_articles
from ui.components import highlight_html
from ui.safe_markdown import safe_markdown

_MARKER = re.compile(r"^(\d+(?:의\d+)?\.|\d+\)|[①-⑳㉑-㉟]|[가-힣]\.)")
_MD = MarkdownIt("commonmark", {"linkify": False}).enable(["table", "strikethrough"])


def _markers(lines: list[str]) -> list[str]:
    found = (_MARKER.match(ln.strip().removeprefix("> ")) for ln in lines)
    return [m.group(1) for m in found if m]


def _visible_lines(rendered: str) -> list[str]:
    """The lines a reader sees: breaks and block ends as newlines, tags dropped."""
    text = re.sub(r"<br\s*/?>|</p>|</li>|</blockquote>", "\n", rendered)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).split("\n")


def _articles(statute_sample: Path) -> list[tuple[str, list[str]]]:
    out = []
    for path in sorted(statute_sample.glob("*/*.md")):
        for sec in split_articles(path.read_text(encoding="utf-8")):
            lines = [ln for ln in sec.lines if ln.strip()]
            if len(_markers(lines)) >= 2:
                out.append((f"{path.parent.name}/{path.name} {sec.label}", lines))
    return out


def _as_answer_quote(lines: list[str]) -> str:
    """As the extractive answer quotes a source: "> " lines, some items in bold (highlighted)."""
    quoted = []
    for i, ln in enumerate(lines):
        body = ln.strip()
        quoted.append(f"> {f'**{body}**' if i % 3 == 1 else body}  ")
    return "\n".join(quoted)


def test_every_article_keeps_its_item_markers(statute_sample: Path) -> None:
    articles = _articles(statute_sample)
    assert len(articles) > 100  # the sample has many articles with items
    bad = []
    for name, lines in articles:
        expected = _markers(lines)
        for variant in ("\n".join(lines), _as_answer_quote(lines)):
            rendered = _MD.render(safe_markdown(variant))
            if "<ol" in rendered or "<ul" in rendered or "<pre" in rendered:
                bad.append((name, "list/code block"))
            elif _markers(_visible_lines(rendered)) != expected:
                bad.append((name, _markers(_visible_lines(rendered))[:12], expected[:12]))
        html_lines = highlight_html("\n".join(lines), [lines[len(lines) // 2].strip()]).split("<br>")
        if _markers([html.unescape(re.sub(r"<[^>]+>", "", ln)) for ln in html_lines]) != expected:
            bad.append((name, "highlight_html"))
    assert not bad, bad[:5]


def test_privacy_act_article_18_items_exact(statute_sample: Path) -> None:
    """The case users hit: 개인정보 보호법 제18조② 제6호 and 제10호 after a highlighted 제5호."""
    (lines,) = [ln for name, ln in _articles(statute_sample) if name == "개인정보보호법/법률.md 제18조"]
    rendered = _MD.render(safe_markdown(_as_answer_quote(lines)))
    visible = [ln.strip() for ln in _visible_lines(rendered) if ln.strip()]
    assert (
        "6. 조약, 그 밖의 국제협정의 이행을 위하여 외국정부 또는 국제기구에 제공하기 위하여 필요한 경우"
        in [ln.removeprefix("> ") for ln in visible]
    )
    assert any(ln.startswith("> 10. 공중위생") for ln in visible)


def test_bullets_written_by_the_app_stay_bullets() -> None:
    rendered = _MD.render(
        safe_markdown("가까운 후보 조문:\n- 민원 처리에 관한 법률 제17조\n- 행정절차법 제19조")
    )
    assert rendered.count("<li>") == 2


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2024. 1. 1. 시행", "2024. 1. 1. 시행"),
        ("3) 세부 사항", "3) 세부 사항"),
        ("* 별표 참조", "* 별표 참조"),
    ],
)
def test_numbers_at_line_start_show_as_written(text: str, shown: str) -> None:
    rendered = _MD.render(safe_markdown(f"> {text}" if text.startswith("*") else text))
    assert shown in html.unescape(re.sub(r"<[^>]+>", "", rendered))
