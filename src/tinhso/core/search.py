"""One full-text search interface over SQLite FTS5 and PostgreSQL.

Text is folded (``core.text.fold``) before it is indexed and queries are
folded the same way, so "quyet dinh", "Quyết định" and "QUYẾT ĐỊNH" find the
same rows on both databases. FTS5's own diacritic removal cannot be used
alone because it keeps đ apart from d.

Every indexed object is a ``SearchEntry`` (scope, integer object id, text,
tags). On SQLite each scope has an FTS5 table of its own keyed by the
object id, so a search can walk the matches newest object first and stop at
a page (``filter_queryset(..., newest_first=True)``) instead of collecting
every match of a common word. Tags are words kept apart from the text that
narrow the walk, such as the agency a document belongs to. On PostgreSQL a
trigger keeps a ``tsvector`` column beside the text, under a GIN index
(migration core 0003).
"""

import re
import time
from collections.abc import Collection, Iterable, Sequence

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.db.models.expressions import RawSQL

from tinhso.core.models import SearchEntry
from tinhso.core.text import words

ENTRY_TABLE = SearchEntry._meta.db_table
TABLE_PREFIX = "search_"
# Scopes end up in table names and trigger bodies, so they are kept plain:
# dotted words, so no two scopes share a table name.
_SCOPE = re.compile(r"[a-z0-9]+(\.[a-z0-9]+)*")
# FTS5 names its own tables <table>_data, _idx, _config, _docsize, _content.
_SHADOW_NAMES = frozenset({"data", "idx", "config", "docsize", "content"})

Item = tuple[object, str] | tuple[object, str, Sequence[str]]


def fts_table(scope: str) -> str:
    """The SQLite FTS5 table holding ``scope``'s entries."""
    if not _SCOPE.fullmatch(scope) or scope.rsplit(".", 1)[-1] in _SHADOW_NAMES:
        raise ValueError(f"search scope {scope!r}: dotted words of a-z and 0-9")
    return TABLE_PREFIX + scope.replace(".", "_")


def _indexed_text(text: str) -> str:
    # Folded words joined by single spaces: PostgreSQL's parser would keep
    # "000.00.31.h56" or "123/qd-ubnd" as one token where FTS5 splits them,
    # so only plain words are stored and both databases see the same tokens.
    return " ".join(words(text))


def _tags(tags: Iterable[str]) -> str:
    return " ".join(sorted({t for tag in tags for t in words(tag)}))


def index(
    scope: str,
    object_id: int,
    *texts: str | None,
    tags: Iterable[str] | None = None,
) -> None:
    """Index (or re-index) one object under ``scope`` with the given texts.

    ``tags`` replace the object's tags; None keeps those it has.
    """
    ensure_index(scope)
    defaults = {"text": _indexed_text(" ".join(t for t in texts if t))}
    if tags is not None:
        defaults["tags"] = _tags(tags)
    SearchEntry.objects.update_or_create(
        scope=scope, object_id=object_id, defaults=defaults
    )


def index_many(scope: str, items: Iterable[Item]) -> None:
    """Bulk-index ``(object_id, text[, tags])`` items, replacing earlier entries."""
    ensure_index(scope)
    rows = []
    for item in items:
        tags: Sequence[str] = item[2] if len(item) == 3 else ()
        rows.append(
            SearchEntry(
                scope=scope,
                object_id=int(str(item[0])),
                text=_indexed_text(item[1]),
                tags=_tags(tags),
            )
        )
    # Highest id first, so the triggers add FTS rows in rising rowid order,
    # which FTS5 takes in one pass instead of a flush per row.
    rows.sort(key=lambda row: row.object_id, reverse=True)
    ids = [row.object_id for row in rows]
    SearchEntry.objects.filter(scope=scope, object_id__in=ids).delete()
    SearchEntry.objects.bulk_create(rows, batch_size=500)


def remove(scope: str, object_id: int) -> None:
    SearchEntry.objects.filter(scope=scope, object_id=object_id).delete()


# -- SQLite: one FTS5 table per scope, kept by triggers on the entries ------


