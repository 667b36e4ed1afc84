"""Zip-bomb guard shared by the ZIP-based formats (HWPX, DOCX)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.model import LoaderError

MIB = 1024 * 1024
# Limit on all members together, in bytes. None = ``settings.security.max_unzipped_mb`` (the one
# place of the default); set only to override it in a test.
MAX_TOTAL_UNCOMPRESSED: int | None = None
MAX_RATIO = 100  # uncompressed / compressed, per member
# Below this size a high ratio is harmless (a few KB of repeated spaces compress > 100:1).
RATIO_MIN_SIZE = 1024 * 1024

ZIP_BOMB_REASON = "압축 해제 크기가 비정상적으로 큽니다 (zip bomb 의심)"


def max_total_bytes(max_unzipped_mb: float | None = None) -> int:
    """The total-size limit: `max_unzipped_mb` if given, else the override, else the settings."""
    if max_unzipped_mb is not None:
        return int(max_unzipped_mb * MIB)
    if MAX_TOTAL_UNCOMPRESSED is not None:
        return MAX_TOTAL_UNCOMPRESSED
    from assistant.settings import get_settings

    return int(get_settings().security.max_unzipped_mb * MIB)


def check_zip_safety(
    zf: zipfile.ZipFile,
    path: Path | str,
    max_total: int | None = None,
    max_ratio: float | None = None,
) -> None:
    """Raise LoaderError when the declared sizes look like a zip bomb.

    Declared sizes are trustworthy enough: ZipExtFile never returns more bytes than the
    central directory declares, so a lying header cannot inflate past this check.
    """
    max_total = max_total_bytes() if max_total is None else max_total
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if total > max_total:
            raise LoaderError(
                str(path), f"{ZIP_BOMB_REASON}: 전체 {max_total / MIB:g} MB 제한 초과 ({info.filename}까지)"
            )
        if info.file_size >= RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                raise LoaderError(str(path), f"{ZIP_BOMB_REASON}: {info.filename} 압축률 {ratio:.0f}:1")


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a ZIP container after the bomb check; corrupt archives raise LoaderError."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoaderError(str(path), f"ZIP 컨테이너가 손상되었습니다: {exc}") from exc
    try:
        check_zip_safety(zf, path)
    except LoaderError:
        zf.close()
        raise
    return zf
