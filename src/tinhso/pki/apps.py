from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PkiConfig(AppConfig):
    name = "tinhso.pki"
    label = "pki"
    verbose_name = _("Chứng thư số")

    def ready(self) -> None:
        from tinhso.pki import navigation

        navigation.register_modules()
