"""Read a legalize-kr repository (git): commits, changed law folders, file versions.

Thin adapter over the `git` command; everything it returns is plain data for the pure functions
in `ingest.statutes.versions`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

LAW_ROOT = "kr"


class GitError(RuntimeError):
    """A git command failed; str() is Korean and names the repository."""


def git(repo: Path, *args: str) -> str:
    """Output of `git -C repo ARGS…` (UTF-8); GitError when it fails."""
    proc = subprocess.run(
        ["git", "-c", "core.quotepath=off", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} 실패 ({repo}): {proc.stderr.strip()[:300]}")
    return proc.stdout


def head_commit(repo: Path) -> str:
    """The commit the working tree is at."""
    return git(repo, "rev-parse", "HEAD").strip()


def resolve_commit(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()


def is_ancestor(repo: Path, old: str, new: str) -> bool:
    proc = subprocess.run(
        ["git", "-C", str(repo), "merge-base", "--is-ancestor", old, new], capture_output=True, check=False
    )
    return proc.returncode == 0


def law_folders(repo: Path, rev: str = "HEAD") -> list[str]:
    """Law folder names (`kr/<name>`) at `rev`."""
    out = git(repo, "ls-tree", "--name-only", rev, f"{LAW_ROOT}/")
    return sorted(line.split("/", 1)[1] for line in out.splitlines() if "/" in line)


def law_files(repo: Path, rev: str = "HEAD") -> list[str]:
    """Repository paths of all statute markdown files at `rev`."""
    out = git(repo, "ls-tree", "-r", "--name-only", rev, f"{LAW_ROOT}/")
    return sorted(p for p in out.splitlines() if p.endswith(".md"))


def changed_files(repo: Path, old: str, new: str) -> list[str]:
    """Statute files that differ between two commits (added, modified or deleted)."""
    out = git(repo, "diff", "--name-only", "--no-renames", old, new, "--", f"{LAW_ROOT}/")
    return sorted(p for p in out.splitlines() if p.endswith(".md"))


def folder_of(path: str) -> str:
    """`kr/<law>/<file>.md` → `<law>`."""
    parts = path.split("/")
    return parts[1] if len(parts) >= 3 else ""


def show(repo: Path, rev: str, path: str) -> str | None:
    """A file's text at `rev`; None when it does not exist there."""
    proc = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True, check=False)
    return proc.stdout.decode("utf-8", errors="replace") if proc.returncode == 0 else None


@dataclass(frozen=True)
class FileVersion:
    """One committed version of a statute file."""

    commit: str
    date: str  # commit (= promulgation) date, YYYY-MM-DD
    subject: str
    text: str


def file_versions(repo: Path, path: str, until: str = "HEAD") -> list[FileVersion]:
    """Every version of `path` up to `until`, oldest first (deletions left out)."""
    out = git(repo, "log", "--reverse", "--format=%H%x09%ad%x09%s", "--date=short", until, "--", path)
    versions = []
    for line in out.splitlines():
        commit, date, subject = (line.split("\t", 2) + ["", ""])[:3]
        text = show(repo, commit, path)
        if text is not None:
            versions.append(FileVersion(commit, date, subject, text))
    return versions


def resolve_law_path(repo: Path, law: str, rev: str = "HEAD") -> str:
    """Repository path of a law given as `지방자치법`, `민원 처리에 관한 법률 시행령`,
    `지방자치법/법률.md` or `kr/지방자치법/법률.md`; ValueError (Korean) when none matches."""
    files = law_files(repo, rev)
    if law.endswith(".md"):
        want = law if law.startswith(f"{LAW_ROOT}/") else f"{LAW_ROOT}/{law}"
        if want in files:
            return want
    key = law.replace(" ", "")
    for path in files:
        folder, stem = folder_of(path), Path(path).stem
        names = {folder + stem} if stem in ("시행령", "시행규칙") else {folder}
        if key in names:
            return path
    raise ValueError(f"저장소 {repo} 에 법령 '{law}' 이(가) 없습니다 (예: 지방자치법, 지방자치법/시행령.md).")
