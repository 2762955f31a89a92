from django.urls import path

from tinhso.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("thu-tuc/", views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("quan-tri/danh-muc/", views.catalog_admin, name="catalog_admin"),
    path(
        "quan-tri/danh-muc/tai-ve.<str:kind>",
        views.catalog_export,
        name="catalog_export",
    ),
]
