from django.urls import include, path
from django.views.i18n import set_language

from tinhso.api import api
from tinhso.core import views as core_views
from tinhso.datahub import ckan

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    # CKAN's action API, for CKAN clients and harvesters of the open data.
    path("api/3/action/<str:name>", ckan.action, name="ckan_action"),
    path("api/action/<str:name>", ckan.action),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("tinhso.accounts.urls")),
    path("documents/", include("tinhso.documents.urls")),
    path("pki/", include("tinhso.pki.urls")),
    path("dvc/", include("tinhso.dossiers.urls")),
    path("", include("tinhso.datahub.urls")),
    path("", include("tinhso.reporting.urls")),
    path("", include("tinhso.market.urls")),
    path("", include("tinhso.community.urls")),
    path("", include("tinhso.core.urls")),
]

handler403 = "tinhso.core.views.forbidden"
handler404 = "tinhso.core.views.not_found"
