"""The one paging convention of the API: ``?page=1&page_size=50``.

Totals are counted up to ``MAX_COUNT``: past that nobody pages through the
list, and counting every match of a common word across a million documents
would cost more than finding the page itself. Within the counted rows one
walk of primary keys gives both the page and the count (``capped_page``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 200
MAX_COUNT = 1000


def capped_count(
    items: QuerySet[Any] | list[Any], cap: int = MAX_COUNT
) -> tuple[int, bool]:
    """How many ``items`` there are, counted no further than ``cap``.

    Returns the count and whether there are more than ``cap``.
    """
    if isinstance(items, QuerySet) and items.query.is_sliced:
        counted = items.count()
    elif isinstance(items, QuerySet):
        counted = items.order_by()[: cap + 1].count()
    else:
        counted = len(items)
    return min(counted, cap), counted > cap


def _walkable(queryset: QuerySet[Any]) -> bool:
    # Rows read again by key must be what the queryset itself returns:
    # model instances with no computed columns, extra selects or set
    # operations (those page and count the plain way). DISTINCT is left
    # out too: ordered by a related column, its keys would repeat.
    # Ordered by a related row's column, a key could come once per related
    # row: those are left to the plain way too.
    query = queryset.query
    ordering = [str(o) for o in (*query.order_by, *query.extra_order_by)]
    return not (
        query.is_sliced
        or query.distinct
        or query.values_select
        or query.annotations
        or query.extra_select
        or query.combinator
        or query.select_for_update
        or getattr(query, "_filtered_relations", None)
        or any("__" in field for field in ordering)
    )


def _by_key(queryset: QuerySet[Any], keys: list[Any]) -> list[Any]:
    """The rows of ``queryset``'s model with ``keys``, in that order.

    Read by key alone, with the queryset's related rows: its conditions
    (and any search index joined to it) were applied by the walk.
    """
    if not keys:
        return []
    rows = queryset.model._base_manager.db_manager(queryset.db).filter(pk__in=keys)
    # The same columns and joined rows as the queryset would read.
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    # No public reader of a queryset's prefetches.
    lookups = getattr(queryset, "_prefetch_related_lookups", ())
    if lookups:
        rows = rows.prefetch_related(*lookups)
    found = {row.pk: row for row in rows}
    return [found[key] for key in keys if key in found]


def _walk(items: QuerySet[Any] | list[Any], cap: int) -> list[Any] | None:
    """The primary keys of the first ``cap + 1`` rows of ``items``, in its
    order; None when its rows cannot be read again by key."""
    if isinstance(items, list) or not _walkable(items):
        return None
    return list(items.values_list("pk", flat=True)[: cap + 1])


@dataclass(frozen=True)
class Counted[T]:
    """A list the database pages and counts itself, with prepared reads
    (``tinhso.core.prepared``) for the lists every user opens:
    ``page(offset, limit)`` gives those rows, ``count(limit)`` how many rows
    there are, counted no further than ``limit``."""

    page: Callable[[int, int], list[T]]
    count: Callable[[int], int]


def capped_page[T](
    items: "QuerySet[Any, T] | list[T] | Counted[T]",
    start: int,
    size: int,
    cap: int = MAX_COUNT,
) -> tuple[list[T], int, bool]:
    """Rows ``start`` to ``start + size`` of ``items``, their count up to
    ``cap`` and whether there are more (as ``capped_count``).

    Within the first ``cap + 1`` rows, one walk of primary keys in the
    queryset's order gives the count and the page's keys, and the page is
    then read by key. The queryset's conditions, joins and search index are
    thus evaluated once instead of twice (page, then count); a search whose
    matches are few and far between no longer walks its index to the end
    twice. Further out, or for querysets that cannot be read again by key,
    the page and the count are read apart, as they are for ``Counted``.
    """
    if isinstance(items, Counted):
        rows = items.page(start, size)
        if start == 0 and len(rows) < size:
            # Shorter than a page: the page is the count.
            return rows, min(len(rows), cap), len(rows) > cap
        counted = items.count(cap + 1)
        return rows, min(counted, cap), counted > cap
    keys = _walk(items, cap) if start + size <= cap + 1 else None
    if keys is None:
        count, capped = capped_count(items, cap)
        return list(items[start : start + size]), count, capped
    rows = _by_key(cast(QuerySet[Any], items), keys[start : start + size])
    return rows, min(len(keys), cap), len(keys) > cap


class CappedPage(Page):
    more = False

    def has_next(self) -> bool:
        return self.more or super().has_next()


class CappedPaginator(Paginator):
    """Django's paginator counting no further than ``cap`` (``MAX_COUNT``).

    ``capped`` tells the page to say "more than" and suggest narrowing.
    Past the count the pages go on: each looks one row ahead to know
    whether there is a next one. The count comes from a walk of keys
    (``capped_page``), from which the pages inside it are read by key.
    """

    def __init__(self, *args: Any, cap: int = MAX_COUNT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            value = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("Số trang không hợp lệ.")) from error
        if value < 1:
            raise EmptyPage(_("Số trang không hợp lệ."))
        return value

    def get_page(self, number: Any) -> Page:
        try:
            return super().get_page(number)
        except EmptyPage:
            # Past the end of a list counted no further than the cap.
            return self.page(self.num_pages)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = self._keys
        # A capped page is read by key when a walked key follows it (so
        # there is a next page); the last walked ones look ahead as below.
        if keys is not None and (not self.capped or bottom + self.per_page < len(keys)):
            top = bottom + self.per_page
            if not self.capped and top + self.orphans >= self.count:
                top = self.count
            rows = _by_key(cast(QuerySet[Any], self.object_list), keys[bottom:top])
            page = CappedPage(rows, number, self)
            page.more = self.capped
            return page
        if not self.capped:
            return super().page(number)
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(_("Trang này không có kết quả."))
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    @cached_property
    def _keys(self) -> list[Any] | None:
        return _walk(cast(QuerySet[Any] | list[Any], self.object_list), self.cap)

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        if self._keys is not None:
            return min(len(self._keys), self.cap), len(self._keys) > self.cap
        items = cast(QuerySet[Any] | list[Any], self.object_list)
        return capped_count(items, self.cap)

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def capped(self) -> bool:
        return self._capped[1]


class Paged(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="Trang, bắt đầu từ 1")
        page_size: int = Field(
            50, ge=1, le=MAX_PAGE_SIZE, description="Số mục mỗi trang"
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ..., description=f"Tổng số mục, đếm tới {MAX_COUNT}; xem count_capped"
        )
        count_capped: bool = Field(
            ..., description=f"true: có hơn {MAX_COUNT} mục, count dừng ở {MAX_COUNT}"
        )
        page: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        start = (pagination.page - 1) * pagination.page_size
        items, count, capped = capped_page(queryset, start, pagination.page_size)
        return {
            "items": items,
            "count": count,
            "count_capped": capped,
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
