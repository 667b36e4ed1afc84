"""Statutes from a legalize-kr repository (git): sync the index, article history, 신구조문 대비.

    python -m ingest.statutes.sync sync REPO [--db DIR] [--law 지방자치법 …]
    python -m ingest.statutes.sync history REPO LAW ARTICLE [--on YYYY-MM-DD]
    python -m ingest.statutes.sync diff REPO LAW ARTICLE OLD_COMMIT NEW_COMMIT [--html FILE]
    python -m ingest.statutes.sync watch REPO [--db DIR] [--date 파일=YYYY-MM-DD …] [--html FILE]

`sync` indexes the law folders that changed since the commit recorded by the last successful
sync (``statutes-sync.json`` in the index folder) — all of them the first time — through the
ordinary incremental ingest, which is kill-safe. The commit is recorded (atomically) only after
the ingest succeeded, so a killed sync re-diffs from the same commit and finishes the job; files
already re-indexed are then unchanged by hash and cost nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.core.model import LoaderError, LoadLimits
from ingest.core.settings import Settings, load_settings
from ingest.documents import dates as document_dates
from ingest.documents.loaders import load_document
from ingest.index.stats import open_manifest
from ingest.job.pipeline import remove_document, run_ingest
from ingest.legal.catalog import LawCatalog
from ingest.legal.refs import parse_refs
from ingest.statutes import git as sg
from ingest.statutes import repo as statute_repo
from ingest.statutes.amendments import StaleCitation, check_citation
from ingest.statutes.repo import STATE_FILE
from ingest.statutes.table import html_page, side_by_side_html
from ingest.statutes.versions import (
    ArticleChanges,
    article_texts,
    article_versions,
    compare_articles,
    format_side_by_side,
    past_file_versions,
    side_by_side,
    version_on,
)

HISTORY_DIR = "statute-history"  # past versions (행위시법), one file per version, in the index folder


# --- sync state -----------------------------------------------------------------------------


def read_state(db_dir: Path) -> dict[str, Any] | None:
    """The last successful sync ({"commit", "laws", "synced_at"}); None before the first."""
    try:
        return json.loads((Path(db_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def write_state(db_dir: Path, state: dict[str, Any]) -> None:
    """Replace the sync state atomically (a kill leaves the old or the new file, never half)."""
    path = Path(db_dir) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}-{time.time_ns()}")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class SyncReport:
    commit: str
    previous: str | None
    laws: list[str] = field(default_factory=list)  # law folders re-indexed
    articles: dict[str, ArticleChanges] = field(default_factory=dict)  # repo path → changes
    ingest: Any = None  # ingest.job.pipeline.IngestReport
    removed_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.previous == self.commit and not self.laws:
            return f"이미 최신입니다 (커밋 {self.commit[:10]})."
        start = self.previous[:10] if self.previous else "처음"
        lines = [
            f"법령 동기화 {start} → {self.commit[:10]}: 바뀐 법령 {len(self.laws)}개 ({self.seconds:.1f}s)"
        ]
        for path, ch in sorted(self.articles.items()):
            parts = [
                f"{name} {len(v)} ({', '.join(v[:8])}{' …' if len(v) > 8 else ''})"
                for name, v in (("신설", ch.added), ("개정", ch.amended), ("삭제", ch.repealed))
                if v
            ]
            lines.append(f"  {path}: " + (" · ".join(parts) if parts else "조문 변경 없음 (부칙·서식 등)"))
        if self.ingest is not None:
            lines.append(self.ingest.summary())
        return "\n".join(lines)


def _wanted(folders: list[str], laws: list[str] | None) -> list[str]:
    if not laws:
        return folders
    keys = {law.replace(" ", "") for law in laws}
    return [f for f in folders if f in keys]


def article_changes(repo: Path, old: str | None, new: str, paths: list[str]) -> dict[str, ArticleChanges]:
    """Articles added/amended/repealed per changed file between two commits (git show)."""
    out: dict[str, ArticleChanges] = {}
    for path in paths:
        before = sg.show(repo, old, path) if old else None
        after = sg.show(repo, new, path)
        out[path] = compare_articles(
            article_texts(before) if before else {}, article_texts(after) if after else {}
        )
    return out


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}-{time.time_ns()}")  # hidden: ingest skips it
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_history(repo: Path, head: str, paths: list[str], out_root: Path, since: str = "") -> list[Path]:
    """Write the past versions of the statute files `paths` as of `head` to
    `out_root/<law>/<file>@<시행일자>.md` (with 시행종료일자 in their front matter), removing
    versions that no longer apply. Deterministic in `head`, so a re-run rewrites the same files.
    Returns the law folders written."""
    folders: dict[str, Path] = {}
    for path in paths:
        folder, stem = sg.folder_of(path), Path(path).stem
        target = folders.setdefault(folder, out_root / folder)
        target.mkdir(parents=True, exist_ok=True)
        exists = sg.show(repo, head, path) is not None
        versions = sg.file_versions(repo, path, head) if exists else []
        past = past_file_versions([(v.commit, v.date, v.text) for v in versions], since)
        want = {f"{stem}@{p.valid_from}.md": p.markdown for p in past}
        for old in target.glob(f"{stem}@*.md"):
            if old.name not in want:
                old.unlink()
        for name, text in want.items():
            file = target / name
            if not file.exists() or file.read_text(encoding="utf-8") != text:
                _write_atomic(file, text)
    return sorted(folders.values())


def sync(
    repo: Path,
    settings: Settings,
    laws: list[str] | None = None,
    embeddings: Any = None,
    progress: Any = None,
    history: bool = False,
    history_since: str = "",
    into: Path | None = None,
) -> SyncReport:
    """Bring the index to the repository's checked-out commit (see module doc). `laws` limits
    the sync to these law folders (e.g. 지방자치법). With `history`, the past versions of the
    changed files (in force on or after `history_since`) are indexed too, as chunks with
    `valid_to` that only a search for a date in their validity returns. With `into` (the shipped
    book, ``statutes.book_dir``), the changed law folders are copied there first and indexed from
    there: the book the product ships stays the one the index holds, updated by small diffs."""

    start = time.perf_counter()
    repo = Path(repo).resolve()
    db_dir = Path(settings.store.db_dir)
    head = sg.head_commit(repo)
    state = read_state(db_dir)
    scope = sorted({law.replace(" ", "") for law in laws}) if laws else []
    options = {"laws": scope, "history": history, "history_since": history_since}
    defaults = {"laws": [], "history": False, "history_since": ""}  # a state written before an option
    same = state is not None and all(state.get(k, d) == options[k] for k, d in defaults.items())
    previous = state["commit"] if state and same else None
    if previous and not _commit_known(repo, previous):
        previous = None  # history rewritten or another repository: compare everything
    report = SyncReport(head, previous)
    if previous == head:
        return report
    if previous:
        changed = sg.changed_files(repo, previous, head)
        folders = _wanted(sorted({sg.folder_of(p) for p in changed} - {""}), scope)
        changed = [p for p in changed if sg.folder_of(p) in folders]
    else:
        folders = _wanted(sg.law_folders(repo, head), scope)
        if scope and not folders:  # one of several may legitimately not exist yet (enacted later)
            raise ValueError(f"저장소 {repo} 의 kr/ 에 없는 법령 폴더입니다: {', '.join(scope)}")
        changed = [p for p in sg.law_files(repo, head) if sg.folder_of(p) in folders]
    report.laws = folders
    report.articles = article_changes(repo, previous, head, changed)
    root = repo / sg.LAW_ROOT
    if into is not None:
        root = Path(into).resolve() / sg.LAW_ROOT
        for f in folders:
            mirror_folder(repo / sg.LAW_ROOT / f, root / f)
    present = [root / f for f in folders if (root / f).is_dir()]
    if history:
        present += write_history(repo, head, changed, db_dir / HISTORY_DIR, history_since)
    if present:
        report.ingest = run_ingest(present, settings, embeddings=embeddings, progress=progress)
        if report.ingest.failed:
            raise RuntimeError(
                "일부 법령 파일을 색인하지 못해 동기화 커밋을 기록하지 않았습니다.\n"
                + report.ingest.summary()
            )
    # Law folders deleted from the repository: their files leave the index.
    gone = {str(root / f) for f in folders if not (root / f).is_dir()}
    if gone:
        manifest = open_manifest(settings)
        indexed = sorted(manifest.files()) if manifest else []
        if manifest:
            manifest.close()
        for path in indexed:
            if any(path.startswith(g + os.sep) for g in gone):
                remove_document(path, settings, embeddings)
                report.removed_files.append(path)
    write_state(
        db_dir,
        {**options, "commit": head, "repo": str(repo), "synced_at": dt.datetime.now(dt.UTC).isoformat()},
    )
    report.seconds = time.perf_counter() - start
    return report


def mirror_folder(source: Path, target: Path) -> None:
    """Make the law folder `target` hold what `source` holds (statute .md files): changed files
    rewritten atomically, removed ones deleted, the folder deleted when `source` is gone."""
    wanted = {p.name: p for p in source.glob("*.md")} if source.is_dir() else {}
    if target.is_dir():
        for old in target.glob("*.md"):
            if old.name not in wanted:
                old.unlink()
    for name, src in wanted.items():
        text = src.read_text(encoding="utf-8")
        dest = target / name
        if not dest.exists() or dest.read_text(encoding="utf-8") != text:
            target.mkdir(parents=True, exist_ok=True)
            _write_atomic(dest, text)
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()


def _commit_known(repo: Path, commit: str) -> bool:
    try:
        sg.resolve_commit(repo, commit)
    except sg.GitError:
        return False
    return True


# --- amendment watch -----------------------------------------------------------------------


def law_titles(repo: Path, rev: str = "HEAD") -> dict[str, str]:
    """Official title (front matter 제목) → repository path of every statute file at `rev`."""
    return statute_repo.law_titles(statute_repo.RepoAt(Path(repo).resolve(), sg.resolve_commit(repo, rev)))


@dataclass(frozen=True)
class WatchedDocument:
    """A document whose citations the 지침 점검 checks, with the date it was written as of."""

    path: str
    kind: str  # "지침" (indexed guideline) | "초안" (kept draft)
    date: str  # YYYY-MM-DD
    date_source: str  # "관리자 지정" | "파일 수정일" | "색인일"
    text: str


def document_date(path: str, indexed_at: str, overrides: dict[str, str]) -> tuple[str, str]:
    """(date, where it came from) of a document: the admin's date (by path or file name), else
    the file's modification date, else the day it was indexed."""
    for key in (path, Path(path).name):
        if key in overrides:
            return overrides[key], "관리자 지정"
    try:
        return dt.date.fromtimestamp(Path(path).stat().st_mtime).isoformat(), "파일 수정일"
    except OSError:
        return indexed_at[:10], "색인일"


