"""`python -m assistant.bench`: argument parsing, settings per config, files out, exit codes.

Exit codes: 0 done, 1 environment problem (no index, no answer chain), 2 bad input or
arguments, 130 interrupted (a partial report is still written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from assistant.bench import plots, report
from assistant.bench.answers import load_answerer
from assistant.bench.datasets import FORMATS, DatasetError, QADataset, format_bad_lines, read_qa_file
from assistant.bench.runner import (
    AnswererFactory,
    ConfigSpec,
    RetrieverFactory,
    RewriterUnavailable,
    default_retriever_factory,
    run_benchmark,
)
from assistant.search.retrieval import IndexMissingError
from ingest.core.settings import load_settings

EXIT_OK, EXIT_ENV, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_KS = "1,5,10,20"
# The evaluators' default run: the three dev sets (legal scenarios, fire-safety and ministry 민원
# questions from citizens), read from where they lie.
DEFAULT_QA = ("koblex-dev.jsonl", "firesafety-dev.jsonl", "minwon-dev.jsonl")


def default_qa_files(shared_dir: Path) -> list[str]:
    """The dev QA sets under `shared_dir`; a missing one is a clear input error."""
    files = [shared_dir / "data" / "qa" / name for name in DEFAULT_QA]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise DatasetError("기본 QA 파일이 없습니다 (--qa 로 지정하세요): " + ", ".join(missing))
    return [str(f) for f in files]


def _ks(text: str) -> list[int]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k 는 쉼표로 구분한 양의 정수여야 합니다: {text!r}") from None
    if not ks or ks[0] < 1:
        raise argparse.ArgumentTypeError(f"--k 는 쉼표로 구분한 양의 정수여야 합니다: {text!r}")
    return ks


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("--limit 는 1 이상이어야 합니다")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assistant.bench",
        description="QA 벤치마크: 검색(Recall@k, MRR, nDCG)과 선택적으로 답변 품질을 측정합니다.",
    )
    p.add_argument(
        "--qa", action="append", metavar="FILE",
        help="QA 파일 (여러 번 지정 가능; 기본: settings.shared_dir 의 개발용 세트 "
        + ", ".join(DEFAULT_QA) + ")",
    )  # fmt: skip
    p.add_argument("--format", choices=FORMATS, default="auto", help="QA 파일 형식 (기본: 첫 줄의 키로 판별)")
    p.add_argument("--db", metavar="DIR", help="색인 폴더 (모든 설정의 store.db_dir 을 덮어씀)")
    p.add_argument(
        "--config", action="append", default=[], metavar="FILE",
        help="설정 파일; 두 번 지정하면 B − A 를 paired bootstrap CI 와 함께 비교",
    )  # fmt: skip
    p.add_argument("--k", type=_ks, default=_ks(DEFAULT_KS), help=f"Recall@k 의 k 목록 (기본 {DEFAULT_KS})")
    p.add_argument("--answers", action="store_true", help="답변 체인까지 실행해 답변 지표를 측정")
    p.add_argument("--limit", type=_positive, metavar="N", help="데이터셋마다 채점 대상 앞 N문항만")
    p.add_argument("--out", type=Path, metavar="DIR", help="결과 폴더 (기본 bench-out/<시각>)")
    p.add_argument("--no-progress", action="store_true", help="진행 막대를 숨김")
    return p


def _configs(files: Sequence[str], db: str | None) -> list[ConfigSpec]:
    specs: list[ConfigSpec] = []
    for file in files or [None]:
        if file is not None and not Path(file).is_file():
            raise DatasetError(f"설정 파일이 없습니다: {file}")
        settings = load_settings(file)
        if db:
            settings.store.db_dir = Path(db)
        label = Path(file).stem if file else "default"
        taken = {s.label for s in specs}
        if label in taken:  # `--config a/x.toml --config b/x.toml`
            label = f"{label}#{len(specs) + 1}"
        specs.append(ConfigSpec(label, settings, file))
    return specs


def _datasets(files: Sequence[str], fmt: str) -> list[QADataset]:
    datasets: list[QADataset] = []
    for file in files:
        taken = {d.name for d in datasets}
        stem = Path(file).stem
        name = stem if stem not in taken else f"{stem}#{len(datasets) + 1}"
        dataset = read_qa_file(file, fmt, name=name)
        for warning in format_bad_lines(dataset):
            print(f"경고: {warning}", file=sys.stderr)
        datasets.append(dataset)
    return datasets


def write_outputs(doc: dict, out_dir: Path) -> None:
    """report.json, report.md and the two PNGs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report.write_json(doc, out_dir / "report.json")
    (out_dir / "report.md").write_text(report.render_markdown(doc), encoding="utf-8")
    plots.plot_recall(doc, out_dir / plots.RECALL_PNG)
    plots.plot_latency(doc, out_dir / plots.LATENCY_PNG)


def main(
    argv: Sequence[str] | None = None,
    *,
    retriever_factory: RetrieverFactory = default_retriever_factory,
    answerer_factory: AnswererFactory = load_answerer,
) -> int:
    """Run the benchmark CLI; returns the exit code. Factories are injectable for tests."""
    args = build_parser().parse_args(argv)
    try:
        qa_files = args.qa or default_qa_files(load_settings().shared_dir)
        datasets = _datasets(qa_files, args.format)
        configs = _configs(args.config, args.db)
    except DatasetError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return EXIT_INPUT
    out_dir = args.out or Path("bench-out") / datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        run = run_benchmark(
            datasets,
            configs,
            ks=args.k,
            limit=args.limit,
            answers=args.answers,
            retriever_factory=retriever_factory,
            answerer_factory=answerer_factory,
            progress=not args.no_progress,
        )
    except (IndexMissingError, RewriterUnavailable) as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return EXIT_ENV
    run_args = {
        "qa": list(qa_files),
        "format": args.format,
        "db": args.db,
        "config": list(args.config),
        "k": args.k,
        "answers": args.answers,
        "limit": args.limit,
    }
    write_outputs(report.build_report(run, datasets, run_args), out_dir)
    if run.interrupted:
        print(
            f"중단됨: {run.questions_done}문항까지의 부분 결과를 {out_dir} 에 저장했습니다.", file=sys.stderr
        )
        return EXIT_INTERRUPTED
    print(f"결과: {out_dir / 'report.md'}", file=sys.stderr)
    return EXIT_OK
