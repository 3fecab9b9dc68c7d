"""The real service on a free loopback port, in a thread, over a temporary SQLite file with the sample data."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from api.cli import load_sample
from api.config import Settings
from api.main import create_app
from matcher.samples import SAMPLE_DIR


@contextmanager
def running_app(**settings: Any) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT``) of the app with ``settings``; stopped and removed after."""
    with tempfile.TemporaryDirectory(prefix="techmatch-web-") as folder:
        config = Settings(database_url=f"sqlite:///{Path(folder) / 'techmatch.db'}", **settings)
        load_sample(config, SAMPLE_DIR)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # bound before the server starts: no other process can take the port
        server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the techmatch app did not start")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()
