"""What the market's services share: model validation as a DomainError."""

from typing import Any

from django.core.exceptions import ValidationError

from tinhso.core.errors import DomainError


def valid(obj: Any, exclude: list[str] | None = None) -> None:
    """``full_clean``, its first complaint raised as the user sees it."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = (
            str(obj._meta.get_field(field).verbose_name) if field != "__all__" else ""
        )
        message = f"{label}: {messages[0]}" if label else messages[0]
        raise DomainError("invalid", message, extra={"field": field}) from exc
