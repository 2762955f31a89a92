"""One full-text search interface over SQLite FTS5 and PostgreSQL.

Text is folded (``core.text.fold``) before it is indexed and queries are
folded the same way, so "quyet dinh", "Quyết định" and "QUYẾT ĐỊNH" find the
same rows on both databases. FTS5's own diacritic removal cannot be used
alone because it keeps đ apart from d.

Every indexed object is a ``SearchEntry`` (scope, integer object id, text,
partition). On SQLite each scope has an FTS5 table of its own keyed by the
object id, so a search can walk the matches newest object first and stop at
a page (``filter_queryset(..., newest_first=True)``) instead of collecting
every match of a common word. A partition (say, the agency a document
belongs to) has its own copy of each word in that table, so a search within
a few partitions reads only their lists: counting a few hundred matches in
one agency no longer walks a common word through the whole province. On
PostgreSQL a trigger keeps a ``tsvector`` column beside the text, under a
GIN index (migration core 0003).
"""

import re
import time
from collections.abc import Collection, Iterable

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

# Partition keys are fixed-width, so a word's prefix within a partition is
# always the same number of letters longer than the bare one and the prefix
# indexes below serve both; base 36 in 4 letters numbers 1,679,616 of them.
_KEY_WIDTH = 4
_KEY_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_PARTITION = len(_KEY_DIGITS) ** _KEY_WIDTH - 1
# A partitioned word is "_", the key, then the word ("_000aquyet"). Bare
# words are [0-9a-z]+ (core.text.words), so neither a bare word nor a bare
# prefix ("00", "000a") can match a partitioned one.
_MARK = "_"
# Type-ahead prefixes of 2 to 7 letters (the longest Vietnamese syllable)
# are read from prefix indexes, bare and behind the mark and key. The two
# ranges share one set of indexes, so each also holds a few lists nobody
# asks for ("_0", "_000a" below 8; long bare words above 7): cheap.
_PREFIXES = sorted({*range(2, 8), *range(_KEY_WIDTH + 3, _KEY_WIDTH + 9)})

Item = tuple[int, str] | tuple[int, str, int | None]


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


def partition_key(partition: int) -> str:
    """The fixed-width word standing for ``partition`` (0 to MAX_PARTITION)."""
    if not 0 <= partition <= MAX_PARTITION:
        raise ValueError(f"search partition {partition}: 0 to {MAX_PARTITION}")
    key = ""
    for _ in range(_KEY_WIDTH):
        partition, digit = divmod(partition, len(_KEY_DIGITS))
        key = _KEY_DIGITS[digit] + key
    return key


def index(
    scope: str,
    object_id: int,
    *texts: str | None,
    partition: int | None = None,
) -> None:
    """Index (or re-index) one object under ``scope`` with the given texts.

    ``partition`` (a whole number, such as an agency's id) lets searches
    within it read only its own entries; None keeps the one the object has.
    """
    ensure_index(scope)
    defaults = {"text": _indexed_text(" ".join(t for t in texts if t))}
    if partition is not None:
        defaults["partition"] = partition_key(partition)
    SearchEntry.objects.update_or_create(
        scope=scope, object_id=object_id, defaults=defaults
    )


