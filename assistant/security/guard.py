"""Checks of what staff type and upload, before anything reaches a chain or the index.

Pure functions of (input, settings): they return the cleaned input or raise
:class:`InputRejected` whose message (Korean) can be shown to the user as is.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from ingest.core.model import ErrorKind, LoaderError, LoadLimits
from ingest.documents.loaders import describe_content, sniff_format
from ingest.documents.loaders.image import check_image
from ingest.documents.loaders.pdf_text import check_page_count, open_reader
from ingest.documents.loaders.ziputil import check_zip_safety

# Invisible characters that only hide text from a reviewer: dropped from questions.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Bidirectional overrides reorder what is displayed ("Trojan Source"): refused.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROL = frozenset("\n\t")
_MAX_REPLACEMENT_SHARE = 0.05  # "\ufffd" from a bad decode: a few are a typo, many are binary
_TEXT_FORMATS = ("markdown", "text")
MAX_NAME_BYTES = 200  # file systems allow 255 bytes; room for a "-1" suffix and temporary names
_ZIP_MEMBERS = {"hwpx": "Contents/", "docx": "word/document.xml"}


class InputRejected(ValueError):
    """Input refused; ``str(exc)`` is the Korean message for the user, ``kind`` why (recorded in
    the audit log), ``reason`` the message without the file name."""

    def __init__(self, message: str, kind: ErrorKind, reason: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason or message


def check_question(text: Any, settings: Any) -> str:
    """The question, NFC-normalised and stripped; refuses empty, over-long and garbage input."""
    if not isinstance(text, str):
        raise InputRejected("질문은 글자로 입력해 주세요.", ErrorKind.TYPE)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_INVISIBLE).strip()
    if not text:
        raise InputRejected("질문을 입력해 주세요.", ErrorKind.EMPTY)
    limit = settings.security.max_question_chars
    if len(text) > limit:
        raise InputRejected(
            f"질문이 너무 깁니다 ({len(text):,}자). {limit:,}자 이내로 줄여서 다시 입력해 주세요.",
            ErrorKind.TOO_LONG,
        )
    if "\x00" in text:
        raise InputRejected(
            "질문에 허용되지 않는 문자(NUL)가 있습니다. 질문을 다시 입력해 주세요.", ErrorKind.CONTROL
        )
    if any(_is_control(ch) for ch in text):
        raise InputRejected("질문에 제어 문자가 섞여 있습니다. 질문을 다시 입력해 주세요.", ErrorKind.CONTROL)
    if any(ch in _BIDI for ch in text):
        raise InputRejected(
            "질문에 글자 방향을 바꾸는 특수 문자가 있습니다. 질문을 다시 입력해 주세요.", ErrorKind.CONTROL
        )
    if text.count("\ufffd") > max(1, _MAX_REPLACEMENT_SHARE * len(text)):
        raise InputRejected(
            "질문에 깨진 글자가 많습니다. 원문을 확인해 다시 입력해 주세요.", ErrorKind.GARBAGE
        )
    return text


def _is_control(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (category == "Cc" and ch not in _ALLOWED_CONTROL) or category == "Cs"


def check_upload(name: str, data: bytes, settings: Any) -> str:
    """The format of an uploaded file judged by its content ('pdf', 'hwp', 'hwpx', 'docx', 'image',
    'markdown', 'text'); refuses files that are empty, too large, of another kind than their
    extension says, corrupt, over the PDF page limit or zip bombs."""
    display = check_file_name(name)
    limits = LoadLimits.from_settings(settings)
    if not data:
        raise _rejected(display, "빈 파일입니다 (0 바이트)", ErrorKind.EMPTY)
    max_bytes = limits.max_file_bytes or 0  # the same MB as the ingest job
    if len(data) > max_bytes:
        raise _rejected(
            display,
            f"파일 크기 제한 초과: {len(data) / 1e6:.2f} MB > {max_bytes / 1e6:.2f} MB",
            ErrorKind.SIZE,
        )
    ext = Path(display).suffix.lower()
    if ext not in settings.ingest.extensions:
        allowed = ", ".join(settings.ingest.extensions)
        raise _rejected(
            display,
            f"지원하지 않는 파일 형식입니다: {ext or '확장자 없음'} (가능: {allowed})",
            ErrorKind.FORMAT,
        )
    head = data[:1024]
    try:
        fmt = sniff_format(Path(display), head)
        _check_container(fmt, display, data, limits)
    except LoaderError as exc:
        raise _rejected(display, exc.reason, exc.kind) from exc
    return fmt


def check_file_name(name: str) -> str:
    """The last path part of an uploaded file's name; refuses names that are empty, too long for
    a file system, or carry control or text-direction characters (a name that displays as
    "report.pdf" may really end in ".exe")."""
    display = Path(str(name).replace("\\", "/")).name
    shown = display[:40] + ("…" if len(display) > 40 else "")
    if not Path(display).stem.strip(" ."):
        raise InputRejected("파일 이름이 비어 있습니다. 이름을 붙여 다시 올려 주세요.", ErrorKind.NAME)
    if len(display.encode("utf-8")) > MAX_NAME_BYTES:
        raise _rejected(
            shown,
            f"파일 이름이 너무 깁니다 ({len(display)}자). UTF-8 {MAX_NAME_BYTES}바이트(한글 약 66자) 이내로 줄여 주세요",
            ErrorKind.NAME,
        )
    if any(ch in _BIDI or _is_control(ch) or ch in "\r\n\t" for ch in display):
        raise _rejected(
            ascii(display)[1:-1][:60],
            "파일 이름에 제어 문자나 글자 방향을 바꾸는 특수 문자가 있습니다. 이름을 바꿔 다시 올려 주세요",
            ErrorKind.NAME,
        )
    return display


def _rejected(name: str, reason: str, kind: ErrorKind) -> InputRejected:
    return InputRejected(f"'{name}' 파일을 받을 수 없습니다: {reason}", kind, reason)


def _check_container(fmt: str, name: str, data: bytes, limits: LoadLimits) -> None:
    """Open the file's container just enough to know it is whole and within the limits."""
    if fmt == "pdf":
        reader = open_reader(io.BytesIO(data), name)
        check_page_count(name, len(reader.pages), limits.max_pdf_pages)
    elif fmt in _ZIP_MEMBERS:
        _check_zip(fmt, name, data, limits)
    elif fmt == "hwp":
        _check_ole(name, data)
    elif fmt == "image":
        check_image(io.BytesIO(data), name, limits.ocr.max_image_pixels, limits.max_pdf_pages)
    elif fmt in _TEXT_FORMATS:
        actual = describe_content(data[:1024])
        if actual is not None or b"\x00" in data[:8192]:
            raise LoaderError(
                name,
                f"텍스트 파일이 아닙니다 ({f'실제로는 {actual}' if actual else '바이너리 내용'})",
                ErrorKind.FORMAT,
            )


def _check_zip(fmt: str, name: str, data: bytes, limits: LoadLimits) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoaderError(name, f"ZIP 컨테이너가 손상되었습니다 (잘린 파일?): {exc}") from exc
    with zf:
        check_zip_safety(zf, name, limits)
        member = _ZIP_MEMBERS[fmt]
        if not any(n.startswith(member) for n in zf.namelist()):
            raise LoaderError(
                name, f"{fmt.upper()} 문서의 본문({member})이 없습니다 (손상되었거나 다른 ZIP 파일)"
            )


def _check_ole(name: str, data: bytes) -> None:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("FileHeader"):
                raise LoaderError(name, "HWP 파일 머리(FileHeader)가 없습니다 (HWP가 아닌 OLE 문서)")
    except LoaderError:
        raise
    except Exception as exc:  # olefile raises OSError, struct.error, … on truncated files
        raise LoaderError(name, f"HWP 파일이 손상되었습니다: {type(exc).__name__}: {str(exc)[:120]}") from exc
