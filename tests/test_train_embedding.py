"""A static embedding model trained offline on the indexed statutes (assistant.training.embedding)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.training.embedding import Article, corpus_articles, lay_pairs, sentences, train, training_pairs
from ingest.core.settings import EmbeddingSettings, Settings, TrainEmbeddingSettings
from ingest.index.embeddings import make_embeddings
from ingest.index.lay import LaySentence, LayTable
from tests.conftest import build_test_index

LAWS = [
    "민원처리에관한법률/법률.md",
    "민원처리에관한법률/시행령.md",
    "개인정보보호법/법률.md",
    "행정절차법/법률.md",
]
SMALL = TrainEmbeddingSettings(vocab_size=3000, dimension=64, epochs=8, batch_size=64, learning_rate=0.05)

ARTICLE = Article(
    "민원 처리에 관한 법률",
    "처리기간의 계산",
    "민원 처리에 관한 법률 제19조 (처리기간의 계산)\n① 민원의 처리기간을 5일 이하로 정한 경우에는 민원의 "
    "접수시각부터 시간 단위로 계산한다.\n② 민원의 처리기간을 6일 이상으로 정한 경우에는 초일을 산입하여 "
    "일 단위로 계산한다.",
)


def test_sentences_and_pairs_are_pure_and_seeded() -> None:
    assert len(sentences(ARTICLE.body, 15)) == 2
    pairs = training_pairs([ARTICLE], SMALL)
    assert pairs == training_pairs([ARTICLE], SMALL)  # same seed, same pairs
    assert (ARTICLE.article_title, ARTICLE.body) in pairs
    ict = [(q, d) for q, d in pairs if q != ARTICLE.article_title]
    assert len(ict) == SMALL.ict_samples
    for sentence, rest in ict:  # the held-out sentence is the query, not part of its document
        assert (
            sentence in ARTICLE.body
            and sentence not in rest
            and rest.startswith("민원 처리에 관한 법률 처리기간의 계산")
        )


def test_lay_sentences_pair_with_the_article_they_cite_unless_stale() -> None:
    meta = {"doc_type": "statute", "law_title": "민원 처리에 관한 법률", "article": "제19조", "part": 1}
    article = Article(
        ARTICLE.law_title, ARTICLE.article_title, ARTICLE.text, meta, ("민원", "처리", "기간", "계산")
    )
    table = LayTable("t", "t")
    table.sentences = [
        LaySentence(
            "a", "민원", "민원 처리 기간은 며칠부터 세나요", ("민원", "처리", "기간", "며칠", "세다")
        ),
        LaySentence("b", "민원", "엉뚱한 문장", ("엉뚱하다", "문장")),  # a stale label
        LaySentence("c", "상속", "상속은 언제 시작되나요", ("상속", "시작")),  # cites another article
    ]
    table.by_article = {("민원처리에관한법률", "제19조"): [0, 1], ("민법", "제997조"): [2]}
    pairs, dropped = lay_pairs([article], table, repeats=2)
    assert pairs == [("민원 처리 기간은 며칠부터 세나요", ARTICLE.text)] * 2
    assert dropped == 1


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, statute_sample: Path, embeddings) -> Settings:
    return build_test_index(tmp_path_factory.mktemp("train"), statute_sample, LAWS, embeddings)


def test_trained_model_finds_articles_by_their_sentences(index: Settings, tmp_path: Path) -> None:
    lay_file = tmp_path / "lay.jsonl"
    lay_file.write_text(
        '{"id": "1", "topic": "민원", "text": "민원 처리기간은 어떻게 세나요?", '
        '"references": [{"law": "민원 처리에 관한 법률", "article": "제19조"}]}\n',
        encoding="utf-8",
    )
    settings = index.model_copy(deep=True, update={"train_embedding": SMALL})
    settings.ingest.lay_sentences = lay_file
    settings.ingest.lay_cache_dir = tmp_path / "lay-cache"
    run = train(settings, tmp_path / "model")
    out = run.model_dir
    assert run.articles > 300 and run.statute_pairs > run.articles
    assert (run.lay_pairs, run.lay_dropped) == (1, 0)
    # The app loads it like any sentence-transformers model (no download, no network).
    model = make_embeddings(EmbeddingSettings(model=str(out)))
    assert model.dimension == SMALL.dimension
    articles = [a for a in corpus_articles(index) if len(sentences(a.body, 15)) >= 2]
    docs = model.embed_array([a.text for a in articles])
    probes = articles[::5]
    queries = model.embed_array([sentences(a.body, 15)[-1] for a in probes])
    top5 = np.argsort(-(queries @ docs.T), axis=1)[:, :5]
    found = np.mean([articles.index(a) in row for a, row in zip(probes, top5, strict=True)])
    print(f"sentence → own article in top 5: {found:.2f} of {len(probes)} ({len(articles)} articles)")
    assert found >= 0.5  # chance is 5 / len(articles) ≈ 0.01
