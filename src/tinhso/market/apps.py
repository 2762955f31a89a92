from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "tinhso.market"
    label = "market"
    verbose_name = _("Sàn thương mại điện tử sản phẩm OCOP")

    def ready(self) -> None:
        from tinhso.market import metrics, navigation, tasks

        navigation.register_modules()
        metrics.register_indicators()
        tasks.register_jobs()
