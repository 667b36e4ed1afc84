"""Ingest benchmark over the whole statute corpus (../shared/data/statutes/kr-statutes.tar.gz).

Prints files, chunks, parse+chunk time (no embedding), the raw encoder's chunks/s on a sample of
the same chunks, the pipeline's embedding chunks/s, peak RSS and index size on disk.

    python scripts/bench_ingest.py [--files N] [--db DIR] [--sample 2000]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

from assistant.settings import load_settings
from ingest.chunking import chunk_document, token_counter
from ingest.embeddings import make_embeddings
from ingest.loaders import load_document
from ingest.model import LoaderError
from ingest.pipeline import discover_files, run_ingest


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--tar",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared/data/statutes/kr-statutes.tar.gz",
    )
    ap.add_argument("--files", type=int, default=0, help="only the first N files (0 = all)")
    ap.add_argument("--db", type=Path, help="index folder (default: a temporary one)")
    ap.add_argument("--sample", type=int, default=2000, help="chunks for the raw-encoder baseline")
    ap.add_argument("--parse-only", action="store_true")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    with tarfile.open(args.tar) as tar:
        tar.extractall(work, filter="data")
    files = discover_files([work], load_settings().ingest.extensions)
    if args.files:
        files = files[: args.files]
        keep = work / "subset"
        for f in files:
            dest = keep / f.relative_to(work)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest)
        files = discover_files([keep], load_settings().ingest.extensions)
        src = keep
    else:
        src = work
    settings = load_settings()
    count = token_counter(settings.chunking.encoding)

    t0 = time.perf_counter()
    chunks = []
    for f in files:
        try:
            chunks.extend(chunk_document(load_document(f), settings.chunking.max_tokens, count))
        except LoaderError as exc:
            print("failed:", exc)
    parse_s = time.perf_counter() - t0
    print(
        f"files {len(files)}  chunks {len(chunks)}  parse+chunk {parse_s:.1f}s ({len(files) / parse_s:.0f} files/s)"
    )
    if args.parse_only:
        return

    embeddings = make_embeddings(settings.embedding)
    sample = random.Random(0).sample(chunks, min(args.sample, len(chunks)))
    t0 = time.perf_counter()
    for i in range(0, len(sample), settings.store.add_batch_size):
        embeddings.embed_array([c.text for c in sample[i : i + settings.store.add_batch_size]])
    raw_rate = len(sample) / (time.perf_counter() - t0)
    print(f"raw encoder ({embeddings.model_id}): {raw_rate:.1f} chunks/s on {len(sample)} sampled chunks")

    db = args.db or work / "index"
    settings.store.db_dir = db
    report = run_ingest([src], settings, embeddings=embeddings)
    pipe_rate = report.chunks_embedded / max(report.embed_seconds, 1e-9)
    end_to_end = report.chunks_embedded / max(report.seconds, 1e-9)
    print(report.summary())
    print(
        f"pipeline embedding: {pipe_rate:.1f} chunks/s ({pipe_rate / raw_rate:.0%} of raw); "
        f"end to end {end_to_end:.1f} chunks/s ({end_to_end / raw_rate:.0%} of raw)"
    )
    print(
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
        f"index on disk {dir_size(db) / 1e6:.0f} MB"
    )


if __name__ == "__main__":
    main()
