"""One function per system measured; each runs alone in its own process, so peak memory is its own.

Every function reads the shared inputs of the work folder (records, the word tokens the parent
made once for the peers, the queries) and returns a dict of figures. Peers index the words of
title, keywords and description as one text and are queried with the demand titles' words.
"""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from benchmarks.measure import Clock, PeakMemory, agreement, disk_mb, latencies, rss_mb, throughput, timed
from matcher import Achievement, Demand, Filters, Matcher
from matcher.rank import top_k

K = 10
EXACT_QUERIES = 100


def read_tokens(path: Path) -> list[list[str]]:
    return [line.split(" ") if line else [] for line in path.read_text(encoding="utf-8").split("\n")[:-1]]


def stream_tokens(path: Path) -> Iterator[list[str]]:
    """The documents' tokens one line at a time: the peers that accept a stream never hold them all."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            yield line.split(" ") if line else []


def _records(path: Path, kind: type) -> list:
    return [kind.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def techmatch(work: Path, n_queries: int, n_batch: int) -> dict[str, Any]:
    """Build and serve, then (the built matcher gone) load the saved one and add records to it."""
    result = _techmatch_built(work, n_queries, n_batch)
    gc.collect()
    folder = work / "techmatch_index"
    load_s, loaded = timed(lambda: Matcher.load(folder))
    result |= {"load_s": round(load_s, 2), "loaded_rss_mb": rss_mb()}
    extra = _records(work / "extra.jsonl", Achievement)
    add_s, grown = timed(lambda: loaded.upsert(achievements=extra))
    probe = grown.match_demand(Demand(id="p", description=extra[0].title), k=K, explain=False)
    result |= {"add_1000_s": round(add_s, 2), "added_found": any(m.record.id == extra[0].id for m in probe)}
    return result


def _warm_up(achievements: list[Achievement], demands: list[Demand], folder: Path) -> None:
    """Compile (or load from numba's cache) every kernel on a tiny matcher, so no timing includes it."""
    from matcher import postings

    small = Matcher().fit(achievements[:50])
    small.match_demands(demands[:5], filters=_filters(demands[0]))
    threshold, postings.PARALLEL_WORK = postings.PARALLEL_WORK, 0
    small.match_demands(demands[:5], explain=False)
    postings.PARALLEL_WORK = threshold
    small.save(folder)
    Matcher.load(folder).upsert(achievements=achievements[50:60]).remove(achievement_ids=[achievements[0].id])
    shutil.rmtree(folder)


def _techmatch_built(work: Path, n_queries: int, n_batch: int) -> dict[str, Any]:
    from matcher.index import TfidfIndex  # the benchmark times the build in its steps
    from matcher.side import Side

    achievements = _records(work / "achievements.jsonl", Achievement)
    demands = _records(work / "demands.jsonl", Demand)
    with Clock() as warm:
        _warm_up(achievements, [_title_only(d) for d in demands[:5]], work / "warm_up_index")
    result: dict[str, Any] = {"records_rss_mb": rss_mb(), "warm_up_s": warm.s}
    with PeakMemory() as peak:
        matcher = Matcher()
        index = TfidfIndex(tokenizer=matcher.tokenizer, params=matcher.params)
        with Clock() as count:
            counts = index.count(achievements)
        with Clock() as fit:
            index.fit(achievements, counts=counts)
            counts.clear()
        with Clock() as learn:
            side = Side.learned(achievements, index, matcher.quality)
        matcher.achievements_, matcher.demands_ = side, Side([], matcher._new_index(), matcher.quality)
        gc.collect()
        result |= {"build_s": round(count.s + fit.s + learn.s, 2), "tokenize_s": count.s, "build_tokens_s": fit.s}
        result["learn_s"] = learn.s
        result["built_rss_mb"] = rss_mb()
        titles = [_title_only(d) for d in demands[:n_batch]]
        full = latencies(lambda d: matcher.match_demand(d, k=K, filters=_filters(d)), titles[:n_queries])
        bare = latencies(lambda d: index.query(index.transform([d]), K), titles[:n_queries])
        result |= full | {f"bare_{name}": value for name, value in bare.items()}
        result["full_call"] = "match_demand: min_maturity filter, region/maturity/mode boosts, explanations"
        matcher.match_demands(titles[:100], k=K, explain=False)
        result["batch_qps"] = throughput(lambda: matcher.match_demands(titles, k=K, explain=False), len(titles))
        result |= _exact_agreement(index, titles[:EXACT_QUERIES])
        result |= _engine_agreement(matcher, titles[:EXACT_QUERIES])
        folder = work / "techmatch_index"
        shutil.rmtree(folder, ignore_errors=True)
        with Clock() as save:
            matcher.save(folder)
        result["save_s"] = save.s
        result["disk_mb"] = disk_mb(folder / "achievements_index")
        result["peak_rss_mb"] = peak.mb
    return result


def _engine_agreement(matcher: Matcher, queries: list[Demand]) -> dict[str, float]:
    """The full engine call (expansion, coverage, boosts, filter, duplicates) against its exact dense path."""
    from matcher.ranker import Options, Ranker

    side = matcher.achievements_
    compiled, dense = (Ranker(side, matcher.boosts, query_is_demand=True, dense=dense) for dense in (False, True))
    found, exact = [], []
    for query in queries:
        options = Options(K, _filters(query), 0.0, False)
        found.append([m.record.id for m in compiled.rank([query], options)[0]])
        exact.append([m.record.id for m in dense.rank([query], options)[0]])
    return {f"engine_{name}": value for name, value in agreement(found, exact).items()}


def _title_only(demand: Demand) -> Demand:
    """The demand's title as its text (the peers' query), with its region, maturity and modes."""
    return demand.model_copy(update={"title": "", "description": demand.title, "keywords": []})


def _filters(demand: Demand) -> Filters:
    return Filters(min_maturity=demand.maturity)


def _exact_agreement(index: Any, queries: list[Demand]) -> dict[str, float]:
    """Top 10 of the compiled kernel against the plain SciPy product of the same vectors (the old path)."""
    vectors = index.transform(queries)
    columns = index._merged()
    by_term = sp.csr_matrix((columns.data, columns.indices, columns.indptr), shape=(index.width, len(index)))
    exact = []
    for start in range(0, len(queries), 10):
        dense = (vectors[start : start + 10] @ by_term).toarray()
        exact.extend(top_k(row, K).tolist() for row in dense)
    found = [hits.tolist() for hits in index.query(vectors, K).indices]
    return agreement(found, exact)


def bm25s(work: Path, n_queries: int, n_batch: int) -> dict[str, Any]:
    import bm25s as library

    docs, queries = read_tokens(work / "doc_tokens.txt"), read_tokens(work / "query_tokens.txt")[:n_batch]
    result: dict[str, Any] = {}
    with PeakMemory() as peak:
        retriever = library.BM25(backend="numba")
        with Clock() as build:
            retriever.index(docs, show_progress=False)
        result["build_tokens_s"] = build.s
        docs.clear()
        gc.collect()
        result["built_rss_mb"] = rss_mb()

        def search(batch: list[list[str]], threads: int) -> Any:
            return retriever.retrieve(batch, k=K, show_progress=False, n_threads=threads, backend_selection="numba")

        result |= latencies(lambda q: search([q], 1), queries[:n_queries])
        search(queries[:100], 2)  # compiles the threaded path before it is timed
        result["batch_qps"] = throughput(lambda: search(queries, 2), len(queries))
        hits = search(queries[:EXACT_QUERIES], 1)
        found = [[int(d) for d, s in zip(*pair, strict=True) if s > 0] for pair in zip(*hits, strict=True)]
        exact = [top_k(retriever.get_scores(q), K).tolist() for q in queries[:EXACT_QUERIES]]
        result |= agreement(found, exact)
        folder = work / "bm25s_index"
        retriever.save(str(folder))
        result["disk_mb"] = disk_mb(folder)
        result["peak_rss_mb"] = peak.mb
    return result


def tantivy(work: Path, n_queries: int, n_batch: int) -> dict[str, Any]:
    import tantivy as library

    queries = read_tokens(work / "query_tokens.txt")[:n_batch]
    folder = work / "tantivy_index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    result: dict[str, Any] = {}
    with PeakMemory() as peak:
        builder = library.SchemaBuilder()
        builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
        schema = builder.build()
        index = library.Index(schema, path=str(folder))

        with Clock() as build:
            writer = index.writer(heap_size=1_000_000_000, num_threads=2)
            for tokens in stream_tokens(work / "doc_tokens.txt"):
                writer.add_document(library.Document(body=" ".join(tokens)))
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
        result["build_tokens_s"] = build.s
        gc.collect()
        result["built_rss_mb"] = rss_mb()
        searcher = index.searcher()

        def search(tokens: list[str]) -> list[int]:
            should = library.Occur.Should
            query = library.Query.boolean_query(
                [(should, library.Query.term_query(schema, "body", t)) for t in set(tokens)]
            )
            return [address.doc for _, address in searcher.search(query, K).hits]

        result |= latencies(search, queries[:n_queries])
        with ThreadPoolExecutor(2) as pool:
            result["batch_qps"] = throughput(lambda: list(pool.map(search, queries)), len(queries))
        result["exactness"] = "top 10 exact by construction (block-max WAND); not re-scored"
        result["disk_mb"] = disk_mb(folder)
        result["peak_rss_mb"] = peak.mb
    return result


def sklearn(work: Path, n_queries: int, n_batch: int) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sparse_dot_topn import sp_matmul_topn

    queries = read_tokens(work / "query_tokens.txt")[:n_batch]
    result: dict[str, Any] = {}
    with PeakMemory() as peak:
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)

        with Clock() as build:
            by_term = vectorizer.fit_transform(stream_tokens(work / "doc_tokens.txt")).T.tocsr()
        result["build_tokens_s"] = build.s
        gc.collect()
        result["built_rss_mb"] = rss_mb()

        def search(batch: list[list[str]], threads: int) -> sp.csr_matrix:
            return sp_matmul_topn(
                vectorizer.transform(batch), by_term, top_n=K, threshold=0.0, sort=True, n_threads=threads
            )

        result |= latencies(lambda q: search([q], 1), queries[:n_queries])
        result["batch_qps"] = throughput(lambda: search(queries, 2), len(queries))
        found = search(queries[:EXACT_QUERIES], 1)
        exact = (vectorizer.transform(queries[:EXACT_QUERIES]) @ by_term).toarray()
        result |= agreement(
            [found.indices[found.indptr[i] : found.indptr[i + 1]].tolist() for i in range(found.shape[0])],
            [top_k(row, K).tolist() for row in exact],
        )
        folder = work / "sklearn_index"
        folder.mkdir(exist_ok=True)
        for name in ("data", "indices", "indptr"):
            np.save(folder / f"{name}.npy", getattr(by_term, name))
        (folder / "vocabulary.json").write_text(json.dumps(vectorizer.vocabulary_, ensure_ascii=False))
        result["disk_mb"] = disk_mb(folder)
        result["peak_rss_mb"] = peak.mb
    return result


def _identity(tokens: list[str]) -> list[str]:
    return tokens


SYSTEMS = {"techmatch": techmatch, "bm25s": bm25s, "tantivy": tantivy, "sklearn": sklearn}
MODULES = {"techmatch": "matcher", "bm25s": "bm25s", "tantivy": "tantivy", "sklearn": "sparse_dot_topn"}
