"""Loader tests: the 26 real public documents in shared/data/documents plus synthetic edge cases.

Facts asserted about the real files were checked by hand against the PDFs and the statute export.
"""

from __future__ import annotations

import functools
import os
import re
import struct
import zipfile
from pathlib import Path

import pytest

from ingest.core.model import PAGE_BREAK, LoadedDocument, LoaderError, LoadLimits
from ingest.core.settings import OcrSettings
from ingest.documents.loaders import load_document
from ingest.documents.loaders.hwp import decode_para_text
from ingest.documents.loaders.pdf_statute import make_joiner
from ingest.documents.loaders.textnorm import count_hangul, normalize_text

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DOCS = SHARED_DATA / "documents"

STATUTE_PDF = "statute_pdf"
PIPA = f"{STATUTE_PDF}/개인정보 보호법(법률)(제20897호)(20251002).pdf"
PIPA_DECREE = f"{STATUTE_PDF}/개인정보 보호법 시행령(대통령령)(제35343호)(20250313).pdf"
FOIA = f"{STATUTE_PDF}/공공기관의 정보공개에 관한 법률(법률)(제19408호)(20231117).pdf"
EGOV = f"{STATUTE_PDF}/전자정부법(법률)(제19030호)(20230516).pdf"
RESIDENT = f"{STATUTE_PDF}/주민등록법(법률)(제19841호)(20241227).pdf"
PIPC_NOTICE = f"{STATUTE_PDF}/표준 개인정보 보호지침(개인정보보호위원회고시)(제2024-1호)(20240104).pdf"

G = "guideline_pdf"
INTERPRET = f"{G}/개인정보보호위원회_2023_개인정보_보호법_표준_해석례.pdf"
HR_GUIDE = f"{G}/개인정보보호위원회_개인정보보호_가이드라인_인사노무편_2023.pdf"
DATACENTER = f"{G}/과기정통부_NIPA_2025_데이터센터_산업_활성화_지원사업_통합공모안내서.pdf"
BIGDATA = f"{G}/보건복지부_보건의료_빅데이터_플랫폼_시범사업_추진계획(안)_201712.pdf"
NUTRIENT = f"{G}/보건복지부_보도자료_영양소_적정_섭취기준_개정_20251231.pdf"
SEOUL = f"{G}/서울특별시_스마트도시_및_정보화_기본계획_2021-2025.pdf"
BASEL = f"{G}/은행업감독업무시행세칙_별표3_자기자본비율_산출기준_바젤III.pdf"
SCANNED = f"{G}/scanned/국가인권위원회_결정_보안업무규정에_따른_신원조사_제도_개선_권고_SCANNED.pdf"

HWP_DIST = "hwp/EDGE_배포용문서_강남세움복지관_공고_제2024-08호_시설관리원_용역입찰.hwp"
HWP_NURI = "hwp/과학기술정보통신부_보도자료_한국형발사체_명칭_누리_20180904.hwp"
HWP_TAX = "hwp/국세_판례요약_대법원-2025-두-34754_종합소득세.hwp"
HWP_MOEF = "hwp/기획재정부_보도자료_2024년_1분기_해외직접투자.hwp"
HWP_STATS = "hwp/기획재정부_통합재정통계_2014년8월_공표자료(안).hwp"
HWP_MOIS = "hwp/행정안전부_보도자료_국민주권정부_정부혁신_추진전략_20251202.hwp"

HWPX_NOMANIFEST = "hwpx/EDGE_울산광역시_남구_공고_제2021-174호_구세조례_입법예고_no_manifest.hwpx"
HWPX_MOEF = "hwpx/기획재정부_보도자료_2024년_1분기_해외직접투자.hwpx"
HWPX_MCST = "hwpx/문화체육관광부_보도자료_파리올림픽_선수단_격려_20240102.hwpx"
HWPX_GANGNAM = "hwpx/서울특별시_강남구_공고_제2023-745호_공무직관리규정_입법예고.hwpx"
HWPX_GANGBUK = "hwpx/서울특별시_강북구_제2회_가을밤의_음악축제_행사대행용역_제안요청서_202307.hwpx"
HWPX_MOIS = "hwpx/행정안전부_보도자료_국민주권정부_정부혁신_추진전략_20251202.hwpx"

