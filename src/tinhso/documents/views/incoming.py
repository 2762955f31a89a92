"""Pages for the incoming part of documents (see tinhso.documents.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
