"""Korean OCR of page images with Tesseract (Debian `tesseract-ocr`, `tesseract-ocr-kor`) through
pytesseract.

One page: grayscale → deskew (projection profile, ±`max_skew_degrees`) → Tesseract with a time
limit → text lines and the mean word confidence. A page that reads badly is checked for a
quarter-turn rotation with Tesseract's OSD (`--psm 0`) and read again when it was turned; OSD
runs only then because it costs about half a page read.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ingest.core.model import LoaderError

if TYPE_CHECKING:
    from PIL import Image

    from ingest.core.settings import OcrSettings

log = logging.getLogger(__name__)

DESKEW_WIDTH = 800  # the skew search runs on a copy this wide: enough for text lines, fast
MIN_SKEW_DEGREES = 0.3  # below this a rotation only blurs the glyphs


@dataclass(frozen=True)
class OcrPage:
    """What Tesseract read on one page."""

    text: str
    confidence: float  # mean word confidence 0-100 (0 when no word was found)
    words: int
    rotation: int  # quarter turns applied (degrees, clockwise), from OSD
    skew: float  # degrees the page was straightened by
    seconds: float


class OcrTimeout(Exception):
    """Tesseract did not finish a page within the time limit."""


@lru_cache(maxsize=4)
def check_engine(languages: str) -> None:
    """Raise LoaderError-ready RuntimeError when Tesseract or a language pack is missing."""
    import pytesseract

    try:
        available = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise RuntimeError(
            "OCR 엔진(tesseract)이 설치되어 있지 않습니다 (scripts/install-system-deps.sh 실행 필요)"
        ) from exc
    missing = [lang for lang in languages.split("+") if lang and lang not in available]
    if missing:
        raise RuntimeError(
            f"OCR 언어 데이터가 없습니다: {', '.join(missing)} (Debian 패키지 tesseract-ocr-{missing[0]})"
        )


def engine_error(name: str, languages: str) -> LoaderError | None:
    """A LoaderError naming the file when OCR cannot run on this machine, else None."""
    try:
        check_engine(languages)
    except RuntimeError as exc:
        return LoaderError(name, str(exc))
    return None


# --- geometry -----------------------------------------------------------------------------------


def estimate_skew(gray: Image.Image, max_degrees: float) -> float:
    """Angle (degrees, counter-clockwise) that makes text lines horizontal: the rotation whose
    row profile of dark pixels is the most peaked (coarse 0.5° steps, then 0.1°)."""
    import numpy as np
    from PIL import Image as PILImage

    scale = DESKEW_WIDTH / max(gray.width, 1)
    small = gray.resize((DESKEW_WIDTH, max(int(gray.height * scale), 1))) if scale < 1 else gray
    ink = small.point(lambda v: 255 if v < 128 else 0)  # text white on black: rotation fills black

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=PILImage.Resampling.NEAREST), dtype=np.float32).sum(
            axis=1
        )
        return float(np.var(rows))

    def best(candidates: list[float]) -> float:
        return max(candidates, key=score)

    steps = int(max_degrees / 0.5)
    coarse = best([i * 0.5 for i in range(-steps, steps + 1)])
    return round(best([coarse + i * 0.1 for i in range(-5, 6)]), 2)


def straighten(gray: Image.Image, angle: float) -> Image.Image:
    """The page rotated by `angle` degrees with white fill (bicubic, canvas expanded)."""
    from PIL import Image as PILImage

    return gray.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=255)


def detect_rotation(gray: Image.Image, timeout: float) -> int:
    """Clockwise quarter-turn (0/90/180/270) Tesseract's OSD says the page needs; 0 when OSD
    cannot tell (too little text)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0", timeout=timeout, output_type="dict")
    except (pytesseract.TesseractError, RuntimeError) as exc:
        log.debug("OSD failed: %s", exc)
        return 0
    return int(osd.get("rotate", 0)) % 360


# --- reading ------------------------------------------------------------------------------------


def lines_from_data(data: dict[str, list[Any]]) -> tuple[str, float, int]:
    """(text, mean word confidence, word count) from pytesseract's image_to_data dict: words
    joined by spaces within a line, a blank line between paragraphs."""
    lines: list[str] = []
    confs: list[float] = []
    current: tuple[int, int, int] | None = None
    words: list[str] = []
    for i, word in enumerate(data.get("text", [])):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key != current:
            if words:
                lines.append(" ".join(words))
            if current is not None and key[:2] != current[:2]:
                lines.append("")
            current, words = key, []
        words.append(word)
        confs.append(conf)
    if words:
        lines.append(" ".join(words))
    mean = sum(confs) / len(confs) if confs else 0.0
    return "\n".join(lines).strip(), mean, len(confs)


def _read(gray: Image.Image, ocr: OcrSettings) -> tuple[str, float, int]:
    """One Tesseract run writing both its text (whose word spacing is right for Korean; the TSV
    splits words into syllable groups) and its TSV (word confidences)."""
    from pytesseract import pytesseract as pt

    os.environ["OMP_THREAD_LIMIT"] = str(ocr.threads)  # Tesseract's own threads spin on a busy server
    with pt.save(gray) as (base, image_file):
        try:
            pt.run_tesseract(
                image_file,
                base,
                extension="txt",
                lang=ocr.languages,
                config=f"--oem 1 --psm {ocr.page_segmentation_mode} tsv",
                timeout=ocr.page_timeout_s,
            )
        except RuntimeError as exc:  # pytesseract's "Tesseract process timeout"
            if "timeout" in str(exc).lower():
                raise OcrTimeout(f"{ocr.page_timeout_s:g}초") from exc
            raise
        with open(f"{base}.txt", encoding="utf-8") as fh:
            text = fh.read()
        with open(f"{base}.tsv", encoding="utf-8") as fh:
            data = pt.file_to_dict(fh.read(), "\t", -1)
    _, conf, words = lines_from_data(data)
    return tidy_text(text), conf, words


def tidy_text(text: str) -> str:
    """Tesseract's text without form feeds and runs of blank lines."""
    lines = [ln.rstrip() for ln in text.replace("\f", "").split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def ocr_image(image: Image.Image, ocr: OcrSettings) -> OcrPage:
    """Read one page image: straighten, OCR, and retry turned when OSD finds it rotated."""
    started = time.perf_counter()
    gray = image.convert("L")
    skew = estimate_skew(gray, ocr.max_skew_degrees) if ocr.deskew else 0.0
    if abs(skew) >= MIN_SKEW_DEGREES:
        gray = straighten(gray, skew)
    text, conf, words = _read(gray, ocr)
    rotation = 0
    if ocr.detect_rotation and conf < ocr.min_confidence:
        rotation = detect_rotation(gray, ocr.page_timeout_s)
        if rotation:
            turned = gray.rotate(-rotation, expand=True)
            text2, conf2, words2 = _read(turned, ocr)
            if conf2 > conf:
                text, conf, words = text2, conf2, words2
            else:
                rotation = 0
    return OcrPage(text, conf, words, rotation, skew, time.perf_counter() - started)


def confidence_warning(page: int, conf: float, minimum: float) -> str:
    """Ingest-summary line for a page read with low confidence."""
    return f"{page}쪽 OCR 신뢰도 낮음 ({conf:.0f}점 < {minimum:.0f}점): 원문과 대조가 필요합니다"
