from django.urls import path

from tinhso.pki import views

app_name = "pki"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("certificates/import/", views.certificate_import, name="certificate_import"),
    path("certificates/pkcs11/", views.certificate_pkcs11, name="certificate_pkcs11"),
    path("certificates/demo/", views.certificate_demo, name="certificate_demo"),
    path(
        "certificates/<int:certificate_id>/",
        views.certificate_detail,
        name="certificate",
    ),
    path("roots/", views.roots, name="roots"),
    path("roots/<int:root_id>/", views.root_action, name="root_action"),
    path("roots/<int:root_id>/pem/", views.root_pem, name="root_pem"),
]
