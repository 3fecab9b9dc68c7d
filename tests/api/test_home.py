"""``/`` serves the brokers' page, its options from the engine's lists; ``/static`` its CSS and JS."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from api.routes.home import STATIC_DIR
from matcher.records import FIELDS
from matcher.regions import PROVINCES


def test_the_page_is_chinese_html_with_the_engine_options_inlined(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in answer.text and "{{options}}" not in answer.text
    inlined = re.search(r'<script id="options" type="application/json">(.*?)</script>', answer.text, re.S)
    assert inlined is not None
    options = json.loads(inlined.group(1))
    assert options["fields"] == list(FIELDS) and options["provinces"] == list(PROVINCES)
    assert options["maturities"] == ["样品", "小试", "中试", "产业化"]
    assert "技术转让" in options["modes"]
    assert {"（单字）", "（覆盖度）"} <= set(options["labels"]) and options["expanded"] == "≈"


def test_every_asset_the_page_names_is_served_and_revalidated(client: TestClient) -> None:
    page = client.get("/").text
    modules = sorted(path.name for path in (STATIC_DIR / "js").glob("*.js"))
    for path in ["/static/app.css", *(f"/static/js/{name}" for name in modules)]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-cache"
    assert client.get("/static/js/main.js").headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    for name in re.findall(r"""(?:href|src)="(/static/[^"]+)""", page):
        assert client.get(name).status_code == 200
    for module in modules:  # every import of a module is a file that exists
        source = (STATIC_DIR / "js" / module).read_text(encoding="utf-8")
        for imported in re.findall(r"from '\./([^']+)'", source):
            assert (STATIC_DIR / "js" / imported).is_file(), f"{module} imports {imported}"


def test_unknown_static_file_is_404(client: TestClient) -> None:
    assert client.get("/static/nothing.js").status_code == 404
    assert client.get("/static/../api/config.py").status_code == 404