# file → (expected doc_type or None for LoaderError, minimum Hangul syllables or error substring)
EXPECTED: dict[str, tuple[str | None, int | str]] = {
    PIPA: ("statute", 58_000),
    PIPA_DECREE: ("statute", 52_000),
    FOIA: ("statute", 9_500),
    EGOV: ("statute", 31_000),
    RESIDENT: ("statute", 18_000),
    PIPC_NOTICE: ("statute", 18_500),
    INTERPRET: ("guideline", 16_000),
    HR_GUIDE: ("guideline", 19_000),
    DATACENTER: ("guideline", 20_000),
    BIGDATA: ("guideline", 10_000),
    NUTRIENT: ("guideline", 7_000),
    SEOUL: ("guideline", 20_000),
    BASEL: ("guideline", 160_000),
    SCANNED: (None, "OCR"),
    HWP_DIST: ("guideline", 1_400),  # 배포용: the decrypted ViewText (PrvText has only 567)
    HWP_NURI: ("guideline", 950),
    HWP_TAX: ("guideline", 600),
    HWP_MOEF: ("guideline", 1_796),
    HWP_STATS: ("guideline", 350),
    HWP_MOIS: ("guideline", 2_551),
    HWPX_NOMANIFEST: ("guideline", 700),
    HWPX_MOEF: ("guideline", 1_796),
    HWPX_MCST: ("guideline", 650),
    HWPX_GANGNAM: ("guideline", 440),
    HWPX_GANGBUK: ("guideline", 11_600),
    HWPX_MOIS: ("guideline", 2_551),
}

_FOREIGN_DOTS = re.compile("[\u00b7\u2027\u2219\uff65\u2024]")
_PUA = re.compile("[\ue000-\uf8ff]")


@pytest.fixture(scope="session")
def docs_dir(documents_dir: Path) -> Path:
    return documents_dir


@functools.cache
def _load(rel: str) -> LoadedDocument | LoaderError:
    """Each real file is parsed once per session (the 209-page PDF takes seconds); without OCR,
    which tests/test_ocr.py covers on a few pages (the 16-page scan would take over a minute)."""
    try:
        return load_document(DOCS / rel, LoadLimits(ocr=OcrSettings(enabled=False)))
    except LoaderError as exc:
        return exc


def load(docs_dir: Path, rel: str) -> LoadedDocument:
    result = _load(rel)
    if isinstance(result, LoaderError):
        pytest.fail(f"{rel}: {result.reason}")
    return result


def articles(text: str) -> list[str]:
    return re.findall(r"^##### (제\d+조(?:의\d+)?)", text, re.M)


# --- every real file ---------------------------------------------------------------------------


