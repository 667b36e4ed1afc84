"""Learn the lay → statute vocabulary (`assistant.lay_terms`) from the index and the lay sentences.

Each citizen-facing sentence (``ingest.lay``) that cites an indexed article, and shares a content
word with it, is one aligned pair: its words on the lay side, the article's Kiwi morphemes (cached
in the manifest, so nothing is tokenised again but the sentences) on the statute side.

    python -m ingest.train_lay_terms --out corpus/lay-terms.json [--db DIR]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant import lay_terms
from assistant.legal_refs import normalize_title
from assistant.settings import Settings
from ingest import lay
from ingest.index import open_manifest
from ingest.train_embedding import training_args


def article_words(settings: Settings) -> dict[tuple[str, str], set[str]]:
    """(normalised law title, article) → morphemes of the current article, all parts together."""
    manifest = open_manifest(settings)
    if manifest is None:
        raise SystemExit(
            f"색인이 없습니다: {settings.store.db_dir} — 먼저 `python -m ingest 경로…`로 색인하세요."
        )
    out: dict[tuple[str, str], set[str]] = {}
    try:
        for _, _, meta, tokens in manifest.iter_chunks():
            if meta.get("doc_type") != "statute" or meta.get("is_addendum") or meta.get("valid_to"):
                continue
            if meta.get("article") and tokens:
                key = (normalize_title(str(meta.get("law_title", ""))), str(meta["article"]))
                out.setdefault(key, set()).update(tokens.split())
    finally:
        manifest.close()
    return out


def aligned_pairs(
    table: lay.LayTable, articles: dict[tuple[str, str], set[str]]
) -> Iterator[tuple[list[str], set[str]]]:
    """(lay words, article words) of every sentence ↔ cited-article pair that still fits (pure)."""
    for key, idx in table.by_article.items():
        words = articles.get(key)
        if words is None:
            continue
        for i in idx:
            sentence = table.sentences[i].morphemes
            if lay.shares_content_word(sentence, words):
                yield [w for w in sentence if lay.is_specific(w)], {w for w in words if lay.is_specific(w)}


def train(settings: Settings, out: Path) -> lay_terms.LayTerms:
    cfg = settings.ingest
    table = lay.source_for(settings).table()
    if not table.sentences:
        raise SystemExit(f"쉬운 말 문장 파일이 없습니다: {cfg.lay_sentences}")
    model = lay_terms.learn(
        aligned_pairs(table, article_words(settings)),
        cfg.lay_terms_min_pairs,
        cfg.lay_terms_min_lift,
        cfg.lay_terms_per_word,
        cfg.lay_terms_max_statute_share,
    )
    model.info.update({"sentences": table.source.rsplit("/", 1)[-1], "lay_digest": table.digest})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(model.to_json(), encoding="utf-8")
    tmp.replace(out)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    out, settings = training_args(
        "python -m ingest.train_lay_terms", __doc__.split("\n")[0], "쓸 파일 (JSON)", argv
    )
    t0 = time.perf_counter()
    model = train(settings, out)
    print(
        f"쉬운 말 사전: 문장-조문 쌍 {model.info['pairs']}개에서 단어 {model.info['lay_words']}개 학습,"
        f" {time.perf_counter() - t0:.1f}초 → {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