def index_many(scope: str, items: Iterable[Item]) -> None:
    """Bulk-index ``(object_id, text[, partition])`` items, replacing earlier entries."""
    ensure_index(scope)
    rows = []
    for item in items:
        partition = item[2] if len(item) == 3 else None
        rows.append(
            SearchEntry(
                scope=scope,
                object_id=item[0],
                text=_indexed_text(item[1]),
                partition="" if partition is None else partition_key(partition),
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


def _fts_text(row: str) -> str:
    # The words as they are, then, within a partition, each again behind
    # the mark and the partition's key: "quyet dinh" in 000a becomes
    # "quyet dinh _000aquyet _000adinh" (the text is words joined by single
    # spaces, so one replace() makes the second half).
    mark = f"'{_MARK}' || {row}.partition"
    return (
        f"CASE WHEN {row}.partition = '' THEN {row}.text "
        f"ELSE {row}.text || ' ' || {mark} || "
        f"replace({row}.text, ' ', ' ' || {mark}) END"
    )


def _sqlite_statements(scope: str) -> tuple[str, list[str]]:
    table = fts_table(scope)
    # Contentless: the text is in core_searchentry already. The 'delete'
    # command then needs the old values, which the triggers have. The rowid
    # is the object id negated: FTS5 streams a word's list in rising rowid
    # order but must read all of it to go backwards, so newest-first is the
    # cheap direction this way round. detail=none keeps row ids only (no
    # positions, no columns): searches ask for words, never phrases, and the
    # lists are a quarter of the size, so counting matches is that much
    # quicker. The mark "_" is a word character, for the partitioned words.
    prefix = " ".join(str(n) for n in _PREFIXES)
    create = (
        f"CREATE VIRTUAL TABLE {table} USING fts5(text, content='', "
        f"tokenize=\"unicode61 remove_diacritics 2 tokenchars '{_MARK}'\", "
        f"prefix='{prefix}', detail=none, columnsize=0)"
    )
    # Table names come from fts_table, which admits plain scopes only.
    add = (
        f"INSERT INTO {table}(rowid, text) "  # noqa: S608
        f"VALUES (-new.object_id, {_fts_text('new')});"
    )
    drop = (
        f"INSERT INTO {table}({table}, rowid, text) "  # noqa: S608
        f"VALUES ('delete', -old.object_id, {_fts_text('old')});"
    )
    when_new, when_old = f"new.scope = '{scope}'", f"old.scope = '{scope}'"
    # An update may move an entry into or out of the scope: each half runs
    # only for its side, the removal first.
    drop_old = (
        f"INSERT INTO {table}({table}, rowid, text) "
        f"SELECT 'delete', -old.object_id, {_fts_text('old')} WHERE {when_old};"
    )
    add_new = (
        f"INSERT INTO {table}(rowid, text) "
        f"SELECT -new.object_id, {_fts_text('new')} WHERE {when_new};"
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

    Rebuilt from the entries when the triggers are gone (SQLite drops them
    whenever a migration remakes the entries table) or when the table or a
    trigger was written by another release of this module.
    """
    db = using or connection
    if db.vendor != "sqlite":
        return
    table = fts_table(scope)
    names = [table, f"{table}_ai", f"{table}_ad", f"{table}_au"]
    create, triggers = _sqlite_statements(scope)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
            names,
        )
        present = dict(cursor.fetchall())
        if present == dict(zip(names, [create, *triggers], strict=True)):
            return
        if table in present and present[table] != create:
            cursor.execute(f"DROP TABLE {table}")
        if present.get(table) != create:
            cursor.execute(create)
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")  # noqa: S608
        for trigger, sql in zip(names[1:], triggers, strict=True):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(sql)
        cursor.execute(
            f"INSERT INTO {table}(rowid, text) "  # noqa: S608 - scope checked
            f"SELECT -object_id, {_fts_text(ENTRY_TABLE)} FROM {ENTRY_TABLE} "
            "WHERE scope = %s ORDER BY object_id DESC",
            [scope],
        )
        # One merged segment, as `tinhso search optimize` leaves it: a
        # rebuilt index is otherwise read from dozens.
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608


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
    terms: list[str], partitions: Collection[int] | None, min_prefix: int = 1
) -> str:
    *whole, last = terms

    def every_word(before: str) -> str:
        phrases = [f'"{before}{t}"' for t in whole]
        tail = f'"{before}{last}"'
        phrases.append(f"{tail}*" if len(last) >= min_prefix else tail)
        return "(" + " AND ".join(phrases) + ")"

    if partitions is None:
        return every_word("")
    keys = sorted({partition_key(p) for p in partitions})
    return " OR ".join(every_word(_MARK + key) for key in keys)


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
    partitions: Collection[int] | None = None,
    newest_first: bool = False,
    min_prefix: int = 1,
) -> QuerySet[M]:
    """Narrow ``queryset`` to objects whose indexed text matches ``query``.

    With ``newest_first`` the result is ordered by descending primary key
    and, on SQLite, read from the scope's index in that order, so the first
    page of a common word costs as little as that of a rare one.
    ``partitions`` is a hint that must hold every object ``queryset`` can
    return: on SQLite the index reads only those partitions' words;
    PostgreSQL plans the query's own conditions instead. An empty
    collection matches nothing on both. With ``newest_first`` on SQLite the
    result joins the FTS table by the model's own table name: use it as a
    list, not as a subquery of another query. ``min_prefix`` as in ``matching_ids``.
    """
    pk = queryset.model._meta.pk
    assert pk is not None
    terms = query_terms(query, min_prefix)
    if not terms or (partitions is not None and not partitions):
        return queryset.none()
    if connection.vendor != "sqlite":
        entries = matching_ids(scope, query, min_prefix=min_prefix)
        result = queryset.filter(pk__in=entries.values("object_id"))
        return result.order_by(f"-{pk.name}") if newest_first else result
    table = fts_table(scope)
    if not _table_exists(table):
        return queryset.none()
    match = _fts_query(terms, partitions, min_prefix)
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
