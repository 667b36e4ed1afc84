#!/usr/bin/env bash
# Install the Debian packages the tests use when missing: Chromium and a Korean font (fonts-nanum)
# for the browser tests (Playwright drives /usr/bin/chromium; `playwright install` is not used: it
# downloads a browser), PostgreSQL for the audit-log test (the test starts its own cluster), and
# Tesseract with its Korean data for OCR of scanned PDFs and photos (ingest.documents.loaders.ocr).
# Idempotent and quiet: prints nothing when all is there, apt's log only when it fails.
# `install-system-deps.sh app` (scripts/run-app.sh): only what the app itself uses (Tesseract).
set -euo pipefail
need=()
if [ "${1:-}" != app ]; then
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    dpkg -s fonts-nanum >/dev/null 2>&1 || need+=(fonts-nanum)
    compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || need+=(postgresql)
fi
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
dpkg -s tesseract-ocr-kor >/dev/null 2>&1 || need+=(tesseract-ocr-kor)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-system-deps.sh: ${need[*]} 설치에는 root 권한(sudo)이 필요합니다." >&2
        exit 1
    fi
    sudo=(sudo)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-system-deps.sh: ${need[*]} 설치에 실패했습니다 (위 apt 로그 참조)." >&2
    exit 1
fi
