from pathlib import Path

import numpy as np
import pytest

from matcher import Achievement, Demand, Matcher
from matcher.dedupe import DuplicateFinder
from matcher.scoring import QualityParams

TEXTS = [
    "本成果研制了一种湿法锂电池隔膜的中试制备工艺，孔隙率均匀，热收缩率低于百分之二，已在两条产线上验证。",
    "克氏原螯虾养殖尾水的生态净化系统，利用沉淀池、生态沟渠和人工湿地串联处理，氮磷去除率超过百分之八十。",
    "催化臭氧氧化深度处理化工废水的成套技术，出水化学需氧量降至每升五十毫克以下，运行成本低于同类工艺。",
    "耐盐碱水稻新品种的选育方法，通过分子标记辅助选择聚合耐盐基因，在沿海滩涂种植亩产提高百分之十五。",
]


def edited_copies(text: str) -> list[str]:
    """Re-posted versions: a banner and contact added, a few characters changed, one clause dropped."""
    return [
        "【科惠网成果】" + text + "联系人：王老师。",
        text.replace("，", ",").replace("的", "之", 1) + "欢迎洽谈。",
        "项目简介：" + "，".join(text.split("，")[:-1]) + "。",
    ]


def records_with_copies() -> tuple[list[Achievement], set[frozenset[str]]]:
    records, truth = [], set()
    for n, text in enumerate(TEXTS):
        ids = [f"t{n}"] + [f"t{n}-copy{c}" for c in range(3)]
        records += [Achievement(id=i, description=t) for i, t in zip(ids, [text, *edited_copies(text)], strict=True)]
        truth |= {frozenset((a, b)) for a in ids for b in ids if a < b}
    return records, truth


def test_constructed_near_duplicates_are_found_with_precision_and_recall_one() -> None:
    records, truth = records_with_copies()
    finder = DuplicateFinder().fit(records)
    grouped = {frozenset((records[a].id, records[b].id)) for g in finder.groups() for a in g for b in g if a < b}
    assert grouped == truth
    assert len(finder.groups()) == len(TEXTS)


def test_different_records_on_one_topic_are_not_duplicates() -> None:
    a = Achievement(id="a", description="一种湿法锂电池隔膜的制备方法，采用双向拉伸工艺提高孔隙率。")
    b = Achievement(id="b", description="一种干法锂电池隔膜的制备方法，采用单向拉伸工艺降低成本。")
    assert DuplicateFinder(threshold=0.6).fit([a, b]).groups() == []


def test_shingles_ignore_punctuation_and_width() -> None:
    records = [
        Achievement(id="a", description="锂电池,隔膜(湿法)"),
        Achievement(id="b", description="锂电池，隔膜（湿法）"),
    ]
    signatures = DuplicateFinder().signatures(records)
    assert np.array_equal(signatures[0], signatures[1])


def test_signatures_of_texts_shorter_than_a_shingle() -> None:
    records = [
        Achievement(id="a", description="锂"),
        Achievement(id="b", description="锂"),
        Achievement(id="c", description="钠"),
    ]
    signatures = DuplicateFinder().signatures(records)
    assert np.array_equal(signatures[0], signatures[1]) and not np.array_equal(signatures[0], signatures[2])


def test_shortlist_shows_one_copy_and_lists_the_others() -> None:
    records, _ = records_with_copies()
    matcher = Matcher().fit(records)
    matches = matcher.match_demand(Demand(id="q", description="锂电池隔膜湿法工艺"), k=3)
    assert [m.record.id.split("-")[0] for m in matches].count("t0") == 1
    first = matches[0]
    assert sorted(first.duplicates + (first.record.id,)) == ["t0", "t0-copy0", "t0-copy1", "t0-copy2"]
    assert len(matches) == 3  # the shortlist is refilled with other records
    off = Matcher(quality=QualityParams(dedupe=False)).fit(records)
    shown = [m.record.id for m in off.match_demand(Demand(id="q", description="锂电池隔膜湿法工艺"), k=3)]
    assert all(i.startswith("t0") for i in shown)
    assert all(m.duplicates == () for m in off.match_demand(Demand(id="q", description="锂电池隔膜湿法工艺")))


def test_duplicate_groups_follow_upsert_remove_and_save(tmp_path: Path) -> None:
    records, _ = records_with_copies()
    matcher = Matcher().fit(records[:4])
    assert matcher.duplicate_groups() == [["t0", "t0-copy0", "t0-copy1", "t0-copy2"]]
    grown = matcher.upsert(achievements=records[4:8])
    assert len(grown.duplicate_groups()) == 2
    smaller = grown.remove(achievement_ids=["t0-copy0", "t0-copy1", "t0-copy2"])
    assert smaller.duplicate_groups() == [["t1", "t1-copy0", "t1-copy1", "t1-copy2"]]
    smaller.save(tmp_path / "index")
    assert Matcher.load(tmp_path / "index").duplicate_groups() == smaller.duplicate_groups()
    assert matcher.duplicate_groups("demands") == []


def test_finder_checks_its_settings() -> None:
    with pytest.raises(ValueError, match="multiple of bands"):
        DuplicateFinder(permutations=100, bands=32)


def test_pairs_kept_up_to_date_equal_pairs_banded_anew() -> None:
    """An upsert verifies only the pairs with its new rows, a removal drops pairs: the same pairs as banding
    the whole side again (threshold 0.3 and few rows per band, so that many candidates share a band)."""
    records, _ = records_with_copies()
    shuffled = [records[n] for n in np.random.default_rng(3).permutation(len(records))]
    finder = DuplicateFinder(threshold=0.3, permutations=64, bands=32).fit(shuffled[:7])
    assert finder.pairs()  # banded once: known from here on
    grown = finder.extended(shuffled[7:12]).extended(shuffled[12:])
    fresh = DuplicateFinder(threshold=0.3, permutations=64, bands=32).fit(shuffled)
    assert grown.pairs() == fresh.pairs() and len(fresh.pairs()) >= 20
    keep = np.arange(len(shuffled)) % 3 != 1
    assert grown.without(keep).pairs() == fresh.with_signatures(fresh.signatures_[keep]).pairs()
    assert grown.without(keep).groups() == fresh.with_signatures(fresh.signatures_[keep]).groups()
