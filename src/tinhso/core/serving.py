"""Things apps start beside the web server: ``tinhso serve`` runs every
registered hook before serving (with ``demo`` set for ``--demo``), so an app
can bring up what its demo needs without core knowing the app."""

from typing import Protocol

from tinhso.core.registry import Registry


class Hook(Protocol):
    """Told whether the demo is served; returns a line to print, or ""."""

    def __call__(self, *, demo: bool) -> str: ...


hooks: Registry[Hook] = Registry("serve hooks")


def register(code: str, hook: Hook) -> Hook:
    return hooks.register(code, hook)
