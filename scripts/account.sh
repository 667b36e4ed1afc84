#!/usr/bin/env bash
# The account commands without activating the virtualenv first (python -m assistant.security.auth
# outside .venv fails: bcrypt and the project live there). Same as
# `.venv/bin/gov-assistant-account …` or, with `. .venv/bin/activate`, `python -m assistant.security.auth …`.
#   bash scripts/account.sh add-user LOGIN --role admin --name 이름 [--groups 감사,인사]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    echo "가상 환경(.venv)이 없습니다. 먼저 bash scripts/run-app.sh (또는 bash scripts/install.sh) 를 실행하세요." >&2
    exit 1
fi
exec .venv/bin/python -m assistant.security.auth "$@"
