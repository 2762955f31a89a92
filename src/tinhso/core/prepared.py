"""Reads compiled to SQL once per process, then run again with new values.

On the hottest reads (the bearer token of every API call, a dossier by its
code, a page of a list) building the query with the ORM costs several times
what running it does. ``prepared`` keeps what the ORM compiled for a
queryset (its SQL, the columns it selects and how rows become model
instances) and reruns it with other parameter values, so a read written
with the ORM costs about what a hand-written statement would.

A prepared read is written as a function of its parameters, annotated
``int``, ``str`` or ``list[int]``, that returns the queryset::

    @prepared
    def token_row(digest: str) -> QuerySet[APIToken]:
        return APIToken.objects.select_related("user").filter(token_hash=digest)

    token_row(digest)  # a list of APIToken, user joined

An unsliced read can also be paged and counted in the database:
``read.page(*args, offset=40, limit=20)``, ``read.count(*args, limit=1001)``.

The function is called once per database (and length of each list) with
stand-in values, which must reach the SQL as they are: a value the query
transforms (a LIKE pattern, a lower-cased string) cannot be prepared and
fails when first called, with the stand-in named.
"""

import functools
import inspect
import sqlite3
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.query import (  # type: ignore[attr-defined]  # internal, see _maker
    _get_from_db as model_from_db,
)

# Far from any key or count a province reaches, and inside a 32-bit column,
# whose lookups Django refuses past its range.
_INT_BASE = 1_973_000_000
_STRIDE = 1_000


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each SQL parameter: where its value comes from among the flattened
    # arguments, or None for a constant of the query, kept as compiled.
    sources: tuple[int | None, ...]
    constants: tuple[Any, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    width: int | None
    make: Callable[[list[Any]], Any]
    sliced: bool


class Prepared[R]:
    def __init__(self, build: Callable[..., QuerySet[Any, R]]) -> None:
        self._build = build
        hints = typing.get_type_hints(build)
        self._kinds = [
            hints.get(name, str) for name in inspect.signature(build).parameters
        ]
        self._compiled: dict[tuple[int | None, ...], _Compiled] = {}
        functools.update_wrapper(self, build)

    def __call__(self, *args: Any) -> list[R]:
        compiled, params = self._bound(args)
        return self._rows(compiled, compiled.sql, params)

    def page(self, *args: Any, offset: int, limit: int) -> list[R]:
        """Rows ``offset`` to ``offset + limit`` of what the read gives."""
        compiled, params = self._bound(args)
        if compiled.sliced:
            raise TypeError(f"{self._build.__qualname__} is sliced already")
        sql = f"{compiled.sql} LIMIT %s OFFSET %s"
        return self._rows(compiled, sql, [*params, limit, offset])

    def count(self, *args: Any, limit: int) -> int:
        """How many rows the read gives, counted no further than ``limit``
        (the columns it selects are read all the same: count a read of keys)."""
        compiled, params = self._bound(args)
        if compiled.sliced:
            raise TypeError(f"{self._build.__qualname__} is sliced already")
        # The compiled SQL is our own ORM's; every value is a parameter.
        sql = f"SELECT COUNT(*) FROM ({compiled.sql} LIMIT %s) counted"  # noqa: S608
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            _execute(connection, cursor, sql, [*params, limit])
            return int(cursor.fetchone()[0])

    def _bound(self, args: tuple[Any, ...]) -> tuple["_Compiled", list[Any]]:
        shape = tuple(len(a) if isinstance(a, list | tuple) else None for a in args)
        compiled = self._compiled.get(shape)
        if compiled is None:
            # Two threads may both compile at first: the same result, kept once.
            compiled = self._compiled[shape] = self._compile(shape)
        flat = list(_flatten(args))
        params = [
            flat[source] if source is not None else constant
            for source, constant in zip(
                compiled.sources, compiled.constants, strict=True
            )
        ]
        return compiled, params

    def _rows(self, compiled: "_Compiled", sql: str, params: list[Any]) -> list[R]:
        # The platform has one database; a prepared read goes to it.
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            _execute(connection, cursor, sql, params)
            rows = cursor.fetchall()
        if compiled.width is not None:
            rows = [row[: compiled.width] for row in rows]
        if compiled.converters:
            rows = [_convert(row, compiled.converters, connection) for row in rows]
        return [compiled.make(row) for row in rows]

    def _compile(self, shape: tuple[int | None, ...]) -> _Compiled:
        alias = DEFAULT_DB_ALIAS
        stand_ins: list[Any] = []
        flat_stand_ins: list[Any] = []
        for position, (kind, length) in enumerate(zip(self._kinds, shape, strict=True)):
            if length is not None:
                if length >= _STRIDE:
                    raise ValueError(f"prepared reads take lists under {_STRIDE}")
                values = [_INT_BASE + position * _STRIDE + i for i in range(length)]
                stand_ins.append(values)
                flat_stand_ins += values
                continue
            value: Any = (
                _INT_BASE + position * _STRIDE
                if kind is int
                else f"\u27e6prepared {position}\u27e7"
            )
            stand_ins.append(value)
            flat_stand_ins.append(value)
        queryset = self._build(*stand_ins).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        sources = tuple(
            flat_stand_ins.index(p) if p in flat_stand_ins else None for p in params
        )
        missing = [s for i, s in enumerate(flat_stand_ins) if i not in set(sources)]
        if missing:
            raise TypeError(
                f"{self._build.__qualname__}: the stand-in {missing[0]!r} does "
                "not reach the SQL as given, so this read cannot be prepared."
            )
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(
                fields
            ).items()
        )
        return _Compiled(
            sql=sql,
            sources=sources,
            constants=tuple(
                None if s is not None else p
                for s, p in zip(sources, params, strict=True)
            ),
            converters=converters,
            width=compiler.col_count if compiler.has_extra_select else None,
            make=_maker(queryset, compiler, alias),
            sliced=queryset.query.is_sliced,
        )


