from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tinhso.documents"
    label = "documents"
    verbose_name = _("Văn bản, điều hành")

    def ready(self) -> None:
        from tinhso.documents import metrics, navigation

        navigation.register_modules()
        metrics.register_indicators()
