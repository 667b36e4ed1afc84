"""One loader per format. `load_document` picks the loader by the file's content (magic bytes),
falling back to the extension for text formats, and raises LoaderError with a precise reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.core.model import ErrorKind, LoadedDocument, LoaderError, LoadLimits
from ingest.documents.loaders.image import IMAGE_EXTENSIONS, image_kind

Loader = Callable[[Path, LoadLimits], LoadedDocument]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"

# What a file really is, for refusals that say more than "not a PDF" (a renamed program, a web
# page saved as .hwp, …). Only the first bytes are needed.
_CONTENT_MAGIC: tuple[tuple[bytes, str], ...] = (
    (PDF_MAGIC, "PDF 문서"),
    (OLE_MAGIC, "OLE 복합문서(HWP·DOC·XLS 등)"),
    (ZIP_MAGIC, "ZIP 압축 파일"),
    (b"MZ", "실행 파일(EXE)"),
    (b"\x7fELF", "실행 파일(ELF)"),
    (b"#!", "스크립트 파일"),
    (b"Rar!", "RAR 압축 파일"),
    (b"7z\xbc\xaf\x27\x1c", "7z 압축 파일"),
    (b"\x1f\x8b", "gzip 압축 파일"),
    (b"\x89PNG", "PNG 이미지"),
    (b"\xff\xd8\xff", "JPEG 이미지"),
    (b"II*\x00", "TIFF 이미지"),
    (b"MM\x00*", "TIFF 이미지"),
    (b"GIF8", "GIF 이미지"),
)
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<script", b"<body")


def describe_content(head: bytes) -> str | None:
    """A Korean name for what the first bytes show (``"실행 파일(EXE)"``, ``"HTML 문서"``), or None."""
    for magic, name in _CONTENT_MAGIC:
        if head.startswith(magic):
            return name
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_HTML_MARKS) or any(mark in start[:512] for mark in _HTML_MARKS[1:]):
        return "HTML 문서"
    if start.startswith(b"<?xml"):
        return "XML 문서"
    return None


def sniff_format(path: Path, head: bytes) -> str:
    """Return 'pdf', 'hwp', 'hwpx', 'docx', 'image', 'markdown' or 'text' from content and extension."""
    ext = path.suffix.lower()
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if image_kind(head) is not None and ext in IMAGE_EXTENSIONS:  # a .jpg that is a PNG is fine
        return "image"
    if head.startswith(OLE_MAGIC):
        if ext == ".hwp":
            return "hwp"
        raise LoaderError(
            str(path), f"OLE 복합문서이지만 HWP가 아닙니다 (확장자 {ext or '없음'})", ErrorKind.FORMAT
        )
    if head.startswith(ZIP_MAGIC):
        if b"mimetypeapplication/hwp+zip" in head or ext == ".hwpx":
            return "hwpx"
        if ext == ".docx":
            return "docx"
        raise LoaderError(
            str(path), f"알 수 없는 ZIP 기반 형식입니다 (확장자 {ext or '없음'})", ErrorKind.FORMAT
        )
    if ext in (".pdf", ".hwp", ".hwpx", ".docx", *IMAGE_EXTENSIONS):
        actual = describe_content(head)
        raise LoaderError(
            str(path),
            f"확장자는 {ext}이지만 내용이 그 형식이 아닙니다 ({f'실제로는 {actual}' if actual else '손상되었거나 다른 파일'})",
            ErrorKind.FORMAT,
        )
    if ext == ".md":
        return "markdown"
    if ext == ".txt":
        return "text"
    raise LoaderError(str(path), f"지원하지 않는 파일 형식입니다: {ext or '확장자 없음'}", ErrorKind.FORMAT)


def _loader_for(fmt: str) -> Loader:
    # Imported lazily so that a missing optional parser only affects its own format.
    if fmt == "pdf":
        from ingest.documents.loaders.pdf import load_pdf

        return load_pdf
    if fmt == "hwp":
        from ingest.documents.loaders.hwp import load_hwp

        return load_hwp
    if fmt == "hwpx":
        from ingest.documents.loaders.hwpx import load_hwpx

        return load_hwpx
    if fmt == "docx":
        from ingest.documents.loaders.docx import load_docx

        return load_docx
    if fmt == "image":
        from ingest.documents.loaders.image import load_image

        return load_image
    from ingest.documents.loaders.text import load_text

    return load_text


def load_document(path: str | Path, limits: LoadLimits | None = None) -> LoadedDocument:
    """Load one file of any supported format within `limits` (defaults: LoadLimits());
    raise LoaderError naming the file, the reason and its kind."""
    limits = limits or LoadLimits()
    p = Path(path)
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(128)
    except OSError as exc:
        raise LoaderError(
            str(p), f"파일을 읽을 수 없습니다: {exc.strerror or exc}", ErrorKind.UNREADABLE
        ) from exc
    if size == 0:
        raise LoaderError(str(p), "빈 파일입니다 (0 바이트)", ErrorKind.EMPTY)
    max_bytes = limits.max_file_bytes
    if max_bytes is not None and size > max_bytes:
        raise LoaderError(
            str(p), f"파일 크기 제한 초과: {size / 1e6:.2f} MB > {max_bytes / 1e6:.2f} MB", ErrorKind.SIZE
        )
    fmt = sniff_format(p, head)
    try:
        doc = _loader_for(fmt)(p, limits)
    except LoaderError:
        raise
    except Exception as exc:  # a parser bug or a corrupt file must not stop the whole job
        raise LoaderError(
            str(p), f"{fmt} 파일을 해석하지 못했습니다 (손상된 파일?): {type(exc).__name__}: {exc}"
        ) from exc
    visible = len("".join(doc.text.split()))
    if visible < limits.min_text_chars:
        raise LoaderError(str(p), f"추출된 텍스트가 없습니다 ({visible}자)", ErrorKind.NO_TEXT)
    return doc
