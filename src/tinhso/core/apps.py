from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tinhso.core"
    label = "core"
    verbose_name = _("Nền tảng")

    def ready(self) -> None:
        from tinhso.core import modules, providers

        modules.register_core_modules()
        providers.register_providers()
        post_migrate.connect(
            _repair_search_index, sender=self, dispatch_uid="core.search.repair"
        )


def _repair_search_index(using: str, **kwargs: Any) -> None:
    # A migration that remakes the entries table on SQLite drops the per-scope
    # triggers with it; this puts them back and rebuilds what they missed.
    from tinhso.core import search

    connection = connections[using]
    # Only on the schema the index is written for: after migrating back past
    # core 0004 the entries have no partitions to index.
    applied = MigrationRecorder(connection).applied_migrations()
    if ("core", "0004_search_partitions") in applied:
        search.ensure_all(connection)
