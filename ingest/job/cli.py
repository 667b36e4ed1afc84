"""`python -m ingest PATH... [--db DIR] [--collection NAME] [--rebuild] [--stats]`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ingest.core.settings import load_settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m ingest", description="법령·지침 문서를 색인합니다.")
    ap.add_argument("paths", nargs="*", type=Path, help="files or folders to index")
    ap.add_argument("--db", type=Path, help="index folder (default from settings)")
    ap.add_argument("--collection", help="Chroma collection name")
    ap.add_argument("--chroma-url", help="use a `chroma run` server at this URL")
    ap.add_argument("--config", type=Path, help="settings file (default config.toml)")
    ap.add_argument(
        "--rebuild",
        action="store_true",
        help="build a new index generation (e.g. after changing the embedding model) while the current "
        "one keeps serving, and switch to it when complete; without PATHs, the files indexed now",
    )
    ap.add_argument("--stats", action="store_true", help="print what is indexed and exit")
    ap.add_argument(
        "--refresh-keywords", action="store_true", help="rebuild only the keyword index from the manifest"
    )
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = load_settings(args.config)
    if args.db:
        settings.store.db_dir = args.db
    if args.collection:
        settings.store.collection = args.collection
    if args.chroma_url:
        settings.store.chroma_url = args.chroma_url

    from ingest.index.stats import index_stats, open_manifest
    from ingest.index.store import EmbeddingMismatchError
    from ingest.job.pipeline import RebuildCheckError, refresh_keyword_index, run_ingest

    if args.refresh_keywords:
        print(f"키워드 색인 스냅숏: {refresh_keyword_index(settings)}")
        return 0
    if args.stats:
        print(json.dumps(index_stats(settings, lay_text=True), ensure_ascii=False, indent=2))
        return 0
    if not args.paths and args.rebuild:
        manifest = open_manifest(settings)
        if manifest is not None:
            args.paths = [Path(p) for p in sorted(manifest.files()) if Path(p).exists()]
            manifest.close()
    if not args.paths:
        print("색인할 파일이나 폴더를 지정하세요 (예: python -m ingest corpus/)", file=sys.stderr)
        return 2
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print("경로가 없습니다: " + ", ".join(map(str, missing)), file=sys.stderr)
        return 2

    bar = None
    started = time.perf_counter()

    def progress(done: int, total: int, embedded: int) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="file", desc="색인")
        rate = embedded / max(time.perf_counter() - started, 1e-9)
        bar.set_postfix(chunks=embedded, chunks_per_s=f"{rate:.0f}")
        bar.n = done
        bar.refresh()

    try:
        report = run_ingest(args.paths, settings, rebuild=args.rebuild, progress=progress)
    except (RebuildCheckError, EmbeddingMismatchError, RuntimeError) as exc:
        print(f"색인하지 못했습니다: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    print(report.summary())
    return 1 if report.failed else 0
