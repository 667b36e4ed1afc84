"""One PDF page as a PNG with the cited passage highlighted (pypdfium2 renders the page and
gives the character boxes of its text layer; Pillow draws translucent rectangles over them)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from assistant.app.original.locate import Span, coverage, find_passage, find_passages

Box = tuple[float, float, float, float]  # left, top, right, bottom in image pixels
PASSAGE_FILL = (255, 214, 0, 80)  # the cited passage: light yellow
MARK_FILL = (255, 140, 0, 110)  # the sentences the answer rests on: orange
# Word boxes on one line closer than this (in PDF points, times the line height) are one box.
_LINE_GAP = 1.5


@dataclass(frozen=True)
class PageImage:
    """A rendered page and what was highlighted on it."""

    png: bytes
    page: int  # 1-based
    pages: int  # pages in the document
    passage_boxes: tuple[Box, ...] = ()
    mark_boxes: tuple[Box, ...] = ()
    has_text: bool = True  # False: an image-only (scanned) page without a text layer
    found: float = 0.0  # share of the passage found on this page (0–1)

    @property
    def highlighted(self) -> bool:
        return bool(self.passage_boxes or self.mark_boxes)


class PageRenderError(Exception):
    """The original cannot be drawn (not a readable PDF or image any more); str() is Korean."""


def _open(pdf: Path | bytes) -> Any:
    try:
        return pdfium.PdfDocument(pdf)
    except (pdfium.PdfiumError, OSError) as exc:
        raise PageRenderError(f"원본 PDF를 열 수 없습니다 (손상되었거나 다른 파일로 바뀜: {exc})") from exc


def page_count(pdf: Path | bytes) -> int:
    doc = _open(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def best_page(pdf: Path | bytes, page: int, passage: str, lookahead: int = 2) -> int:
    """The page among `page` … `page + lookahead` that holds most of `passage`: a chunk's page is
    where its first line stands, which may be the last lines of a page before the section."""
    doc = _open(pdf)
    try:
        best, share = page, 0.0
        for n in range(page, min(page + lookahead, len(doc)) + 1):
            text = doc[n - 1].get_textpage().get_text_range()
            found = coverage(passage, find_passage(text, passage), text)
            if found > share + 0.05:  # a clearly larger share, else the earlier page
                best, share = n, found
        return best
    finally:
        doc.close()


def image_png(path: Path) -> bytes:
    """A photo or scan (PNG, JPEG, TIFF: browsers do not show TIFF) as PNG, its first frame."""
    try:
        with Image.open(path) as image:
            buf = io.BytesIO()
            image.convert("RGB").save(buf, format="PNG")
            return buf.getvalue()
    except (OSError, Image.DecompressionBombError) as exc:
        raise PageRenderError(f"원본 이미지를 열 수 없습니다 ({type(exc).__name__})") from exc


def merge_line_boxes(rects: Sequence[Box]) -> list[Box]:
    """Word rectangles (PDF coordinates: left, bottom, right, top) joined into one per line run."""
    out: list[list[float]] = []
    for left, bottom, right, top in rects:
        if out:
            last = out[-1]
            height = max(last[3] - last[1], top - bottom, 1.0)
            # a small glyph (middle dot, comma) overlaps the line mostly: compare with the smaller box
            overlap = min(last[3], top) - max(last[1], bottom)
            same_line = overlap > 0.5 * max(min(last[3] - last[1], top - bottom), 0.1)
            if same_line and -1.0 <= left - last[2] <= _LINE_GAP * height:
                last[1], last[2], last[3] = min(last[1], bottom), max(last[2], right), max(last[3], top)
                continue
        out.append([left, bottom, right, top])
    return [(a, b, c, d) for a, b, c, d in out]


def _span_rects(textpage: Any, spans: Sequence[Span]) -> list[Box]:
    rects: list[Box] = []
    for start, end in spans:
        n = textpage.count_rects(start, end - start)
        rects.extend(merge_line_boxes([textpage.get_rect(i) for i in range(n)]))
    return rects


def _to_pixels(rects: Sequence[Box], crop: Box, rotation: int, scale: float) -> tuple[Box, ...]:
    """PDF rectangles (left, bottom, right, top) as pixel boxes of the page rendered at `scale`
    with its /Rotate applied (pdfium renders the rotation; the text layer is in unrotated space)."""
    left, bottom, right, top = crop
    width, height = right - left, top - bottom
    pad = 1.0

    def point(x: float, y: float) -> tuple[float, float]:
        px, py = x - left, top - y  # unrotated image coordinates
        if rotation == 90:
            px, py = height - py, px
        elif rotation == 180:
            px, py = width - px, height - py
        elif rotation == 270:
            px, py = py, width - px
        return px * scale, py * scale

    out: list[Box] = []
    for a, b, c, d in rects:
        (x0, y0), (x1, y1) = point(a - pad, b - pad), point(c + pad, d + pad)
        out.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return tuple(out)


def draw_boxes(image: Image.Image, boxes: Sequence[Box], fill: tuple[int, int, int, int]) -> Image.Image:
    """`image` with translucent rectangles over `boxes`."""
    if not boxes:
        return image
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in boxes:
        draw.rectangle(box, fill=fill)
    return Image.alpha_composite(image.convert("RGBA"), overlay)


def render_page(
    pdf: Path | bytes,
    page: int,
    passage: str = "",
    marks: Sequence[str] = (),
    scale: float = 1.5,
    max_side: int = 2400,
) -> PageImage:
    """Page `page` (1-based) of `pdf` as PNG with `passage` (light) and `marks` (strong)
    highlighted where its text layer has them, at `scale` (smaller for pages whose longer side
    would pass `max_side` pixels); PageRenderError for an unreadable file or a missing page."""
    doc = _open(pdf)
    try:
        if not 1 <= page <= len(doc):
            raise PageRenderError(f"{page}쪽이 없습니다 (전체 {len(doc)}쪽)")
        pdf_page = doc[page - 1]
        scale = min(scale, max_side / max(*pdf_page.get_size(), 1.0))
        textpage = pdf_page.get_textpage()
        text = textpage.get_text_range()
        passage_spans = find_passage(text, passage) if passage else []
        mark_spans = find_passages(text, marks)
        crop = pdf_page.get_cropbox()
        rotation = pdf_page.get_rotation()
        passage_boxes = _to_pixels(_span_rects(textpage, passage_spans), crop, rotation, scale)
        mark_boxes = _to_pixels(_span_rects(textpage, mark_spans), crop, rotation, scale)
        image = pdf_page.render(scale=scale).to_pil()
        image = draw_boxes(draw_boxes(image, passage_boxes, PASSAGE_FILL), mark_boxes, MARK_FILL)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG", optimize=True)
        return PageImage(
            png=buf.getvalue(),
            page=page,
            pages=len(doc),
            passage_boxes=passage_boxes,
            mark_boxes=mark_boxes,
            has_text=bool(text.strip()),
            found=coverage(passage, passage_spans, text) if passage else 0.0,
        )
    finally:
        doc.close()
