"""Scoring one summary against what a reader must find in it (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.bench.facts.documents import EvalDocument
from assistant.chains.summarize import Summary


@dataclass
class DocumentScore:
    name: str
    found: int = 0
    expected: int = 0
    missed: list[str] = field(default_factory=list)

    def line(self) -> str:
        miss = f"  놓침: {'; '.join(self.missed)}" if self.missed else ""
        return f"{self.name}: {self.found}/{self.expected}{miss}"


def score_summary(
    doc: EvalDocument, summary: Summary, locations: dict[str, str] | None = None
) -> DocumentScore:
    """One point per expected fact, title, 부칙 line, kept-out text, single section and article
    label. `locations` maps a sentence to the location the summary's units gave it."""
    score = DocumentScore(doc.name)

    def check(ok: bool, what: str) -> None:
        score.expected += 1
        score.found += ok
        if not ok:
            score.missed.append(what)

    facts = {f.name: f.value for f in summary.facts}
    for name, want in doc.facts.items():
        check(want in facts.get(name, ""), f"{name} '{want}'")
    if doc.title:
        check(doc.title in summary.title, f"제목 '{doc.title}'")
    addenda = "\n".join(summary.addenda)
    for want in doc.addenda:
        check(want in addenda, f"부칙 '{want}'")
    body = summary.key_points + [p for s in summary.sections for p in s.points]
    body += [f.text for f in summary.findings if f.kind == "기한"]
    for text in doc.not_in_body:
        check(not any(text in b for b in body), f"본문 요약에 '{text}' 없음")
    if doc.sections_once:
        titles = [s.title for s in summary.sections]
        check(len(titles) == len(set(titles)), "구간 제목 중복 없음")
    for sentence, label in doc.labels.items():
        check(label in (locations or {}).get(sentence, ""), f"'{sentence}' → {label}")
    return score
