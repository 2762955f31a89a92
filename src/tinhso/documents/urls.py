from tinhso.documents.views import exchange, handling, incoming, outgoing

app_name = "documents"
urlpatterns = [
    *incoming.urlpatterns,
    *handling.urlpatterns,
    *outgoing.urlpatterns,
    *exchange.urlpatterns,
]
