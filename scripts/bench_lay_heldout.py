"""Held-out check of the lay signals: do they help on lay sentences of topics they never saw?

A slice of the easylaw topics (every topic whose name hashes into `--share`) is left out of the
lay text; those topics' sentences, citations stripped, become questions
whose gold articles are the ones they cite. Run on a copy of an index (the original is not
touched), with the benchmark's configs, so the figures and CIs come out as in any bench run:

    python scripts/bench_lay_heldout.py --db data/index --out bench-out/lay-heldout \\
        --config assistant/bench/configs/no-lay.toml --config assistant/bench/configs/default.toml

The lay sentences are training data: this checks generalisation, it is not an evaluation set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.core.settings import load_settings  # noqa: E402
from ingest.index import lay  # noqa: E402


def held_out(topic: str, share: float) -> bool:
    """Deterministic topic split (pure)."""
    return int(hashlib.sha256(topic.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True, help="the index to copy")
    ap.add_argument("--config", action="append", default=[], help="bench configs (the first is the baseline)")
    ap.add_argument("--share", type=float, default=0.1, help="share of topics held out")
    ap.add_argument("--max-questions", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=Path("bench-out/lay-heldout"))
    args = ap.parse_args()
    settings = load_settings()
    path = settings.ingest.lay_sentences
    if path is None or not Path(path).is_file():
        sys.exit(f"lay sentences missing: {path}")
    with lay.open_lines(Path(path)) as fh:
        rows, _ = lay.parse_lines(fh)
    topics = sorted({r["topic"] for r in rows if held_out(r["topic"], args.share)})
    questions = [r for r in rows if r["topic"] in topics][: args.max_questions]
    work = Path(tempfile.mkdtemp(prefix="lay-heldout-"))
    try:
        qa = work / "heldout.jsonl"
        with qa.open("w", encoding="utf-8") as fh:
            for r in questions:
                refs = [{"law": law, "article": art} for law, art in r["refs"]]
                fh.write(
                    json.dumps({"id": r["id"], "question": r["text"], "references": refs}, ensure_ascii=False)
                    + "\n"
                )
        db = work / "index"
        shutil.copytree(args.db, db, ignore=shutil.ignore_patterns(".ingest.lock"))
        env = {**os.environ, "ASSISTANT_INGEST__LAY_EXCLUDE_TOPICS": json.dumps(topics, ensure_ascii=False)}
        run = [sys.executable, "-m"]
        subprocess.run([*run, "ingest", "--db", str(db), "--refresh-keywords"], check=True, cwd=ROOT, env=env)
        print(f"held out {len(topics)} topics, {len(questions)} questions", file=sys.stderr)
        bench = [
            *run,
            "assistant.bench",
            "--qa",
            str(qa),
            "--db",
            str(db),
            "--out",
            str(args.out),
            "--no-progress",
        ]
        for c in args.config:
            bench += ["--config", c]
        return subprocess.run(bench, cwd=ROOT, env=env).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
