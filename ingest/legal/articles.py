"""Article, paragraph, item and division references of Korean statutes and regulations: named
regex fragments and the compiled patterns built from them (pure; the one place for every module
that finds 제N조의M, 제N항, 제N호, 제N편/장/절/관 or 부칙).

How much space a pattern tolerates inside a reference differs on purpose, and each reader keeps
its own variant: ``ARTICLE`` is strict (제15조의2, as law.go.kr and the statute export write it),
``ARTICLE_SPACED`` tolerates any whitespace (``제 15 조 의 2``, regulations typed by hand), and
``ARTICLE_LOOSE`` at most one space at each joint (references in generated answers).
"""

from __future__ import annotations

import re

# --- fragments (groups: article number, branch number) ------------------------------------------

ARTICLE = r"제(\d+)조(?:의(\d+))?"  # strict: 제15조 / 제15조의2
ARTICLE_SPACED = r"제\s*(\d+)\s*조(?:\s*의\s*(\d+))?"  # tolerant: 제 15 조 의 2
ARTICLE_LOOSE = r"제\s?(\d+)\s?조(?:의\s?(\d+))?"  # one optional space: 제 15 조의 2
DIVISIONS = "편장절관"  # 제1편 > 제1장 > 제1절 > 제1관

# --- articles -----------------------------------------------------------------------------------

# Any 제N조(의M) (search from a label's start; no anchor).
ARTICLE_NO = re.compile(ARTICLE)
# An article heading at a line start (statute PDF): 제15조의2 before `(`, a space or the end.
ARTICLE_HEAD = re.compile(rf"^{ARTICLE}(?=\(|\s|$)")
# An article heading of statute markdown: `##### 제15조의2 (제목) 본문`; groups: number,
# branch, title (greedy, may hold parentheses), rest.
ARTICLE_HEADING_MD = re.compile(rf"^#{{4,6}}\s*{ARTICLE_SPACED}\s*(?:\((.*)\))?\s*(.*)$")
# A plain article line with its title (부칙 articles): `제1조(시행일) 본문`; groups: number,
# branch, title, rest.
ARTICLE_LINE = re.compile(rf"^{ARTICLE}\s*\(([^)]*)\)\s*(.*)$")
# An article line of a regulation typed as plain text: `제 3 조 (정의) 본문`, the title short
# and without parentheses; groups: number, branch, title, rest.
REGULATION_ARTICLE = re.compile(rf"^{ARTICLE_SPACED}\s*\(([^()\n]{{1,40}})\)\s*(.*)$")

# --- references in running text ------------------------------------------------------------------

# 제15조의2 제3항 in generated text (no law name); groups: number, branch, paragraph.
BARE_ARTICLE_REF = re.compile(rf"{ARTICLE_LOOSE}(?:\s?제?\s?(\d+)\s?항)?")
# A line of a statute PDF that ends inside a reference (…제13조 / 제2항 / 제3호의2) and one that
# continues it (제5항…): a wrap there drops no space (제13조제5항).
REF_AT_END = re.compile(r"제\d+(?:조|항|호)(?:의\d+)?$")
REF_AT_START = re.compile(r"^제\d+")

# --- divisions (편·장·절·관) and 부칙 ----------------------------------------------------------------

# A division heading of a statute PDF: `제2장 …` / `제1편` / `제3장의2`; groups: number,
# branch, level (편/장/절/관).
DIVISION_HEAD = re.compile(rf"^제(\d+)(?:의(\d+))?([{DIVISIONS}])(?:\s|$)")
# Markdown heading mark of each division level in canonical statute markdown (articles: #####).
DIVISION_HEADING_MARK = {"편": "#", "장": "##", "절": "###", "관": "####"}
# A division line of a plain-text regulation: `제2장 민원의 처리` (장/절/관, with a short name);
# group 1 the level.
REGULATION_DIVISION = re.compile(r"^제\s*\d+\s*([장절관])(?:\s*의\s*\d+)?\s+\S.{0,60}$")
REGULATION_DIVISION_LEVELS = {"장": 1, "절": 2, "관": 3}

# 부칙 as a markdown heading (`## 부칙 <제123호, 2020. 1. 1.>`; group 1 the rest).
ADDENDUM_HEADING_MD = re.compile(r"^#{1,4}\s*부\s*칙\b(.*)$")
# 부칙 as a line of its own, maybe with its <제…호> tag (group 1).
ADDENDUM_LINE = re.compile(r"^부\s*칙\s*(<[^>]*>)?\s*$")
# 부칙 line of a plain-text regulation: with a <…> or (…) tag (group 1).
REGULATION_ADDENDUM = re.compile(r"^부\s*칙\s*(<[^>]*>|\([^)]*\))?\s*$")
# 부칙 starting a line of a statute PDF (followed by a space, `<`, `(` or the end).
ADDENDUM_START = re.compile(r"^부\s*칙(?:\s|<|\(|$)")