def _drafts(folder: Path, settings: Settings) -> list[tuple[str, str]]:
    """(path, text) of the drafts kept in `folder`; unreadable files are left out (a draft is the
    user's copy, not an indexed document: nothing to report about it but its citations)."""
    out = []
    exts = {e.lower() for e in settings.ingest.extensions}
    for path in sorted(p for p in Path(folder).glob("**/*") if p.is_file() and p.suffix.lower() in exts):
        try:
            out.append((str(path), load_document(path, LoadLimits.from_settings(settings)).text))
        except LoaderError:
            continue
    return out


def watched_documents(settings: Settings, overrides: dict[str, str] | None = None) -> list[WatchedDocument]:
    """The indexed guidelines (text from the manifest) and the kept drafts (``ui.drafts_dir``),
    dated by `overrides`, else the stored admin dates, else their files."""
    dates = {**document_dates.load(settings.statutes.document_dates_file), **(overrides or {})}
    docs: list[WatchedDocument] = []
    manifest = open_manifest(settings)
    if manifest is not None:
        try:
            records = {p: r for p, r in manifest.files().items() if r.doc_type == "guideline"}
            texts: dict[str, list[str]] = {}
            for path, _, text, _, _ in manifest.iter_file_chunks(sorted(records)):
                texts.setdefault(path, []).append(text)
        finally:
            manifest.close()
        for path, record in sorted(records.items()):
            day, source = document_date(path, record.indexed_at, dates)
            docs.append(WatchedDocument(path, "지침", day, source, "\n".join(texts.get(path, []))))
    for path, text in _drafts(Path(settings.ui.drafts_dir), settings):
        day, source = document_date(path, "", dates)
        docs.append(WatchedDocument(path, "초안", day, source, text))
    return docs


