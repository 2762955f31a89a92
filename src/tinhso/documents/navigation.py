"""Navigation entries of the documents app (filled as its pages land)."""


def register_modules() -> None:
    pass
