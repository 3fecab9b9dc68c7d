from matcher.text import normalize


def test_normalize_full_width_case_space_and_html() -> None:
    assert normalize("ＣＯＤ　去除率<br/>９５％ &lt;高&gt;\n\n") == "cod 去除率 95% <高>"


def test_normalize_is_idempotent() -> None:
    text = "ＲＦ－ＳＯＩ  芯片"
    assert normalize(normalize(text)) == normalize(text)