def watch_documents(at: statute_repo.RepoAt, docs: list[WatchedDocument]) -> list[StaleCitation]:
    """Citations in `docs` of articles amended, moved or repealed after the document's date,
    over the repository's history up to `at.commit`."""
    titles = statute_repo.law_titles(at)
    catalog = LawCatalog(sorted(titles))
    out = []
    for doc in docs:
        refs = parse_refs(doc.text, catalog)
        for law, article in dict.fromkeys((r.law, r.article) for r in refs if r.law in titles and r.article):
            versions = statute_repo.file_versions(at, titles[law])  # type: ignore[index]
            stale = check_citation(doc.path, doc.date, law, article, versions)  # type: ignore[arg-type]
            if stale is not None:
                out.append(stale)
    return out


def watch(repo: Path, settings: Settings, overrides: dict[str, str] | None = None) -> list[StaleCitation]:
    """Citations in indexed guidelines and kept drafts whose article changed after the
    document's date (`ingest.statutes.amendments.StaleCitation`s), over the history up to HEAD."""
    at = statute_repo.RepoAt(Path(repo).resolve(), sg.head_commit(repo))
    return watch_documents(at, watched_documents(settings, overrides))


def format_watch(stale: list[StaleCitation], html_out: Path | None = None) -> str:
    """The 지침 점검 report: one line per stale citation, then its 신구조문 대비; with `html_out`,
    the same report as an HTML page written there."""
    if html_out is not None:
        tables = [
            (s.line(), side_by_side_html(side_by_side(s.old_text, s.new_text), "문서 작성 당시", "현재"))
            for s in stale
        ]
        html_out.write_text(html_page("지침 점검", tables), encoding="utf-8")
    if not stale:
        return "개정 이후 점검이 필요한 인용이 없습니다."
    lines = [f"지침 점검: 점검이 필요한 인용 {len(stale)}건"]
    for s in stale:
        lines.append(f"■ {s.line()}")
        lines.append(format_side_by_side(side_by_side(s.old_text, s.new_text), "문서 작성 당시", "현재"))
    return "\n".join(lines)


