"""Vietnamese by default, English complete and compiled."""

from pathlib import Path

from django import forms
from django.test import Client
from django.utils import translation

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import tinhso
from tinhso.core.models import OrgUnit
from tinhso.core.text import label_of
from tinhso.dossiers.constants import DossierStatus

LOCALE = Path(tinhso.__file__).parent / "locale" / "en" / "LC_MESSAGES"


@pytest.mark.django_db
def test_pages_speak_vietnamese_even_to_english_browsers(client: Client) -> None:
    """An English Accept-Language header does not switch the language by itself."""
    page = client.get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"})
    html = page.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


@pytest.mark.django_db
def test_language_switch_gives_english_pages(client: Client) -> None:
    """Choosing English in the header switch turns the pages into English."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "Đăng nhập" not in html


def _strings(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def test_english_catalog_is_complete_and_compiled() -> None:
    """Every Vietnamese string has an English translation, and the .mo matches the .po."""
    with (LOCALE / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = read_mo(handle)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    assert [m.id for m in messages if not all(_strings(m.string))] == []
    assert [m.id for m in messages if m.fuzzy] == []
    stale = []
    for message in messages:
        built = compiled.get(message.id, context=message.context)
        if built is None or _strings(built.string) != _strings(message.string):
            stale.append(message.id)
    assert stale == [], "run `tinhso compilemessages` in src/tinhso"


def test_django_strings_missing_in_vietnamese_come_from_our_catalog() -> None:
    """Django 6's empty choice has no Vietnamese of its own: ours gives it."""
    field = forms.ModelChoiceField(queryset=OrgUnit.objects.none())
    with translation.override("vi"):
        assert str(field.empty_label) == "— Chọn —"


def test_a_choice_label_follows_the_active_language() -> None:
    """Labels kept once per language do not leak from one language to another."""
    with translation.override("vi"):
        assert label_of(DossierStatus, "2") == "Đã tiếp nhận"
    with translation.override("en"):
        assert label_of(DossierStatus, DossierStatus.RECEIVED) == "Received"
    with translation.override("vi"):
        assert label_of(DossierStatus, "10") == "Đã trả kết quả"
