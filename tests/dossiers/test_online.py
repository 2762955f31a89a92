"""The citizen's online path: submitting with files, acceptance by the
one-stop officer, supplements answered online, the sealed electronic
result, the rating, the notices; and that nobody sees another's dossier."""

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core import mail
from django.utils import timezone

import pytest
from pypdf import PdfReader

from tests import factories
from tests.documents.conftest import kept_files, make_pdf
from tests.dossiers.test_catalog_pages import signed_in, text
from tests.dossiers.test_processing import Office
from tests.dossiers.test_receive import at
from tinhso.accounts.models import User
from tinhso.accounts.sms import OutboxSMS
from tinhso.core import files
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.dossiers.models import Dossier, Notification
from tinhso.dossiers.services import dossiers as services
from tinhso.dossiers.services import online
from tinhso.dossiers.services.deadlines import appointment
from tinhso.pki import services as pki
from tinhso.pki import signing

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def office(province: OrgUnit) -> Office:
    return Office(province)


@pytest.fixture
def citizen(db: None) -> User:
    return factories.citizen()


def upload(name: str, data: bytes) -> online.Upload:
    return online.Upload(name, io.BytesIO(data))


def papers() -> dict[int, list[online.Upload]]:
    return {
        1: [upload("to-khai.pdf", make_pdf("To khai dang ky khai sinh"))],
        2: [upload("giay-chung-sinh.png", PNG)],
    }


def submit(office: Office, citizen: User, when: str = "2026-03-02 09:00") -> Dossier:
    return online.submit_online(
        citizen,
        office.procedure,
        office.commune,
        papers(),
        email="huong@example.vn",
        at=at(when),
    )


def test_a_citizen_submits_online_and_an_officer_accepts(
    office: Office, citizen: User, storage_dir: Path
) -> None:
    dossier = submit(office, citizen)
    assert dossier.code.startswith("00694-260302-")
    assert (dossier.status, dossier.channel, dossier.handler) == ("1", "2", None)
    assert dossier.applicant_name == "Nguyễn Thị Mai Hương"
    assert dossier.applicant_id_number == citizen.username
    assert [d.file.name for d in dossier.documents.all() if d.file] == [
        "to-khai.pdf",
        "giay-chung-sinh.png",
    ]
    assert len(kept_files(storage_dir)) == 2
    # Accepted the next morning: the appointment runs from then, not from
    # the submission.
    dossier = online.accept_online(dossier, office.desk, at=at("2026-03-03 08:00"))
    assert (dossier.status, dossier.handler, dossier.received_by) == (
        "2",
        office.desk,
        office.desk,
    )
    assert dossier.appointment_at == appointment(at("2026-03-03 08:00"), Decimal("2.5"))
    assert timezone.localtime(dossier.submitted_at) == at("2026-03-02 09:00")
    with pytest.raises(DomainError):
        online.accept_online(dossier, office.desk)


def test_an_incomplete_or_bad_submission_keeps_nothing(
    office: Office, citizen: User, storage_dir: Path
) -> None:
    missing = papers()
    del missing[2]
    with pytest.raises(DomainError, match="Giấy chứng sinh"):
        online.submit_online(citizen, office.procedure, office.commune, missing)
    forged = papers()
    forged[2] = [upload("giay-chung-sinh.png", b"MZ\x90\x00 not an image at all")]
    with pytest.raises(DomainError, match="không phải là tệp PNG"):
        online.submit_online(citizen, office.procedure, office.commune, forged)
    office.procedure.service_level = "none"
    office.procedure.save()
    with pytest.raises(DomainError, match="chưa cung cấp dịch vụ công trực tuyến"):
        online.submit_online(citizen, office.procedure, office.commune, papers())
    assert Dossier.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert kept_files(storage_dir) == []


def test_only_public_accounts_submit_and_only_local_officers_accept(
    office: Office, citizen: User, province: OrgUnit
) -> None:
    with pytest.raises(Forbidden):
        online.submit_online(office.clerk, office.procedure, office.commune, papers())
    dossier = submit(office, citizen)
    elsewhere = factories.orgunit(kind="commune", name="Xã Lũng Cú", parent=province)
    stranger = factories.official(unit=elsewhere, role="one_stop_officer")
    with pytest.raises(Forbidden):
        online.accept_online(dossier, stranger)
    with pytest.raises(Forbidden):
        online.accept_online(dossier, office.clerk)