# --- CLI ------------------------------------------------------------------------------------


def _parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m ingest.statutes.sync",
        description="legalize-kr 저장소의 법령 동기화·연혁·신구조문 대비",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sync", help="바뀐 법령만 색인하고 동기화한 커밋을 기록")
    s.add_argument("repo", type=Path)
    s.add_argument("--db", type=Path, help="index folder (default from settings)")
    s.add_argument("--config", type=Path)
    s.add_argument("--law", action="append", help="only this law folder (repeatable), e.g. 지방자치법")
    s.add_argument("--history", action="store_true", help="also index past versions (행위시법)")
    s.add_argument("--history-since", default="", help="YYYY-MM-DD: only past versions in force since then")
    s.add_argument(
        "--into",
        type=Path,
        help="copy changed laws into this legalize-kr tree and index them there "
        "(the shipped book: corpus/statutes)",
    )
    s.add_argument("--quiet", action="store_true")
    h = sub.add_parser("history", help="한 조문의 연혁(시행 기간별 내용)")
    h.add_argument("repo", type=Path)
    h.add_argument("law", help="지방자치법, 민원 처리에 관한 법률 시행령, 지방자치법/법률.md …")
    h.add_argument("article", help="제4조, 제4조의2 …")
    h.add_argument("--on", help="YYYY-MM-DD: only the version in force on that date")
    h.add_argument("--rev", default="HEAD")
    d = sub.add_parser("diff", help="두 커밋 사이 한 조문의 신구조문 대비")
    d.add_argument("repo", type=Path)
    d.add_argument("law")
    d.add_argument("article")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--html", type=Path, help="also write the 신구조문 대비표 as an HTML page to this file")
    w = sub.add_parser("watch", help="지침 점검: 색인된 지침의 인용 중 이후 개정·이동·삭제된 조문")
    w.add_argument("repo", type=Path)
    w.add_argument("--db", type=Path)
    w.add_argument("--config", type=Path)
    w.add_argument("--date", action="append", default=[], help="문서 기준일 지정: 파일이름=YYYY-MM-DD")
    w.add_argument("--html", type=Path, help="also write the report as an HTML page to this file")
    return ap.parse_args(argv)


