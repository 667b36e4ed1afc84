""".hwpx export: a valid OWPML package, read back the same by our loader and by python-hwpx (an
independent reader), the 기안문 layout (table-shaped 결문, fonts, sizes) and the format check."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hwpx import HwpxDocument
from hwpx.tools.package_validator import validate_editor_open_safety, validate_package
from hwpx.tools.validator import validate_document

from assistant.chains import DraftRequest, check_format, draft_document
from assistant.chains.hwpx_export import (
    FONT,
    MIMETYPE,
    draft_hwpx_bytes,
    layout_blocks,
    write_hwpx,
)
from ingest.core.model import LoadLimits
from ingest.documents.loaders.hwpx import load_hwpx
from ingest.documents.loaders.textnorm import normalize_text, tidy_lines
from ingest.documents.tables import TABLE_OPEN
from tests.chains.test_drafting import REQUEST

HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
HH = "{http://www.hancom.co.kr/hwpml/2011/head}"
OPF = "{http://www.idpf.org/2007/opf/}"

LETTER = """○○시
수신  수신자 참조
(경유)
제목  민원 처리기간 준수 협조 요청 & <안내>

1. 관련 근거
  가. 「민원 처리에 관한 법률」 제17조(법정민원의 처리기간 설정ㆍ공표)
2. 위 호와 관련하여 다음과 같이 요청하오니 협조하여 주시기 바랍니다.
  가. 법정민원 처리기간 준수 철저
    1) 처리기간 연장 시 민원인에게 2026. 12. 1.까지 통지

붙임  1. 처리기간 점검표 1부.
      2. 민원편람 발췌 2부.  끝.

○○시장

수신자  ○○구청장(민원여권과장), △△구청장(민원여권과장)

기안자 (직위/직급) (서명)   검토자 (직위/직급) (서명)   결재권자 (직위/직급) (서명)
협조자 (직위/직급) (서명)
시행  (처리과명)-(일련번호) (시행일)   접수  (처리과명)-(일련번호) (접수일)
우 (우편번호)  (주소)  / (홈페이지 주소)
전화번호 (   )  팩스번호 (   )  / (공무원의 전자우편주소)  / (공개 구분)"""


def expected_lines(text: str, kind: str = "공문", cell_sep: str | None = None) -> list[str]:
    """The draft's lines as a reader should find them: table rows as cells (one line each, or
    joined by ``cell_sep``)."""
    out: list[str] = []
    for b in layout_blocks(text, kind):
        if b.rows:
            for row in b.rows:
                out.extend([cell_sep.join(row)] if cell_sep is not None else row)
        else:
            out.append(b.text)
    return out


def python_hwpx_lines(data: bytes) -> list[str]:
    doc = HwpxDocument.open(io.BytesIO(data))
    return doc.text.plain().split("\n")


def check_package(data: bytes) -> zipfile.ZipFile:
    """mimetype first and stored; every XML part well-formed; every content part in the manifest
    of content.hpf and every manifest item present; the spine names the section."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    first = zf.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert zf.read("mimetype").decode() == MIMETYPE
    names = set(zf.namelist())
    for name in names:
        if name.endswith((".xml", ".hpf")):
            ET.fromstring(zf.read(name))  # raises on malformed XML
    container = ET.fromstring(zf.read("META-INF/container.xml"))
    roots = [el.get("full-path") for el in container.iter() if el.tag.endswith("rootfile")]
    assert roots[0] == "Contents/content.hpf" and set(roots) <= names
    hpf = ET.fromstring(zf.read("Contents/content.hpf"))
    items = {el.get("id"): el.get("href") for el in hpf.iter(f"{OPF}item")}
    assert set(items.values()) <= names
    packaging = {
        "mimetype",
        "version.xml",
        "META-INF/container.xml",
        "META-INF/manifest.xml",
        "Contents/content.hpf",
    }
    assert names - packaging - {"Preview/PrvText.txt"} == set(items.values())
    spine = [el.get("idref") for el in hpf.iter(f"{OPF}itemref")]
    assert items[spine[-1]] == "Contents/section0.xml"
    return zf


def test_package_is_valid_owpml() -> None:
    data = draft_hwpx_bytes(LETTER)
    check_package(data)
    package = validate_package(data)
    assert package.ok, package.errors
    document = validate_document(io.BytesIO(data))
    assert document.ok and not document.warnings, document.issues  # full OWPML schema, no lint either
    assert validate_editor_open_safety(data).ok


