"""One full-text search interface over SQLite FTS5 and PostgreSQL.

Text is folded (``core.text.fold``) before it is indexed and queries are
folded the same way, so "quyet dinh", "Quyết định" and "QUYẾT ĐỊNH" find the
same rows on both databases. FTS5's own diacritic removal cannot be used
alone because it keeps đ apart from d.
"""

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from tinhso.core.models import SearchEntry
from tinhso.core.text import words

FTS_TABLE = "core_search_fts"


def _indexed_text(text: str) -> str:
    # Folded words joined by single spaces: PostgreSQL's parser would keep
    # "000.00.31.h56" or "123/qd-ubnd" as one token where FTS5 splits them,
    # so only plain words are stored and both databases see the same tokens.
    return " ".join(words(text))


def index(scope: str, object_id: object, *texts: str | None) -> None:
    """Index (or re-index) one object under ``scope`` with the given texts."""
    folded = _indexed_text(" ".join(t for t in texts if t))
    SearchEntry.objects.update_or_create(
        scope=scope, object_id=str(object_id), defaults={"text": folded}
    )


def index_many(scope: str, items: Iterable[tuple[object, str]]) -> None:
    """Bulk-index ``(object_id, text)`` pairs, replacing earlier entries."""
    rows = [
        SearchEntry(scope=scope, object_id=str(oid), text=_indexed_text(text))
        for oid, text in items
    ]
    ids = [row.object_id for row in rows]
    SearchEntry.objects.filter(scope=scope, object_id__in=ids).delete()
    SearchEntry.objects.bulk_create(rows, batch_size=500)


def remove(scope: str, object_id: object) -> None:
    SearchEntry.objects.filter(scope=scope, object_id=str(object_id)).delete()


class _TsMatch(Func):
    """PostgreSQL ``to_tsvector('simple', text) @@ to_tsquery('simple', q)``.

    Spelled like the GIN index expression so the planner uses the index, and
    compiled against whatever alias the entries table has in the query.
    """

    template = "to_tsvector('simple', %(expressions)s)"
    arg_joiner = ") @@ to_tsquery('simple', "
    output_field = BooleanField()


def _match(query: str) -> Q | _TsMatch | None:
    # Whole words, except the last, which may be unfinished (type-ahead):
    # "ha gi" finds "Hà Giang"; prefixing every word would make PostgreSQL
    # walk every posting list that starts with "ke" or "ha".
    terms = words(query)
    if not terms:
        return None
    *whole, last = terms
    if connection.vendor == "postgresql":
        # Terms are [0-9a-z]+ (core.text.words) and bound as a parameter.
        return _TsMatch(F("text"), Value(" & ".join([*whole, f"{last}:*"])))
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    return Q(id__in=RawSQL(sql, [_fts_query(whole, last)]))  # noqa: S611


def _fts_query(whole: list[str], last: str) -> str:
    return " AND ".join([*(f'"{t}"' for t in whole), f'"{last}"*'])


def matching_ids(scope: str, query: str) -> QuerySet[SearchEntry]:
    """Entries of ``scope`` whose text holds every word of ``query``."""
    match = _match(query)
    entries = SearchEntry.objects.filter(scope=scope)
    if match is None:
        return entries.none()
    return entries.filter(match)


def filter_queryset[M: models.Model](
    queryset: QuerySet[M], scope: str, query: str
) -> QuerySet[M]:
    """Narrow ``queryset`` to objects whose indexed text matches ``query``."""
    pk = queryset.model._meta.pk
    assert pk is not None
    terms = words(query)
    integer_pk = isinstance(pk, models.IntegerField | models.AutoField)
    if connection.vendor == "sqlite" and integer_pk and terms:
        # Driven from the FTS index: the ORM's form (entries of the scope
        # whose id is in the FTS list) walks every entry of the scope, a
        # fixed ~150 ms at a million documents even for a query with no hit.
        # CROSS JOIN keeps that order: SQLite never reorders it, and the other
        # order runs the MATCH once per entry.
        *whole, last = terms
        sql = (
            f"SELECT CAST(e.object_id AS INTEGER) FROM {FTS_TABLE} f "  # noqa: S608
            f"CROSS JOIN {SearchEntry._meta.db_table} e ON e.id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND e.scope = %s"
        )
        return queryset.filter(
            pk__in=RawSQL(sql, [_fts_query(whole, last), scope])  # noqa: S611
        )
    entries = matching_ids(scope, query)
    if integer_pk:
        # object_id is text; PostgreSQL will not compare it with a bigint.
        entries = entries.annotate(oid=Cast("object_id", models.BigIntegerField()))
        return queryset.filter(pk__in=entries.values("oid"))
    return queryset.filter(pk__in=entries.values("object_id"))


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


FTS_SQLITE_SQL = [
    "CREATE VIRTUAL TABLE core_search_fts USING fts5(text, content='core_searchentry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    """CREATE TRIGGER core_search_ai AFTER INSERT ON core_searchentry BEGIN
        INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER core_search_ad AFTER DELETE ON core_searchentry BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, text)
        VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER core_search_au AFTER UPDATE ON core_searchentry BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
        INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END""",
]
FTS_POSTGRES_SQL = [
    "CREATE INDEX core_searchentry_tsv ON core_searchentry "
    "USING gin (to_tsvector('simple', text))",
]
