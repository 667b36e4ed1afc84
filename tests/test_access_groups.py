"""Document access groups: a planted fact in a folder restricted to 감사 is never seen or cited by
anyone outside that group — through search, exact lookup, Q&A, summaries or drafts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.chains import (
    DraftRequest,
    UploadedFile,
    UploadOutsideError,
    answer_question,
    draft_document,
    indexed_documents,
    make_context,
    summarize,
)
from assistant.chains.summary.units import DocumentNotFoundError
from assistant.search.retrieval import HybridRetriever, SearchFilters
from ingest.core.settings import Settings
from ingest.index.access import can_see, encode_groups, groups_for_path, visible_mask
from ingest.job.pipeline import run_ingest
from tests.conftest import copy_statutes

SECRET = "청렴감사 암호명은 푸른참나무칠삼일구이다"
RESTRICTED = f"""# [테스트] 특정감사 계획 (감사 부서 한정)

## 1. 감사 대상
2026년 특정감사는 도로관리과 보조금 집행을 대상으로 한다.

## 2. 보안
{SECRET}. 감사 착수 전까지 외부에 알리지 않는다.
"""
QUESTION = "청렴감사 암호명이 무엇인가요?"
RESTRICTED_TITLE = "OO시 감사 보안 내규"
RESTRICTED_RULE = f"""---
제목: {RESTRICTED_TITLE}
법령구분: 훈령
시행일자: 2026-01-01
---