def _sqlite_statements(scope: str) -> tuple[str, list[str]]:
    table = fts_table(scope)
    # Contentless: the text is in core_searchentry already. The 'delete'
    # command then needs the old values, which the triggers have. The rowid
    # is the object id negated: FTS5 streams a word's list in rising rowid
    # order but must read all of it to go backwards, so newest-first is the
    # cheap direction this way round. Prefix indexes up to 7 letters (the
    # longest Vietnamese syllable) let a last word typed ahead be read as
    # one list instead of merging every word it starts, for ~30% more size.
    create = (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(text, tags, content='', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6 7')"
    )
    # Table names come from fts_table, which admits plain scopes only.
    add = (
        f"INSERT INTO {table}(rowid, text, tags) "  # noqa: S608
        "VALUES (-new.object_id, new.text, new.tags);"
    )
    drop = (
        f"INSERT INTO {table}({table}, rowid, text, tags) "  # noqa: S608
        "VALUES ('delete', -old.object_id, old.text, old.tags);"
    )
    when_new, when_old = f"new.scope = '{scope}'", f"old.scope = '{scope}'"
    # An update may move an entry into or out of the scope: each half runs
    # only for its side, the removal first.
    drop_old = (
        f"INSERT INTO {table}({table}, rowid, text, tags) "
        f"SELECT 'delete', -old.object_id, old.text, old.tags WHERE {when_old};"
    )
    add_new = (
        f"INSERT INTO {table}(rowid, text, tags) "
        f"SELECT -new.object_id, new.text, new.tags WHERE {when_new};"
    )
    triggers = [
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {ENTRY_TABLE} "
        f"WHEN {when_new} BEGIN {add} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {ENTRY_TABLE} "
        f"WHEN {when_old} BEGIN {drop} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {ENTRY_TABLE} "
        f"WHEN {when_old} OR {when_new} BEGIN {drop_old} {add_new} END",
    ]
    return create, triggers


def ensure_index(scope: str, using: BaseDatabaseWrapper | None = None) -> None:
    """Create ``scope``'s FTS5 table and triggers on SQLite when missing.

    Rebuilt from the entries when the triggers are gone: SQLite drops them
    whenever a migration remakes the entries table.
    """
    db = using or connection
    if db.vendor != "sqlite":
        return
    table = fts_table(scope)
    names = [table, f"{table}_ai", f"{table}_ad", f"{table}_au"]
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", names
        )
        present = {row[0] for row in cursor.fetchall()}
        if len(present) == len(names):
            return
        create, triggers = _sqlite_statements(scope)
        if table not in present:
            cursor.execute(create)
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")  # noqa: S608
        for trigger, sql in zip(names[1:], triggers, strict=True):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(sql)
        cursor.execute(
            f"INSERT INTO {table}(rowid, text, tags) "  # noqa: S608 - scope checked
            f"SELECT -object_id, text, tags FROM {ENTRY_TABLE} WHERE scope = %s "
            "ORDER BY object_id DESC",
            [scope],
        )


def ensure_all(using: BaseDatabaseWrapper | None = None) -> None:
    """``ensure_index`` for every scope holding entries (after migrations)."""
    db = using or connection
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT scope FROM {ENTRY_TABLE}")  # noqa: S608
        scopes = [row[0] for row in cursor.fetchall()]
    for scope in scopes:
        ensure_index(scope, db)


def optimize(using: BaseDatabaseWrapper | None = None) -> list[tuple[str, float]]:
    """Merge each scope's FTS5 segments into one; (table, seconds) each.

    Every write adds a small segment that FTS5 merges only now and then, so
    a search of a busy index reads from dozens; merged, a search of several
    common words takes a third of the time. Meant for a quiet hour (a
    million documents take about half a minute). PostgreSQL's GIN index
    needs no such step: nothing to do there.
    """
    db = using or connection
    if db.vendor != "sqlite":
        return []
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name LIKE %s ESCAPE '\\' AND sql LIKE 'CREATE VIRTUAL TABLE%%'",
            [TABLE_PREFIX.replace("_", "\\_") + "%"],
        )
        tables = [row[0] for row in cursor.fetchall()]
    spent = []
    for table in tables:
        started = time.perf_counter()
        with db.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
        spent.append((table, time.perf_counter() - started))
    return spent


def _table_exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [table])
        return cursor.fetchone() is not None


def query_terms(query: str, min_prefix: int = 1) -> list[str]:
    """The words a search looks for.

    A last word shorter than ``min_prefix`` after other words is dropped:
    it is still being typed ("quyet d"), and as a prefix it would walk
    every word starting with that letter. Alone it is matched whole.
    """
    terms = words(query)
    if len(terms) > 1 and len(terms[-1]) < min_prefix:
        terms.pop()
    return terms


