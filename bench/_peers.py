"""The peers' engines over the bench corpus: Tantivy and Whoosh.

Both index exactly the text our search index holds (``SearchEntry.text``:
words folded by ``tinhso.core.text``), and are asked the same thing our
search answers: every word, the last one (of two letters or more) as a
prefix (a shorter one after others is dropped, one alone is whole), newest
received first, the first 20 rows and the total count, optionally within
one agency.
"""

import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tinhso.core.search import query_terms
from tinhso.documents.selectors.incoming import SEARCH_MIN_PREFIX as MIN_PREFIX

PAGE = 20
Row = tuple[int, int, int, str]  # (id, agency id, received as epoch seconds, text)


def _typed(terms: list[str]) -> list[str]:
    # The words our search looks for: a short last word after others dropped.
    return query_terms(" ".join(terms), MIN_PREFIX)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    print(
        f"  {label}: {done:,}/{total:,} ({done / max(elapsed, 1e-9):,.0f} docs/s)",
        flush=True,
    )


class Tantivy:
    name = "Tantivy"

    def __init__(self, path: Path) -> None:
        import tantivy

        self.path = path
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", stored=True)
        builder.add_unsigned_field("agency", indexed=True)
        builder.add_integer_field("received", fast=True)
        builder.add_text_field("text", tokenizer_name="default")
        self.schema = builder.build()
        self.index: Any = None

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    def build(self, rows: Iterable[Row], total: int) -> None:
        import tantivy

        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        index = tantivy.Index(self.schema, path=str(self.path))
        writer = index.writer(heap_size=512_000_000, num_threads=2)
        started = time.perf_counter()
        done = 0
        for batch in _batched(rows, 50_000):
            for oid, agency, received, text in batch:
                # Typed adds: keyword arguments would pass ints as signed.
                document = tantivy.Document()
                document.add_unsigned("id", oid)
                document.add_unsigned("agency", agency)
                document.add_integer("received", received)
                document.add_text("text", text)
                writer.add_document(document)
            done += len(batch)
            _progress("Tantivy", done, total, started)
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        import tantivy

        self.index = tantivy.Index.open(str(self.path))
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, terms: list[str], agency: int | None) -> tuple[list[int], int]:
        import tantivy

        schema = self.index.schema
        *whole, last = _typed(terms)
        parts = [
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, "text", t))
            for t in whole
        ]
        last_query = (
            tantivy.Query.regex_query(schema, "text", f"{last}.*")
            if len(last) >= MIN_PREFIX
            else tantivy.Query.term_query(schema, "text", last)
        )
        parts.append((tantivy.Occur.Must, last_query))
        if agency is not None:
            parts.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "agency", agency))
            )
        result = self.searcher.search(
            tantivy.Query.boolean_query(parts),
            limit=PAGE,
            count=True,
            order_by_field="received",
        )
        ids = [self.searcher.doc(address)["id"][0] for _, address in result.hits]
        return ids, result.count


class Whoosh:
    name = "Whoosh"

    def __init__(self, path: Path) -> None:
        from whoosh import analysis, fields

        self.path = path
        self.schema = fields.Schema(
            id=fields.NUMERIC(stored=True, bits=64),
            agency=fields.ID,
            received=fields.NUMERIC(bits=64, sortable=True),
            # Already folded: split on spaces and keep every word (the
            # standard analyzer would drop English stop words such as "an").
            text=fields.TEXT(analyzer=analysis.SpaceSeparatedTokenizer()),
        )
        self.index: Any = None

    def exists(self) -> bool:
        from whoosh import index

        return self.path.is_dir() and index.exists_in(str(self.path))

    def build(self, rows: Iterable[Row], total: int) -> None:
        from whoosh import index

        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        created = index.create_in(str(self.path), self.schema)
        writer = created.writer(limitmb=512, procs=2, multisegment=True)
        started = time.perf_counter()
        done = 0
        for batch in _batched(rows, 50_000):
            for oid, agency, received, text in batch:
                writer.add_document(
                    id=oid, agency=str(agency), received=received, text=text
                )
            done += len(batch)
            _progress("Whoosh", done, total, started)
        writer.commit()
        # One segment, as a long-running index would be after merges.
        created.optimize()

    def open(self) -> None:
        from whoosh import index

        self.index = index.open_dir(str(self.path))
        self.searcher = self.index.searcher()

    def search(self, terms: list[str], agency: int | None) -> tuple[list[int], int]:
        from whoosh import query

        *whole, last = _typed(terms)
        parts: list[Any] = [query.Term("text", t) for t in whole]
        parts.append(
            query.Prefix("text", last)
            if len(last) >= MIN_PREFIX
            else query.Term("text", last)
        )
        results = self.searcher.search(
            query.And(parts),
            limit=PAGE,
            sortedby="received",
            reverse=True,
            filter=query.Term("agency", str(agency)) if agency is not None else None,
        )
        return [hit["id"] for hit in results], len(results)
