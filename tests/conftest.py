"""Tiny corpora (our own writing) and shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher import Achievement, ChineseTokenizer, Demand, Matcher

SHARED_CSL = Path(__file__).resolve().parents[2] / "shared" / "data" / "csl"

ACHIEVEMENTS = [
    Achievement(
        id="a1",
        title="湿法锂电池隔膜制备技术",
        description="一种湿法锂电池隔膜的中试制备工艺，孔隙率均匀，热收缩率低于2%。",
        keywords=["锂电池隔膜", "湿法"],
        field="新能源",
        region="湖北省武汉市",
        maturity="中试",
        cooperation_modes=["技术转让", "技术许可"],
        owner="武汉理工大学",
        owner_type="高校",
        price=80,
    ),
    Achievement(
        id="a2",
        title="锂电池隔膜涂覆陶瓷浆料",
        description="陶瓷涂覆提高锂电池隔膜耐热性，实验室小试阶段。",
        keywords=["陶瓷涂覆", "隔膜"],
        field="新材料",
        region="广东省深圳市",
        maturity="小试",
        cooperation_modes=["合作开发"],
        owner="深圳某材料公司",
        owner_type="企业",
        price=None,
    ),
    Achievement(
        id="a3",
        title="耐盐碱水稻新品种",
        description="耐盐碱水稻品种选育，亩产提高15%，适合沿海滩涂种植。",
        keywords=["水稻", "耐盐碱"],
        field="现代农业/良种培育",
        region="湖北省荆州市",
        maturity="产业化",
        cooperation_modes=["技术许可"],
        owner="长江大学",
        owner_type="高校",
        price=30,
    ),
    Achievement(
        id="a4",
        title="稻虾共作尾水净化系统",
        description="克氏原螯虾养殖尾水的生态净化系统，氮磷去除率超过80%。",
        keywords=["克氏原螯虾", "尾水处理"],
        field="现代农业/健康养殖",
        region="湖北省潜江市",
        maturity="中试",
        cooperation_modes=["技术服务", "合作开发"],
        owner="华中农业大学",
        owner_type="高校",
        price=50,
    ),
    Achievement(
        id="a5",
        title="RF-SOI射频前端芯片设计",
        description="面向5G基站的RF-SOI射频开关芯片，插入损耗低，适配12英寸晶圆工艺。",
        keywords=["RF-SOI", "射频前端", "5G"],
        field="集成电路",
        region="上海市",
        maturity="样品",
        cooperation_modes=["作价入股"],
        owner="某微电子研究所",
        owner_type="科研院所",
        price=500,
    ),
    Achievement(
        id="a6",
        title="工业废水COD深度处理技术",
        description="催化臭氧氧化深度处理化工废水，COD降至50mg/L以下。",
        keywords=["COD", "废水处理"],
        field="节能环保",
        region="湖北省宜昌市",
        maturity="产业化",
        cooperation_modes=["技术转让"],
        owner="三峡大学",
        owner_type="高校",
        price=120,
    ),
]

DEMANDS = [
    Demand(
        id="d1",
        title="求购锂电池隔膜生产技术",
        description="我公司计划建设锂电池隔膜生产线，需要成熟的湿法工艺。",
        keywords=["隔膜"],
        field="新能源",
        region="湖北省襄阳市",
        maturity="中试",
        cooperation_modes=["技术转让"],
        company="襄阳某新能源公司",
        budget=100,
    ),
    Demand(
        id="d2",
        title="小龙虾养殖尾水处理",
        description="稻虾养殖基地尾水氮磷超标，寻求低成本生态处理办法。",
        keywords=["尾水", "氮磷"],
        field="现代农业",
        region="湖北省潜江市",
        cooperation_modes=["技术服务"],
    ),
    Demand(
        id="d3",
        title="化工园区废水COD超标",
        description="化工废水COD偏高，希望找到深度处理工艺。",
        field="节能环保",
        region="湖北省宜昌市",
        maturity="产业化",
        budget=200,
    ),
]


@pytest.fixture(scope="session")
def tokenizer() -> ChineseTokenizer:
    return ChineseTokenizer()


@pytest.fixture(scope="session")
def matcher(tokenizer: ChineseTokenizer) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(ACHIEVEMENTS, DEMANDS)


def csl_file(name: str) -> Path:
    """A CSL benchmark file, or a skip with the reason where ../shared is absent."""
    path = SHARED_CSL / name
    if not path.is_file():
        pytest.skip(f"CSL benchmark not found at {path} (it lives in ../shared, outside the repository)")
    return path