def test_a_supplement_answered_online_restarts_the_clock(
    office: Office, citizen: User
) -> None:
    dossier = online.accept_online(
        submit(office, citizen), office.desk, at=at("2026-03-02 09:30")
    )
    due = dossier.appointment_at
    services.hand_over(dossier, office.desk, office.clerk, at=at("2026-03-02 10:00"))
    services.request_supplement(
        dossier, office.clerk, "Bản sao giấy đăng ký kết hôn", at=at("2026-03-02 14:00")
    )
    dossier.refresh_from_db()
    with pytest.raises(DomainError, match="Đính kèm"):
        online.answer_supplement(dossier, citizen, [])
    other = factories.citizen("008192004999", "Lê Văn Khác", "0912000111")
    with pytest.raises(Forbidden):
        online.answer_supplement(dossier, other, [upload("a.pdf", make_pdf())])
    dossier = online.answer_supplement(
        dossier,
        citizen,
        [upload("ket-hon.pdf", make_pdf("Giay dang ky ket hon"))],
        note="Gửi bản sao",
        at=at("2026-03-04 14:00"),
    )
    # Paused Monday afternoon to Wednesday afternoon: four working halves.
    assert dossier.status == "4"
    assert dossier.appointment_at > due
    assert dossier.supplements.get().paused_halves == 4
    assert dossier.documents.last().name == "Giấy tờ bổ sung: ket-hon.pdf"  # type: ignore[union-attr]


def test_a_supplement_before_acceptance_goes_back_to_the_counter(
    office: Office, citizen: User
) -> None:
    dossier = submit(office, citizen)
    services.request_supplement(dossier, office.desk, "Ảnh giấy chứng sinh bị mờ")
    dossier.refresh_from_db()
    assert dossier.status == "5"
    dossier = online.answer_supplement(
        dossier, citizen, [upload("chung-sinh-ro.png", PNG)]
    )
    assert (dossier.status, dossier.handler) == ("1", None)
    online.accept_online(dossier, office.desk)


def _to_result(office: Office, dossier: Dossier) -> Dossier:
    dossier = online.accept_online(dossier, office.desk)
    dossier = services.hand_over(dossier, office.desk, office.clerk)
    dossier = services.hand_over(dossier, office.clerk, office.police)
    return services.hand_over(dossier, office.police, office.chair)


def test_the_electronic_result_carries_the_agency_seal(
    office: Office, citizen: User
) -> None:
    pki.create_demo_root()
    pki.issue_demo_certificate(office.commune)
    dossier = _to_result(office, submit(office, citizen))
    dossier = online.attach_result(
        dossier,
        office.chair,
        upload("giay-khai-sinh.pdf", make_pdf("GIAY KHAI SINH", "Nguyen Thi An")),
    )
    assert dossier.result_sealed_by
    with files.open_file(dossier.result_file) as handle:  # type: ignore[arg-type]
        sealed = handle.read()
    checks = signing.verify_pdf(sealed)
    assert len(checks) == 1 and checks[0].ok, checks[0].summary
    assert "Phường Hà Giang 1" in checks[0].signer_common_name
    assert "GIAY KHAI SINH" in PdfReader(io.BytesIO(sealed)).pages[0].extract_text()
    with pytest.raises(DomainError, match="Định dạng được nhận: pdf"):
        online.attach_result(dossier, office.chair, upload("kq.png", PNG))


def test_the_applicant_downloads_the_result_only_once_returned_and_rates_once(
    office: Office, citizen: User
) -> None:
    dossier = _to_result(office, submit(office, citizen))
    dossier = online.attach_result(
        dossier, office.chair, upload("kq.pdf", make_pdf("GIAY KHAI SINH"))
    )
    dossier = services.hand_over(dossier, office.chair, office.desk)
    page = signed_in(citizen)
    result = f"/dvc/ho-so/{dossier.code}/ket-qua.pdf"
    assert page.get(result).status_code == 404
    with pytest.raises(DomainError):
        online.rate(dossier, citizen, "satisfied")
    services.return_result(dossier, office.desk)
    response = page.get(result)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    mine = text(page.get(f"/dvc/ca-nhan/{dossier.code}/"))
    assert "Tải kết quả điện tử" in mine and "Đánh giá" in mine
    response = page.post(
        f"/dvc/ca-nhan/{dossier.code}/danh-gia/",
        {"satisfaction": "satisfied", "comment": "Nhanh, gọn"},
    )
    assert response.status_code == 302
    assert dossier.rating.satisfaction == "satisfied"
    with pytest.raises(DomainError, match="đã được đánh giá"):
        online.rate(dossier, citizen, "dissatisfied")