##### 제1조 (목적)
이 내규는 특정감사 자료의 보안에 관하여 필요한 사항을 정한다.
"""


def test_groups_for_path_takes_the_most_specific_rule(tmp_path: Path) -> None:
    rules = {"docs/감사": ["감사"], "docs/감사/공개": [], str(tmp_path / "인사"): ["인사", "총무"]}
    assert groups_for_path(tmp_path / "docs/감사/계획.hwp", rules, tmp_path) == ("감사",)
    assert groups_for_path(tmp_path / "docs/감사/공개/안내.pdf", rules, tmp_path) == ()
    assert groups_for_path(tmp_path / "인사/평정.txt", rules, tmp_path) == ("인사", "총무")
    assert groups_for_path(tmp_path / "docs/감사자료.txt", rules, tmp_path) == ()  # prefix is not a folder


def test_visibility_is_exact_group_membership() -> None:
    enc = np.array([encode_groups(["감사"]), "", encode_groups(["감사관", "인사"])], dtype=object)
    assert visible_mask(enc, []).tolist() == [False, True, False]
    assert visible_mask(enc, ["감사"]).tolist() == [True, True, False]  # 감사 ≠ 감사관
    assert visible_mask(enc, ["인사"]).tolist() == [False, True, True]
    assert can_see("", []) and not can_see(",감사,", ["감사관"])


@pytest.fixture(scope="module")
def restricted_index(tmp_path_factory: pytest.TempPathFactory, statute_sample: Path, embeddings) -> Settings:
    from ingest.core.settings import load_settings

    root = tmp_path_factory.mktemp("access")
    src = copy_statutes(statute_sample, root / "src", ["민원처리에관한법률/법률.md"])
    (src / "감사").mkdir()
    (src / "감사" / "특정감사계획.md").write_text(RESTRICTED, encoding="utf-8")
    # A restricted statute-form rule: its title must not show in the 법령 filter for outsiders.
    (src / "감사" / "감사내규.md").write_text(RESTRICTED_RULE, encoding="utf-8")
    # A public guideline whose title is the path of the restricted file (the outside probe's trick).
    decoy = f"# {src / '감사' / '특정감사계획.md'}\n\n## 1. 목적\n이 공개 지침은 민원 안내문 작성 요령을 정한다.\n"
    (src / "공개지침.md").write_text(decoy, encoding="utf-8")
    s = load_settings()
    s.store.db_dir = root / "index"
    s.store.chroma_url = None
    s.llm.backend = "none"
    s.security.access_groups = {str(src / "감사"): ["감사"]}
    report = run_ingest([src], s, embeddings=embeddings)
    assert not report.failed
    return s


def _texts(hits) -> str:
    return "\n".join(h.chunk.text for h in hits)


@pytest.mark.parametrize("groups", [None, (), ("인사",), ("감사관",)])
def test_outsiders_never_retrieve_the_restricted_fact(restricted_index: Settings, embeddings, groups) -> None:
    r = HybridRetriever(restricted_index, embeddings=embeddings)
    filters = None if groups is None else SearchFilters(groups=groups)
    for query in (QUESTION, "푸른참나무", "특정감사 계획 보안", "도로관리과 보조금 감사 대상"):
        assert "푸른참나무" not in _texts(r.search(query, k=50, filters=filters))
    hits = r.search("푸른참나무", k=5, filters=SearchFilters(groups=("감사",)))
    ids = [h.chunk.id for h in hits if "푸른참나무" in h.chunk.text]
    assert ids and r.get_chunks(ids, groups=groups or ()) == []


def test_members_find_it(restricted_index: Settings, embeddings) -> None:
    r = HybridRetriever(restricted_index, embeddings=embeddings)
    hits = r.search(QUESTION, k=3, filters=SearchFilters(groups=("감사",)))
    assert "푸른참나무" in _texts(hits)


def test_chains_do_not_leak_it(restricted_index: Settings, embeddings) -> None:
    ctx = make_context(restricted_index, retriever=HybridRetriever(restricted_index, embeddings=embeddings))
    outsider = answer_question(QUESTION, ctx=ctx, filters=SearchFilters(groups=("인사",)))
    assert "푸른참나무" not in outsider.text
    assert all("푸른참나무" not in s.text for s in outsider.sources)
    member = answer_question(QUESTION, ctx=ctx, filters=SearchFilters(groups=("감사",)))
    assert "푸른참나무" in member.text

    title = "[테스트] 특정감사 계획 (감사 부서 한정)"
    assert title not in indexed_documents(ctx=ctx)
    assert title in indexed_documents(ctx=ctx, groups=("감사",))
    with pytest.raises(DocumentNotFoundError):
        summarize(title, ctx=ctx, groups=("인사",))
    assert "푸른참나무" in summarize(title, ctx=ctx, groups=("감사",)).to_markdown()

    draft = draft_document(DraftRequest(subject="청렴감사 암호명 안내", key_points=["푸른참나무"]), ctx=ctx)
    assert all("푸른참나무" not in s.text for s in draft.basis)


def test_changing_the_rule_reindexes_the_folder(
    restricted_index: Settings, embeddings, tmp_path: Path
) -> None:
    s = restricted_index.model_copy(deep=True)
    src = Path(next(iter(s.security.access_groups))).parent
    s.security.access_groups = {}
    report = run_ingest([src], s, embeddings=embeddings)
    assert sorted(Path(p).name for p in report.updated) == ["감사내규.md", "특정감사계획.md"]
    hits = HybridRetriever(s, embeddings=embeddings).search(QUESTION, k=3)
    assert "푸른참나무" in _texts(hits)
    # and back: restricted again
    s.security.access_groups = restricted_index.security.access_groups
    run_ingest([src], s, embeddings=embeddings)
    hits = HybridRetriever(s, embeddings=embeddings).search(QUESTION, k=20)
    assert "푸른참나무" not in _texts(hits)


def test_a_title_naming_a_server_file_is_never_read_as_that_file(
    restricted_index: Settings, embeddings
) -> None:
    """Probe finding 1: the decoy's title is the restricted file's path; summarising that title
    for an outsider gives the decoy, never the file; other server paths are titles that match
    nothing."""
    ctx = make_context(restricted_index, retriever=HybridRetriever(restricted_index, embeddings=embeddings))
    src = Path(next(iter(restricted_index.security.access_groups)))
    path = str(src / "특정감사계획.md")
    assert path in indexed_documents(ctx=ctx, groups=("인사",))  # listed: it is the public decoy's title
    summary = summarize(path, ctx=ctx, groups=("인사",))
    assert summary.origin == "색인" and "푸른참나무" not in summary.to_markdown()
    readme = str(Path(__file__).resolve().parents[1] / "README.md")
    for target in (readme, "README.md", "pyproject.toml"):
        with pytest.raises(DocumentNotFoundError):
            summarize(target, ctx=ctx, groups=("인사",))


def test_an_upload_outside_the_upload_folder_is_refused(restricted_index: Settings, tmp_path: Path) -> None:
    s = restricted_index.model_copy(deep=True)
    s.ui.upload_dir = tmp_path / "uploads"
    ctx = make_context(s, retriever=None)
    restricted = Path(next(iter(s.security.access_groups))) / "특정감사계획.md"
    with pytest.raises(UploadOutsideError):
        summarize(UploadedFile(restricted, "계획.md"), ctx=ctx)
    with pytest.raises(UploadOutsideError):  # no climbing out with ".."
        summarize(UploadedFile(s.ui.upload_dir / ".." / restricted.name, "계획.md"), ctx=ctx)
    with pytest.raises(TypeError):
        summarize(restricted, ctx=ctx)  # a Path is neither a title nor an upload
    inside = s.ui.upload_dir / "u1" / "계획.md"
    inside.parent.mkdir(parents=True)
    inside.write_text(RESTRICTED, encoding="utf-8")
    assert "푸른참나무" in summarize(UploadedFile(inside, "계획.md"), ctx=ctx).to_markdown()


def test_law_filter_choices_hide_restricted_titles(restricted_index: Settings, embeddings) -> None:
    """Probe finding 2: the 법령 filter of 질의응답 lists only what the user may see."""
    r = HybridRetriever(restricted_index, embeddings=embeddings)
    assert RESTRICTED_TITLE not in r.law_titles() and RESTRICTED_TITLE not in r.law_titles(("인사",))
    assert RESTRICTED_TITLE in r.law_titles(("감사",))
    assert "훈령" not in r.law_types(("인사",)) and "훈령" in r.law_types(("감사",))
    assert "민원 처리에 관한 법률" in r.law_titles()
