"""Who sees which data-sharing page, and what a refused form says."""

from django.test import Client as HttpClient

from tests import factories
from tests.datahub.test_open_data import SCHOOLS_CSV, schools, upload
from tinhso.accounts.models import Role, User
from tinhso.core.models import OrgUnit
from tinhso.datahub import opendata, services
from tinhso.datahub.models import Client, DataService, Grant


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_only_data_officers_reach_the_sharing_pages(science: OrgUnit) -> None:
    clerk = factories.official(unit=science, role=Role.CLERK)
    for page in ("/du-lieu/dich-vu/", "/du-lieu/he-thong/", "/du-lieu/khai-thac/"):
        assert signed_in(clerk).get(page).status_code == 403, page
    assert HttpClient().get("/du-lieu/dich-vu/").status_code == 302  # to the login


def test_drafts_are_seen_by_their_owners_only(
    owner: User, client_officer: User, science: OrgUnit
) -> None:
    services.create_service(
        owner,
        code="ban-nhap",
        name="Dịch vụ đang soạn",
        owner=science,
        classification="shared",
        source="orgunits",
    )
    assert (
        "Dịch vụ đang soạn"
        in signed_in(owner).get("/du-lieu/dich-vu/").content.decode()
    )
    other = signed_in(client_officer)
    assert "Dịch vụ đang soạn" not in other.get("/du-lieu/dich-vu/").content.decode()
    assert other.get("/du-lieu/dich-vu/ban-nhap/").status_code == 404


def test_a_grant_form_is_refused_to_another_unit(
    owner: User, client_officer: User, orgtree_service: DataService, system: Client
) -> None:
    page = f"/du-lieu/dich-vu/{orgtree_service.code}/"
    refused = signed_in(client_officer).post(
        page, {"client": system.pk, "purpose": "Tự cấp quyền"}
    )
    assert refused.status_code == 403
    missing = signed_in(owner).post(page, {"client": system.pk, "purpose": ""})
    assert missing.status_code == 400
    assert "Trường này là bắt buộc." in missing.content.decode()
    assert not Grant.objects.exists()
    done = signed_in(owner).post(page, {"client": system.pk, "purpose": "Đồng bộ"})
    assert done.status_code == 302
    assert Grant.objects.get().client == system


def test_the_portal_shows_published_datasets_only(
    owner: User, science: OrgUnit
) -> None:
    dataset = schools(owner, science)
    upload(owner, dataset, SCHOOLS_CSV, "truong-hoc.csv")
    public = HttpClient()
    assert public.get(f"/du-lieu-mo/{dataset.name}/").status_code == 404
    opendata.publish_dataset(owner, dataset)
    page = public.get("/du-lieu-mo/", {"q": "truong hoc"}).content.decode()
    assert dataset.title in page
    shown = public.get(f"/du-lieu-mo/{dataset.name}/").content.decode()
    assert "Giáo dục, văn hóa và thể thao" in shown
    opendata.withdraw_dataset(owner, dataset)
    assert public.get(f"/du-lieu-mo/{dataset.name}/").status_code == 404
