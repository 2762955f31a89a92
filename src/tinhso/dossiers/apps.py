from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = _("Một cửa, dịch vụ công")

    def ready(self) -> None:
        from tinhso.dossiers import checks, metrics, navigation, providers  # noqa: F401

        navigation.register_modules()
        providers.register_providers()
        metrics.register_indicators()
        metrics.keep_tallies()
        post_migrate.connect(
            _count_tallies, sender=self, dispatch_uid="dossiers.tallies.count"
        )


def _count_tallies(using: str, **kwargs: Any) -> None:
    # Dossiers kept before the monthly tallies existed (or written past them,
    # by a bulk import) are counted here, with the whole schema migrated: a
    # migration would count with a schema that later ones may still change.
    from tinhso.dossiers import metrics

    if using != DEFAULT_DB_ALIAS:
        return
    applied = MigrationRecorder(connections[using]).applied_migrations()
    if ("dossiers", "0003_monthly_tallies") not in applied:
        return  # migrated back past the tallies
    if not metrics.tallies_add_up():
        metrics.recount()
