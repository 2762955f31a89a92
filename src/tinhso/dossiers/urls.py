from django.urls import path

from tinhso.dossiers import portal, views

app_name = "dossiers"

urlpatterns = [
    path("thu-tuc/", views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("thu-tuc/<str:code>/nop/", portal.submit, name="submit"),
    path("tra-cuu/", views.look_up, name="look_up"),
    path("thong-ke/", views.statistics_page, name="statistics"),
    path("ca-nhan/", portal.my_dossiers, name="my_dossiers"),
    path("ca-nhan/<str:code>/", portal.my_dossier, name="my_dossier"),
    path(
        "ca-nhan/<str:code>/bo-sung/",
        portal.answer_supplement,
        name="my_dossier_supplement",
    ),
    path("ca-nhan/<str:code>/danh-gia/", portal.rate, name="my_dossier_rate"),
    path("ca-nhan/<str:code>/rut/", portal.withdraw, name="my_dossier_withdraw"),
    path("ho-so/", views.dossier_list, name="dossier_list"),
    path("doi-soat/", views.credits, name="credits"),
    path("ho-so/tiep-nhan/", views.dossier_receive, name="dossier_receive"),
    path("ho-so/cua-toi/", views.my_queue, name="my_queue"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier_detail"),
    path(
        "ho-so/<str:code>/giay-tiep-nhan.pdf",
        views.dossier_receipt,
        name="dossier_receipt",
    ),
    path("ho-so/<str:code>/chuyen/", views.dossier_hand_over, name="dossier_hand_over"),
    path("ho-so/<str:code>/tiep-nhan/", views.dossier_accept, name="dossier_accept"),
    path(
        "ho-so/<str:code>/thu-phi/",
        views.dossier_confirm_payment,
        name="dossier_confirm_payment",
    ),
    path(
        "ho-so/<str:code>/bien-nhan-phi.pdf",
        views.dossier_payment_receipt,
        name="dossier_payment_receipt",
    ),
    path(
        "ho-so/<str:code>/ket-qua/",
        views.dossier_attach_result,
        name="dossier_attach_result",
    ),
    path("ho-so/<str:code>/ket-qua.pdf", views.dossier_result, name="dossier_result"),
    path(
        "ho-so/<str:code>/tep/<int:position>/", views.dossier_file, name="dossier_file"
    ),
    path("ho-so/<str:code>/tra-ket-qua/", views.dossier_return, name="dossier_return"),
    path(
        "ho-so/<str:code>/bo-sung/", views.dossier_supplement, name="dossier_supplement"
    ),
    path("ho-so/<str:code>/tu-choi/", views.dossier_refuse, name="dossier_refuse"),
    path("ho-so/<str:code>/rut/", views.dossier_withdraw, name="dossier_withdraw"),
    path(
        "ho-so/<str:code>/xin-loi/", views.dossier_apologise, name="dossier_apologise"
    ),
    path(
        "ho-so/<str:code>/xin-loi.pdf",
        views.dossier_apology_pdf,
        name="dossier_apology_pdf",
    ),
    path(
        "ho-so/<str:code>/tu-choi.pdf",
        views.dossier_refusal_pdf,
        name="dossier_refusal_pdf",
    ),
    path(
        "ho-so/<str:code>/da-bo-sung/",
        views.dossier_supplement_received,
        name="dossier_supplement_received",
    ),
    path(
        "ho-so/<str:code>/yeu-cau-bo-sung.pdf",
        views.dossier_supplement_pdf,
        name="dossier_supplement_pdf",
    ),
    path(
        "ho-so/<str:code>/phieu-kiem-soat.pdf",
        views.dossier_control_sheet,
        name="dossier_control_sheet",
    ),
    path("quan-tri/danh-muc/", views.catalog_admin, name="catalog_admin"),
    path(
        "quan-tri/danh-muc/tai-ve.<str:kind>",
        views.catalog_export,
        name="catalog_export",
    ),
]
