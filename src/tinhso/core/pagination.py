"""The one paging convention of the API: ``?page=1&page_size=50``.

Totals are counted up to ``MAX_COUNT``: past that nobody pages through the
list, and counting every match of a common word across a million documents
would cost more than finding the page itself.
"""

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


class CappedPage(Page):
    more = False

    def has_next(self) -> bool:
        return self.more or super().has_next()


class CappedPaginator(Paginator):
    """Django's paginator counting no further than ``cap`` (``MAX_COUNT``).

    ``capped`` tells the page to say "more than" and suggest narrowing.
    Past the count the pages go on: each looks one row ahead to know
    whether there is a next one.
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
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(_("Trang này không có kết quả."))
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    @cached_property
    def _capped(self) -> tuple[int, bool]:
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
        count, capped = capped_count(queryset)
        return {
            "items": queryset[start : start + pagination.page_size],
            "count": count,
            "count_capped": capped,
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
