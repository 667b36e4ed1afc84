"""Photos and scans as images (PNG, JPEG, TIFF incl. multi-page TIFF), read by OCR page by page."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ingest.core.model import PAGE_BREAK, ErrorKind, LoadedDocument, LoaderError, LoadLimits
from ingest.documents.loaders.textnorm import normalize_text, tidy_lines, title_from_stem

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def image_kind(head: bytes) -> str | None:
    """'PNG', 'JPEG' or 'TIFF' from the first bytes, else None."""
    return next((kind for magic, kind in IMAGE_MAGIC if head.startswith(magic)), None)


def _open(source: Path | IO[bytes], name: str) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit decides
            return Image.open(source)
    except Image.DecompressionBombError as exc:
        raise LoaderError(name, f"이미지가 너무 큽니다 (픽셀 수 제한 초과): {exc}", ErrorKind.PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise LoaderError(
            name, f"이미지 파일이 손상되었거나 읽을 수 없습니다: {type(exc).__name__}: {exc}"
        ) from exc


def check_pixels(name: str, size: tuple[int, int], max_pixels: int, page: int | None = None) -> None:
    """Refuse a frame over the pixel-count limit before it is decoded."""
    w, h = size
    if w * h > max_pixels:
        where = f" ({page}쪽)" if page else ""
        raise LoaderError(
            name,
            f"이미지 픽셀 수 제한 초과{where}: {w:,}×{h:,} = {w * h:,} > {max_pixels:,} 픽셀",
            ErrorKind.PIXELS,
        )


def iter_frames(
    source: Path | IO[bytes], name: str, max_pixels: int, max_frames: int
) -> Iterator[Image.Image]:
    """Each page of an image (TIFF pages, else the one frame), checked and decoded; LoaderError
    naming the file for a corrupt, oversized or over-long one."""
    from PIL import ImageSequence

    image = _open(source, name)
    with image:
        n = getattr(image, "n_frames", 1)
        if n > max_frames:
            raise LoaderError(name, f"이미지 쪽수 제한 초과: {n:,}쪽 > {max_frames:,}쪽")
        try:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                check_pixels(name, frame.size, max_pixels, number if n > 1 else None)
                frame.load()
                yield frame
        except LoaderError:
            raise
        except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or garbled data
            raise LoaderError(
                name, f"이미지 파일이 손상되었습니다 (잘렸거나 깨진 데이터): {type(exc).__name__}: {exc}"
            ) from exc


def check_image(source: Path | IO[bytes], name: str, max_pixels: int, max_frames: int) -> int:
    """Number of pages of a whole, decodable image within the limits (upload check)."""
    return sum(1 for _ in iter_frames(source, name, max_pixels, max_frames))


def load_image(path: Path, limits: LoadLimits) -> LoadedDocument:
    """OCR every page of an image file; one page per TIFF frame, page breaks between them."""
    from ingest.documents.loaders.ocr import OcrTimeout, confidence_warning, engine_error, ocr_image

    ocr, max_pages, min_text_chars = limits.ocr, limits.max_pdf_pages, limits.min_text_chars
    name = str(path)
    if not ocr.enabled:
        raise LoaderError(
            name, "이미지 파일은 OCR로만 읽을 수 있는데 OCR이 꺼져 있습니다 (settings.ocr.enabled)"
        )
    if (err := engine_error(name, ocr.languages)) is not None:
        raise err
    texts: list[str] = []
    confidences: dict[int, float] = {}
    warnings_: list[str] = []
    started = time.perf_counter()
    for number, frame in enumerate(iter_frames(path, name, ocr.max_image_pixels, max_pages), start=1):
        try:
            page = ocr_image(frame, ocr)
        except OcrTimeout as exc:
            warnings_.append(f"{number}쪽 OCR 시간 제한 초과 ({exc}): 이 쪽은 색인하지 않았습니다")
            texts.append("")
            continue
        log.info("%s: OCR page %d (%.1fs, confidence %.0f)", name, number, page.seconds, page.confidence)
        texts.append(tidy_lines(normalize_text(page.text)))
        confidences[number] = page.confidence
        if page.text and page.confidence < ocr.min_confidence:
            warnings_.append(confidence_warning(number, page.confidence, ocr.min_confidence))
    visible = sum(1 for t in texts for ch in t if not ch.isspace())
    if visible < min_text_chars:
        timeouts = [w for w in warnings_ if "시간 제한" in w]
        raise LoaderError(
            name,
            timeouts[0] if timeouts and len(timeouts) == len(texts) else
            f"이미지에서 글자를 찾지 못했습니다 (OCR 결과 {visible}자; 글자가 없는 사진이거나 해상도가 너무 낮음)",
            ErrorKind.NO_TEXT,
        )  # fmt: skip
    meta = {
        "source_format": "image",
        "pages": len(texts),
        "ocr_seconds": round(time.perf_counter() - started, 2),
    }
    text = f"\n{PAGE_BREAK}\n".join(texts)
    title = title_from_stem(path.stem) or path.stem
    return LoadedDocument(
        name, title, "guideline", text, meta, paged=True, ocr_pages=confidences, warnings=warnings_
    )
