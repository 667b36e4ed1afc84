"""Lay wording of the statutes: citizen-facing sentences attached to the articles they cite.

Staff and citizens ask in everyday words (집주인, 월세, 보증금을 안 돌려줘요); statutes say 임대인,
차임, 반환. Sentences written for citizens that cite an article (찾기쉬운 생활법령정보:
``{"id", "topic", "text", "references": [{"law", "article"}]}`` per line) bridge the two: each
statute chunk gets the sentences that cite its article as a separate "lay" text, indexed as its
own BM25 field of the keyword index (Hangul bigrams: document expansion). Articles nobody explained simply lack
the signal; the chunk's own text and vector are unchanged.

Labels go stale (the sentences date from 2021; articles have been renumbered or repealed since):
a pair whose article is not in the index attaches to nothing, and a pair whose sentence shares no
content word with the article's text is dropped when the chunk's row is built. Both are counted
(``python -m ingest --stats``).

The table is read once per training-file version, tokenised with Kiwi and cached
(``<lay_cache_dir>/<digest>.json``, shared by every index on the machine); its digest is recorded in the keyword snapshot, so a new
training file re-scores the keyword index (no re-embedding) and an edited statute file gets its
rows rebuilt with the lay text that still fits it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ingest.core.korean import char_bigrams, morphemes
from ingest.core.settings import Settings
from ingest.index.keyword_segment import LayTokens
from ingest.legal.titles import normalize_title

log = logging.getLogger(__name__)

FORMAT = 2  # bump when the cleaning or tokenisation changes: caches and snapshots rebuild
_TOKENISE_BATCH = 5000
_KEEP_CACHES = 4
_LOADED: dict[tuple[str, str], LayTable] = {}  # the table last read in this process, by (digest, path)
# Citations inside the sentence ("(「민법」 제574조 및 제572조제1항)") name the answer, not the
# lay wording: the lay field must learn 월세 ↔ 차임, not 「민법」 ↔ 민법.
_CITATION_PARENS = re.compile(r"\([^()]*(?:「|제\s*\d+\s*조)[^()]*\)")
_LAW_NAME = re.compile(r"「[^」]*」")
_ARTICLE_NO = re.compile(r"제\s*\d+\s*조(?:\s*의\s*\d+)?(?:\s*제\s*\d+\s*[항호])*")
# Words too general to show that a sentence explains an article (everything "하다" or is a "경우").
_GENERIC_WORDS = (
    # function-like verbs and nouns of any legal sentence
    "하다 있다 되다 없다 받다 않다 주다 보다 가다 오다 나다 들다 알다 싶다 말다 같다 이다 아니다 "
    "경우 다음 해당 이상 이하 이내 사항 관련 규정 법률 법 등 수 것 때 및 또는 각 호 항 조 자 중 안 "
    "내 전 후 날 바 위 그 이 저 "
    # question words: how a citizen asks, not what about
    "어떻다 어떠하다 무엇 뭐 어디 언제 누구 왜 얼마 어느 여부 가능 가능하다 문의 궁금하다 질문"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())


@dataclass(frozen=True)
class LaySentence:
    id: str
    topic: str
    text: str  # citations removed
    morphemes: tuple[str, ...]


@dataclass
class LayTable:
    """Lay sentences by the article they cite: (normalised law title, article label) → sentences."""

    digest: str
    source: str
    sentences: list[LaySentence] = field(default_factory=list)
    by_article: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    bad_lines: int = 0

    @property
    def pairs(self) -> int:
        return sum(len(v) for v in self.by_article.values())

    def sentences_for(self, meta: dict, body_morphemes: Sequence[str]) -> tuple[list[LaySentence], int]:
        """The sentences citing this chunk's article that share a content word with it, and how
        many citing ones were dropped as stale. Only the first part of a current or past statute
        article gets them (a split article is one hit; 부칙 articles share numbers with the body)."""
        if meta.get("doc_type") != "statute" or meta.get("is_addendum") or not meta.get("article"):
            return [], 0
        if int(meta.get("part", 1) or 1) > 1:
            return [], 0
        found = self.by_article.get((normalize_title(str(meta.get("law_title", ""))), str(meta["article"])))
        if not found:
            return [], 0
        own = set(body_morphemes)
        kept = [self.sentences[i] for i in found if shares_content_word(self.sentences[i].morphemes, own)]
        return kept, len(found) - len(kept)

    def for_row(self, meta: dict, body_morphemes: Sequence[str]) -> LayTokens | None:
        """The lay tokens of one chunk (None: no lay text), from `sentences_for`."""
        kept, dropped = self.sentences_for(meta, body_morphemes)
        if not kept and not dropped:
            return None
        return LayTokens([g for s in kept for g in char_bigrams(s.text)], kept=len(kept), dropped=dropped)


def strip_citations(text: str) -> str:
    """The sentence without the law names and article numbers it cites."""
    text = _CITATION_PARENS.sub(" ", text)
    text = _LAW_NAME.sub(" ", text)
    text = re.sub(r"\s+", " ", _ARTICLE_NO.sub(" ", text))
    return re.sub(r"\s+([.,])", r"\1", text).strip()


def is_specific(word: str) -> bool:
    """A content word specific enough to link a sentence to an article (not 경우, 하다, 수 …)."""
    return len(word) > 1 and word not in _GENERIC and not word.isdigit()


def shares_content_word(sentence: Iterable[str], article: set[str]) -> bool:
    """True when the sentence and the article have a specific content word in common (pure)."""
    return any(w in article and is_specific(w) for w in sentence)


def parse_lines(lines: Iterable[str]) -> tuple[list[dict], int]:
    """Rows with text and at least one (law, article) reference, and the count of lines that are
    not JSON of that shape (lines with nothing but a citation are skipped without counting)."""
    rows, bad = [], 0
    for line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            refs = [
                (normalize_title(str(r["law"])), str(r["article"]).replace(" ", ""))
                for r in row.get("references", [])
                if r.get("law") and r.get("article")
            ]
            text = strip_citations(str(row["text"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            bad += 1
            continue
        if refs and text:
            rows.append(
                {"id": str(row.get("id", "")), "topic": str(row.get("topic", "")), "text": text, "refs": refs}
            )
    return rows, bad


def open_lines(path: Path) -> IO[str]:
    """The table's text lines: ``.gz`` (as shipped in corpus/lay) or plain JSONL."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def file_digest(path: Path | None, exclude_topics: Sequence[str] = ()) -> str:
    """Identity of the lay table a file yields ("none" without one): what snapshots record."""
    if path is None or not path.is_file():
        return "none"
    h = hashlib.sha256(f"lay-format-{FORMAT}|{sorted(exclude_topics)}|".encode())
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:24]


