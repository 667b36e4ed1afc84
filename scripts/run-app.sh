#!/usr/bin/env bash
# Install, index the sample guidelines and the local-government core laws of the shipped statute
# book (corpus/statutes), create the first admin account when there is none, index the rest of
# the book in the background (a new index generation; the app answers meanwhile, a restart
# resumes it), start the UI.
#
# Options (environment): PORT (default 8501), HOST (default 127.0.0.1; 0.0.0.0 = reachable from
# other computers), SKIP_SYSTEM_DEPS=1 (do not install Tesseract with apt), BOOK_INDEX=0 (core
# laws only, no background indexing of the whole book).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ "${SKIP_SYSTEM_DEPS:-0}" != 1 ]; then
    bash scripts/install-system-deps.sh app ||
        echo "시스템 패키지(Tesseract OCR)를 설치하지 못했습니다: 스캔 문서·사진 OCR 없이 계속합니다." >&2
fi
. .venv/bin/activate
export HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False ORT_DISABLE_TELEMETRY=1
python -m ingest.job.book core || echo "일부 파일을 색인하지 못했습니다 (위 목록 참조). 나머지로 계속합니다."
python -m assistant.security.auth ensure-admin  # first run: prints the initial admin password once
if [ "${BOOK_INDEX:-1}" != 0 ]; then
    mkdir -p data/logs
    echo "법령 전체를 뒤에서 색인합니다 (진행: 관리 화면, data/logs/book-index.log). 그동안 핵심 법령으로 답합니다."
    nohup nice -n 10 python -m ingest.job.book complete >>data/logs/book-index.log 2>&1 &
fi
exec python -m ui.serve --port "${PORT:-8501}" --address "${HOST:-127.0.0.1}"
