"""OCR of the image-only pages of a PDF: pages without a text layer that show an image are
rendered with pypdfium2 and read by Tesseract (``ingest.documents.loaders.ocr``); pages with text are
never OCR'd."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.core.model import LoaderError

if TYPE_CHECKING:
    from ingest.core.settings import OcrSettings

log = logging.getLogger(__name__)


@dataclass
class PdfOcrResult:
    texts: dict[int, str] = field(default_factory=dict)  # 0-based page index → OCR text
    confidences: dict[int, float] = field(default_factory=dict)  # 1-based page → mean confidence
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def visible_chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def pages_to_ocr(page_texts: list[str], min_chars: int) -> list[int]:
    """Indexes of pages whose text layer has fewer than `min_chars` visible characters."""
    return [i for i, t in enumerate(page_texts) if visible_chars(t) < min_chars]


def has_image(page: object) -> bool:
    """True when a pdfium page draws at least one image (blank pages are not OCR'd)."""
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))  # type: ignore[attr-defined]


def ocr_pdf_pages(path: Path, indexes: list[int], ocr: OcrSettings) -> PdfOcrResult:
    """Render and OCR the given pages (0-based) of `path`; a page over the pixel limit or over
    the time limit becomes a warning, not a failed file."""
    import pypdfium2 as pdfium

    from ingest.documents.loaders.ocr import OcrTimeout, confidence_warning, engine_error, ocr_image

    result = PdfOcrResult()
    if not indexes:
        return result
    if (err := engine_error(str(path), ocr.languages)) is not None:
        raise err
    started = time.perf_counter()
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise LoaderError(str(path), f"PDF를 OCR용으로 열 수 없습니다: {exc}") from exc
    scale = ocr.dpi / 72
    try:
        for done, index in enumerate(indexes, start=1):
            number = index + 1
            page = document[index]
            if not has_image(page):
                continue
            width, height = page.get_size()
            pixels = int(width * scale) * int(height * scale)
            if pixels > ocr.max_image_pixels:
                result.warnings.append(
                    f"{number}쪽 OCR 생략: 렌더링 크기 {pixels:,} 픽셀 > 제한 {ocr.max_image_pixels:,}"
                )
                continue
            image = page.render(scale=scale, grayscale=True).to_pil()
            try:
                read = ocr_image(image, ocr)
            except OcrTimeout as exc:
                result.warnings.append(f"{number}쪽 OCR 시간 제한 초과 ({exc}): 이 쪽은 색인하지 않았습니다")
                continue
            log.info(
                "%s: OCR %d/%d (page %d, %.1fs, confidence %.0f)",
                path, done, len(indexes), number, read.seconds, read.confidence,
            )  # fmt: skip
            result.texts[index] = read.text
            result.confidences[number] = read.confidence
            if read.text and read.confidence < ocr.min_confidence:
                result.warnings.append(confidence_warning(number, read.confidence, ocr.min_confidence))
    finally:
        document.close()
    result.seconds = time.perf_counter() - started
    return result