def _table(digest: str, source: str, rows: list[dict], tokens: list[list[str]], bad: int) -> LayTable:
    table = LayTable(digest, source, bad_lines=bad)
    for row, morphs in zip(rows, tokens, strict=True):
        idx = len(table.sentences)
        table.sentences.append(LaySentence(row["id"], row["topic"], row["text"], tuple(morphs)))
        for law, article in dict.fromkeys(map(tuple, row["refs"])):
            table.by_article.setdefault((law, article), []).append(idx)
    return table


def load_table(path: Path | None, cache_dir: Path, exclude_topics: Sequence[str] = ()) -> LayTable:
    """The lay table of `path` (an empty one when there is no such file), tokenised once per file
    version and cached in `cache_dir`, and kept in this process for the next call on the same
    version (reading the cache costs ≈1 s of CPU per ingest run). Sentences of `exclude_topics`
    are left out (a held-out slice for checking that the lay field generalises)."""
    digest = file_digest(path, exclude_topics)
    if digest == "none" or path is None:
        if path is not None:
            log.warning("생활법령 문장 파일이 없어 쉬운 말(lay) 검색 신호 없이 색인합니다: %s", path)
        return LayTable("none", str(path or ""))
    key = (digest, str(path))
    if (kept := _LOADED.get(key)) is not None:
        return kept
    table = _load_table(path, cache_dir, exclude_topics, digest)
    _LOADED.clear()  # one table: its version changes rarely, and it holds ≈150 MB
    _LOADED[key] = table
    return table


