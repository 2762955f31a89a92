from django.urls import path

from tinhso.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("login/setup/", views.login_setup, name="login_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("register/verify/", views.verify_phone, name="verify_phone"),
    path("me/", views.profile, name="profile"),
    path("me/two-factor/", views.totp_setup, name="totp_setup"),
    path("orgtree/", admin_views.orgtree, name="orgtree"),
    path("users/", admin_views.users, name="users"),
]
