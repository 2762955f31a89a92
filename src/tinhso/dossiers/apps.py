from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = _("Một cửa, dịch vụ công")

    def ready(self) -> None:
        from tinhso.dossiers import checks, metrics, navigation  # noqa: F401 - registers

        navigation.register_modules()
        metrics.register_indicators()
        metrics.keep_tallies()
