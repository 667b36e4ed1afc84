"""The incremental keyword index (segments + deletions) on real statute files: add, replace and
delete of one file give the same index and the same scores as a full rebuild; a kill in the
middle of a merge leaves a consistent snapshot; unchanged chunks are not tokenised again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

import ingest.index.keyword_segment as keyword_segment
from ingest.core.korean import char_bigrams, morphemes
from ingest.core.settings import load_settings
from ingest.documents.chunking import chunk_document, doc_id_for, token_counter
from ingest.documents.loaders import load_document
from ingest.index import keyword_index, keyword_sync
from ingest.index.manifest import FileRecord, Manifest
from tests.conftest import PROJECT_ROOT, copy_statutes

FILES = [
    "행정기본법/법률.md",
    "민원처리에관한법률/법률.md",
    "민원처리에관한법률/시행령.md",
    "전자정부법/시행규칙.md",
    "공직자의이해충돌방지법/시행령.md",
]
QUERIES = [
    "민원 처리기간을 연장할 수 있나요",
    "행정기본법 제1조 목적",
    "전자문서 서식",
    "이해충돌 신고 사적이해관계자",
    "처분의 이유 제시",
]
K = 10


def index_file(manifest: Manifest, path: Path) -> None:
    """Chunk a file and commit it to the manifest with its Kiwi tokens (as the pipeline does)."""
    s = load_settings()
    doc = load_document(path)
    chunks = chunk_document(doc, s.chunking.max_tokens, token_counter(s.chunking.encoding))
    tokens = [" ".join(t) for t in morphemes([c.text for c in chunks])]
    record = FileRecord(
        str(path), doc_id_for(str(path)), f"h{hash(path.read_bytes())}", doc.title, doc.doc_type,
        len(chunks), datetime.now(UTC).isoformat(),
    )  # fmt: skip
    manifest.replace_file(record, chunks, tokens)


def full_rebuild(manifest: Manifest, folder: Path) -> keyword_index.KeywordIndex:
    shutil.rmtree(folder, ignore_errors=True)
    keyword_sync.build_full(manifest, folder)
    loaded = keyword_index.load_current(folder)
    assert loaded is not None
    return loaded[1]


def assert_same(incremental: keyword_index.KeywordIndex, full: keyword_index.KeywordIndex) -> None:
    """Same chunks, same columns per chunk, same score per chunk and same top-k for every field."""
    assert sorted(incremental.ids) == sorted(full.ids)
    assert len(set(incremental.ids)) == len(incremental.ids)
    order = [incremental.ids.index(cid) for cid in full.ids]
    for col, values in full.columns.items():
        assert [incremental.columns[col][i] for i in order] == values, col
    for query in QUERIES:
        for field, tokens in (
            ("body", morphemes([query])[0]),
            ("title", morphemes([query])[0]),
            ("bigram", char_bigrams(query)),
        ):
            got = incremental.scores(field, tokens)[order]
            want = full.scores(field, tokens)
            assert want.max() > 0, (field, query)
            assert np.array_equal(got, want), (field, query)  # exact: same statistics, same sums
            top = sorted(range(len(want)), key=lambda i: (-want[i], full.ids[i]))[:K]
            top_inc = sorted(range(len(got)), key=lambda i: (-got[i], full.ids[i]))[:K]
            assert [full.ids[i] for i in top_inc] == [full.ids[i] for i in top]


def live(folder: Path) -> keyword_index.KeywordIndex:
    loaded = keyword_index.load_current(folder)
    assert loaded is not None
    return loaded[1]


@pytest.fixture()
def corpus(tmp_path: Path, statute_sample: Path) -> tuple[Path, Manifest, Path]:
    src = copy_statutes(statute_sample, tmp_path / "src", FILES)
    manifest = Manifest(tmp_path / "gen" / "manifest.sqlite3")
    for name in FILES[:-1]:
        index_file(manifest, src / name)
    yield src, manifest, tmp_path / "gen"
    manifest.close()


def test_add_replace_delete_match_full_rebuild(corpus, tmp_path: Path, monkeypatch) -> None:
    src, manifest, gen = corpus
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    base = live(gen)
    assert len(base.segments) == 1 and len(base) == manifest.counts()["chunks"]
    base_segment = base.segments[0].name

    titles_tokenised: list[str] = []
    real_morphemes = keyword_segment.morphemes

    def counting(texts: list[str]) -> list[list[str]]:
        titles_tokenised.extend(texts)
        return real_morphemes(texts)

    monkeypatch.setattr(keyword_segment, "morphemes", counting)

    # add a file
    added = src / FILES[-1]
    index_file(manifest, added)
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    index = live(gen)
    assert [s.name for s in index.segments][0] == base_segment and len(index.segments) == 2
    assert len(titles_tokenised) == len(manifest.chunk_ids(str(added)))  # only the new file's rows
    assert_same(index, full_rebuild(manifest, tmp_path / "full"))

    # replace: one article edited
    law = src / "행정기본법" / "법률.md"
    text = law.read_text(encoding="utf-8")
    assert "행정의 민주성과 적법성을 확보하고" in text
    law.write_text(
        text.replace("적법성을 확보하고", "적법성과 민원 처리기간을 확보하고", 1), encoding="utf-8"
    )
    titles_tokenised.clear()
    index_file(manifest, law)
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    index = live(gen)
    assert len(titles_tokenised) == len(manifest.chunk_ids(str(law)))
    assert sum(len(d) for d in index.dead) > 0  # the old rows are deleted, not rewritten
    assert_same(index, full_rebuild(manifest, tmp_path / "full"))

    # delete a file
    gone = str(src / "민원처리에관한법률" / "법률.md")
    gone_ids = manifest.chunk_ids(gone)
    manifest.remove_file(gone)
    titles_tokenised.clear()
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    index = live(gen)
    assert not titles_tokenised and not gone_ids & set(index.ids)
    assert index.segments[0].name == base_segment
    assert_same(index, full_rebuild(manifest, tmp_path / "full"))

    # a merge folds everything into one segment, from stored term frequencies (no Kiwi)
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)  # nothing changed: no-op
    version = keyword_index.current_version(gen)
    law.write_text(text, encoding="utf-8")
    index_file(manifest, law)
    titles_tokenised.clear()
    keyword_sync.sync(manifest, gen, merge_ratio=0.0, max_segments=100)
    assert keyword_index.current_version(gen) != version
    merged = live(gen)
    assert len(merged.segments) == 1 and not any(len(d) for d in merged.dead)
    assert len(titles_tokenised) == len(manifest.chunk_ids(str(law)))  # the edit only
    assert_same(merged, full_rebuild(manifest, tmp_path / "full"))
    # old segments no kept snapshot names are gone from disk
    on_disk = {p.name for p in (gen / "keyword" / "segments").iterdir()}
    kept = {
        n
        for v in (gen / "keyword").glob("v*")
        for n in json.loads((v / "snapshot.json").read_text(encoding="utf-8"))["segments"]
    }
    assert on_disk == kept


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import ingest.index.keyword_index as ki
    import ingest.index.keyword_segment as ks
    from ingest.index import keyword_sync
    from ingest.index.manifest import Manifest

    where, gen = sys.argv[1], Path(sys.argv[2])
    calls = {"switch": 0, "save": 0}
    real_switch, real_save = ki._switch_current, ks.Segment.save

    def switch(root, version):
        calls["switch"] += 1
        if where == "pointer" and calls["switch"] == 2:  # the merge's publish, before CURRENT moves
            os.kill(os.getpid(), signal.SIGKILL)
        real_switch(root, version)

    def save(self, folder):
        calls["save"] += 1
        if where == "segment" and calls["save"] == 2:  # half of the merged segment written
            (folder / "body.npz").parent.mkdir(parents=True, exist_ok=True)
            (folder / "body.npz").write_bytes(b"partial")
            os.kill(os.getpid(), signal.SIGKILL)
        real_save(self, folder)

    ki._switch_current = switch
    ks.Segment.save = save
    keyword_sync.sync(Manifest(gen / "manifest.sqlite3"), gen, merge_ratio=0.0, max_segments=100)
    """
)


