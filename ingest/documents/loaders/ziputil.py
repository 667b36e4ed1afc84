"""Zip-bomb guard shared by the ZIP-based formats (HWPX, DOCX)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.core.model import MIB, ErrorKind, LoaderError, LoadLimits

MAX_RATIO = 100  # uncompressed / compressed, per member
# Below this size a high ratio is harmless (a few KB of repeated spaces compress > 100:1).
RATIO_MIN_SIZE = 1024 * 1024

ZIP_BOMB_REASON = "압축 해제 크기가 비정상적으로 큽니다 (zip bomb 의심)"


def check_zip_safety(zf: zipfile.ZipFile, path: Path | str, limits: LoadLimits) -> None:
    """Raise LoaderError when the declared sizes look like a zip bomb.

    Declared sizes are trustworthy enough: ZipExtFile never returns more bytes than the
    central directory declares, so a lying header cannot inflate past this check.
    """
    max_total = limits.max_unzipped_bytes
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if total > max_total:
            raise LoaderError(
                str(path),
                f"{ZIP_BOMB_REASON}: 전체 {max_total / MIB:g} MB 제한 초과 ({info.filename}까지)",
                ErrorKind.ZIP_BOMB,
            )
        if info.file_size >= RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise LoaderError(
                    str(path), f"{ZIP_BOMB_REASON}: {info.filename} 압축률 {ratio:.0f}:1", ErrorKind.ZIP_BOMB
                )


def open_zip(path: Path, limits: LoadLimits) -> zipfile.ZipFile:
    """Open a ZIP container after the bomb check; corrupt archives raise LoaderError."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoaderError(str(path), f"ZIP 컨테이너가 손상되었습니다: {exc}") from exc
    try:
        check_zip_safety(zf, path, limits)
    except LoaderError:
        zf.close()
        raise
    return zf
