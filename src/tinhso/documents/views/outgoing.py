"""Pages for the outgoing part of documents (see tinhso.documents.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