def test_expected_file_set(docs_dir: Path) -> None:
    found = {
        p.relative_to(docs_dir).as_posix()
        for p in docs_dir.rglob("*")
        if p.suffix in {".pdf", ".hwp", ".hwpx"}
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_file_loads_or_fails_precisely(docs_dir: Path, rel: str) -> None:
    doc_type, expectation = EXPECTED[rel]
    result = _load(rel)
    if doc_type is None:
        assert isinstance(result, LoaderError), f"{rel} should be refused"
        assert str(expectation) in result.reason
        return
    assert isinstance(result, LoadedDocument), getattr(result, "reason", result)
    assert result.doc_type == doc_type
    assert count_hangul(result.text) >= int(expectation)
    assert result.title.strip()
    assert not _PUA.search(result.text), "private-use characters must be mapped or removed"
    assert not _FOREIGN_DOTS.search(result.text), "middle dots must be unified to U+318D"
    assert "\u200b" not in result.text and "\u200c" not in result.text and "\ufeff" not in result.text
    if rel.endswith(".pdf"):
        assert result.paged
        assert result.text.count(PAGE_BREAK) == result.metadata["pages"] - 1
        assert all(line == PAGE_BREAK for line in result.text.split("\n") if PAGE_BREAK in line)


# --- law.go.kr statute PDFs -------------------------------------------------------------------


def test_pipa_statute_structure(docs_dir: Path) -> None:
    doc = load(docs_dir, PIPA)
    text = doc.text
    assert text.startswith("# 개인정보 보호법\n")
    assert doc.metadata["law_title"] == "개인정보 보호법"
    assert doc.metadata["law_type"] == "법률"
    assert doc.metadata["effective_date"] == "2025-10-02"
    assert doc.metadata["promulgated_date"] == "2025-04-01"
    assert doc.metadata["ministry"] == "개인정보보호위원회"
    assert "법제처" not in text and "국가법령정보센터" not in text
    assert "\n개인정보 보호법\n" not in text  # running header removed
    assert text.count("\n## 제1장 총칙\n") == 1
    assert "\n### 제1절 개인정보의 수집, 이용, 제공 등\n" in text
    assert text.count("##### 제15조 (개인정보의 수집ㆍ이용)\n") == 1
    # current and future-effective copies are both kept; the future one carries its marker
    assert text.count("##### 제23조 (민감정보의 처리 제한)\n") == 2
    assert text.count("[시행일: 2026. 9. 11.] 제23조") == 1
    assert len(re.findall(r"^\[시행일: ", text, re.M)) == 18
    found = articles(text)
    assert len(found) == 144 and len(set(found)) == 127
    assert text.count(PAGE_BREAK) == 50 and doc.metadata["pages"] == 51
    # 부칙 restarts 제1조 but stays plain text under one "## 부칙"
    assert text.count("\n## 부칙\n") == 1
    assert not articles(text.split("\n## 부칙\n")[1])
    assert "\n제1조(시행일) 이 법은 공포 후 6개월이 경과한 날부터 시행한다." in text


def test_pipa_wrapped_lines_rejoined_without_false_spaces(docs_dir: Path) -> None:
    text = load(docs_dir, PIPA).text
    # "…나아가 개인\n의 존엄과…": a wrap inside a word
    assert "나아가 개인의 존엄과 가치를 구현함을 목적으로 한다. <개정 2014. 3. 24.>" in text
    # "…정보. 이 경우\n쉽게 결합할…": a wrap at a space the PDF generator dropped
    assert "이 경우 쉽게 결합할 수 있는지 여부는" in text
    assert "물체에 부착 또는 거치(据置)하여 사람 또는" in text  # "거치(据置\n)하여"
    assert "##### 제1조 (목적)\n\n이 법은 개인정보의 처리 및 보호에 관한 사항을" in text
    assert "\n1. “개인정보”란 살아 있는 개인에 관한 정보로서" in text
    assert "\n가. 성명, 주민등록번호 및 영상 등을 통하여 개인을 알아볼 수 있는 정보\n" in text
    assert "\n1의2. “가명처리”란" in text


def test_foia_toc_skipped_and_abbreviation(docs_dir: Path) -> None:
    doc = load(docs_dir, FOIA)
    text = doc.text
    assert doc.metadata["abbreviation"] == "정보공개법"
    assert doc.metadata["law_title"] == "공공기관의 정보공개에 관한 법률"
    assert doc.metadata["effective_date"] == "2023-11-17"
    assert text.count("##### 제1조 (목적)") == 1  # the 조문 목차 page is not indexed
    assert len(articles(text)) == 33
    # body starts on page 2: one page break before the first article
    assert text[: text.index("##### 제1조")].count(PAGE_BREAK) == 1
    assert "\n## 제2장 정보공개 청구권자와 공공기관의 의무 <개정 2013. 8. 6.>\n" in text
    # "…이 법을 운영하고 소\n관 관계 법령을…" and a tag wrapped as "<개정 2020. 12.\n22.>"
    assert "이 법을 운영하고 소관 관계 법령을 정비하며" in text
    assert "노력하여야 한다. <개정 2020. 12. 22.>\n② 공공기관은" in text


@pytest.mark.parametrize(
    ("rel", "law_type", "n_articles", "first_page"),
    [
        (PIPA_DECREE, "대통령령", 141, 4),
        (EGOV, "법률", 104, 3),
        (RESIDENT, "법률", 58, 2),
        (PIPC_NOTICE, "고시", 65, 2),
    ],
)
def test_other_statute_pdfs(
    docs_dir: Path, rel: str, law_type: str, n_articles: int, first_page: int
) -> None:
    doc = load(docs_dir, rel)
    assert doc.doc_type == "statute"
    assert doc.metadata["law_type"] == law_type
    assert len(articles(doc.text)) == n_articles
    assert doc.text.count("##### 제1조 (") == 1
    assert doc.text[: doc.text.index("##### 제1조")].count(PAGE_BREAK) == first_page
    assert "법제처" not in doc.text


def test_notice_deleted_articles_and_addendum(docs_dir: Path) -> None:
    text = load(docs_dir, PIPC_NOTICE).text
    assert "##### 제62조\n\n삭제\n" in text
    assert "\n부칙 <제2024-1호,2024.1.4.>\n이 고시는 고시한 날부터 시행한다.\n" in text


def test_decree_future_effective_copy(docs_dir: Path) -> None:
    text = load(docs_dir, PIPA_DECREE).text
    assert text.count("##### 제29조의2 (결합전문기관의 지정 및 지정 취소)") == 2
    assert "[시행일: 2025. 7. 1.] 제29조의2제1항, 제29조의2제4항" in text


# --- guideline PDFs ---------------------------------------------------------------------------


def test_guideline_pdf_titles_come_from_file_names(docs_dir: Path) -> None:
    # the Print-to-PDF file's Title metadata is CP949 mojibake
    doc = load(docs_dir, DATACENTER)
    assert doc.title == "과기정통부 NIPA 2025 데이터센터 산업 활성화 지원사업 통합공모안내서"
    assert doc.metadata["pages"] == 41


def test_middle_dot_zoo_is_unified(docs_dir: Path) -> None:
    text = load(docs_dir, DATACENTER).text
    assert text.count("ㆍ") >= 300


def test_symbol_font_bullets_and_glued_words(docs_dir: Path) -> None:
    text = load(docs_dir, SEOUL).text
    assert text.count("□") >= 120  # U+F000 bullets
    assert "□ 추진근거" in text
    # justified text lost its spaces in pypdf's plain mode; layout mode restores them
    assert "서울특별시 스마트도시 및 정보화 기본계획" in text
    assert "시민 생활 서비스 지원 가속화" in text


def test_out_of_order_runs_and_lone_bullets(docs_dir: Path) -> None:
    text = load(docs_dir, BIGDATA).text
    assert "◇ (보건의료 빅데이터 플랫폼, 46억)" in text
    assert not re.search(r"^[◇※*•□○]$", text, re.M)


def test_running_header_and_zero_width_chars_removed(docs_dir: Path) -> None:
    text = load(docs_dir, HR_GUIDE).text
    assert not re.search(r"^\d+ • 개인정보 보호 가이드라인 _ 인사ㆍ노무 편$", text, re.M)
    assert "개인정보 자기결정권*은 헌법 제10조, 제17조 등에 의해 도출되며" in text


def test_image_only_cover_pages_stay_empty_pages(docs_dir: Path) -> None:
    doc = load(docs_dir, INTERPRET)
    pages = doc.text.split(PAGE_BREAK)
    assert len(pages) == 39
    assert not pages[0].strip() and not pages[1].strip() and pages[2].strip()


def test_equation_garbage_removed_from_basel(docs_dir: Path) -> None:
    doc = load(docs_dir, BASEL)
    assert doc.metadata["pages"] == 209
    assert not _PUA.search(doc.text)


# --- HWP / HWPX --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hwp", "hwpx", "hangul"), [(HWP_MOEF, HWPX_MOEF, 1_796), (HWP_MOIS, HWPX_MOIS, 2_551)]
)
def test_hwp_hwpx_parity(docs_dir: Path, hwp: str, hwpx: str, hangul: int) -> None:
    a, b = count_hangul(load(docs_dir, hwp).text), count_hangul(load(docs_dir, hwpx).text)
    assert abs(a - b) <= hangul * 0.01
    # table rows repeat their column headers (`구분: 총투자 | 2024년 1분기: 150.9`), so the text has
    # more syllables than the document; none may be lost
    assert a >= hangul * 0.99


