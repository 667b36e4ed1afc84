"""원문 보기: locating a cited passage (pure), the plan for each kind of source, a real PDF page
rendered with the passage highlighted where it stands, and the access-group check on the
original (a user outside the document's group gets a refusal and no bytes)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from assistant.app.original.access import (
    REFUSED,
    OriginalUnavailable,
    cited_chunk,
    open_view,
    original_file,
    read_original,
)
from assistant.app.original.locate import find_passage, find_passages, squeeze
from assistant.app.original.pdf_page import PASSAGE_FILL, PageRenderError, best_page, image_png, render_page
from assistant.app.original.plan import plan_view, view_kind
from assistant.search.retrieval import HybridRetriever
from ingest.core.model import PAGE_BREAK, Chunk, LoadLimits
from ingest.core.settings import Settings, load_settings
from ingest.documents.loaders.pdf import load_pdf
from ingest.job.pipeline import run_ingest
from tests.conftest import PRESS_PDF, RESTRICTED_PDF, STATUTE_PDF, copy_statutes

MOIS = "행정안전부_보도자료_국민주권정부_정부혁신_추진전략_20251202"  # in hwp/ and hwpx/
SCANNED_DIR = "guideline_pdf/scanned"
SECRET_LINE = "감사 착수 전까지 푸른참나무 계획은 외부에 알리지 않는다."


# --- locating the passage (pure) --------------------------------------------------------------


def test_passage_is_found_across_line_breaks_and_look_alike_dots() -> None:
    page = "- 2 -\r\n보건복지부는 한국영양학회와 함께 \r\n연구 및 조사 결과를 분석하여 마련하였\r\n다. 147인의 제·개정 위원회를 구성하였다.\r\n"
    passage = (
        "보건복지부는 한국영양학회와 함께 연구 및 조사 결과를 분석하여 마련하였다. 147인의 제ㆍ개정 위원회"
    )
    spans = find_passage(page, passage)
    assert len(spans) == 1
    start, end = spans[0]
    assert page[start:].startswith("보건복지부는") and page[:end].endswith("위원회")


def test_a_passage_interrupted_in_the_page_is_found_by_its_pieces() -> None:
    page = "첫째 문단은 민원 처리기간을 정한다.\n법제처 3 국가법령정보센터\n둘째 문단은 연장 사유를 통지하게 한다.\n다른 내용"
    passage = "첫째 문단은 민원 처리기간을 정한다.\n둘째 문단은 연장 사유를 통지하게 한다."
    spans = find_passage(page, passage)
    found = "".join(page[a:b] for a, b in spans)
    assert "첫째 문단은" in found and "둘째 문단은" in found
    assert "국가법령정보센터" not in found and "다른 내용" not in found
    assert find_passage(page, "이 페이지에 없는 문장입니다") == []
    assert find_passages(page, ["민원 처리기간을 정한다", "연장 사유를 통지"])  # several marks at once


def test_a_table_row_is_found_by_its_cells() -> None:
    page = "구분 대부료율 근거\n보통재산 경작용 1천분의 10 이상 공유재산법 시행령 제31조\n"
    spans = find_passage(
        page, "구분: 보통재산 경작용 | 대부료율: 1천분의 10 이상 | 근거: 공유재산법 시행령 제31조"
    )
    found = "".join(page[a:b] for a, b in spans)
    assert "보통재산 경작용" in found and "1천분의 10 이상" in found and "제31조" in found
    assert "구분" not in found


def test_squeeze_keeps_offsets_of_the_original() -> None:
    text = "가 나\n다"
    squeezed, where = squeeze(text)
    assert squeezed == "가나다" and [text[i] for i in where] == ["가", "나", "다"]


# --- the plan per kind of source (pure) -------------------------------------------------------


def _chunk(cid: str, body: str, **meta: object) -> Chunk:
    base = {"doc_id": "d1", "source": "/data/지침.hwpx", "section_path": "2. 배차", "chunk_index": 0}
    return Chunk(cid, f"머리말\n{body}", {**base, **meta})


def test_a_hwpx_citation_shows_its_whole_section_with_the_passage_marked() -> None:
    first = _chunk("a", "□ 배차는 운행 3일 전까지\n신청하여야 한다.", chunk_index=1)
    second = _chunk("b", "□ 운행을 마친 뒤에는 운행일지를\n제출하여야 한다.", chunk_index=2)
    other = _chunk("c", "다른 구역의 글", chunk_index=3, section_path="3. 정비")
    view = plan_view(second, [second, other, first], "□ 운행을 마친 뒤에는 운행일지를 제출하여야 한다.")
    assert view.kind == "text" and view.file_name == "지침.hwpx"
    assert view.text.index("배차는") < view.text.index("운행일지") and "다른 구역" not in view.text
    ((start, end),) = view.spans
    assert view.text[start:end].startswith("□ 운행을") and view.text[start:end].endswith("한다.")


def test_a_long_section_is_cut_around_the_cited_chunk() -> None:
    chunks = [_chunk(str(i), f"{i}번째 문단 " + "가" * 100, chunk_index=i) for i in range(10)]
    view = plan_view(chunks[5], chunks, chunks[5].text.split("\n", 1)[1], max_section_chars=350)
    assert view.cut and "5번째" in view.text and "0번째" not in view.text and "9번째" not in view.text


def test_a_statute_citation_shows_the_whole_article_and_marks_the_cited_sentence() -> None:
    meta = {"law_title": "민원 처리에 관한 법률", "article": "제17조", "occurrence": 1, "parts": 2}
    meta["source"] = "/corpus/민원처리에관한법률/법률.md"
    one = _chunk("p1", "① 행정기관의 장은 처리기간을 정하여야 한다.", part=1, **meta)
    two = _chunk("p2", "② 처리기간은 한 차례만 연장할 수 있다.", part=2, **meta)
    view = plan_view(
        two, [two, one], "② 처리기간은 한 차례만 연장할 수 있다.", marks=["한 차례만 연장할 수 있다"]
    )
    assert view.kind == "statute" and view.text.startswith("① 행정기관") and "②" in view.text
    assert view.text[slice(*view.spans[0])].startswith("② 처리기간")
    assert view.text[slice(*view.mark_spans[0])] == "한 차례만 연장할 수 있다"


def test_kinds_by_source() -> None:
    assert view_kind({"source": "/a/b.pdf", "page": 3}) == "pdf"
    assert view_kind({"source": "/a/b.pdf", "page": -1}) == "text"
    assert view_kind({"source": "/a/b.PNG"}) == "image"
    assert view_kind({"source": "/a/b.docx"}) == "text"
    assert view_kind({"source": "/a/법.pdf", "page": 2, "law_title": "법", "article": "제1조"}) == "statute"


# --- a real PDF page ---------------------------------------------------------------------------


def _page_text(pdf: Path, page: int) -> str:
    """The project loader's text of one page (what a chunk of that page quotes)."""
    return load_pdf(pdf, LoadLimits()).text.split(PAGE_BREAK)[page - 1]


