"""Pure text clean-up applied before any tokenising: one place, so every channel sees the same text."""

from __future__ import annotations

import html
import re
import unicodedata

_TAGS = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), HTML entities and tags removed, Latin lower-cased, spaces folded.

    >>> normalize("ＲＦ－ＳＯＩ　<b>芯片</b> &amp; ５Ｇ")
    'rf-soi 芯片 & 5g'
    """
    text = unicodedata.normalize("NFKC", text)
    text = html.unescape(_TAGS.sub(" ", text))
    return _SPACE.sub(" ", text.lower()).strip()
