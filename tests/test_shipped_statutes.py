"""The core laws of the statute book shipped in corpus/statutes (what the first run indexes before
the app starts): a fresh clone (no ../shared) indexes and answers them."""

from __future__ import annotations

from pathlib import Path

from assistant.search.retrieval import HybridRetriever, SearchFilters
from ingest.core.settings import Settings
from ingest.job.book import core_paths
from ingest.job.pipeline import run_ingest
from tests.conftest import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "corpus" / "statutes"


def test_shipped_statutes_index_and_answer(settings: Settings, embeddings) -> None:
    core = [p for p in core_paths(settings) if p.is_relative_to(SHIPPED)]
    files = sorted(f for p in core for f in p.rglob("*.md"))
    assert len(files) == 26 and (SHIPPED / "kr" / "민원처리에관한법률" / "시행령.md") in files
    settings.llm.backend = "none"
    report = run_ingest(core, settings, embeddings=embeddings)
    assert not report.failed, report.summary()
    assert len(report.added) == len(files)
    assert all(Path(p).is_relative_to(SHIPPED.resolve()) for p in report.added)  # nothing from ../shared

    retriever = HybridRetriever(settings, embeddings=embeddings)
    hits = retriever.search(
        "민원 처리기간을 연장할 수 있나요?", k=5, filters=SearchFilters(doc_type="statute")
    )
    found = [(h.chunk.metadata["law_title"], h.chunk.metadata["article"]) for h in hits]
    assert ("민원 처리에 관한 법률 시행령", "제21조") in found, found
