"""Typed registries: extension points filled from ``AppConfig.ready()``."""

from collections.abc import Iterator


class Registry[T]:
    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, code: str, item: T) -> T:
        if code in self._items and self._items[code] is not item:
            raise ValueError(f"{self.name}: code {code!r} is already registered.")
        self._items[code] = item
        return item

    def get(self, code: str) -> T:
        return self._items[code]

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())
