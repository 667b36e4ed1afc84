#!/usr/bin/env bash
# Install, index the shipped corpus (sample guidelines + the local-government core statutes in
# corpus/statutes), create the first admin account when there is none, start the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False ORT_DISABLE_TELEMETRY=1
paths=(corpus/guidelines corpus/statutes)
python -m ingest "${paths[@]}" || echo "일부 파일을 색인하지 못했습니다 (위 목록 참조). 나머지로 계속합니다."
python -m assistant.security.auth ensure-admin  # first run: prints the initial admin password once
exec python -m ui.serve --port "${PORT:-8501}"
