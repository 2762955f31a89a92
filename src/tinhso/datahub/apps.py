from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "tinhso.datahub"
    label = "datahub"
    verbose_name = _("Chia sẻ dữ liệu, dữ liệu mở")

    def ready(self) -> None:
        from tinhso.core import serving
        from tinhso.datahub import adapters, navigation

        adapters.register_adapters()
        navigation.register_modules()
        serving.register("datahub.population", adapters.serve_simulated_population)