@pytest.mark.parametrize("where", ["segment", "pointer"])
def test_kill_during_merge_leaves_a_consistent_index(corpus, tmp_path: Path, where: str) -> None:
    src, manifest, gen = corpus
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    index_file(manifest, src / FILES[-1])  # an update whose publish is followed by a merge

    proc = subprocess.run(
        [sys.executable, "-c", KILLER, where, str(gen)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert proc.returncode == -9, proc.stderr  # killed, not finished

    # Readers see the update (published before the merge started), complete and consistent.
    after_kill = live(gen)
    assert set(after_kill.ids) == manifest.chunk_ids()
    assert len(after_kill.segments) == 2
    assert_same(after_kill, full_rebuild(manifest, tmp_path / "full"))

    # The next run merges and clears what the killed one left.
    law = src / "행정기본법" / "법률.md"
    law.write_text(law.read_text(encoding="utf-8").replace("목적", "목표", 1), encoding="utf-8")
    index_file(manifest, law)
    keyword_sync.sync(manifest, gen, merge_ratio=0.0, max_segments=100)
    merged = live(gen)
    assert len(merged.segments) == 1
    assert_same(merged, full_rebuild(manifest, tmp_path / "full"))
    root = gen / "keyword"
    assert not list(root.glob(".tmp-*")) and not list((root / "segments").glob(".tmp-*"))


def test_exception_between_write_steps(corpus, tmp_path: Path, monkeypatch) -> None:
    """An error after the new snapshot folder is written but before CURRENT moves: nothing changes."""
    src, manifest, gen = corpus
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    before = keyword_index.current_version(gen)
    ids = set(live(gen).ids)

    def fail(root: Path, version: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(keyword_index, "_switch_current", fail)
    index_file(manifest, src / FILES[-1])
    with pytest.raises(OSError):
        keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    assert keyword_index.current_version(gen) == before and set(live(gen).ids) == ids

    monkeypatch.undo()  # the next run catches up from the manifest
    keyword_sync.sync(manifest, gen, merge_ratio=10.0, max_segments=100)
    assert set(live(gen).ids) == manifest.chunk_ids()
    assert_same(live(gen), full_rebuild(manifest, tmp_path / "full"))