def _contains(box: tuple[float, float, float, float], x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _char_center(pdf: Path, page: int, needle: str, scale: float) -> tuple[float, float]:
    """Pixel center of the first character of `needle` on the page, straight from pdfium."""
    doc = pdfium.PdfDocument(pdf)
    textpage = doc[page - 1].get_textpage()
    index = textpage.get_text_range().index(needle)
    left, bottom, right, top = textpage.get_charbox(index)
    height = doc[page - 1].get_size()[1]
    doc.close()
    return (left + right) / 2 * scale, (height - (top + bottom) / 2) * scale


def test_a_pdf_page_renders_with_the_passage_highlighted_where_it_stands(documents_dir: Path) -> None:
    pdf = documents_dir / PRESS_PDF
    lines = [ln for ln in _page_text(pdf, 2).split("\n") if ln.strip()]
    passage = "\n".join(lines[5:10])  # 보건복지부는 … 최종안을 확정하였다.
    assert passage.startswith("보건복지부는")
    scale = 1.5
    image = render_page(pdf, 2, passage, marks=["147인의 제ㆍ개정 위원회를 구성하여"], scale=scale)
    assert image.pages == 14 and image.has_text and image.found == pytest.approx(1.0)
    png = Image.open(io.BytesIO(image.png))
    assert png.format == "PNG" and abs(png.size[0] - 595 * scale) <= 1 and abs(png.size[1] - 841 * scale) <= 1
    assert len(image.passage_boxes) == 5 and image.mark_boxes  # one box per line of the passage

    inside = _char_center(pdf, 2, "보건복지부는", scale)
    outside = _char_center(pdf, 2, "추진경과", scale)  # the box below the passage
    assert any(_contains(b, *inside) for b in image.passage_boxes)
    assert not any(_contains(b, *outside) for b in image.passage_boxes + image.mark_boxes)
    # the rectangle is painted: the white paper under the passage turned yellow, elsewhere not
    plain = Image.open(io.BytesIO(render_page(pdf, 2, scale=scale).png)).convert("RGB")
    drawn = png.convert("RGB")
    left, top, right, bottom = (int(v) for v in image.passage_boxes[0])
    paper = [
        (x, y)
        for x in range(left + 1, right - 1, 7)
        for y in range(top + 1, bottom - 1, 3)
        if plain.getpixel((x, y)) == (255, 255, 255)
    ]
    assert len(paper) > 20
    assert all(drawn.getpixel(xy)[2] < 230 and min(drawn.getpixel(xy)[:2]) > 200 for xy in paper)
    assert PASSAGE_FILL[3] < 255  # translucent: the text under it stays readable
    assert drawn.getpixel((5, 5)) == plain.getpixel((5, 5))


def test_the_viewer_opens_on_the_page_holding_most_of_the_passage(documents_dir: Path) -> None:
    pdf = documents_dir / PRESS_PDF
    page2, page3 = _page_text(pdf, 2), _page_text(pdf, 3)
    starts_late = "\n".join([*page2.strip().split("\n")[-1:], *page3.strip().split("\n")[:12]])
    assert best_page(pdf, 2, starts_late) == 3  # one line on page 2, the rest on page 3
    assert best_page(pdf, 2, page2) == 2
    assert best_page(pdf, 14, page2) == 14  # the last page: nothing to look ahead to


def test_a_scanned_page_renders_without_highlight(documents_dir: Path) -> None:
    scanned = next((documents_dir / SCANNED_DIR).glob("*.pdf"))
    image = render_page(scanned, 1, "국가인권위원회 결정", scale=0.5)
    assert not image.has_text and not image.highlighted and image.png.startswith(b"\x89PNG")
    with pytest.raises(PageRenderError, match="99쪽이 없습니다"):
        render_page(scanned, 99)


def test_an_unreadable_original_is_a_korean_error_and_big_pages_are_scaled_down(
    documents_dir: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "바뀐파일.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    with pytest.raises(PageRenderError, match="원본 PDF를 열 수 없습니다"):
        render_page(fake, 1)
    with pytest.raises(PageRenderError, match="원본 이미지를 열 수 없습니다"):
        image_png(fake)
    small = Image.open(io.BytesIO(render_page(documents_dir / PRESS_PDF, 1, scale=3.0, max_side=400).png))
    assert max(small.size) <= 401


# --- access groups -----------------------------------------------------------------------------


RESTRICTED_MD = f"""# [테스트] 감사 보안 지침

## 1. 보안
{SECRET_LINE}
감사 자료는 잠금 장치가 있는 보관함에 둔다.
"""


def _write_docx(path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading("공용차량 배차 지침", 1)
    doc.add_heading("1. 배차 신청", 2)
    doc.add_paragraph("공용차량을 이용하려는 부서는 운행 3일 전까지 배차를 신청하여야 한다.")
    doc.add_paragraph("긴급한 업무로 인한 배차는 당일에도 신청할 수 있다.")
    doc.add_heading("2. 운행일지", 2)
    doc.add_paragraph("운행을 마친 뒤에는 운행일지를 작성하여 차량 관리부서에 제출하여야 한다.")
    doc.save(str(path))


@pytest.fixture(scope="module")
def original_index(
    tmp_path_factory: pytest.TempPathFactory, statute_sample: Path, documents_dir: Path, embeddings: object
) -> Settings:
    """A statute, a public guideline PDF, and a PDF and a guideline restricted to 감사."""
    root = tmp_path_factory.mktemp("original")
    src = copy_statutes(statute_sample, root / "src", ["민원처리에관한법률/법률.md"])
    (src / "감사").mkdir()
    shutil.copy(documents_dir / PRESS_PDF, src / "보도자료.pdf")
    # another document: near-duplicate chunks may make the rebuild check's probe find the twin
    shutil.copy(documents_dir / RESTRICTED_PDF, src / "감사" / "감사_계획.pdf")
    (src / "감사" / "보안지침.md").write_text(RESTRICTED_MD, encoding="utf-8")
    shutil.copy(documents_dir / "hwp" / f"{MOIS}.hwp", src / "혁신.hwp")
    shutil.copy(documents_dir / "hwpx" / f"{MOIS}.hwpx", src / "혁신.hwpx")
    _write_docx(src / "배차지침.docx")
    shutil.copy(documents_dir / STATUTE_PDF, src / "정보공개법.pdf")
    s = load_settings()
    s.store.db_dir = root / "index"
    s.store.chroma_url = None
    s.security.access_groups = {str(src / "감사"): ["감사"]}
    report = run_ingest([src], s, embeddings=embeddings)
    assert not report.failed, report.summary()
    return s


@pytest.fixture(scope="module")
def retriever(original_index: Settings, embeddings: object) -> HybridRetriever:
    return HybridRetriever(original_index, embeddings=embeddings)


def _path(r: HybridRetriever, name: str) -> str:
    return next(p for p in r._snap.manifest.files() if p.endswith(name))


def _chunk_of(r: HybridRetriever, name: str, groups: tuple[str, ...], page: int | None = None) -> Chunk:
    chunks = r.get_chunks(sorted(r._snap.manifest.chunk_ids(_path(r, name))), groups)
    return next(c for c in chunks if page is None or c.metadata.get("page") == page)


def test_outside_the_group_the_original_is_refused_with_no_bytes(retriever: HybridRetriever) -> None:
    secret = _chunk_of(retriever, "감사_계획.pdf", ("감사",))
    guide = _chunk_of(retriever, "보안지침.md", ("감사",))
    for chunk in (secret, guide):
        for groups in ((), ("민원",), ("감사관",)):
            with pytest.raises(OriginalUnavailable) as refused:
                read_original(retriever, chunk.id, groups)
            assert str(refused.value) == REFUSED  # the same words as for a chunk that does not exist
            with pytest.raises(OriginalUnavailable):
                open_view(retriever, chunk.id, groups, chunk.text)
    with pytest.raises(OriginalUnavailable) as missing:
        cited_chunk(retriever, "no-such-chunk", ("감사",))
    assert str(missing.value) == REFUSED
    # a member of the group gets the file the index knows, byte for byte
    file, content = read_original(retriever, secret.id, ("감사",))
    assert file.name == "감사_계획.pdf" and file.mime == "application/pdf" and not file.changed()
    assert content == Path(str(secret.metadata["source"])).read_bytes()
    # the section text of a restricted guideline shows nothing of it to outsiders either
    assert retriever.get_document_chunks(str(guide.metadata["doc_id"]), ()) == []
    view, _ = open_view(retriever, guide.id, ("감사",), guide.text)
    assert view.kind == "text" and SECRET_LINE in view.text
    # a file edited after indexing is still served, and the viewer can say so
    source = Path(str(guide.metadata["source"]))
    assert not original_file(retriever, guide).changed()
    source.write_text(RESTRICTED_MD + "\n덧붙인 줄\n", encoding="utf-8")
    assert original_file(retriever, guide).changed()
    # … but not when it became a link to some other file of the server
    source.unlink()
    source.symlink_to(Path(__file__).resolve())
    with pytest.raises(OriginalUnavailable, match="링크로 바뀌어"):
        read_original(retriever, guide.id, ("감사",))


@pytest.mark.parametrize("name", ["혁신.hwp", "혁신.hwpx", "배차지침.docx"])
def test_hwp_hwpx_docx_open_on_their_section_with_the_passage_marked(
    retriever: HybridRetriever, name: str
) -> None:
    chunks = [
        c for c in retriever.get_chunks(sorted(retriever._snap.manifest.chunk_ids(_path(retriever, name))))
    ]
    chunk = max(chunks, key=lambda c: len(c.text))
    body = chunk.text.split("\n", 1)[1]
    sentence = max((ln for ln in body.split("\n") if ln.strip()), key=len)
    view, _ = open_view(retriever, chunk.id, (), body, [sentence])
    assert view.kind == "text" and view.file_name == name
    assert squeeze(body)[0] in squeeze(view.text)[0]  # the whole section around it
    ((start, end),) = view.mark_spans
    assert squeeze(view.text[start:end])[0] == squeeze(sentence)[0]
    for a, b in view.spans:  # the passage, where the section holds more than it
        assert squeeze(view.text[a:b])[0] in squeeze(body)[0]


def test_views_of_a_public_pdf_and_a_statute(retriever: HybridRetriever) -> None:
    page2 = _chunk_of(retriever, "/보도자료.pdf", (), page=2)
    body = page2.text.split("\n", 1)[1]
    view, _ = open_view(retriever, page2.id, (), page2.text.split("\n", 1)[1])
    assert view.kind == "pdf" and view.page == 2 and view.passage == body
    file = original_file(retriever, page2)
    assert render_page(file.path, view.page, view.passage, scale=0.5).passage_boxes

    article = next(
        c for c in retriever.get_article("민원 처리에 관한 법률", "제17조") if c.metadata.get("part", 1) <= 1
    )
    view, chunk = open_view(retriever, article.id, ("민원",), article.text, ["처리기간"])
    assert view.kind == "statute" and "처리기간" in view.text and view.mark_spans
    assert original_file(retriever, chunk).name == "민원 처리에 관한 법률.md"


def test_a_statute_from_a_law_go_kr_pdf_shows_its_article_and_its_printed_page(
    retriever: HybridRetriever,
) -> None:
    article = next(
        c
        for c in retriever.get_article("공공기관의 정보공개에 관한 법률", "제9조")
        if c.metadata.get("part", 1) <= 1
    )
    body = article.text.split("\n", 1)[1]
    view, chunk = open_view(retriever, article.id, (), body)
    assert view.kind == "statute" and view.page > 1 and "비공개" in view.text
    file = original_file(retriever, chunk)
    assert file.name == "공공기관의 정보공개에 관한 법률.pdf" and file.mime == "application/pdf"
    image = render_page(file.path, view.page, view.passage, scale=0.5)
    assert image.passage_boxes and image.found > 0.3  # the article's text, found on the printed page
