from django.urls import path

from tinhso.datahub import views

app_name = "datahub"

urlpatterns = [
    # Data officers: the sharing platform and the datasets they publish.
    path("du-lieu/dich-vu/", views.service_list, name="services"),
    path("du-lieu/dich-vu/<slug:code>/", views.service_detail, name="service_detail"),
    path("du-lieu/dich-vu/<slug:code>/sua/", views.service_edit, name="service_edit"),
    path(
        "du-lieu/dich-vu/<slug:code>/<str:act>/",
        views.service_status,
        name="service_status",
    ),
    path(
        "du-lieu/quyen/<int:grant_id>/thu-hoi/", views.grant_revoke, name="grant_revoke"
    ),
    path("du-lieu/he-thong/", views.client_list, name="clients"),
    path("du-lieu/he-thong/<slug:code>/", views.client_detail, name="client_detail"),
    path(
        "du-lieu/he-thong/<slug:code>/<str:act>/",
        views.client_action,
        name="client_action",
    ),
    path("du-lieu/khoa/<int:key_id>/thu-hoi/", views.key_revoke, name="key_revoke"),
    path("du-lieu/khai-thac/", views.usage, name="usage"),
    path("du-lieu/bo-du-lieu/", views.dataset_list, name="datasets"),
    path("du-lieu/bo-du-lieu/<slug:name>/", views.dataset_edit, name="dataset_edit"),
    # The public open data portal.
    path("du-lieu-mo/", views.portal, name="portal"),
    path("du-lieu-mo/catalog.jsonld", views.dcat_catalogue, name="dcat"),
    path(
        "du-lieu-mo/tai-nguyen/<uuid:resource_id>/",
        views.resource_preview,
        name="resource_preview",
    ),
    path(
        "du-lieu-mo/tai-nguyen/<uuid:resource_id>/tai-ve",
        views.resource_download,
        name="resource_download",
    ),
    path("du-lieu-mo/<slug:name>/", views.portal_dataset, name="portal_dataset"),
]
