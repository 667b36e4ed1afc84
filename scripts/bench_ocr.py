"""OCR accuracy and speed on renders of the text PDFs in ../shared/data/documents.

Each sampled page is rendered (pypdfium2) at 200 and 300 dpi, read by Tesseract the way ingest
reads a scanned page (``ingest.documents.loaders.ocr.ocr_image``), and compared with the page's own text
layer (pypdfium2's text extraction, which has no running header logic): character error rate =
Levenshtein distance / reference length, both sides with all whitespace removed (the text layer
and OCR disagree on line breaks and spacing, which search does not care about), and law.go.kr's
page footer dropped from both.

    python scripts/bench_ocr.py [--pages 2] [--dpi 200 300] [--threads 1] [--docs statute_pdf guideline_pdf]

Not a test: it takes ~4 s per page and dpi on one core. Results: docs/bench/ocr.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.core.settings import OcrSettings, get_settings  # noqa: E402
from ingest.documents.loaders.ocr import ocr_image  # noqa: E402
from ingest.documents.loaders.textnorm import normalize_text  # noqa: E402

FOOTER = re.compile(r"법제처\s*\d+\s*국가법령정보센터")


def squash(text: str) -> str:
    """Whitespace-free, normalised text (middle dots unified, PUA dropped), footer removed."""
    return re.sub(r"\s+", "", FOOTER.sub("", normalize_text(text)))


def cer(reference: str, hypothesis: str) -> float:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = squash(reference), squash(hypothesis)
    return Levenshtein.distance(ref, hyp) / max(len(ref), 1)


def sample_pages(n_pages: int, wanted: int) -> list[int]:
    """`wanted` pages spread over the document, skipping the cover (0-based)."""
    if n_pages <= 1:
        return [0]
    step = max((n_pages - 1) // (wanted + 1), 1)
    return sorted({min(1 + i * step, n_pages - 1) for i in range(wanted)})


def main(argv: list[str] | None = None) -> int:
    import pypdfium2 as pdfium

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2, help="pages per document")
    ap.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    ap.add_argument("--threads", type=int, default=1, help="OMP_THREAD_LIMIT of Tesseract")
    ap.add_argument("--docs", nargs="+", default=["statute_pdf", "guideline_pdf"])
    ap.add_argument("--lang", default=None, help="tesseract languages (default: settings.ocr.languages)")
    args = ap.parse_args(argv)
    base = get_settings().ocr
    ocr = OcrSettings(
        **{**base.model_dump(), "threads": args.threads, **({"languages": args.lang} if args.lang else {})}
    )
    os.environ["OMP_THREAD_LIMIT"] = str(args.threads)
    docs_root = get_settings().shared_dir / "data" / "documents"
    rows: list[tuple[str, str, int, float, float, int]] = []
    worst: dict[int, tuple[float, str, int, str, str]] = {}
    for folder in args.docs:
        for pdf_path in sorted((docs_root / folder).glob("*.pdf")):
            pdf = pdfium.PdfDocument(str(pdf_path))
            pages = sample_pages(len(pdf), args.pages)
            for dpi in args.dpi:
                errors, chars, seconds = 0.0, 0, 0.0
                for index in pages:
                    page = pdf[index]
                    reference = page.get_textpage().get_text_bounded()
                    if len(squash(reference)) < 50:
                        continue  # a page without much text says nothing about accuracy
                    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                    read = ocr_image(image, ocr)
                    seconds += read.seconds
                    rate = cer(reference, read.text)
                    n = len(squash(reference))
                    errors += rate * n
                    chars += n
                    if rate > worst.get(dpi, (-1.0,))[0]:
                        worst[dpi] = (
                            rate,
                            pdf_path.name,
                            index + 1,
                            squash(reference)[:120],
                            squash(read.text)[:120],
                        )
                if chars:
                    rows.append(
                        (
                            folder,
                            pdf_path.stem[:48],
                            dpi,
                            errors / chars,
                            len(pages) / max(seconds, 1e-9),
                            chars,
                        )
                    )
                    print(f"{folder:14} {pdf_path.stem[:48]:48} {dpi:4d} dpi  CER {errors / chars:6.2%}  "
                          f"{len(pages) / max(seconds, 1e-9):5.2f} pages/s  ({chars} chars)", flush=True)  # fmt: skip
            pdf.close()
    print()
    for dpi in args.dpi:
        sel = [r for r in rows if r[2] == dpi]
        for folder in args.docs:
            part = [r for r in sel if r[0] == folder]
            if part:
                total = sum(r[5] for r in part)
                mean = sum(r[3] * r[5] for r in part) / total
                speed = sum(r[4] for r in part) / len(part)
                print(f"{dpi} dpi {folder}: CER {mean:.2%} (char-weighted), {speed:.2f} pages/s per core")
        if dpi in worst:
            rate, name, page, ref, hyp = worst[dpi]
            print(f"worst page at {dpi} dpi: {name} p.{page} CER {rate:.1%}\n  ref: {ref}\n  ocr: {hyp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