def test_distribution_hwp_is_decrypted(docs_dir: Path) -> None:
    # 배포용: ViewText/Section0 is AES-128 encrypted with the key the file carries; the whole
    # notice is read, not the 567-syllable PrvText preview.
    doc = load(docs_dir, HWP_DIST)
    assert doc.metadata["distribution"] is True
    assert "②기초금액 : 금72,300,000원(금칠천이백삼십만원)(※부가가치세 포함)" in doc.text
    assert "③계약기간 : 2025년 1월 1일 ~ 2025년 12월 31일" in doc.text
    assert doc.text.rstrip().endswith("강남세움복지관장")  # the last paragraph: nothing cut off
    assert count_hangul(doc.text) >= 1_400


def test_hwp_without_preview_stream(docs_dir: Path) -> None:
    doc = load(docs_dir, HWP_TAX)  # has no PrvText at all; BodyText is what counts
    assert "대법원" in doc.text and count_hangul(doc.text) >= 600


def test_hwpx_reads_all_sections_in_spine_order(docs_dir: Path) -> None:
    doc = load(docs_dir, HWPX_GANGBUK)
    assert doc.metadata["sections"] == 3
    assert count_hangul(doc.text) >= 11_600  # section0 alone is the 42-syllable cover


def test_hwpx_without_manifest(docs_dir: Path) -> None:
    doc = load(docs_dir, HWPX_NOMANIFEST)
    assert doc.metadata["sections"] == 2 and count_hangul(doc.text) >= 700