def test_the_applicant_withdraws_online_until_the_result_is_ready(
    office: Office, citizen: User
) -> None:
    dossier = online.accept_online(submit(office, citizen), office.desk)
    dossier = services.hand_over(dossier, office.desk, office.clerk)
    page = signed_in(citizen)
    url = f"/dvc/ca-nhan/{dossier.code}/"
    assert "Lý do rút hồ sơ" in text(page.get(url))
    # No reason, nothing done, and the page says why.
    refused = page.post(url + "rut/", {"reason": "  "}, follow=True)
    assert "Ghi rõ lý do rút hồ sơ." in text(refused)
    dossier.refresh_from_db()
    assert dossier.status == "4" and dossier.handler == office.clerk
    done = page.post(url + "rut/", {"reason": "Đã làm ở nơi khác"}, follow=True)
    assert "Đã rút hồ sơ" in text(done)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.handler) == ("7", None)
    assert dossier.finished_at is not None
    line = dossier.handovers.order_by("pk").last()
    assert line is not None and (line.giver, line.note) == (
        citizen,
        "Đã làm ở nơi khác",
    )
    assert "Lý do rút hồ sơ" not in text(page.get(url))
    with pytest.raises(DomainError, match="không rút được nữa"):
        online.withdraw_online(dossier, citizen, "Lần nữa")
    # Only the applicant, and not once the result is ready.
    # Withdrawn while a supplement was asked: the page no longer asks for it.
    asked = online.accept_online(submit(office, citizen), office.desk)
    asked = services.hand_over(asked, office.desk, office.clerk)
    services.request_supplement(asked, office.clerk, "Bản sao sổ hộ khẩu")
    asked.refresh_from_db()
    assert "Gửi bổ sung" in text(page.get(f"/dvc/ca-nhan/{asked.code}/"))
    online.withdraw_online(asked, citizen, "Không bổ sung được")
    after = text(page.get(f"/dvc/ca-nhan/{asked.code}/"))
    assert "Gửi bổ sung" not in after and "Bản sao sổ hộ khẩu" not in after
    other = submit(office, citizen)
    stranger = factories.citizen("008192004999", "Lê Văn Khác", "0912000111")
    with pytest.raises(Forbidden):
        online.withdraw_online(other, stranger, "Không")
    other = _to_result(office, other)
    other = services.hand_over(other, office.chair, office.desk)
    assert other.status == "9"
    with pytest.raises(DomainError, match="không rút được nữa"):
        online.withdraw_online(other, citizen, "Muộn rồi")


def test_a_citizen_never_sees_another_citizens_dossier(
    office: Office, citizen: User
) -> None:
    dossier = submit(office, citizen)
    other = factories.citizen("008192004999", "Lê Văn Khác", "0912000111")
    snoop = signed_in(other)
    for url in (
        f"/dvc/ca-nhan/{dossier.code}/",
        f"/dvc/ho-so/{dossier.code}/giay-tiep-nhan.pdf",
        f"/dvc/ho-so/{dossier.code}/phieu-kiem-soat.pdf",
        f"/dvc/ho-so/{dossier.code}/tep/1/",
        f"/api/v1/dossiers/dossiers/{dossier.code}",
        f"/api/v1/dossiers/dossiers/{dossier.code}/payment",
    ):
        assert snoop.get(url).status_code == 404, url
    assert dossier.code not in text(snoop.get("/dvc/ca-nhan/"))
    listed = snoop.get("/api/v1/dossiers/dossiers").json()
    assert listed["items"] == []
    own = signed_in(citizen)
    assert dossier.code in text(own.get("/dvc/ca-nhan/"))
    assert own.get(f"/dvc/ho-so/{dossier.code}/tep/1/").status_code == 200


def test_the_applicant_is_told_at_each_step_by_sms_and_e_mail(
    office: Office, citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit(office, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        online.accept_online(dossier, office.desk)
    texts = [t for _phone, t in OutboxSMS.sent]
    assert texts[0].startswith(f"Ho so {dossier.code} (Dang ky khai sinh) da duoc gui")
    assert "da duoc Phuong Ha Giang 1 tiep nhan; hen tra ket qua luc" in texts[1]
    assert [m.to for m in mail.outbox] == [["huong@example.vn"]] * 2
    assert "đã được Phường Hà Giang 1 tiếp nhận" in mail.outbox[1].body
    assert Notification.objects.filter(dossier=dossier, error="").count() == 4
