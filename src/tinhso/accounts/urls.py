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
    path("orgtree/add/", admin_views.orgunit_add, name="orgunit_add_root"),
    path("orgtree/<int:unit_id>/node/", admin_views.orgtree_node, name="orgtree_node"),
    path("orgtree/<int:parent_id>/add/", admin_views.orgunit_add, name="orgunit_add"),
    path("orgtree/<int:unit_id>/edit/", admin_views.orgunit_edit, name="orgunit_edit"),
    path("users/", admin_views.users, name="users"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/units/", admin_views.unit_options, name="unit_options"),
    path("users/<int:user_id>/", admin_views.user_detail, name="user_detail"),
]
