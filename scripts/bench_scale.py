"""Scale curve: ingest and query the statute corpus at several sizes, embedded Chroma vs a
`chroma run` server.

Per (fraction, mode): files, chunks, ingest wall time and chunks/s, peak RSS of the ingest process
(and of the server), index size on disk, query p50/p95/p99 of HybridRetriever.search over the dev
QA questions (query embedding included, after a warm-up) and the RSS of the process holding the
retriever afterwards (the app's memory). Each ingest and each query phase runs in its own process.

    python scripts/bench_scale.py [--fractions 0.1 0.3 1.0] [--modes embedded server]
        [--reuse-index /tmp/full-idx] [--work DIR] [--out bench-out/scale] [--resume]

`--reuse-index DIR` (a complete embedded index of the whole corpus) replaces the 100 % ingest: the
embedded run queries a copy of it (ingest time "not measured in this run"); the server run copies
its vectors, documents and metadata into a fresh server (copy time reported separately, not an
ingest time). Results are written after every run; `--resume` skips runs already in scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TAR = ROOT.parent / "shared/data/statutes/kr-statutes.tar.gz"
QA_FILES = [
    ROOT.parent / "shared/data/qa/koblex-dev.jsonl",
    ROOT.parent / "shared/data/qa/firesafety-dev.jsonl",
]
WARMUP = 10
NOT_MEASURED = "not measured in this run"


# --- small helpers ---
def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def proc_status_mb(pid: int, field: str) -> float:
    """VmRSS / VmHWM (peak) of a process from /proc, in MB (0 when gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


def sample_files(files: list[Path], fraction: float) -> list[Path]:
    """Deterministic, evenly spread sample: file i is kept when floor((i+1)·p) > floor(i·p)."""
    per_mille = round(fraction * 1000)
    return [f for i, f in enumerate(files) if (i + 1) * per_mille // 1000 > i * per_mille // 1000]


def corpus_files(corpus: Path | None, work: Path) -> list[Path]:
    from ingest.core.settings import load_settings
    from ingest.job.pipeline import discover_files

    if corpus is None:
        corpus = Path("/tmp/statutes/kr")
        if not corpus.is_dir():
            with tarfile.open(TAR) as tar:
                tar.extractall(work / "corpus", filter="data")
            corpus = work / "corpus/kr"
    return sorted(discover_files([corpus], load_settings().ingest.extensions), key=str)


def questions() -> list[str]:
    from assistant.bench.datasets import read_qa_file

    return [item.query for path in QA_FILES for item in read_qa_file(path).items]


def settings_for(db: Path, url: str | None) -> Any:
    from ingest.core.settings import load_settings

    s = load_settings()
    s.store.db_dir = db
    s.store.chroma_url = url
    s.embedding.threads = 1
    s.llm.backend = "none"
    return s


# --- workers (each in its own process) ---
def worker_ingest(spec: dict[str, Any]) -> dict[str, Any]:
    from ingest.job.pipeline import run_ingest

    files = [Path(p) for p in Path(spec["list"]).read_text(encoding="utf-8").splitlines()]
    t0 = time.perf_counter()
    report = run_ingest(files, settings_for(Path(spec["db"]), spec.get("url")))
    wall = time.perf_counter() - t0
    return {
        "files_indexed": len(report.added) + len(report.updated),
        "files_failed": len(report.failed),
        "chunks": report.chunks_total,
        "chunks_embedded": report.chunks_embedded,
        "ingest_s": wall,
        "embed_s": report.embed_seconds,
        "parse_s": report.parse_seconds,
        "keyword_s": report.keyword_seconds,
        "ingest_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def worker_copy(spec: dict[str, Any]) -> dict[str, Any]:
    """Copy an embedded index's collection into the server (paged get → add)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from ingest.index.embeddings import make_embeddings
    from ingest.index.store import make_client, open_collection

    s = settings_for(Path(spec["db"]), spec["url"])
    embeddings = make_embeddings(s.embedding)
    src_client = chromadb.PersistentClient(
        path=str(Path(spec["src"]) / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    src = open_collection(src_client, s.store.collection, embeddings, create=False)
    dst = open_collection(make_client(s.store), s.store.collection, embeddings, create=True)
    page, offset, copied = int(spec.get("page", 2000)), 0, 0
    t0 = time.perf_counter()
    while True:
        got = src.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
        if not got["ids"]:
            break
        for i in range(0, len(got["ids"]), 1000):
            dst.add(
                ids=got["ids"][i : i + 1000],
                embeddings=got["embeddings"][i : i + 1000],
                documents=got["documents"][i : i + 1000],
                metadatas=got["metadatas"][i : i + 1000],
            )
        copied += len(got["ids"])
        offset += page
    return {"copied": copied, "copy_s": time.perf_counter() - t0, "server_count": dst.count()}


def worker_query(spec: dict[str, Any]) -> dict[str, Any]:
    from assistant.search.retrieval import HybridRetriever
    from ingest.index.embeddings import make_embeddings

    s = settings_for(Path(spec["db"]), spec.get("url"))
    qs = questions()
    t0 = time.perf_counter()
    retriever = HybridRetriever(s, embeddings=make_embeddings(s.embedding))
    retriever.search("민원 처리기간", k=1)
    load_s = time.perf_counter() - t0
    for q in qs[:WARMUP]:
        retriever.search(q)
    load1 = os.getloadavg()[0]
    times = []
    for q in qs:
        t = time.perf_counter()
        retriever.search(q)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "queries": len(times),
        "retriever_load_s": load_s,
        "query_p50_ms": percentile(times, 50),
        "query_p95_ms": percentile(times, 95),
        "query_p99_ms": percentile(times, 99),
        "query_mean_ms": sum(times) / len(times),
        "app_rss_mb": proc_status_mb(os.getpid(), "VmRSS"),
        "app_peak_rss_mb": proc_status_mb(os.getpid(), "VmHWM"),
        "loadavg_during_queries": [round(load1, 2), round(os.getloadavg()[0], 2)],
        "indexed_chunks": len(retriever),
    }


WORKERS = {"ingest": worker_ingest, "copy": worker_copy, "query": worker_query}


def run_worker(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one worker in a fresh Python process; its JSON result is the last stdout line."""
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--spec", json.dumps(spec)],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker failed ({proc.returncode}): {proc.stdout[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- one (fraction, mode) run ---
def run_one(fraction: float, mode: str, files: list[Path], work: Path, reuse: Path | None) -> dict[str, Any]:
    from ingest.index.chroma_server import start_chroma_server

    tag = f"{mode}-{round(fraction * 100)}"
    db = work / tag / "db"
    server_dir = work / tag / "server"
    shutil.rmtree(work / tag, ignore_errors=True)
    db.mkdir(parents=True)
    picked = sample_files(files, fraction)
    listing = work / tag / "files.txt"
    listing.write_text("\n".join(map(str, picked)), encoding="utf-8")
    row: dict[str, Any] = {"fraction": fraction, "mode": mode, "files": len(picked)}
    server = start_chroma_server(server_dir) if mode == "server" else None
    url = server.url if server else None
    try:
        if reuse is not None and fraction >= 1.0:
            row.update(_reuse(reuse, db, url, work))
        else:
            res = run_worker("ingest", {"list": str(listing), "db": str(db), "url": url})
            res["ingest_chunks_per_s"] = res["chunks_embedded"] / max(res["ingest_s"], 1e-9)
            row.update(res)
        if server and server.proc:
            row["server_peak_rss_mb_after_ingest"] = proc_status_mb(server.proc.pid, "VmHWM")
        row["index_mb"] = (dir_size(db) + dir_size(server_dir)) / 1e6
        row["index_mb_db_dir"] = dir_size(db) / 1e6
        row["index_mb_server_dir"] = dir_size(server_dir) / 1e6 if server else None
        row.update(run_worker("query", {"db": str(db), "url": url}))
        if server and server.proc:
            row["server_rss_mb_after_queries"] = proc_status_mb(server.proc.pid, "VmRSS")
            row["server_peak_rss_mb"] = proc_status_mb(server.proc.pid, "VmHWM")
    finally:
        if server:
            server.stop()
    return row


def _reuse(reuse: Path, db: Path, url: str | None, work: Path) -> dict[str, Any]:
    """100 % from an existing embedded index: a copy (embedded) or a copy into the server."""
    from ingest.index.manifest import Manifest

    embedded_copy = work / "reuse-copy"
    if not (embedded_copy / "manifest.sqlite3").exists():
        shutil.rmtree(embedded_copy, ignore_errors=True)
        shutil.copytree(reuse, embedded_copy)
    if url is None:
        shutil.rmtree(db)
        shutil.copytree(embedded_copy, db)
        out: dict[str, Any] = {}
    else:
        shutil.copy(embedded_copy / "manifest.sqlite3", db / "manifest.sqlite3")
        shutil.copytree(embedded_copy / "keyword", db / "keyword")
        out = run_worker("copy", {"src": str(embedded_copy), "db": str(db), "url": url})
        out["copy_note"] = "vectors copied from --reuse-index into the server; NOT an ingest time"
    manifest = Manifest(db / "manifest.sqlite3")
    try:
        out["chunks"] = manifest.counts()["chunks"]
        out["files_indexed"] = len(manifest.files())
    finally:
        manifest.close()
    out.update(ingest_s=None, ingest_chunks_per_s=None, ingest_peak_rss_mb=None, ingest_note=NOT_MEASURED)
    return out


# --- report ---
def _fmt(v: Any, spec: str = ".0f") -> str:
    return "—" if v is None else format(v, spec)


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| % | mode | files | chunks | ingest s | chunks/s | ingest peak RSS MB | index MB | "
        "p50 ms | p95 ms | p99 ms | app RSS MB | server RSS MB |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        ingest = _fmt(r.get("ingest_s"))
        if r.get("ingest_s") is None:
            ingest = "n/m" + (f" (copy {r['copy_s']:.0f})" if r.get("copy_s") else "")
        lines.append(
            f"| {r['fraction'] * 100:.0f} | {r['mode']} | {r['files']} | {r.get('chunks', 0)} | {ingest} | "
            f"{_fmt(r.get('ingest_chunks_per_s'), '.1f')} | {_fmt(r.get('ingest_peak_rss_mb'))} | "
            f"{_fmt(r.get('index_mb'))} | {_fmt(r.get('query_p50_ms'))} | {_fmt(r.get('query_p95_ms'))} | "
            f"{_fmt(r.get('query_p99_ms'))} | {_fmt(r.get('app_rss_mb'))} | "
            f"{_fmt(r.get('server_rss_mb_after_queries'))} |"
        )
    notes = [
        "",
        "n/m = ingest not measured in this run (100 % reuses an existing full index); "
        "(copy N) = seconds to copy its vectors into the server, not an ingest time.",
        "app RSS = the process holding the retriever, after all queries; server RSS = the `chroma run` process.",
    ]
    return "\n".join(lines + notes)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    panels = [
        (axes[0][0], "ingest time (s)", [("ingest_s", "-")]),
        (axes[0][1], "index size on disk (MB)", [("index_mb", "-")]),
        (
            axes[1][0],
            "memory (MB): app RSS —, ingest peak - -",
            [("app_rss_mb", "-"), ("ingest_peak_rss_mb", "--")],
        ),
        (axes[1][1], "query latency (ms): p50 —, p95 - -", [("query_p50_ms", "-"), ("query_p95_ms", "--")]),
    ]
    for ax, title, series in panels:
        for mode, color in (("embedded", "tab:blue"), ("server", "tab:orange")):
            mine = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r.get("chunks", 0))
            for key, style in series:
                pts = [(r["chunks"], r[key]) for r in mine if r.get(key) is not None]
                if pts:
                    ax.plot(*zip(*pts, strict=True), style, marker="o", color=color, label=f"{mode} {key}")
            if title.startswith("ingest"):
                copies = [(r["chunks"], r["copy_s"]) for r in mine if r.get("copy_s")]
                if copies:
                    ax.scatter(
                        *zip(*copies, strict=True), marker="x", color=color, label=f"{mode} copy (not ingest)"
                    )
        ax.set_title(title)
        ax.set_xlabel("chunks")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_outputs(rows: list[dict[str, Any]], meta: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=2))
    (out / "scale.md").write_text("# Scale curve\n\n" + table(rows) + "\n", encoding="utf-8")
    if rows:
        plot(rows, out / "scale.png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    ap.add_argument("--modes", nargs="+", default=["embedded", "server"], choices=["embedded", "server"])
    ap.add_argument(
        "--corpus", type=Path, help="extracted statute folder (default /tmp/statutes/kr or the tar)"
    )
    ap.add_argument(
        "--reuse-index", type=Path, help="complete embedded index of the whole corpus (for 100 %%)"
    )
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out/scale")
    ap.add_argument("--resume", action="store_true", help="keep rows already in OUT/scale.json")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](json.loads(args.spec))))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    files = corpus_files(args.corpus, args.work)
    rows: list[dict[str, Any]] = []
    if args.resume and (args.out / "scale.json").exists():
        rows = json.loads((args.out / "scale.json").read_text())["rows"]
    meta = {
        "corpus_files": len(files),
        "questions": len(questions()),
        "warmup_queries": WARMUP,
        "cpus": os.cpu_count(),
        "reuse_index": str(args.reuse_index) if args.reuse_index else None,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    for fraction in args.fractions:
        for mode in args.modes:
            if any(r["fraction"] == fraction and r["mode"] == mode for r in rows):
                continue
            print(f"[{time.strftime('%H:%M:%S')}] {fraction:.0%} {mode} …", flush=True)
            row = run_one(fraction, mode, files, args.work, args.reuse_index)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            write_outputs(rows, meta, args.out)
    write_outputs(rows, meta, args.out)
    print(table(rows))


if __name__ == "__main__":
    main()
