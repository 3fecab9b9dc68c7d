"""techmatch's matching engine: Chinese TF-IDF matching of 技术需求 and 科技成果."""

__version__ = "0.1.0"

from .engine import Match, Matcher
from .errors import InputError, MatcherError, NotFittedError, Problem
from .explain import Explanation
from .filters import Boosts, Filters
from .index import IndexParams, TfidfIndex
from .records import Achievement, CooperationMode, Demand, Maturity
from .tokenize import ChineseTokenizer

__all__ = [
    "Achievement",
    "Boosts",
    "ChineseTokenizer",
    "CooperationMode",
    "Demand",
    "Explanation",
    "Filters",
    "IndexParams",
    "InputError",
    "Match",
    "Matcher",
    "MatcherError",
    "Maturity",
    "NotFittedError",
    "Problem",
    "TfidfIndex",
    "__version__",
]
