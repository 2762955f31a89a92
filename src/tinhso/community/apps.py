from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "tinhso.community"
    label = "community"
    verbose_name = _("Tổ công nghệ số cộng đồng")

    def ready(self) -> None:
        from tinhso.community import metrics, navigation

        navigation.register_modules()
        metrics.register_indicators()
