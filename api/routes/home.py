"""``/``: a placeholder that points to the API docs (the brokers' web page will replace it)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>techmatch</title></head>
<body><h1>techmatch 科技成果与技术需求匹配</h1>
<p>The matching service is running. Try it in the <a href="/docs">API docs (/docs)</a>;
check <a href="/health">/health</a>.</p></body></html>
"""


@router.get("/", response_class=HTMLResponse)
def home() -> str:
    return PAGE
