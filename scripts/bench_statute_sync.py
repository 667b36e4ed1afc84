"""Benchmark `ingest.statutes.sync sync` on the legalize-kr history bundle.

    python scripts/bench_statute_sync.py [--bundle B] [--commits N] [--minutes M] [--history-law 지방자치법]

1. fresh sync of all laws at the first commit (2015-01-01);
2. replays the following commits one sync per commit (at most N commits or M minutes) and
   reports seconds per commit, extrapolated to the whole history;
3. index growth with versions kept: chunks of one law with and without --history.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from ingest.core.settings import load_settings
from ingest.index.embeddings import make_embeddings
from ingest.index.stats import index_stats
from ingest.statutes import sync as statutes


def settings_for(db: Path):
    s = load_settings()
    s.store.db_dir = db
    s.store.chroma_url = None
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", type=Path, default=Path("../shared/data/statutes/history.bundle"))
    ap.add_argument("--commits", type=int, default=1351)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--history-law", default="행정기본법")
    ap.add_argument("--work", type=Path, help="reuse this folder (clone and index) of an earlier, killed run")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    repo = work / "repo"
    if not repo.exists():
        subprocess.run(["git", "clone", "-q", "-b", "main", str(args.bundle), str(repo)], check=True)
    commits = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--reverse", "main"], capture_output=True, text=True, check=True
    ).stdout.split()
    s = settings_for(work / "index")
    emb = make_embeddings(s.embedding)
    out: dict = {"commits_in_bundle": len(commits)}

    def at(rev: str) -> None:
        subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--detach", rev], check=True)

    at(commits[0])
    t0 = time.perf_counter()
    statutes.sync(repo, s, embeddings=emb)
    out["initial_sync_s"] = round(time.perf_counter() - t0, 1)
    out["initial_chunks"] = index_stats(s)["chunks"]
    print(json.dumps(out, ensure_ascii=False), flush=True)

    per: list[float] = []
    deadline = time.perf_counter() + args.minutes * 60
    for rev in commits[1 : 1 + args.commits]:
        at(rev)
        t0 = time.perf_counter()
        statutes.sync(repo, s, embeddings=emb)
        per.append(time.perf_counter() - t0)
        if len(per) % 25 == 0:
            print(f"{len(per)} commits, {sum(per):.1f}s", flush=True)
        if time.perf_counter() > deadline:
            break
    out["replayed_commits"] = len(per)
    out["replay_s"] = round(sum(per), 1)
    out["s_per_commit_mean"] = round(sum(per) / max(len(per), 1), 2)
    out["s_per_commit_max"] = round(max(per, default=0), 2)
    out["whole_history_estimate_s"] = round(
        out["initial_sync_s"] + out["s_per_commit_mean"] * (len(commits) - 1)
    )
    out["chunks_after_replay"] = index_stats(s)["chunks"]
    print(json.dumps(out, ensure_ascii=False), flush=True)

    # index growth with versions kept, for one law at the bundle's last commit
    at(commits[-1])
    for name, hist in (("current_only", False), ("with_history", True)):
        sh = settings_for(work / f"growth-{name}")
        t0 = time.perf_counter()
        statutes.sync(repo, sh, laws=[args.history_law], embeddings=emb, history=hist)
        out[f"{args.history_law}_{name}_s"] = round(time.perf_counter() - t0, 1)
        out[f"{args.history_law}_{name}_chunks"] = index_stats(sh)["chunks"]
        du = subprocess.run(
            ["du", "-sk", str(work / f"growth-{name}")], capture_output=True, text=True
        ).stdout
        out[f"{args.history_law}_{name}_kib"] = int(du.split()[0])
        print(json.dumps(out, ensure_ascii=False), flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