def test_round_trip_our_loader_and_python_hwpx(tmp_path: Path) -> None:
    path = write_hwpx(LETTER, tmp_path / "초안.hwpx")
    ours = load_hwpx(path, LoadLimits()).text
    # Our loader reads the table-shaped 결문 as rows with their headers (ingest.documents.tables): the text
    # before it reads back verbatim, and every cell of it is there.
    expected = tidy_lines(normalize_text("\n".join(expected_lines(LETTER))))
    before_table = ours.split(TABLE_OPEN, 1)[0].rstrip()
    assert before_table and expected.startswith(before_table)
    cells = {c.strip() for ln in expected_lines(LETTER, cell_sep="\t") if "\t" in ln for c in ln.split("\t")}
    assert all(normalize_text(c) in ours for c in cells if c)
    # python-hwpx drops empty paragraphs and joins the cells of a table row with tabs.
    theirs = python_hwpx_lines(path.read_bytes())
    assert theirs == [ln for ln in expected_lines(LETTER, cell_sep="\t") if ln.strip()]
    # Every character of the draft survives (spaces included: the "2타" indentation is text).
    assert (
        "    1) 처리기간 연장 시 민원인에게 2026. 12. 1.까지 통지" in theirs
        and "제목  민원 처리기간 준수 협조 요청 & <안내>" in theirs
    )


def test_layout_fonts_sizes_and_table_shaped_closing() -> None:
    zf = zipfile.ZipFile(io.BytesIO(draft_hwpx_bytes(LETTER)))
    header = ET.fromstring(zf.read("Contents/header.xml"))
    section = ET.fromstring(zf.read("Contents/section0.xml"))
    assert {f.get("face") for f in header.iter(f"{HH}font")} >= {FONT}
    sizes = {int(c.get("height")) // 100 for c in header.iter(f"{HH}charPr")}
    assert sizes == {12, 18, 16, 10}
    page = next(section.iter(f"{HP}pagePr"))
    assert (page.get("width"), page.get("height")) == ("59528", "84186")  # A4
    margin = next(page.iter(f"{HP}margin"))
    assert (
        round(int(margin.get("top")) * 25.4 / 7200) == 30
        and round(int(margin.get("left")) * 25.4 / 7200) == 20
    )
    tables = list(section.iter(f"{HP}tbl"))
    assert len(tables) == 1
    rows = tables[0].findall(f"{HP}tr")
    assert [len(r.findall(f"{HP}tc")) for r in rows] == [3, 1, 2, 1, 1]
    cells = ["".join(tc.itertext()) for tc in rows[0].findall(f"{HP}tc")]
    assert [c.split()[0] for c in cells] == ["기안자", "검토자", "결재권자"]
    spans = [int(tc.find(f"{HP}cellSpan").get("colSpan")) for r in rows for tc in r.findall(f"{HP}tc")]
    assert spans == [2, 2, 2, 6, 3, 3, 6, 6]
    # 행정기관명 centred and large; items with a hanging indent so wrapped lines align after the symbol.
    para_prs = {p.get("id"): p for p in header.iter(f"{HH}paraPr")}
    paras = section.findall(f"{HP}p")
    texts = ["".join(t.text or "" for t in p.iter(f"{HP}t")) for p in paras]
    agency = paras[texts.index("○○시")]
    assert para_prs[agency.get("paraPrIDRef")].find(f"{HH}align").get("horizontal") == "CENTER"
    item = paras[texts.index("  가. 법정민원 처리기간 준수 철저")]
    intent = next(para_prs[item.get("paraPrIDRef")].iter("{http://www.hancom.co.kr/hwpml/2011/core}intent"))
    assert int(intent.get("value")) == -(2 + 4) * 600  # 2 columns of indent + "가. " (4 columns), 12 pt
    sender = paras[texts.index("○○시장")]
    assert next(sender.iter(f"{HP}run")).get("charPrIDRef") == "3"  # 발신 명의 16 pt bold


@pytest.mark.parametrize("kind", ["공문", "보고서"])
def test_generated_draft_passes_format_check_after_round_trip(make_ctx, kind: str) -> None:
    req = REQUEST if kind == "공문" else DraftRequest(kind="보고서", subject="공문서 작성 기준 교육 계획",
                                                       key_points=["대상: 신규 공무원", "공문서 반려 문제", "기호 체계 교육 도입",
                                                                   "2027년까지 정례화"], attachments=["교육 계획"],
                                                       question="공문서 항목 구분 기호와 끝 표시")  # fmt: skip
    draft = draft_document(req, ctx=make_ctx())
    assert draft.issues == []
    data = draft.to_hwpx()
    check_package(data)
    read_back = "\n".join(python_hwpx_lines(data))
    assert check_format(read_back, kind) == [], read_back
    for line in draft.text.split("\n")[:6]:
        assert re.sub(r"\s+", " ", line).strip() in normalize_text(read_back.replace("\t", " "))
