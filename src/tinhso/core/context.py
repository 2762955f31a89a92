"""Who is acting and from where, for the audit log, set once per request."""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any = None
    source_ip: str | None = None


_current: ContextVar[Actor] = ContextVar("tinhso_actor", default=Actor())  # noqa: B039


def current() -> Actor:
    return _current.get()


def set_current(actor: Actor) -> object:
    return _current.set(actor)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
