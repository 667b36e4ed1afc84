"""The state database under real processes (issue 31, finding 4): the app's throttle and session
stores share one engine per file and never open the file behind SQLite's back, so another process
opening and closing the file (the account CLI, a backup, `sqlite3`) leaves the app's WAL in place."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.security.storage import make_engine
from tests.conftest import PROJECT_ROOT

# The app: both state stores of one process on one file, as ui.login and ui.persistent_login use them.
APP = """
import sys
from assistant.security import sessions, throttle
from ingest.core.settings import get_settings

s = get_settings()
limiter, tokens = throttle.get_throttle(s), sessions.get_tokens(s)
policy = throttle.ThrottlePolicy()
limiter.failed("before", "10.0.0.1", policy)
print("ready", flush=True)
sys.stdin.readline()  # meanwhile another process opens and closes the file
limiter.failed("after", "10.0.0.1", policy)
tokens.start("clerk", "이주무", "password", "cred", 12)
print("written", flush=True)
sys.stdin.readline()
"""
# Another process that opens the file and closes it again.
TOUCH = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM login_throttle").fetchall()
conn.close()
"""
# A reader: the rows as another process sees them.
READ = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
keys = [r[0] for r in conn.execute("SELECT key FROM login_throttle")]
logins = [r[0] for r in conn.execute("SELECT login FROM login_sessions")]
conn.close()
print(json.dumps({"keys": keys, "sessions": logins}))
"""


def run_python(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def test_another_process_closing_the_file_keeps_the_apps_rows(tmp_path: Path) -> None:
    db = tmp_path / "security.sqlite3"
    env = os.environ | {"ASSISTANT_SECURITY__STATE_URL": f"sqlite:///{db}"}
    app = subprocess.Popen(
        [sys.executable, "-c", APP], cwd=PROJECT_ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert app.stdout.readline().strip() == "ready"
        run_python(TOUCH, str(db), env=env)
        app.stdin.write("\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == "written"
        seen = json.loads(run_python(READ, str(db), env=env))
        assert "account:after" in seen["keys"] and seen["sessions"] == ["clerk"]
        assert (tmp_path / "security.sqlite3-wal").exists()  # the app's WAL, still linked
        app.send_signal(signal.SIGKILL)  # a crash or a hard restart: no checkpoint on the way out
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    seen = json.loads(run_python(READ, str(db), env=env))  # after the restart
    assert {"account:before", "account:after"} <= set(seen["keys"]) and seen["sessions"] == ["clerk"]
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("security.sqlite3*")} == {
        p.name: 0o600 for p in tmp_path.glob("security.sqlite3*")
    }


def test_one_engine_per_database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    absolute = make_engine(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    assert make_engine("sqlite:///state.sqlite3") is absolute  # the same file, however it is named
    assert make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}") is not absolute
    assert make_engine("sqlite://") is not make_engine("sqlite://")  # in-memory: each its own