def _history(args: argparse.Namespace) -> int:
    path = sg.resolve_law_path(args.repo, args.law, args.rev)
    versions = article_versions(
        [(v.commit, v.date, v.text) for v in sg.file_versions(args.repo, path, args.rev)], args.article
    )
    if args.on:
        found = version_on(versions, args.on)
        if found is None:
            print(f"{args.on} 에 시행 중인 {args.law} {args.article} 이(가) 없습니다.", file=sys.stderr)
            return 1
        versions = [found]
    if not versions:
        print(f"{path} 에 {args.article} 이(가) 없습니다.", file=sys.stderr)
        return 1
    for v in versions:
        until = v.valid_to or "현재"
        print(
            f"■ {args.law} {args.article} — 시행 {v.valid_from} ~ {until} (공포 {v.promulgated}, 커밋 {v.commit[:10]})"
        )
        print(v.text)
        print()
    return 0


def _diff(args: argparse.Namespace) -> int:
    path = sg.resolve_law_path(args.repo, args.law, args.new)
    texts = []
    for rev in (args.old, args.new):
        markdown = sg.show(args.repo, rev, path)
        texts.append(article_texts(markdown).get(args.article, "") if markdown else "")
    if texts[0] == texts[1]:
        print(f"{args.law} {args.article}: 두 커밋 사이에 바뀐 내용이 없습니다.")
        return 0
    rows = side_by_side(texts[0], texts[1])
    labels = f"종전 ({args.old[:10]})", f"개정 ({args.new[:10]})"
    print(format_side_by_side(rows, *labels))
    if args.html:
        table = side_by_side_html(rows, *labels)
        args.html.write_text(
            html_page(f"{args.law} {args.article} 신구조문 대비", [("", table)]), encoding="utf-8"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        if args.cmd == "history":
            return _history(args)
        if args.cmd == "diff":
            return _diff(args)
        settings = load_settings(args.config)
        if args.db:
            settings.store.db_dir = args.db
        if args.cmd == "watch":
            bad = [d for d in args.date if "=" not in d]
            if bad:
                raise ValueError(f"--date 는 파일이름=YYYY-MM-DD 형식이어야 합니다: {bad[0]}")
            overrides = dict(d.rsplit("=", 1) for d in args.date)
            print(format_watch(watch(args.repo, settings, overrides), args.html))
            return 0
        report = sync(
            args.repo,
            settings,
            laws=args.law,
            history=args.history,
            history_since=args.history_since,
            into=args.into,
        )
    except (sg.GitError, ValueError, RuntimeError) as exc:
        print(f"실패했습니다: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
