"""Seeded corpora of achievements and demands, recombined at run time from ../shared/data/csl.

Sentences, titles and keywords come from the CSL papers (read when the benchmark runs, never
copied into the repository); fields follow the paper's category, regions lean towards the
provinces whose platforms the domain notes describe, maturity and cooperation modes follow the
shares such platforms publish. The same ``seed`` and size give the same corpus (Python's seeded
``random``, stable across platforms).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from matcher.records import FIELDS

PAPERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "csl" / "papers.jsonl"

_SENTENCE = re.compile(r"[^。；;!?！？]+[。；;!?！？]?")
_FIELDS_BY_CATEGORY = {
    "工学": ["智能制造", "新一代信息技术", "集成电路", "新材料", "新能源", "节能环保", "化工", "航空航天", "轨道交通"],
    "农学": [field for field in FIELDS if field.startswith("现代农业/")],
    "医学": ["生物医药", "高端医疗器械", "大健康与生物技术"],
    "理学": ["新材料", "新能源", "大健康与生物技术", "北斗导航"],
}
_OTHER_FIELDS = ["新一代信息技术", "人工智能", "节能环保"]
_REGIONS = [  # (region, weight): the provincial platforms of the domain notes weigh most
    ("湖北省武汉市", 18),
    ("湖北省宜昌市", 4),
    ("湖北省襄阳市", 4),
    ("湖北省荆州市", 3),
    ("云南省昆明市", 10),
    ("云南省曲靖市", 2),
    ("广东省深圳市", 8),
    ("广东省广州市", 6),
    ("江苏省南京市", 6),
    ("江苏省苏州市", 5),
    ("浙江省杭州市", 6),
    ("北京市", 8),
    ("上海市", 7),
    ("四川省成都市", 4),
    ("陕西省西安市", 4),
    ("山东省济南市", 3),
    ("湖南省长沙市", 3),
    ("河南省郑州市", 3),
    ("安徽省合肥市", 3),
    ("", 5),
]
_REGION_NAMES = [name for name, _ in _REGIONS]
_REGION_WEIGHTS = [weight for _, weight in _REGIONS]
_MATURITY = (["样品", "小试", "中试", "产业化", ""], [0.15, 0.30, 0.28, 0.17, 0.10])
_MODES = ["技术转让", "技术许可", "作价入股", "合作开发", "技术服务"]
_MODE_SHARES = [0.45, 0.25, 0.08, 0.14, 0.08]
_OWNERS = (["高校", "科研院所", "企业", "医院", "新型研发机构"], [0.55, 0.2, 0.17, 0.04, 0.04])
_TITLE_TAILS = ["技术", "方法", "系统", "装置", "工艺", "制备方法", "关键技术", "应用"]
_DEMAND_OPENINGS = ["求购", "寻求", "征集", "需要", ""]
_DEMAND_TAILS = ["解决方案", "技术", "工艺", "合作开发", "技术服务"]


def load_papers(path: Path = PAPERS) -> list[dict]:
    """The CSL papers, or exit with a clear message where ../shared is absent."""
    if not path.is_file():
        sys.exit(f"CSL papers not found at {path}: the benchmark needs ../shared/data/csl (outside the repository)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class _Pool:
    """Sentences and keywords of the papers, grouped by discipline for plausible recombination."""

    def __init__(self, papers: list[dict]) -> None:
        self.papers = papers
        self.sentences = [
            [s for s in _SENTENCE.findall(p["abstract"]) if len(s) > 4] or [p["abstract"]] for p in papers
        ]
        by_discipline: dict[str, list[int]] = {}
        for n, paper in enumerate(papers):
            by_discipline.setdefault(paper["discipline"], []).append(n)
        self.neighbours = [by_discipline[p["discipline"]] for p in papers]


@lru_cache
def _cumulative(shares: tuple[float, ...]) -> list[float]:
    return list(accumulate(shares))


def _choice(rng: random.Random, values: list[str], shares: list[float] | None = None) -> str:
    return rng.choices(values, cum_weights=_cumulative(tuple(shares)))[0] if shares else rng.choice(values)


def _modes(rng: random.Random) -> list[str]:
    count = int(_choice(rng, ["1", "2", "3"], [0.55, 0.35, 0.10]))
    chosen: list[str] = []
    while len(chosen) < count:
        mode = _choice(rng, _MODES, _MODE_SHARES)
        if mode not in chosen:
            chosen.append(mode)
    return chosen


def _common(rng: random.Random, paper: dict) -> dict:
    return {
        "field": _choice(rng, _FIELDS_BY_CATEGORY.get(paper["category"], _OTHER_FIELDS)),
        "region": _choice(rng, _REGION_NAMES, _REGION_WEIGHTS),
        "maturity": _choice(rng, *_MATURITY),
        "cooperation_modes": _modes(rng),
    }


def _text(rng: random.Random, pool: _Pool, n: int, sentences: int) -> tuple[str, list[str]]:
    """A description: sentences of paper ``n`` then of a paper of the same discipline, and keywords of both."""
    other = rng.choice(pool.neighbours[n])
    own = pool.sentences[n][: max(1, sentences - 1)]
    borrowed = rng.sample(pool.sentences[other], min(2, len(pool.sentences[other])))
    keywords = list(pool.papers[n]["keywords"][:3]) + list(pool.papers[other]["keywords"][:1])
    return "".join(own + borrowed), keywords


def _title(rng: random.Random, paper: dict, keywords: list[str]) -> str:
    if rng.random() < 0.5 or len(keywords) < 2:
        return str(paper["title"])
    return f"基于{keywords[-1]}的{keywords[0]}{_choice(rng, _TITLE_TAILS)}"


def achievements(size: int, *, seed: int = 0, papers: list[dict] | None = None) -> Iterator[dict]:
    """``size`` achievement rows (the fields of matcher.records.Achievement), reproducible by ``seed``."""
    pool = _Pool(papers or load_papers())
    rng = random.Random(seed)
    for i in range(size):
        n = rng.randrange(len(pool.papers))
        description, keywords = _text(rng, pool, n, rng.randrange(3, 6))
        price = None if rng.random() < 0.4 else round(rng.lognormvariate(4.0, 1.0), 1)
        yield {
            "id": f"a{i:07d}",
            "title": _title(rng, pool.papers[n], keywords),
            "description": description,
            "keywords": keywords,
            "owner_type": _choice(rng, *_OWNERS),
            "price": price,
            **_common(rng, pool.papers[n]),
        }


def demands(size: int, *, seed: int = 1, papers: list[dict] | None = None) -> Iterator[dict]:
    """``size`` demand rows: a company's title and problem drawn from one paper's topic."""
    pool = _Pool(papers or load_papers())
    rng = random.Random(seed)
    for i in range(size):
        n = rng.randrange(len(pool.papers))
        keywords = list(pool.papers[n]["keywords"][:2])
        topic = keywords[0] if keywords else pool.papers[n]["title"][:8]
        title = (
            str(pool.papers[n]["title"])
            if rng.random() < 0.5
            else f"{_choice(rng, _DEMAND_OPENINGS)}{topic}{_choice(rng, _DEMAND_TAILS)}"
        )
        sentence = rng.choice(pool.sentences[n])
        budget = None if rng.random() < 0.5 else round(rng.lognormvariate(4.5, 0.8), 1)
        yield {
            "id": f"d{i:07d}",
            "title": title,
            "description": f"我公司在{topic}方面遇到难题：{sentence}希望找到成熟可用的技术。",
            "keywords": keywords,
            "budget": budget,
            **_common(rng, pool.papers[n]),
        }
