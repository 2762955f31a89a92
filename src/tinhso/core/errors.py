"""Domain errors, turned into RFC 9457 problem+json by the API and into
messages by pages: a stable machine ``code`` and a Vietnamese ``message``."""

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status
        self.extra = extra or {}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


def validated(obj: Any, exclude: list[str] | None = None) -> None:
    """``obj.full_clean()``, its first complaint raised as the user reads it:
    the field's name, then what is wrong."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = (
            str(obj._meta.get_field(field).verbose_name) if field != "__all__" else ""
        )
        message = f"{label}: {messages[0]}" if label else messages[0]
        raise DomainError("invalid", message, extra={"field": field}) from exc
