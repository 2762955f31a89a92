from django.urls import path

from tinhso.reporting.views import catalog, center, reports

app_name = "reporting"

urlpatterns = [
    # The operations center.
    path("dieu-hanh/", center.dashboard, name="dashboard"),
    path("dieu-hanh/ban-do/", center.map_page, name="map"),
    path("dieu-hanh/man-hinh/", center.wall, name="wall"),
    path("dieu-hanh/thiet-bi/", catalog.device_list, name="devices"),
    path(
        "dieu-hanh/thiet-bi/<int:device_id>/xoa/",
        catalog.device_delete,
        name="device_delete",
    ),
    path("dieu-hanh/ranh-gioi/", catalog.shapes, name="shapes"),
    # Periodic reports.
    path("bao-cao/", reports.report_list, name="reports"),
    path("bao-cao/<int:report_id>/", reports.report_detail, name="report"),
    path("bao-cao/<int:report_id>/nhap/", reports.report_import, name="report_import"),
    path(
        "bao-cao/<int:report_id>/xuat.<str:fmt>",
        reports.report_export,
        name="report_export",
    ),
    path("bao-cao/<int:report_id>/<str:act>/", reports.report_act, name="report_act"),
    path("bao-cao/ky/<int:round_id>/", reports.round_detail, name="round"),
    path(
        "bao-cao/ky/<int:round_id>/xuat.<str:fmt>",
        reports.round_export,
        name="round_export",
    ),
    # The catalog.
    path("bao-cao/chi-tieu/", catalog.indicator_list, name="indicators"),
    path("bao-cao/chi-tieu/<str:code>/", catalog.indicator_detail, name="indicator"),
    path(
        "bao-cao/muc-tieu/<int:target_id>/xoa/",
        catalog.target_delete,
        name="target_delete",
    ),
    path("bao-cao/bieu-mau/", catalog.form_list, name="forms"),
    path("bao-cao/bieu-mau/<int:form_id>/", catalog.form_detail, name="form"),
    path(
        "bao-cao/bieu-mau/<int:form_id>/xoa/<str:what>/<int:pk>/",
        catalog.form_remove,
        name="form_remove",
    ),
]