# --- synthetic files ---------------------------------------------------------------------------

KOREAN = "개인정보 보호법 시행령 제15조ㆍ제17조 적용 안내 문서입니다"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cp949.txt", KOREAN.encode("cp949")),
        ("euckr.md", f"# 안내\n{KOREAN}\n".encode("euc-kr")),
        ("bom.txt", b"\xef\xbb\xbf" + KOREAN.encode("utf-8")),
        ("utf16.txt", KOREAN.encode("utf-16")),
    ],
)
def test_text_encodings(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    doc = load_document(path)
    assert KOREAN in doc.text
    assert "\ufeff" not in doc.text
    assert doc.doc_type == "guideline"
    assert doc.title == ("안내" if name.endswith(".md") else KOREAN)


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(LoaderError, match="문자 인코딩을 판별할 수 없습니다"):
        load_document(path)


STATUTE_MD = """---
제목: 개인정보 보호법
법령ID: '011357'
법령구분: 법률
소관부처:
- 개인정보보호위원회
- 행정안전부
공포일자: 2026-03-10
시행일자: 2026-09-11
상태: 시행
출처: https://www.law.go.kr/법령/개인정보보호법
---

# 개인정보 보호법

##### 제1조 (목적)

이 법은 개인정보의 처리 및 보호에 관한 사항을 정함으로써 개인의 자유와 권리를 보호한다.
"""


def test_statute_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "법률.md"
    path.write_text(STATUTE_MD, encoding="utf-8")
    doc = load_document(path)
    assert doc.doc_type == "statute" and doc.title == "개인정보 보호법"
    assert doc.metadata == {
        "law_title": "개인정보 보호법",
        "law_type": "법률",
        "ministry": "개인정보보호위원회, 행정안전부",
        "promulgated_date": "2026-03-10",
        "effective_date": "2026-09-11",
        "status": "시행",
        "law_id": "011357",
        "source_url": "https://www.law.go.kr/법령/개인정보보호법",
    }
    assert doc.text == STATUTE_MD.split("---\n", 2)[2]


def test_bad_front_matter_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text(
        "---\n제목: [닫히지 않음\n법령구분: 법률\n---\n# 실제 제목\n본문은 스무 자보다 긴 문장입니다.\n",
        "utf-8",
    )
    doc = load_document(path)
    assert doc.doc_type == "guideline" and doc.title == "실제 제목"


def test_docx_body_order_with_table(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("개인정보 처리 안내", level=1)
    document.add_paragraph("첫 번째 문단입니다.")
    table = document.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "구분", (0, 1): "보유기간", (1, 0): "인사기록", (1, 1): "준영구"}.items():
        table.cell(r, c).text = value
    document.add_paragraph("표 다음 문단·가운데점")
    path = tmp_path / "안내.docx"
    document.save(path)
    doc = load_document(path)
    assert doc.text.split("\n") == [
        "개인정보 처리 안내",
        "첫 번째 문단입니다.",
        "\x02첫 번째 문단입니다.",  # a table block: caption = the nearest line before it
        "구분 | 보유기간",
        "구분: 인사기록 | 보유기간: 준영구",
        "\x03",
        "표 다음 문단ㆍ가운데점",
    ]
    assert doc.title == "개인정보 처리 안내"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "빈 파일"),
        ("fake.pdf", "이것은 PDF가 아니라 텍스트입니다".encode(), "내용이 그 형식이 아닙니다"),
        ("notes.xyz", b"plain text", "지원하지 않는 파일 형식"),
    ],
)
def test_refused_files(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoaderError, match=reason):
        load_document(path)


