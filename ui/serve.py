"""Start the app: ``python -m ui.serve [--port N]`` runs ``streamlit run ui/server.py`` with the
server options that follow from the settings (one place for them: this module).

- Listens on the loopback address unless told otherwise (a reverse proxy faces the network).
- The upload limit is ``ingest.max_file_mb`` (Streamlit's default is 200 MB).
- XSRF and CORS protection on, no usage statistics, no error details, viewer toolbar, no
  development mode, no file watcher.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ingest.core.settings import Settings, get_settings

SERVER_SCRIPT = Path(__file__).with_name("server.py")


def streamlit_options(settings: Settings, port: int, address: str = "127.0.0.1") -> list[str]:
    """The `streamlit run` options for `settings` (pure)."""
    upload_mib = max(1, math.ceil(settings.ingest.max_file_mb * 1e6 / 2**20))
    options = {
        "server.address": address,
        "server.port": str(port),
        "server.headless": "true",
        "server.maxUploadSize": str(upload_mib),
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        "browser.gatherUsageStats": "false",
        "client.showErrorDetails": "none",
        "client.toolbarMode": "viewer",
        "global.developmentMode": "false",
    }
    return [item for key, value in options.items() for item in (f"--{key}", value)]


def command(settings: Settings, port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(SERVER_SCRIPT),
        *streamlit_options(settings, port, address),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ui.serve", description="웹 화면 실행")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8501")))
    parser.add_argument("--address", default="127.0.0.1", help="기본: 127.0.0.1 (역방향 프록시 뒤)")
    args = parser.parse_args(argv)
    cmd = command(get_settings(), args.port, args.address)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
