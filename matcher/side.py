"""One side of the market (achievements or demands): records, their index, and what is learned from them.

Besides the TF-IDF index a side may hold a latent space (semantic channel), MinHash signatures
(near-duplicate groups) and a field classifier; all follow upserts and removals without a refit
and are saved as plain arrays beside the index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from .classify import FieldClassifier
from .dedupe import DuplicateFinder
from .filters import Attributes
from .index import TfidfIndex
from .records import Record
from .scoring import Prepared, QualityParams, Scorer
from .semantic import LatentSpace


class Side:
    """Records aligned with index rows, plus the optional learned parts (``None`` when off)."""

    def __init__(
        self,
        records: Sequence[Record],
        index: TfidfIndex,
        quality: QualityParams,
        *,
        latent: LatentSpace | None = None,
        duplicates: DuplicateFinder | None = None,
        classifier: FieldClassifier | None = None,
        attributes: Attributes | None = None,
    ) -> None:
        self.records = list(records)
        self.index = index
        self.quality = quality
        self.latent, self.duplicates, self.classifier = latent, duplicates, classifier
        self.attributes = attributes if attributes is not None else Attributes(self.records)
        self.positions = {r.id: n for n, r in enumerate(self.records)}
        self.scorer = Scorer(index, quality, latent)

    @classmethod
    def build(cls, records: Sequence[Record], index: TfidfIndex, quality: QualityParams) -> Side:
        """Fit everything on ``records``; missing fields are filled when a classifier can be trained."""
        if not records:
            return cls([], index, quality)
        return cls.learned(records, index.fit(records), quality)

    @classmethod
    def learned(cls, records: Sequence[Record], index: TfidfIndex, quality: QualityParams) -> Side:
        """The side of ``records`` over their already fitted ``index``: classifier, latent space, duplicates."""
        classifier = None
        labels = [r.field for r in records]
        if (quality.fill_fields or quality.field_boost > 0) and FieldClassifier.trainable(labels):
            labelled = np.array([n for n, label in enumerate(labels) if label], dtype=np.int64)
            if len(labelled) > quality.classifier_examples:  # a seeded sample: accuracy saturates, time does not
                chosen = np.random.default_rng(0).choice(len(labelled), quality.classifier_examples, replace=False)
                labelled = labelled[np.sort(chosen)]
            classifier = FieldClassifier().fit(index.rows(labelled), [labels[n] for n in labelled])
            if quality.fill_fields:
                records = _filled(records, index, classifier)
        latent = None
        if quality.semantic:
            columns = np.array(sorted(index.word_columns().values()), dtype=np.int64)
            if columns.size > 1 and len(records) > 2:
                latent = LatentSpace(dims=quality.semantic_dims, columns=columns).fit(
                    index.rows(np.arange(len(records)))
                )
        duplicates = DuplicateFinder(threshold=quality.dedupe_threshold).fit(records) if quality.dedupe else None
        return cls(records, index, quality, latent=latent, duplicates=duplicates, classifier=classifier)

    def upserted(self, records: Sequence[Record], fresh: Callable[[], TfidfIndex]) -> Side:
        """This side with ``records`` added or replaced (by id), in the current vocabulary."""
        if not records:
            return self
        side = self.removed({r.id for r in records}, fresh)
        if not side.records:  # empty, or every record replaced: nothing to extend
            return Side.build(records, fresh(), self.quality)
        index = side.index.extended(records)
        if self.classifier is not None and self.quality.fill_fields:
            records = _filled(records, index, self.classifier)
        vectors = index.transform(records) if side.latent is not None else None
        return Side(
            side.records + list(records),
            index,
            self.quality,
            latent=side.latent.extended(vectors) if side.latent is not None and vectors is not None else None,
            duplicates=side.duplicates.extended(records) if side.duplicates is not None else None,
            classifier=self.classifier,
            attributes=side.attributes.extended(records),
        )

    def removed(self, ids: set[str], fresh: Callable[[], TfidfIndex]) -> Side:
        if not ids.intersection(self.positions):
            return self
        keep = np.array([r.id not in ids for r in self.records], dtype=bool)
        records = [r for r, kept in zip(self.records, keep, strict=True) if kept]
        if not records:
            return Side([], fresh(), self.quality)
        return Side(
            records,
            self.index.without(keep),
            self.quality,
            latent=self.latent.without(keep) if self.latent is not None else None,
            duplicates=self.duplicates.without(keep) if self.duplicates is not None else None,
            classifier=self.classifier,
            attributes=self.attributes.without(keep),
        )

    @cached_property
    def group_of(self) -> dict[int, list[int]]:
        """Position -> all positions of its near-duplicate group (only positions that have copies)."""
        if self.duplicates is None or not self.records:
            return {}
        return {member: group for group in self.duplicates.groups() for member in group}

    @cached_property
    def in_group(self) -> np.ndarray:
        """Whether each position has near-duplicate copies (a fast path for shortlists without any)."""
        flags = np.zeros(len(self.records), dtype=bool)
        flags[list(self.group_of)] = True
        return flags

    @cached_property
    def group_codes(self) -> np.ndarray | None:
        """Position -> the number of its near-duplicate group (-1: no copies); ``None`` without groups.
        The ranking kernel keeps one per group with it, so copies never crowd a shortlist's candidates."""
        if not self.group_of:
            return None
        codes = np.full(len(self.records), -1, dtype=np.int32)
        for number, first in enumerate(sorted({group[0] for group in self.group_of.values()})):
            codes[self.group_of[first]] = number
        return codes

    @cached_property
    def group_ids(self) -> dict[int, tuple[str, ...]]:
        """First position of each near-duplicate group -> the ids of all its members, in position order."""
        return {group[0]: tuple(self.records[p].id for p in group) for group in self.group_of.values()}

    def duplicate_groups(self) -> list[list[str]]:
        """Ids of each group of near-duplicates on this side."""
        return [list(self.group_ids[first]) for first in sorted(self.group_ids)]

    @cached_property
    def _field_class(self) -> np.ndarray:
        classes = {c: n for n, c in enumerate(self.classifier.classes_)} if self.classifier else {}
        return np.array([classes.get(r.field, -1) for r in self.records], dtype=np.int64)

    def field_boost(self, query: Record, prepared: Prepared, n: int) -> np.ndarray | None:
        """``field_boost`` times the query's membership of each row's field (given, or predicted)."""
        if self.classifier is None or self.quality.field_boost <= 0:
            return None
        classes = self.classifier.classes_
        if query.field:
            membership = np.array([c == query.field or c.startswith(query.field + "/") for c in classes], float)
        else:
            membership = self.classifier.probabilities(prepared.lexical[n])[0]
        values = np.where(self._field_class >= 0, membership[self._field_class], 0.0)
        return (self.quality.field_boost * values).astype(np.float32)

    def save(self, folder: Path) -> None:
        self.index.save(folder)
        if self.latent is not None:
            self.latent.save(folder)
        if self.duplicates is not None:
            np.save(folder / "minhash.npy", self.duplicates.signatures_, allow_pickle=False)
        if self.classifier is not None:
            self.classifier.save(folder)

    @classmethod
    def load(cls, folder: Path, records: Sequence[Record], index: TfidfIndex, quality: QualityParams) -> Side:
        latent = LatentSpace.load(folder, dims=quality.semantic_dims) if (folder / "latent.npz").is_file() else None
        duplicates = None
        if (folder / "minhash.npy").is_file():
            signatures = np.load(folder / "minhash.npy", allow_pickle=False)
            duplicates = DuplicateFinder(threshold=quality.dedupe_threshold).with_signatures(signatures)
        return cls(
            records, index, quality, latent=latent, duplicates=duplicates, classifier=FieldClassifier.load(folder)
        )


def _filled(records: Sequence[Record], index: TfidfIndex, classifier: FieldClassifier) -> list[Record]:
    """Records with an empty field get the predicted one."""
    missing = [n for n, r in enumerate(records) if not r.field]
    if not missing:
        return list(records)
    predicted = classifier.predict(index.transform([records[n] for n in missing]))
    filled = list(records)
    for n, field in zip(missing, predicted, strict=True):
        filled[n] = records[n].model_copy(update={"field": field})
    return filled