def test_truncated_pdf(tmp_path: Path, docs_dir: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes((docs_dir / FOIA).read_bytes()[:1000])
    with pytest.raises(LoaderError, match="PDF"):
        load_document(path)


def test_encrypted_pdf(tmp_path: Path, docs_dir: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=docs_dir / FOIA)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    with pytest.raises(LoaderError, match="암호화된 PDF"):
        load_document(path)


def _zip_with_zeros(path: Path, member: str, size: int, extra: dict[str, bytes] | None = None) -> None:
    """A tiny archive that inflates to `size` bytes; written in chunks to stay cheap."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        chunk = b"\0" * (1 << 20)
        with zf.open(member, "w", force_zip64=True) as fh:
            for _ in range(size // len(chunk)):
                fh.write(chunk)


@pytest.mark.parametrize("name", ["bomb.hwpx", "bomb.docx"])
def test_zip_bomb_ratio(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    mimetype = {"mimetype": b"application/hwp+zip"} if name.endswith(".hwpx") else {}
    _zip_with_zeros(path, "Contents/section0.xml", 16 << 20, mimetype)  # ~1000:1
    with pytest.raises(LoaderError, match="zip bomb"):
        load_document(path)


def test_zip_bomb_total_size(tmp_path: Path) -> None:
    path = tmp_path / "big.hwpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("mimetype", b"application/hwp+zip")
        zf.writestr("Contents/section0.xml", os.urandom(2 << 20))
    with pytest.raises(LoaderError, match="zip bomb"):
        load_document(path, LoadLimits(max_unzipped_bytes=1 << 20))


SECTION_XML = (
    '<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">{}</hs:sec>'
)


def _p(*runs: str) -> str:
    return "<hp:p>" + "".join(f"<hp:run>{r}</hp:run>" for r in runs) + "</hp:p>"


def _write_hwpx(path: Path, sections: dict[str, str], hpf: str | None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", b"application/hwp+zip")
        if hpf is not None:
            zf.writestr("Contents/content.hpf", hpf)
        for name, body in sections.items():
            zf.writestr(name, SECTION_XML.format(body))


def test_hwpx_runs_children_tails_and_tables(tmp_path: Path) -> None:
    table = (
        "<hp:tbl><hp:tr><hp:tc><hp:subList>"
        + _p("<hp:t>셀 하나</hp:t>")
        + "</hp:subList></hp:tc></hp:tr></hp:tbl>"
    )
    body = (
        _p("<hp:t>개인</hp:t>", "<hp:t>정보 보호<hp:tab/>법령 &amp; 지침<hp:lineBreak/>다음 줄</hp:t>")
        + _p(table)
        + _p("<hp:t>마지막 문단입니다</hp:t>")
    )
    hpf = (
        '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"><opf:metadata><opf:title>3</opf:title>'
        '</opf:metadata><opf:manifest><opf:item id="s0" href="Contents/section0.xml"/></opf:manifest>'
        '<opf:spine><opf:itemref idref="s0"/></opf:spine></opf:package>'
    )
    path = tmp_path / "보도자료_테스트_문서.hwpx"
    _write_hwpx(path, {"Contents/section0.xml": body}, hpf)
    doc = load_document(path)
    assert doc.text.split("\n") == [
        "개인정보 보호\t법령 & 지침",
        "다음 줄",
        "",
        "셀 하나",
        "마지막 문단입니다",
    ]
    assert doc.title == "보도자료 테스트 문서"  # "3" in content.hpf is not a title


def test_hwpx_spine_order_and_numeric_fallback(tmp_path: Path) -> None:
    sections = {
        f"Contents/section{i}.xml": _p(f"<hp:t>구역 {i}번 본문 내용입니다</hp:t>") for i in (0, 2, 10)
    }
    spine = "".join(f'<opf:itemref idref="s{i}"/>' for i in (10, 0, 2))
    items = "".join(f'<opf:item id="s{i}" href="Contents/section{i}.xml"/>' for i in (0, 2, 10))
    hpf = (
        f'<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"><opf:manifest>{items}</opf:manifest>'
        f"<opf:spine>{spine}</opf:spine></opf:package>"
    )
    with_spine, without = tmp_path / "a.hwpx", tmp_path / "b.hwpx"
    _write_hwpx(with_spine, sections, hpf)
    _write_hwpx(without, sections, None)
    assert re.findall(r"구역 (\d+)번", load_document(with_spine).text) == ["10", "0", "2"]
    assert re.findall(r"구역 (\d+)번", load_document(without).text) == ["0", "2", "10"]


def test_hwp_para_text_controls() -> None:
    def units(*codes: int) -> bytes:
        return struct.pack(f"<{len(codes)}H", *codes)

    extended = units(11, *([0] * 6), 11)  # a table anchor: 8 WCHARs, no text
    tab = units(9, *([0] * 6), 9)
    payload = "제1조".encode("utf-16-le") + extended + tab + "목적".encode("utf-16-le") + units(10, 13)
    assert decode_para_text(payload) == "제1조\t목적\n"


def test_normalize_text() -> None:
    raw = (
        "공공기관\u00b7기업\u2027시민\u2219단체\uff65협회\u2024학교 \uf000 추진\ue0a1  근거\u200b\u200c\ufeff"
    )
    assert normalize_text(raw) == "공공기관ㆍ기업ㆍ시민ㆍ단체ㆍ협회ㆍ학교 □ 추진 근거"
    assert normalize_text("\u1100\u1161") == "가"  # NFC
    assert normalize_text("줄\n\f\n바꿈\t유지") == "줄\n\f\n바꿈\t유지"


def test_joiner_rules() -> None:
    join = make_joiner("")
    assert join("<개정 2020. 12.", "22.>") == "<개정 2020. 12. 22.>"  # after "." the break was a space
    assert join("부착 또는 거치(据置", ")하여") == "부착 또는 거치(据置)하여"
    assert join("경우에는 제13조", "제5항에 따라") == "경우에는 제13조제5항에 따라"
    corpus = "개인정보처리자는\n개인정보를 처리\n개인정보의 보호"
    assert make_joiner(corpus)("그 개인", "정보의 정정") == "그 개인정보의 정정"
