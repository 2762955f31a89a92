from django.urls import path

from tinhso.community import views

app_name = "community"

urlpatterns = [
    path("cong-dong/", views.home, name="home"),
    path("cong-dong/tong-quan/", views.overview, name="overview"),
    path("cong-dong/to/", views.team_list, name="teams"),
    path("cong-dong/to/<int:pk>/", views.team_detail, name="team"),
    path("cong-dong/nhap-thanh-vien/", views.member_import, name="import"),
    path("cong-dong/mau-thanh-vien.xlsx", views.member_template, name="template"),
    path("cong-dong/tap-huan/", views.training_list, name="training"),
    path("cong-dong/tap-huan/buoi/<int:pk>/", views.session_detail, name="session"),
]
