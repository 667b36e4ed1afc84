"""Train a Korean statute embedding model offline, from the indexed corpus and lay legal text.

The packaged embedding models are weak on Korean statutes (USE v3 alone finds a gold article in
the top 5 for 0.24 of KoBLEX questions; English MiniLM for ≈0.01). This trains a
sentence-transformers *static* model — a WordPiece vocabulary learned from the corpus, one
vector per token, averaged — contrastively (in-batch negatives) on pairs the statutes give for
free: article title ↔ article body, and one sentence ↔ the rest of its article (inverse cloze
task); plus, when `ingest.lay_sentences` exists, each citizen-facing sentence ↔ the article it
cites (stale citations dropped as in the lay field), so 월세 and 집주인 land near 차임 and 임대인.
On 2 CPU cores it takes about three minutes for the 112k current articles of the statute book,
and it embeds thousands of chunks a second. No weights are downloaded. The default model
`models/ko-static-v1` was made this way (models/README.md).

    python -m assistant.training.embedding --out data/models/my-static [--db DIR]
    ASSISTANT_EMBEDDING__MODEL=data/models/my-static python -m ingest --rebuild
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.core.settings import Settings, TrainEmbeddingSettings, load_settings
from ingest.index.lay import LayTable, source_for
from ingest.index.stats import open_manifest
from ingest.legal.titles import is_repealed


@dataclass(frozen=True)
class Article:
    law_title: str
    article_title: str
    text: str  # heading line + body, as indexed
    meta: dict = field(default_factory=dict, compare=False)  # the chunk's index metadata
    morphemes: tuple[str, ...] = ()  # its Kiwi tokens, as indexed

    @property
    def body(self) -> str:
        return self.text.split("\n", 1)[1] if "\n" in self.text else ""


_SENTENCE_END = re.compile(r"(?<=[다음함임])\.\s+|\n")


def sentences(text: str, min_chars: int) -> list[str]:
    """Sentences and paragraph lines of a statute body long enough to stand as a query."""
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= min_chars]


def training_pairs(articles: Iterable[Article], cfg: TrainEmbeddingSettings) -> list[tuple[str, str]]:
    """(query-like text, article text) pairs, shuffled (pure, seeded)."""
    rng = random.Random(cfg.seed)
    pairs: list[tuple[str, str]] = []
    for a in articles:
        body = a.body
        if a.article_title and body:
            pairs.append((a.article_title, body))
        parts = sentences(body, cfg.min_sentence_chars)
        if len(parts) < 2:
            continue
        heading = f"{a.law_title} {a.article_title}".strip()
        for _ in range(cfg.ict_samples):
            i = rng.randrange(len(parts))
            pairs.append((parts[i], " ".join([heading, *parts[:i], *parts[i + 1 :]])))
    rng.shuffle(pairs)
    return pairs


def lay_pairs(
    articles: Iterable[Article], table: LayTable, repeats: int
) -> tuple[list[tuple[str, str]], int]:
    """(lay sentence, article text) pairs: citizen wording ↔ the article it explains, each
    `repeats` times; and the count of citing sentences dropped as stale (no content word shared
    with today's article, the check the lay field uses)."""
    pairs: list[tuple[str, str]] = []
    dropped = 0
    for a in articles:
        kept, stale = table.sentences_for(a.meta, a.morphemes)
        dropped += stale
        pairs.extend((s.text, a.text) for s in kept for _ in range(repeats))
    return pairs, dropped


def corpus_articles(settings: Settings) -> Iterator[Article]:
    """Statute articles of the live index: no 부칙, no repealed stubs."""
    manifest = open_manifest(settings)
    if manifest is None:
        raise SystemExit(
            f"색인이 없습니다: {settings.store.db_dir} — 먼저 `python -m ingest 경로…` 로 색인하세요."
        )
    try:
        for _, text, meta, tokens in manifest.iter_chunks():
            if meta.get("valid_to"):  # a past version: its text is (mostly) today's again
                continue
            if meta.get("article") and not meta.get("is_addendum") and not is_repealed(text):
                yield Article(
                    str(meta.get("law_title", "")),
                    str(meta.get("article_title", "")),
                    text,
                    meta,
                    tuple((tokens or "").split()),
                )
    finally:
        manifest.close()


def train_tokenizer(texts: Iterable[str], vocab_size: int):
    """A WordPiece tokenizer learned from the corpus (Korean particles become ##suffix pieces)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        texts, trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=3, special_tokens=["[UNK]"])
    )
    return tok


def train_static(pairs: Sequence[tuple[str, str]], tokenizer, cfg: TrainEmbeddingSettings) -> np.ndarray:
    """Token vectors trained with a symmetric in-batch contrastive loss; (vocab, dimension)."""
    import torch

    torch.manual_seed(cfg.seed)
    queries = [e.ids or [0] for e in tokenizer.encode_batch([q for q, _ in pairs])]
    docs = [e.ids or [0] for e in tokenizer.encode_batch([d for _, d in pairs])]
    bag = torch.nn.EmbeddingBag(tokenizer.get_vocab_size(), cfg.dimension, mode="mean")
    torch.nn.init.normal_(bag.weight, std=0.1)
    opt = torch.optim.Adam(bag.parameters(), lr=cfg.learning_rate)

    def encode(seqs: list[list[int]]) -> torch.Tensor:
        flat = torch.tensor([i for s in seqs for i in s])
        offsets = torch.tensor(np.cumsum([0] + [len(s) for s in seqs[:-1]]))
        return torch.nn.functional.normalize(bag(flat, offsets), dim=-1)

    size = min(cfg.batch_size, len(pairs))
    labels = torch.arange(size)
    for _ in range(cfg.epochs):
        for start in range(0, len(pairs) - size + 1, size):
            logits = encode(queries[start : start + size]) @ encode(docs[start : start + size]).T
            logits = logits * cfg.temperature_scale
            loss = (
                torch.nn.functional.cross_entropy(logits, labels)
                + torch.nn.functional.cross_entropy(logits.T, labels)
            ) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
    return bag.weight.detach().numpy()


def save_model(tokenizer, weights: np.ndarray, out_dir: Path) -> Path:
    """A sentence-transformers model folder that `embedding.model = "<out_dir>"` loads offline."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    # float16 on disk: half the size (the shipped model lives in git); loaded back as float32
    half = weights.astype(np.float16)
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=half)], device="cpu")
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    (out_dir / "README.md").unlink(missing_ok=True)  # a generic model card; models/README.md says what it is
    return out_dir


