from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tinhso.core"
    label = "core"
    verbose_name = _("Nền tảng")

    def ready(self) -> None:
        from tinhso.core import modules

        modules.register_core_modules()
