"""``python -m assistant.bench.facts``: summarise each bench document (extractive, no LLM) and
print found/expected per document.

``--expect FILE.json`` adds documents kept outside the repository (e.g. under ../shared):
``[{"path": "...", "name": "...", "facts": {"사업금액": "72,300,000"}, "title": "...",
"addenda": [...], "not_in_body": [...]}]``; relative paths are read from the file's folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from assistant.bench.facts.documents import DOCUMENTS, EvalDocument
from assistant.bench.facts.score import DocumentScore, score_summary
from assistant.chains.context import make_context
from assistant.chains.summarize import Summary, stream_summary
from assistant.chains.summary.units import UploadedFile
from assistant.chains.types import format_source_label
from ingest.core.model import LoadLimits
from ingest.core.settings import load_settings
from ingest.documents.chunking import chunk_document, token_counter
from ingest.documents.loaders import load_document


def _summary(path: Path, upload_dir: Path) -> Summary:
    settings = load_settings()
    settings.ui.upload_dir = upload_dir
    ctx = make_context(settings, retriever=None, llm=None, embeddings=None, judge=None)
    return next(s for s in stream_summary(UploadedFile(path, path.name), ctx) if isinstance(s, Summary))


def _citation_labels(path: Path) -> dict[str, str]:
    """Each chunk body line → the citation label a reader sees for it."""
    s = load_settings()
    doc = load_document(path, LoadLimits.from_settings(s))
    chunks = chunk_document(
        doc, s.chunking.max_tokens, token_counter(s.chunking.encoding), s.chunking.guideline_min_tokens
    )
    return {line: format_source_label(c.metadata) for c in chunks for line in c.text.split("\n")[1:]}


def score_document(doc: EvalDocument, path: Path, upload_dir: Path) -> DocumentScore:
    target = upload_dir / path.name
    if path.resolve() != target.resolve():
        shutil.copy(path, target)
    labels = _citation_labels(target)
    located = {s: next((lab for line, lab in labels.items() if s in line), "") for s in doc.labels}
    return score_summary(doc, _summary(target, upload_dir), located)


def external_documents(expect: Path) -> list[tuple[EvalDocument, Path]]:
    out = []
    for item in json.loads(expect.read_text(encoding="utf-8")):
        path = (expect.parent / item["path"]).resolve()
        doc = EvalDocument(
            item.get("name", path.name), path.name, path.read_bytes, dict(item.get("facts", {})),
            title=item.get("title", ""), addenda=tuple(item.get("addenda", ())),
            not_in_body=tuple(item.get("not_in_body", ())), sections_once=bool(item.get("sections_once", True)),
        )  # fmt: skip
        out.append((doc, path))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.bench.facts", description=__doc__)
    parser.add_argument("--expect", type=Path, action="append", default=[], help="expectation file (JSON)")
    args = parser.parse_args(argv)
    total = DocumentScore("합계")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jobs: list[tuple[EvalDocument, Path]] = []
        for doc in DOCUMENTS:
            path = folder / doc.filename
            path.write_bytes(doc.build())
            jobs.append((doc, path))
        for expect in args.expect:
            jobs += external_documents(expect)
        for doc, path in jobs:
            score = score_document(doc, path, folder)
            print(score.line())
            total.found += score.found
            total.expected += score.expected
    print(total.line())
    return 0 if total.found == total.expected else 1


if __name__ == "__main__":
    sys.exit(main())
