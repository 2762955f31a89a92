"""The ``tinhso`` command: Django's management commands with settings set.

``tinhso serve``, ``tinhso worker``, ``tinhso demo``, ``tinhso backup FILE``,
``tinhso restore FILE``, ``tinhso audit verify``, ``tinhso orgtree load`` and
every other management command (``tinhso migrate``, ``tinhso help``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "tinhso"
    from tinhso.conf.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
    except ConfigError as exc:
        print(f"tinhso: {exc}", file=sys.stderr)
        sys.exit(2)
