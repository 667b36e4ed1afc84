"""Result types of the chains — plain dataclasses the UI renders and tests inspect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["generated", "extractive"]
Role = Literal["user", "assistant"]
Turn = tuple[Role, str]  # one conversation turn: ("user", "질문…") / ("assistant", "답변…")


def paragraph_label(paragraphs: Sequence[int]) -> str:
    """``(1,)`` → ``"제1항"``, ``(1, 3)`` → ``"제1항·제3항"``."""
    return "·".join(f"제{p}항" for p in paragraphs)


def format_source_label(meta: Mapping[str, Any], paragraphs: Sequence[int] = ()) -> str:
    """The citation line of one source.

    Statutes: ``개인정보 보호법 제15조(개인정보의 수집ㆍ이용) 제1항 · 시행 2025-10-02``;
    documents: ``문서 제목 · 섹션 · 3쪽``.
    """
    law, article = str(meta.get("law_title") or ""), str(meta.get("article") or "")
    if law and article:
        title = str(meta.get("article_title") or "")
        label = f"{law} {'부칙 ' if meta.get('is_addendum') else ''}{article}"
        if title:
            label += f"({title})"
        if paragraphs:
            label += f" {paragraph_label(paragraphs)}"
        if meta.get("effective_date"):
            label += f" · 시행 {meta['effective_date']}"
        return label
    parts = [str(meta.get("doc_title") or law or "문서")]
    if meta.get("section_path"):
        parts.append(str(meta["section_path"]))
    page = meta.get("page")
    if isinstance(page, int) and page > 0:
        parts.append(f"{page}쪽")
    return " · ".join(parts)


@dataclass(frozen=True)
class Source:
    """One retrieved provision or document section that an output may cite as ``[n]``."""

    n: int
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    score: float = 0.0
    paragraphs: tuple[int, ...] = ()  # 항 the citing sentences rest on (statutes), if known
    highlights: tuple[str, ...] = ()  # sentences most relevant to the question (extractive mode)
    evidence: float = 0.0  # share of the question's content words found in the text (0–1)
    similarity: float | None = None  # embedding cosine with the question (None: no embedding model)
    judged: float | None = None  # the evidence judge's closeness to the question (None: no judge)

    @property
    def label(self) -> str:
        return format_source_label(self.metadata, self.paragraphs)

    @property
    def law_title(self) -> str:
        return str(self.metadata.get("law_title") or "")

    @property
    def article(self) -> str:
        return str(self.metadata.get("article") or "")

    @property
    def body(self) -> str:
        """Text without the header line."""
        return self.text.split("\n", 1)[1] if "\n" in self.text else self.text

    def citation_dict(self) -> dict[str, Any]:
        """Metadata of the cited chunk plus its text (the benchmark's citation format)."""
        return {**self.metadata, "id": self.chunk_id, "text": self.text, "label": self.label}


@dataclass
class Answer:
    """A Q&A result. ``text`` uses ``[n]`` markers that refer to ``sources[i].n``."""

    question: str
    text: str
    sources: list[Source] = field(default_factory=list)  # the cited sources, numbered as in text
    no_evidence: bool = False
    mode: Mode = "extractive"
    fallback_reason: str | None = None  # why a generating backend was not used (Korean)
    corrections: list[str] = field(default_factory=list)  # what the citation check changed (Korean)
    warnings: list[str] = field(default_factory=list)  # what the check noticed but left (Korean)
    candidates: list[Source] = field(default_factory=list)  # nearest (no_evidence) or uncited retrieved
    standalone_question: str = ""  # the question after condensation with the history
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    def sources_markdown(self) -> str:
        """The source list as Markdown lines ``[n] label``."""
        return "\n".join(f"[{s.n}] {s.label}" for s in self.sources)

    def to_markdown(self) -> str:
        """Answer, source list, notes — one Markdown block for plain renderers."""
        parts = [self.text]
        if self.sources:
            parts.append("**출처**\n" + "\n".join(f"- [{s.n}] {s.label}" for s in self.sources))
        if self.candidates and not self.no_evidence:  # a no-evidence text lists them already
            listed = "\n".join(f"- {s.label}" for s in self.candidates)
            parts.append(f"**검색되었으나 인용되지 않은 조문**\n{listed}")
        notes = ([self.fallback_reason] if self.fallback_reason else []) + self.corrections + self.warnings
        if notes:
            parts.append("\n".join(f"※ {n}" for n in notes))
        return "\n\n".join(parts)