def _fts_query(
    terms: list[str], tags: Collection[str] | None, min_prefix: int = 1
) -> str:
    *whole, last = terms
    phrases = [f'"{t}"' for t in whole]
    phrases.append(f'"{last}"*' if len(last) >= min_prefix else f'"{last}"')
    query = "text: (" + " AND ".join(phrases) + ")"
    if tags is not None:
        tag_words = sorted({t for tag in tags for t in words(tag)})
        query += " AND tags: (" + " OR ".join(f'"{t}"' for t in tag_words) + ")"
    return query


# -- PostgreSQL --------------------------------------------------------------


class _TsMatch(Func):
    """``tsv @@ to_tsquery('simple', q)`` against the entries' tsvector column."""

    template = "%(expressions)s)"
    arg_joiner = " @@ to_tsquery('simple', "
    output_field = BooleanField()


def _ts_query(terms: list[str], min_prefix: int = 1) -> str:
    # Terms are [0-9a-z]+ (core.text.words) and bound as a parameter.
    *whole, last = terms
    parts = [*whole, f"{last}:*" if len(last) >= min_prefix else last]
    return " & ".join(parts)


# -- queries -----------------------------------------------------------------


def matching_ids(
    scope: str, query: str, *, min_prefix: int = 1
) -> QuerySet[SearchEntry]:
    """Entries of ``scope`` whose text holds every word of ``query``.

    Every word must be whole except the last, which may be unfinished
    (type-ahead): "ha gi" finds "Hà Giang". A last word shorter than
    ``min_prefix`` is handled as ``query_terms`` says.
    """
    terms = query_terms(query, min_prefix)
    entries = SearchEntry.objects.filter(scope=scope)
    if not terms:
        return entries.none()
    if connection.vendor == "postgresql":
        query_text = _ts_query(terms, min_prefix)
        return entries.filter(_TsMatch(F("tsv"), Value(query_text)))
    table = fts_table(scope)
    if not _table_exists(table):
        return entries.none()
    sql = f"SELECT -rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
    return entries.filter(
        object_id__in=RawSQL(sql, [_fts_query(terms, None, min_prefix)])  # noqa: S611
    )


def filter_queryset[M: models.Model](
    queryset: QuerySet[M],
    scope: str,
    query: str,
    *,
    tags: Collection[str] | None = None,
    newest_first: bool = False,
    min_prefix: int = 1,
) -> QuerySet[M]:
    """Narrow ``queryset`` to objects whose indexed text matches ``query``.

    With ``newest_first`` the result is ordered by descending primary key
    and, on SQLite, read from the scope's index in that order, so the first
    page of a common word costs as little as that of a rare one. ``tags``
    is a hint that must hold every object ``queryset`` can return: on SQLite
    the index walks only entries carrying one of them; PostgreSQL plans the
    query's own conditions instead. With ``newest_first`` on SQLite the
    result joins the FTS table by the model's own table name: use it as a
    list, not as a subquery of another query. ``min_prefix`` as in ``matching_ids``.
    """
    pk = queryset.model._meta.pk
    assert pk is not None
    terms = query_terms(query, min_prefix)
    if not terms:
        return queryset.none()
    if connection.vendor != "sqlite":
        entries = matching_ids(scope, query, min_prefix=min_prefix)
        result = queryset.filter(pk__in=entries.values("object_id"))
        return result.order_by(f"-{pk.name}") if newest_first else result
    table = fts_table(scope)
    no_tags = tags is not None and not any(words(tag) for tag in tags)
    if not _table_exists(table) or no_tags:
        return queryset.none()
    match = _fts_query(terms, tags, min_prefix)
    if newest_first:
        # The FTS table in the FROM list, joined on its rowid and ordered by
        # it: SQLite then reads the index newest first and stops at the LIMIT.
        db_table = queryset.model._meta.db_table
        return queryset.extra(  # noqa: S610 - table and columns are ours
            tables=[table],
            where=[
                f'"{db_table}"."{pk.column}" = -"{table}".rowid',
                f'"{table}" MATCH %s',
            ],
            params=[match],
            order_by=[f"{table}.rowid"],
        )
    # Driven from the FTS index: the ORM's form (entries of the scope whose
    # id is in the FTS list) would walk every entry of the scope.
    sql = f"SELECT -rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
    return queryset.filter(pk__in=RawSQL(sql, [match]))  # noqa: S611


def text_matches(text: str, query: str) -> bool:
    """In-memory twin of the index rule, for matching a few strings."""
    haystack = words(text)
    terms = words(query)
    if not terms:
        return False
    *whole, last = terms
    return all(t in haystack for t in whole) and any(
        w.startswith(last) for w in haystack
    )
