"""Amendment watch: citations in our own documents whose article changed after the document's
date (amended, moved to another number, or repealed). Pure functions over statute file versions."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.statutes.versions import article_texts, is_repealed

FileVersions = list[tuple[str, str, str]]  # (commit, commit date YYYY-MM-DD, markdown), oldest first


@dataclass(frozen=True)
class StaleCitation:
    """A document's citation of an article that changed after the document's date."""

    document: str
    doc_date: str
    law: str
    article: str
    kind: str  # "개정" | "삭제" | "이동"
    changed_on: str  # promulgation date of the first change after doc_date
    commit: str
    old_text: str  # as the document's author could read it
    new_text: str  # today ("" when repealed)
    moved_to: str = ""  # the current number of an article that moved (kind "이동")

    def line(self) -> str:
        where = f" → {self.moved_to}" if self.moved_to else ""
        return (
            f"{self.document} ({self.doc_date}): {self.law} {self.article} "
            f"{self.kind}{where} ({self.changed_on}, 커밋 {self.commit[:10]})"
        )


def _title(text: str) -> str:
    return text.split("\n", 1)[0] if text.startswith("(") else ""


def check_citation(
    document: str, doc_date: str, law: str, article: str, versions: FileVersions
) -> StaleCitation | None:
    """The change to `law` `article` after `doc_date`, None when unchanged (or unknown then)."""
    before = [v for v in versions if v[1] <= doc_date]
    if not before or not versions:
        return None
    old = article_texts(before[-1][2]).get(article)
    if old is None or is_repealed(old):
        return None  # the document cites what did not exist then: not an amendment question
    current = article_texts(versions[-1][2])
    new = current.get(article)
    if new == old:
        return None
    commit, changed_on = "", ""
    for c, date, markdown in versions[len(before) :]:
        if article_texts(markdown).get(article) != old:
            commit, changed_on = c, date
            break
    moved_to = ""
    title = _title(old)
    if title and (new is None or _title(new) != title):
        moved_to = next((lb for lb, t in current.items() if _title(t) == title and not is_repealed(t)), "")
    if moved_to:
        kind, new = "이동", current[moved_to]
    elif new is None or is_repealed(new):
        kind, new = "삭제", new or ""
    else:
        kind = "개정"
    return StaleCitation(document, doc_date, law, article, kind, changed_on, commit, old, new, moved_to)
