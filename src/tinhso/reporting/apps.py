from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "tinhso.reporting"
    label = "reporting"
    verbose_name = _("Báo cáo, điều hành")

    def ready(self) -> None:
        from tinhso.reporting import navigation, tasks

        navigation.register_modules()
        tasks.register_jobs()
