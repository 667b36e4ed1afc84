"""Summaries: extractive by title and of an uploaded file; map-reduce wiring with a fake model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.chains import (
    DocumentNotFoundError,
    Summary,
    UploadedFile,
    indexed_documents,
    stream_summary,
    summarize,
)
from assistant.chains.summarize import parse_bullets
from assistant.chains.summary.findings import find_findings
from assistant.chains.summary.units import Unit
from tests.chains.conftest import PLANTED_TITLE, fake_llm
from tests.conftest import PROJECT_ROOT

GUIDELINE = PROJECT_ROOT / "corpus" / "guidelines" / "샘플_OO시_공무원_복무_관리지침.md"


def test_findings_rules() -> None:
    units = [
        Unit(
            "① 행정기관의 장은 민원을 접수한 날부터 7일 이내에 처리하여야 한다.\n② 위반하면 300만원 이하의 과태료를 부과한다.",
            "제10조(처리)",
            "",
        ),
        Unit(
            "□ 지원 대상은 관내 소상공인으로 한다.\n□ 연가는 11일부터 21일까지 부여한다.",
            "Ⅱ. 지원 > 1. 대상 · 3쪽",
            "Ⅱ. 지원",
        ),
    ]
    found = {(f.kind, f.match, f.location) for f in find_findings(units)}
    assert ("의무", "하여야 한다", "제10조(처리) 제1항") in found
    assert ("기한", "7일 이내", "제10조(처리) 제1항") in found
    assert ("금액", "300만원", "제10조(처리) 제2항") in found
    assert ("대상", "지원 대상은", "Ⅱ. 지원 > 1. 대상 · 3쪽") in found
    assert not any(k == "기한" and "21일까지" in m for k, m, _ in found)  # a range, not a deadline


def test_parse_bullets() -> None:
    assert parse_bullets("요약:\n- 첫째 항목\n* 둘째\n1. 셋째\n○ 넷째", 3) == ["첫째 항목", "둘째", "셋째"]
    assert parse_bullets("형식을 무시한 한 줄 요약입니다", 3) == ["형식을 무시한 한 줄 요약입니다"]


def test_extractive_summary_of_an_indexed_statute(make_ctx) -> None:
    ctx = make_ctx()
    assert "민원 처리에 관한 법률" in indexed_documents(ctx=ctx)
    summary = summarize("민원처리에 관한 법률", ctx=ctx)  # spacing differs from the official title
    assert isinstance(summary, Summary) and summary.mode == "extractive" and summary.origin == "색인"
    assert 3 <= len(summary.key_points) <= 5
    assert summary.key_points[0].endswith("목적으로 한다.")  # the 목적 article leads
    assert [s.title for s in summary.sections][:2] == ["제1장 총칙", "제2장 민원의 처리"]
    assert all(s.points for s in summary.sections)
    kinds = {f.kind for f in summary.findings}
    assert {"의무", "기한"} <= kinds
    assert all(f.location.startswith(("제", "부칙")) for f in summary.findings)
    md = summary.to_markdown()
    for heading in ("핵심 요약", "구간별 주요 내용", "의무·기한·금액·대상", "발췌 요약"):
        assert heading in md


def test_unknown_title_names_close_matches(make_ctx) -> None:
    with pytest.raises(DocumentNotFoundError, match="민원 처리에 관한 법률"):
        summarize("민원 처리 법", ctx=make_ctx())


def uploaded(ctx, source: Path, folder: Path) -> UploadedFile:
    """`source` as a user's upload: copied into the context's upload folder."""
    ctx.settings.ui.upload_dir = folder
    target = folder / source.name
    shutil.copy(source, target)
    return UploadedFile(target, source.name)


def test_extractive_summary_of_an_uploaded_file(make_ctx, tmp_path: Path) -> None:
    ctx = make_ctx()
    summary = summarize(uploaded(ctx, GUIDELINE, tmp_path), ctx=ctx)
    assert summary.origin == GUIDELINE.name and 3 <= len(summary.key_points) <= 5
    assert any(s.title.startswith("Ⅱ. 휴가") for s in summary.sections)
    deadlines = [f for f in summary.findings if f.kind == "기한"]
    assert any(f.match == "7일 전까지" and f.location.startswith("Ⅰ. 근무시간") for f in deadlines)


def test_map_reduce_keeps_each_call_within_the_budget(make_ctx) -> None:
    budget = 400
    llm = fake_llm()
    llm.messages = ("- 구간의 주요 내용을 정리함\n- 두 번째 요점임" for _ in range(10_000))
    ctx = make_ctx(llm, summary_chunk_tokens=budget)
    deltas: list[str] = []
    progress: list[tuple[int, int]] = []
    for item in stream_summary(
        "행정업무의 운영 및 혁신에 관한 규정 시행규칙", ctx=ctx, progress=lambda d, t: progress.append((d, t))
    ):
        if isinstance(item, str):
            deltas.append(item)
        else:
            summary = item
    assert summary.mode == "generated" and summary.fallback_reason is None
    n_map = progress[-1][1]
    assert n_map >= 3 and progress[-1][0] == n_map
    assert len(llm.calls) > n_map  # map calls, then reduce call(s)
    for messages in llm.calls[:n_map]:
        doc = messages[-1].text
        assert ctx.tokens(doc[doc.index(">") + 1 : doc.index("</문서>")]) <= budget + 5
    assert "".join(deltas).strip()  # the final reduce step streamed
    assert 3 <= len(summary.key_points) <= 5 and summary.findings
    assert summary.tokens_in > 0 and summary.tokens_out > 0


def test_summary_falls_back_when_the_model_fails(make_ctx) -> None:
    class Boom(Exception):
        pass

    llm = fake_llm()

    def broken():
        raise Boom("server gone")
        yield  # pragma: no cover

    llm.messages = broken()
    summary = summarize(PLANTED_TITLE, ctx=make_ctx(llm))
    assert summary.mode == "extractive" and "발췌 요약으로 대신합니다" in summary.fallback_reason


def test_summary_of_missing_file_is_a_clear_error(make_ctx, tmp_path: Path) -> None:
    with pytest.raises(DocumentNotFoundError):
        summarize(str(tmp_path / "없는파일.pdf"), ctx=make_ctx())