def _load_table(path: Path, cache_dir: Path, exclude_topics: Sequence[str], digest: str) -> LayTable:
    cache = cache_dir / f"{digest}.json"
    if cache.is_file():
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            return _table(digest, str(path), data["rows"], [t.split() for t in data["tokens"]], data["bad"])
        except (OSError, ValueError, KeyError):
            log.warning("생활법령 문장 캐시를 읽지 못해 다시 만듭니다: %s", cache)
    with open_lines(path) as fh:
        rows, bad = parse_lines(fh)
    skip = set(exclude_topics)
    rows = [r for r in rows if r["topic"] not in skip]
    if bad:
        log.warning("생활법령 문장 파일 %s: 형식이 맞지 않는 줄 %d개를 건너뛰었습니다", path, bad)
    tokens: list[list[str]] = []
    for start in range(0, len(rows), _TOKENISE_BATCH):
        tokens.extend(morphemes([r["text"] for r in rows[start : start + _TOKENISE_BATCH]]))
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp-{os.getpid()}")
    payload = {"rows": rows, "tokens": [" ".join(t) for t in tokens], "bad": bad}
    tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache)
    # a few versions (the held-out variant, a test file) are enough
    for old in sorted(cache_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-_KEEP_CACHES]:
        old.unlink(missing_ok=True)
    return _table(digest, str(path), rows, tokens, bad)


@dataclass
class LaySource:
    """Where the lay table comes from; read (and tokenised, or taken from the cache) only when a
    keyword update actually builds rows, so a sync with nothing to do costs one file hash."""

    path: Path | None
    cache_dir: Path
    exclude_topics: tuple[str, ...] = ()
    _digest: str | None = field(default=None, repr=False)
    _table: LayTable | None = field(default=None, repr=False)

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = file_digest(self.path, self.exclude_topics)
        return self._digest

    def table(self) -> LayTable:
        if self._table is None:
            self._table = load_table(self.path, self.cache_dir, self.exclude_topics)
            self._digest = self._table.digest
        return self._table


def source_for(settings: Settings) -> LaySource:
    """The lay source the settings name, its tokenised form cached in `ingest.lay_cache_dir`."""
    cfg = settings.ingest
    return LaySource(cfg.lay_sentences, cfg.lay_cache_dir, tuple(cfg.lay_exclude_topics))


def coverage(table: LayTable, columns: dict[str, list]) -> dict:
    """What `python -m ingest --stats` shows of the lay text, from a keyword index's columns and
    the lay table: pairs read, attached, dropped as stale, and the articles and laws covered."""
    current = [
        (normalize_title(str(law)), str(art))
        for law, art, doc, add, valid_to in zip(
            columns["law_title"], columns["article"], columns["doc_type"], columns["is_addendum"],
            columns["valid_to"], strict=True,
        )
        if doc == "statute" and art and not add and not valid_to
    ]  # fmt: skip
    with_lay = {
        (law, str(art))
        for law, art, kept, valid_to in zip(
            columns["law_title"],
            columns["article"],
            columns["lay_sentences"],
            columns["valid_to"],
            strict=True,
        )
        if kept and not valid_to
    }
    return {
        "source": table.source,
        "sentences": len(table.sentences),
        "pairs": table.pairs,
        "pairs_attached": int(sum(columns["lay_sentences"])),
        "pairs_dropped_no_shared_word": int(sum(columns["lay_dropped"])),
        "pairs_dropped_article_not_indexed": sum(
            len(v) for k, v in table.by_article.items() if k not in set(current)
        ),
        "articles_with_lay_text": len(with_lay),
        "laws_with_lay_text": len({law for law, _ in with_lay}),
        "bad_lines": table.bad_lines,
    }
