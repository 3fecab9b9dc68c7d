"""A seeded, realistic-looking corpus of achievements and demands for benchmarks (not tests).

Sentences, keywords and titles of ``../shared/data/csl/papers.jsonl`` are recombined within one
discipline, so that texts read like real records and topics cluster as on a platform. The papers
are read at run time and never copied into the repository; without them the scripts stop with a
clear message.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

PAPERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "csl" / "papers.jsonl"

REGIONS = (
    "湖北省武汉市",
    "湖北省宜昌市",
    "湖北省襄阳市",
    "云南省昆明市",
    "云南省曲靖市",
    "广东省深圳市",
    "江苏省南京市",
    "浙江省杭州市",
    "四川省成都市",
    "北京市",
    "上海市",
    "陕西省西安市",
)
FIELDS = ("新一代信息技术", "新材料", "新能源", "生物医药", "智能制造", "节能环保", "化工", "现代农业/高效种植")
MATURITIES = ("样品", "小试", "中试", "产业化", None)
MODES = ("技术转让", "技术许可", "作价入股", "合作开发", "技术服务")
TITLE_SUFFIXES = ("技术", "方法", "系统", "装置", "工艺", "平台")
DEMAND_OPENINGS = ("我公司", "本企业", "我单位", "公司")
DEMAND_ASKS = ("寻求成熟技术解决。", "希望与高校合作开发。", "求购相关专利或技术许可。", "需要技术服务支持。")

_SENTENCE = re.compile(r"[^。；;.!?！？]+[。；;.!?！？]?")


class Pools:
    """Sentences, keywords and titles grouped by discipline."""

    def __init__(self, papers: list[dict[str, Any]]) -> None:
        self.sentences: dict[str, list[str]] = defaultdict(list)
        self.keywords: dict[str, list[str]] = defaultdict(list)
        self.titles: dict[str, list[str]] = defaultdict(list)
        for paper in papers:
            discipline = paper["discipline"]
            self.sentences[discipline].extend(
                s.strip() for s in _SENTENCE.findall(paper["abstract"]) if len(s.strip()) >= 8
            )
            self.keywords[discipline].extend(paper["keywords"])
            self.titles[discipline].append(paper["title"])
        self.disciplines = sorted(d for d in self.sentences if self.keywords[d])


def load_pools(path: Path = PAPERS) -> Pools:
    """The pools, or exit with a message when the CSL papers are not beside the repository."""
    if not path.is_file():
        sys.exit(f"CSL papers not found at {path} (they live in ../shared, outside the repository): nothing to run")
    with open(path, encoding="utf-8") as lines:
        return Pools([json.loads(line) for line in lines if line.strip()])


def _common(rng: random.Random) -> dict[str, Any]:
    return {
        "field": rng.choice(FIELDS),
        "region": rng.choice(REGIONS),
        "maturity": rng.choice(MATURITIES),
        "cooperation_modes": rng.sample(MODES, rng.randint(1, 2)),
    }


def achievement(rng: random.Random, pools: Pools, number: int) -> dict[str, Any]:
    discipline = rng.choice(pools.disciplines)
    keywords = rng.sample(pools.keywords[discipline], min(4, len(pools.keywords[discipline])))
    return {
        "id": f"A{number:07d}",
        "title": keywords[0] + rng.choice(TITLE_SUFFIXES),
        "description": "".join(rng.choices(pools.sentences[discipline], k=rng.randint(3, 6))),
        "keywords": keywords,
        "owner": f"第{rng.randint(1, 400)}研究院",
        "price": rng.choice((None, 20, 50, 80, 150, 300)),
        **_common(rng),
    }


def demand(rng: random.Random, pools: Pools, number: int) -> dict[str, Any]:
    discipline = rng.choice(pools.disciplines)
    keywords = rng.sample(pools.keywords[discipline], min(2, len(pools.keywords[discipline])))
    problem = "".join(rng.choices(pools.sentences[discipline], k=rng.randint(1, 2)))
    return {
        "id": f"D{number:07d}",
        "title": f"{keywords[0]}{rng.choice(('需求', '难题', '技术攻关'))}",
        "description": f"{rng.choice(DEMAND_OPENINGS)}在{rng.choice(pools.titles[discipline])}方面遇到问题：{problem}{rng.choice(DEMAND_ASKS)}",
        "keywords": keywords,
        "company": f"第{rng.randint(1, 900)}制造有限公司",
        "budget": rng.choice((None, 30, 100, 200, 500)),
        **_common(rng),
    }


def write_corpus(folder: Path, n_achievements: int, n_demands: int, *, seed: int = 7) -> tuple[Path, Path]:
    """Write ``achievements.jsonl`` and ``demands.jsonl`` (reused when already there with these sizes)."""
    folder.mkdir(parents=True, exist_ok=True)
    pools = load_pools()
    paths = []
    for name, count, make in (("achievements", n_achievements, achievement), ("demands", n_demands, demand)):
        path = folder / f"{name}-{count}-s{seed}.jsonl"
        if not path.is_file():
            rng = random.Random(f"{seed}-{name}")
            tmp = path.with_suffix(".part")
            with open(tmp, "w", encoding="utf-8") as out:
                for number in range(count):
                    out.write(json.dumps(make(rng, pools, number), ensure_ascii=False) + "\n")
            tmp.replace(path)
        paths.append(path)
    return paths[0], paths[1]