@dataclass(frozen=True)
class TrainingRun:
    model_dir: Path
    articles: int
    statute_pairs: int
    lay_pairs: int
    lay_dropped: int  # citing sentences whose article no longer shares a content word with them


def train(settings: Settings, out_dir: Path) -> TrainingRun:
    """Train on the live index's statute articles plus the lay sentences that cite them
    (`ingest.lay_sentences`, when present; held-out topics excluded) and save."""
    cfg = settings.train_embedding
    articles = list(corpus_articles(settings))
    if not articles:
        raise SystemExit("색인에 법령 조문이 없어 학습할 수 없습니다.")
    statute = training_pairs(articles, cfg)
    lay, dropped = lay_pairs(articles, source_for(settings).table(), cfg.lay_repeats)
    pairs = statute + lay
    random.Random(cfg.seed).shuffle(pairs)
    # the vocabulary must hold the lay words too, or 월세 and 집주인 become [UNK]
    tokenizer = train_tokenizer(
        [*(a.text for a in articles), *dict.fromkeys(q for q, _ in lay)], cfg.vocab_size
    )
    model_dir = save_model(tokenizer, train_static(pairs, tokenizer, cfg), out_dir)
    return TrainingRun(model_dir, len(articles), len(statute), len(lay), dropped)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m assistant.training.embedding", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--out", type=Path, required=True, help="모델을 저장할 폴더")
    ap.add_argument("--db", type=Path, help="색인 폴더 (기본: 설정의 store.db_dir)")
    args = ap.parse_args(argv)
    settings = load_settings()
    if args.db:
        settings.store.db_dir = args.db
    start = time.perf_counter()
    run = train(settings, args.out)
    print(
        f"학습 완료: 조문 {run.articles:,}개 · 법령 학습 쌍 {run.statute_pairs:,}개 · 생활법령 문장 쌍 "
        f"{run.lay_pairs:,}개 (오래된 인용 {run.lay_dropped:,}개 제외) · {time.perf_counter() - start:.0f}초 → "
        f"{run.model_dir}\n사용: ASSISTANT_EMBEDDING__MODEL={run.model_dir} python -m ingest --rebuild",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