def prepared[R](build: Callable[..., QuerySet[Any, R]]) -> Prepared[R]:
    """A read compiled once per process (see the module's note)."""
    return Prepared(build)


def _execute(connection: Any, cursor: Any, sql: str, params: list[Any]) -> None:
    # Django's SQLite cursor turns the %s of a statement into ? with a
    # regular expression over the whole text on every call: 10–20 µs for
    # the longer reads here, more than SQLite takes to run them. Prepared
    # statements are turned once. Where queries are logged or wrapped (a
    # test counting them, a debug toolbar) Django's own path runs.
    if (
        connection.vendor != "sqlite"
        or connection.queries_logged
        or connection.execute_wrappers
    ):
        cursor.execute(sql, params)
        return
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        sqlite3.Cursor.execute(cursor.cursor, _qmark(cursor.cursor, sql), params)


# Each prepared statement as SQLite's driver takes it (a few per read).
_QMARK: dict[str, str] = {}


def _qmark(raw: Any, sql: str) -> str:
    converted = _QMARK.get(sql)
    if converted is None:
        converted = _QMARK[sql] = raw.convert_query(sql)
    return converted


def _flatten(args: Iterable[Any]) -> Iterable[Any]:
    for arg in args:
        if isinstance(arg, list | tuple):
            yield from arg
        else:
            yield arg


def _convert(
    row: tuple[Any, ...],
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...],
    connection: Any,
) -> tuple[Any, ...]:
    values = list(row)
    for position, functions, expression in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return tuple(values)


def _maker(queryset: QuerySet[Any], compiler: Any, alias: str) -> Callable[[Any], Any]:
    """How one row becomes what iterating ``queryset`` would give."""
    iterable = queryset._iterable_class
    if iterable is FlatValuesListIterable:
        return lambda row: row[0]
    if iterable is ValuesListIterable:
        return tuple
    if iterable is not ModelIterable:
        raise TypeError("prepared reads give model instances or values_list rows")
    select, info = compiler.select, compiler.klass_info
    fields = info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [f[0].target.attname for f in select[start:end]]
    fetch_mode = getattr(queryset, "_fetch_mode")  # noqa: B009 - no public reader
    if fetch_mode.track_peers:
        raise TypeError("prepared reads do not fetch related rows for peers")
    from_db = model_from_db(info["model"], fetch_mode)
    related = get_related_populators(info, select, alias, fetch_mode)
    annotations = list(compiler.annotation_col_map.items())

    def make(row: Any) -> Model:
        instance: Model = from_db(alias, names, row[start:end])
        for populator in related:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        return instance

    return make
