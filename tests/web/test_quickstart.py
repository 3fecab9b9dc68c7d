"""The README's first command (`make run` = `techmatch serve --load-sample`): its last line is the page's address,
and what is served there is the page, ready to rank a demand. Runs the real command; no browser needed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.web.pages import sample_demand


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_ends_by_printing_the_page_address_and_the_page_works(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TECHMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'techmatch.db'}"}
    env.pop("TECHMATCH_API_KEY", None)
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port), "--load-sample"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        while not (lines and "在浏览器中打开" in lines[-1]):
            line = server.stdout.readline()  # type: ignore[union-attr]
            assert line, f"serve stopped before announcing the page: {lines}"
            lines.append(line.strip())
        address = f"http://127.0.0.1:{port}/"
        assert lines[-1].endswith(address)
        assert any("Uvicorn running on" in line for line in lines[:-1])  # uvicorn's lines come first
        assert "310 achievements, 82 demands" in "\n".join(lines)
        page = httpx.get(address)
        assert page.status_code == 200 and "匹配" in page.text
        demand = {k: v for k, v in sample_demand().items() if k != "difficulty"}
        matches = httpx.post(f"{address}demands:match", json=demand).json()["matches"]
        assert len(matches) >= 5 and matches[0]["explanation"]["reasons"]
    finally:
        server.terminate()
        server.wait(timeout=30)
