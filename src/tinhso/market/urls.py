from django.urls import path

from tinhso.market.views import officer, seller, store

app_name = "market"

urlpatterns = [
    path("cho-ocop/", store.store, name="store"),
    path("cho-ocop/san-pham/<int:pk>/", store.product, name="product"),
    path("cho-ocop/anh/<int:pk>/<str:size>.jpg", store.photo, name="photo"),
    path("cho-ocop/gio-hang/", store.cart_page, name="cart"),
    path("cho-ocop/dat-hang/", store.checkout, name="checkout"),
    path("cho-ocop/da-dat/", store.placed, name="placed"),
    path("cho-ocop/don-hang/<str:reference>/", store.order, name="order"),
    path("cho-ocop/don-cua-toi/", store.my_orders, name="my_orders"),
    path("cho-ocop/ban-hang/", seller.seller, name="seller"),
    path("cho-ocop/ban-hang/dang-ky/", seller.register, name="register"),
    path("cho-ocop/ban-hang/thong-tin/", seller.producer_edit, name="producer_edit"),
    path("cho-ocop/ban-hang/san-pham/moi/", seller.product_new, name="product_new"),
    path(
        "cho-ocop/ban-hang/san-pham/<int:pk>/",
        seller.product_edit,
        name="product_edit",
    ),
    path("cho-ocop/ban-hang/don-hang/", seller.seller_orders, name="seller_orders"),
    path(
        "cho-ocop/ban-hang/don-hang/<str:reference>/",
        seller.seller_order,
        name="seller_order",
    ),
    path("cho-ocop/quan-ly/", officer.review, name="review"),
    path("cho-ocop/quan-ly/chu-the/", officer.producer_list, name="producers"),
    path("cho-ocop/quan-ly/thong-ke/", officer.statistics, name="statistics"),
]
