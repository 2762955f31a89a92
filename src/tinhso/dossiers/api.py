"""The one-stop office in the API: the procedure catalog (public search
and reading; the administrators' import and export) and dossiers
(receiving at the counter, reading, the receipt)."""

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict, computed_field

from tinhso.accounts.auth import current_user
from tinhso.accounts.models import User
from tinhso.core import files, idempotency
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.middleware import client_ip
from tinhso.core.models import OrgUnit
from tinhso.core.pagination import Paged
from tinhso.core.text import label_of
from tinhso.dossiers import catalog_table, printing
from tinhso.dossiers.constants import (
    BankOutcome,
    Channel,
    CopyKind,
    DossierStatus,
    DurationUnit,
    FeeKind,
    PaymentMethod,
    PaymentStatus,
    ProcedureLevel,
    Satisfaction,
    ServiceLevel,
)
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.policies import can_manage_catalog, can_reconcile_credits
from tinhso.dossiers.selectors import catalog as selectors
from tinhso.dossiers.selectors import dossiers as dossier_selectors
from tinhso.dossiers.services import catalog as services
from tinhso.dossiers.services import dossiers as dossier_services
from tinhso.dossiers.services import online, payments

router = Router(tags=["Thủ tục hành chính"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FieldOut(_Out):
    code: str
    name: str


class AgencyRef(_Out):
    id: int
    code: str
    name: str


class ProcedureOut(_Out):
    code: str = Field(description="Mã thủ tục, ví dụ 1.001193")
    name: str
    field: FieldOut
    level: ProcedureLevel
    agency: AgencyRef | None = Field(
        description="Cơ quan thực hiện; trống với thủ tục cấp xã (mọi xã thực hiện)"
    )
    service_level: ServiceLevel = Field(
        description="Mức độ dịch vụ công trực tuyến (Nghị định 42/2022)"
    )
    processing_days: Decimal = Field(description="Thời hạn giải quyết, ngày làm việc")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return label_of(ProcedureLevel, self.level)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def service_level_label(self) -> str:
        return label_of(ServiceLevel, self.service_level)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def page_url(self) -> str:
        return reverse("dossiers:procedure_detail", args=[self.code])


class DocumentOut(_Out):
    position: int
    name: str
    copy_kind: CopyKind
    quantity: int
    required: bool
    form_name: str


class FeeOut(_Out):
    kind: FeeKind
    description: str
    amount: int = Field(description="Mức thu, đồng")


class StepOut(_Out):
    position: int
    name: str
    unit_label: str
    role: str
    duration: Decimal
    duration_unit: DurationUnit


class ProcedureDetailOut(ProcedureOut):
    result: str
    conditions: str
    legal_basis: str
    documents: list[DocumentOut] = Field(validation_alias="document_list")
    fees: list[FeeOut] = Field(validation_alias="fee_list")
    steps: list[StepOut] = Field(validation_alias="step_list")


class CatalogFilters(Schema):
    q: str = Field(
        "", max_length=200, description="Từ khóa hoặc mã; có dấu hay không dấu đều được"
    )
    level: ProcedureLevel | None = None
    field: str = Field("", max_length=64, description="Mã lĩnh vực")
    service_level: ServiceLevel | None = None


class ImportOut(Schema):
    created: int
    updated: int
    fields_created: int
    codes: list[str]


@router.get(
    "/procedures",
    response=list[ProcedureOut],
    auth=None,
    summary="Danh mục thủ tục: tìm kiếm, lọc (công khai)",
    url_name="procedure_list",
)
@paginate(Paged)
def list_procedures(request: HttpRequest, filters: Query[CatalogFilters]) -> Any:
    return selectors.search_procedures(
        filters.q,
        level=filters.level or "",
        field=filters.field,
        service_level=filters.service_level or "",
    )


@router.get(
    "/procedures/{code}",
    response=ProcedureDetailOut,
    auth=None,
    summary="Một thủ tục: thành phần hồ sơ, phí, trình tự (công khai)",
    url_name="procedure_detail",
)
def get_procedure(request: HttpRequest, code: str) -> Any:
    procedure = selectors.get_procedure(code)
    procedure.document_list = list(procedure.documents.all())  # type: ignore[attr-defined]
    procedure.fee_list = list(procedure.fees.all())  # type: ignore[attr-defined]
    procedure.step_list = list(procedure.steps.all())  # type: ignore[attr-defined]
    return procedure


@router.get(
    "/fields",
    response=list[FieldOut],
    auth=None,
    summary="Lĩnh vực có thủ tục công khai",
    url_name="procedure_fields",
)
def list_fields(request: HttpRequest) -> Any:
    return list(selectors.fields())


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_catalog(request.user):
        raise PermissionDenied


@router.get(
    "/catalog/export",
    summary="Tải cả danh mục (xlsx hoặc csv), đọc lại được bằng /catalog/import",
    url_name="catalog_export",
)
def export_catalog(
    request: HttpRequest, format: catalog_table.Format = "xlsx"
) -> HttpResponse:
    _require_manager(request)
    response = HttpResponse(
        selectors.export_catalog(format),
        content_type=catalog_table.CONTENT_TYPES[format],
    )
    response["Content-Disposition"] = (
        f'attachment; filename="danh-muc-thu-tuc.{format}"'
    )
    return response


@router.post(
    "/catalog/import",
    response={200: ImportOut},
    summary="Nạp danh mục từ tệp xlsx hoặc csv: tất cả hoặc không gì",
    url_name="catalog_import",
)
def import_catalog(request: HttpRequest, file: File[UploadedFile]) -> Any:
    _require_manager(request)
    if (file.size or 0) > settings.MAX_UPLOAD_BYTES:
        raise DomainError("file_too_large", _("Tệp quá lớn."), status=413)
    return services.import_catalog(file.read(), file.name or "")


# Dossiers -------------------------------------------------------------------


class SubmittedOut(_Out):
    position: int
    name: str
    copy_kind: CopyKind
    quantity: int


class ProcedureRef(_Out):
    code: str
    name: str


class DossierOut(_Out):
    code: str = Field(
        description="Mã hồ sơ: <mã cơ quan>-<yyMMdd>-<số thứ tự trong ngày>"
    )
    procedure: ProcedureRef
    agency: AgencyRef = Field(description="Nơi tiếp nhận")
    channel: Channel
    status: DossierStatus = Field(
        description="Trạng thái theo Cổng dịch vụ công quốc gia (1–10)"
    )
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    received_at: dt.datetime
    appointment_at: dt.datetime = Field(description="Hẹn trả kết quả")
    rescheduled_at: dt.datetime | None = Field(
        description="Hẹn lại sau phiếu xin lỗi; trễ hạn vẫn tính theo appointment_at"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return label_of(DossierStatus, self.status)


class DossierDetailOut(DossierOut):
    documents: list[SubmittedOut] = Field(validation_alias="document_list")


class ApplicantIn(Schema):
    name: str = Field(max_length=150)
    id_number: str = Field(
        max_length=20, description="Số định danh cá nhân (12 số) hoặc mã số thuế"
    )
    phone: str = Field(max_length=15)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)


class ReceiveIn(Schema):
    procedure_code: str = Field(max_length=40)
    agency_id: int | None = Field(
        None, description="Nơi tiếp nhận; bỏ trống khi cán bộ chỉ làm một cửa ở một nơi"
    )
    applicant: ApplicantIn
    documents: list[int] = Field(description="Số thứ tự các thành phần hồ sơ đã nhận")


def _acted(
    request: HttpRequest, code: str, act: Callable[[Dossier, User], object]
) -> Dossier:
    """Run a service act on a dossier the caller sees; the dossier as it is after."""
    act(dossier_selectors.get_dossier_for(request.user, code), current_user(request))
    return _detail(dossier_selectors.get_dossier_for(request.user, code))


def _detail(dossier: Dossier) -> Dossier:
    """``dossier`` with what DossierDetailOut reads beyond its fields."""
    dossier.document_list = dossier_selectors.papers_of(dossier)  # type: ignore[attr-defined]
    return dossier


def _counter(request: HttpRequest, agency_id: int | None) -> OrgUnit:
    counters = list(dossier_selectors.counters_of(request.user)[:2])
    if agency_id is not None:
        found = next(
            (
                c
                for c in dossier_selectors.counters_of(request.user)
                if c.pk == agency_id
            ),
            None,
        )
        if found is None:
            raise Forbidden(
                "not_one_stop_officer", _("Bạn không làm một cửa ở đơn vị này.")
            )
        return found
    if len(counters) != 1:
        raise DomainError(
            "dossier_counter_required",
            _("Cần chọn nơi tiếp nhận (agency_id)."),
            extra={"field": "agency_id"},
        )
    return counters[0]


@router.post(
    "/dossiers",
    response={201: DossierDetailOut},
    summary="Tiếp nhận hồ sơ tại quầy một cửa",
    url_name="dossier_receive",
)
def receive_dossier(request: HttpRequest, payload: ReceiveIn) -> Any:
    agency = _counter(request, payload.agency_id)
    procedure = selectors.get_procedure(payload.procedure_code)
    dossier = dossier_services.receive_at_counter(
        current_user(request),
        procedure,
        agency,
        dossier_services.Applicant(**payload.applicant.model_dump()),
        payload.documents,
    )
    return Status(
        201, _detail(dossier_selectors.get_dossier_for(request.user, dossier.code))
    )


@router.get(
    "/dossiers",
    response=list[DossierOut],
    summary="Hồ sơ bạn được xem, mới tiếp nhận trước",
    url_name="dossier_list",
)
@paginate(Paged)
def list_dossiers(request: HttpRequest) -> Any:
    return dossier_selectors.visible_dossier_pages(request.user)


@router.get(
    "/dossiers/{code}",
    response=DossierDetailOut,
    summary="Một hồ sơ",
    url_name="dossier_detail",
)
def get_dossier(request: HttpRequest, code: str) -> Any:
    return _detail(dossier_selectors.get_dossier_for(request.user, code))


@router.get(
    "/dossiers/{code}/receipt.pdf",
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)",
    url_name="dossier_receipt",
)
def dossier_receipt(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_selectors.get_dossier_for(request.user, code)
    return printing.receipt_response(dossier)


class LookUpIn(BaseModel):
    # Plain pydantic: ninja's Schema reads each field of a JSON body through
    # its ORM adapter, a cost on the busiest public call.

    code: str = Field(max_length=64, description="Mã hồ sơ")
    contact: str = Field(
        max_length=20, description="Số điện thoại hoặc số định danh của người nộp"
    )


class LookUpOut(_Out):
    code: str
    procedure: ProcedureRef
    applicant: str = Field(
        validation_alias="applicant_masked",
        description="Tên người nộp, chỉ chữ đầu (Nguyễn T. M. H.)",
    )
    agency: AgencyRef
    status: DossierStatus
    received_at: dt.datetime
    appointment_at: dt.datetime
    supplement: str = Field(
        validation_alias="supplement_reason",
        description="Giấy tờ, nội dung cần bổ sung khi hồ sơ đang chờ bổ sung",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return label_of(DossierStatus, self.status)


@router.post(
    "/lookup",
    response=LookUpOut,
    auth=None,
    summary="Tra cứu hồ sơ bằng mã và số điện thoại hoặc số định danh (công khai)",
    url_name="dossier_lookup",
)
def look_up(request: HttpRequest, payload: LookUpIn) -> Any:
    # A POST body: phone and ID numbers stay out of addresses and logs.
    dossier = dossier_services.look_up(
        payload.code, payload.contact, client_ip(request)
    )
    waiting = dossier_selectors.waiting_supplement(dossier)
    dossier.supplement_reason = waiting.reason if waiting else ""  # type: ignore[attr-defined]
    # A model instance of the response schema is sent as it is, not checked again.
    return LookUpOut.model_validate(dossier)


class HandOverIn(Schema):
    receiver: str = Field(max_length=150, description="Tên đăng nhập của người nhận")
    note: str = Field("", max_length=1000)


class ReturnIn(Schema):
    note: str = Field("", max_length=1000)


class QueueOut(DossierOut):
    time_left: str = Field(description="overdue, due_soon (dưới 1 ngày) hoặc on_track")


@router.post(
    "/dossiers/{code}/handover",
    response=DossierDetailOut,
    summary="Chuyển hồ sơ cho người làm bước tiếp theo",
    url_name="dossier_hand_over",
)
def hand_over(request: HttpRequest, code: str, payload: HandOverIn) -> Any:
    receiver = dossier_selectors.official_named(payload.receiver)
    if receiver is None:
        raise NotFound(
            "receiver_not_found",
            _("Không có cán bộ nào có tên đăng nhập “%(name)s”.")
            % {"name": payload.receiver},
        )
    return _acted(
        request,
        code,
        lambda d, u: dossier_services.hand_over(d, u, receiver, note=payload.note),
    )


@router.post(
    "/dossiers/{code}/return",
    response=DossierDetailOut,
    summary="Trả kết quả cho người nộp",
    url_name="dossier_return",
)
def return_result(request: HttpRequest, code: str, payload: ReturnIn) -> Any:
    return _acted(
        request,
        code,
        lambda d, u: dossier_services.return_result(d, u, note=payload.note),
    )


@router.get(
    "/queue",
    response=list[QueueOut],
    summary="Hồ sơ tôi đang giữ, hạn gần nhất trước",
    url_name="dossier_queue",
)
def my_queue(request: HttpRequest) -> Any:
    return dossier_selectors.queue_of(request.user)


@router.get(
    "/dossiers/{code}/control-sheet.pdf",
    summary="Phiếu kiểm soát quá trình giải quyết hồ sơ (PDF)",
    url_name="dossier_control_sheet",
)
def control_sheet(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_selectors.get_dossier_for(request.user, code)
    return printing.control_sheet_response(
        dossier, dossier_selectors.handovers_of(dossier)
    )


class SupplementIn(Schema):
    reason: str = Field(max_length=4000, description="Giấy tờ, nội dung cần bổ sung")


@router.post(
    "/dossiers/{code}/supplement",
    response=DossierDetailOut,
    summary="Yêu cầu bổ sung hồ sơ: thời hạn dừng lại",
    url_name="dossier_supplement",
)
def request_supplement(request: HttpRequest, code: str, payload: SupplementIn) -> Any:
    return _acted(
        request,
        code,
        lambda d, u: dossier_services.request_supplement(d, u, payload.reason),
    )


@router.post(
    "/dossiers/{code}/supplement-received",
    response=DossierDetailOut,
    summary="Đã nhận hồ sơ bổ sung: thời hạn chạy tiếp, hẹn trả lùi tương ứng",
    url_name="dossier_supplement_received",
)
def receive_supplement(request: HttpRequest, code: str, payload: ReturnIn) -> Any:
    return _acted(
        request,
        code,
        lambda d, u: dossier_services.receive_supplement(d, u, note=payload.note),
    )


@router.post(
    "/dossiers/{code}/refuse",
    response=DossierDetailOut,
    summary="Từ chối hồ sơ với lý do (trạng thái 3 tại quầy, 8 khi đang xử lý)",
    url_name="dossier_refuse",
)
def refuse(request: HttpRequest, code: str, payload: SupplementIn) -> Any:
    return _acted(
        request, code, lambda d, u: dossier_services.refuse(d, u, payload.reason)
    )


@router.post(
    "/dossiers/{code}/withdraw",
    response=DossierDetailOut,
    summary="Người nộp rút hồ sơ (trạng thái 7)",
    description=(
        "Người nộp tự rút hồ sơ nộp trực tuyến khi chưa có kết quả (ghi lý do "
        "vào note), hoặc người đang giữ hồ sơ ghi nhận theo đề nghị của người nộp."
    ),
    url_name="dossier_withdraw",
)
def withdraw(request: HttpRequest, code: str, payload: ReturnIn) -> Any:
    def act(dossier: Dossier, user: User) -> Dossier:
        if dossier.applicant_id == user.pk:
            return online.withdraw_online(dossier, user, payload.note)
        return dossier_services.withdraw(dossier, user, payload.note)

    return _acted(request, code, act)


class ApologyIn(Schema):
    reason: str = Field(max_length=4000, description="Lý do chậm trễ")
    promised: dt.datetime = Field(description="Ngày giờ hẹn lại trả kết quả")


@router.post(
    "/dossiers/{code}/apology",
    response=DossierDetailOut,
    summary="Xin lỗi và hẹn lại ngày trả kết quả (hồ sơ vẫn tính là trễ hạn)",
    url_name="dossier_apologise",
)
def apologise(request: HttpRequest, code: str, payload: ApologyIn) -> Any:
    promised = payload.promised
    if timezone.is_naive(promised):
        promised = timezone.make_aware(promised)
    return _acted(
        request,
        code,
        lambda d, u: dossier_services.apologise(d, u, payload.reason, promised),
    )


# Online submission, payments, results, ratings -------------------------------


class OnlineIn(Schema):
    procedure_code: str = Field(max_length=40)
    agency_id: int = Field(description="Nơi nộp: xã, phường hoặc cơ quan tiếp nhận")
    phone: str = Field("", max_length=15, description="Mặc định: số của tài khoản")
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    note: str = Field("", max_length=2000)


def _file_digest(upload: online.Upload) -> tuple[str, str]:
    digest = hashlib.sha256()
    upload.stream.seek(0)
    while chunk := upload.stream.read(1024 * 1024):
        digest.update(chunk)
    upload.stream.seek(0)
    return upload.name, digest.hexdigest()


def _agency(agency_id: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=agency_id, legacy=False).first()
    if unit is None:
        raise NotFound(
            "agency_not_found",
            _("Không có nơi tiếp nhận này."),
            extra={"field": "agency_id"},
        )
    return unit


@router.post(
    "/submissions",
    response={201: DossierDetailOut, 200: DossierDetailOut},
    summary="Nộp hồ sơ trực tuyến (công dân, doanh nghiệp)",
    description=(
        "multipart/form-data: các trường của OnlineIn và tệp của từng thành phần "
        "hồ sơ trong trường `doc_<số thứ tự>` (có thể nhiều tệp). Gửi kèm tiêu đề "
        "`Idempotency-Key`: gửi lại cùng khóa trả lại hồ sơ đã tạo (200), không tạo "
        "hồ sơ thứ hai."
    ),
    url_name="dossier_submit",
)
def submit_online(request: HttpRequest, payload: Form[OnlineIn]) -> Any:
    user = current_user(request)
    procedure = selectors.get_procedure(payload.procedure_code)
    papers = {
        d.position: [
            online.Upload(f.name or "", f)
            for f in request.FILES.getlist(f"doc_{d.position}")
        ]
        for d in procedure.documents.all()
    }
    digest = idempotency.fingerprint(
        payload.model_dump(),
        {n: [_file_digest(u) for u in ups] for n, ups in papers.items() if ups},
    )

    def act() -> tuple[int, Any]:
        dossier = online.submit_online(
            user,
            procedure,
            _agency(payload.agency_id),
            papers,
            phone=payload.phone,
            email=payload.email,
            address=payload.address,
            note=payload.note,
        )
        return 201, {"code": dossier.code}

    status, body, replayed = idempotency.once(
        user, request.headers.get(idempotency.HEADER), digest, act
    )
    dossier = dossier_selectors.get_dossier_for(user, body["code"])
    return Status(200 if replayed else status, _detail(dossier))


@router.post(
    "/dossiers/{code}/accept",
    response=DossierDetailOut,
    summary="Tiếp nhận hồ sơ nộp trực tuyến (cán bộ một cửa)",
    url_name="dossier_accept",
)
def accept(request: HttpRequest, code: str) -> Any:
    return _acted(request, code, online.accept_online)


class PaymentOut(_Out):
    amount: int = Field(description="Số tiền, đồng")
    reference: str = Field(description="Nội dung chuyển khoản gắn với hồ sơ")
    status: PaymentStatus
    method: str
    paid_at: dt.datetime | None
    receipt_number: int | None
    vietqr: str | None = Field(
        description="Nội dung mã VietQR (EMVCo) trả đúng số tiền, khi chưa nộp"
    )


def _payment_out(dossier: Dossier) -> Any:
    payment = dossier_selectors.payment_of(dossier)
    if payment is None:
        raise NotFound(
            "dossier_free", _("Thủ tục của hồ sơ này không thu phí, lệ phí.")
        )
    payment.vietqr = (  # type: ignore[attr-defined]
        payments.qr_text(payment) if payment.status == PaymentStatus.PENDING else None
    )
    return payment


@router.get(
    "/dossiers/{code}/payment",
    response=PaymentOut,
    summary="Phí, lệ phí của hồ sơ và mã VietQR để nộp",
    url_name="dossier_payment",
)
def get_payment(request: HttpRequest, code: str) -> Any:
    return _payment_out(dossier_selectors.get_dossier_for(request.user, code))


class ConfirmIn(Schema):
    method: PaymentMethod


@router.post(
    "/dossiers/{code}/payment/confirm",
    response=PaymentOut,
    summary="Cán bộ một cửa xác nhận đã nộp phí, lệ phí",
    url_name="dossier_payment_confirm",
)
def confirm_payment(request: HttpRequest, code: str, payload: ConfirmIn) -> Any:
    dossier = dossier_selectors.get_dossier_for(request.user, code)
    payments.confirm_payment(dossier, current_user(request), payload.method)
    return _payment_out(dossier)


@router.get(
    "/dossiers/{code}/payment/receipt.pdf",
    summary="Biên nhận nộp phí, lệ phí (PDF)",
    url_name="dossier_payment_receipt",
)
def payment_receipt(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_selectors.get_dossier_for(request.user, code)
    return printing.payment_receipt_response(
        dossier, dossier_selectors.paid_payment(dossier)
    )


class BankNotificationOut(_Out):
    transaction_id: str
    outcome: BankOutcome
    replayed: bool


@router.post(
    "/payments/notifications",
    response=BankNotificationOut,
    auth=None,
    summary="Báo có của ngân hàng (ký HMAC-SHA256)",
    description=(
        "Thân JSON: transaction_id, amount (đồng), description (nội dung chuyển "
        "khoản), credited_at (ISO 8601, có múi giờ), account. Tiêu đề "
        "`X-Tinhso-Signature: sha256=<HMAC-SHA256 của thân với khóa chung>`. Gửi lại "
        "cùng giao dịch trả lại kết quả lần đầu và không thay đổi gì."
    ),
    url_name="bank_notification",
)
def bank_notification(request: HttpRequest) -> Any:
    notification, new = payments.record_bank_notification(
        request.body, request.headers.get(payments.SIGNATURE_HEADER)
    )
    notification.replayed = not new  # type: ignore[attr-defined]
    return notification


class CreditOut(_Out):
    transaction_id: str
    amount: int = Field(description="Số tiền, đồng")
    description: str = Field(description="Nội dung chuyển khoản người nộp ghi")
    credited_at: dt.datetime
    outcome: BankOutcome
    dossier: str | None = Field(
        validation_alias="dossier_code", description="Mã hồ sơ khớp, nếu có"
    )
    settled_at: dt.datetime | None
    settled_note: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome_label(self) -> str:
        return label_of(BankOutcome, self.outcome)


def _credit(credit: Any) -> Any:
    credit.dossier_code = credit.payment.dossier.code if credit.payment else None
    return credit


@router.get(
    "/payments/unsettled",
    response=list[CreditOut],
    summary="Chuyển khoản chưa khớp, cần cán bộ một cửa đối soát",
    url_name="unsettled_credits",
)
@paginate(Paged)
def unsettled_credits(request: HttpRequest) -> Any:
    if not can_reconcile_credits(request.user):
        raise Forbidden(
            "not_one_stop_officer", _("Chỉ cán bộ một cửa đối soát chuyển khoản.")
        )
    return dossier_selectors.unsettled_credits(request.user).annotate(
        dossier_code=F("payment__dossier__code")
    )


class SettleIn(Schema):
    note: str = Field(
        max_length=2000, description="Đã xử lý thế nào: hoàn trả, khớp hồ sơ nào…"
    )


@router.post(
    "/payments/notifications/{transaction_id}/settle",
    response=CreditOut,
    summary="Ghi nhận đã đối soát một khoản chuyển khoản",
    url_name="settle_credit",
)
def settle_credit(request: HttpRequest, transaction_id: str, payload: SettleIn) -> Any:
    credit = payments.settle_credit(transaction_id, current_user(request), payload.note)
    return _credit(credit)


@router.post(
    "/dossiers/{code}/supplement/answer",
    response=DossierDetailOut,
    summary="Người nộp gửi giấy tờ bổ sung (multipart: files, note)",
    url_name="dossier_supplement_answer",
)
def answer_supplement(
    request: HttpRequest,
    code: str,
    note: Form[str] = "",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    uploads = [online.Upload(f.name or "", f) for f in files or []]
    return _acted(
        request,
        code,
        lambda dossier, user: online.answer_supplement(
            dossier, user, uploads, note=note
        ),
    )


@router.post(
    "/dossiers/{code}/result",
    response=DossierDetailOut,
    summary="Lưu kết quả điện tử (PDF); nền tảng ký số bằng chứng thư của cơ quan",
    url_name="dossier_result_attach",
)
def attach_result(request: HttpRequest, code: str, file: File[UploadedFile]) -> Any:
    upload = online.Upload(file.name or "", file)
    return _acted(
        request, code, lambda dossier, user: online.attach_result(dossier, user, upload)
    )


@router.get(
    "/dossiers/{code}/result.pdf",
    summary="Tải kết quả điện tử",
    url_name="dossier_result",
)
def download_result(request: HttpRequest, code: str) -> Any:
    dossier = dossier_selectors.get_dossier_for(request.user, code)
    result = dossier_selectors.result_for(request.user, dossier)
    return files.response(result, filename=f"ket-qua-{dossier.code}.pdf", no_store=True)


class RatingIn(Schema):
    satisfaction: Satisfaction
    comment: str = Field("", max_length=2000)


class RatingOut(_Out):
    satisfaction: Satisfaction
    comment: str
    rated_at: dt.datetime


@router.post(
    "/dossiers/{code}/rating",
    response={201: RatingOut},
    summary="Người nộp đánh giá mức độ hài lòng",
    url_name="dossier_rating",
)
def rate(request: HttpRequest, code: str, payload: RatingIn) -> Any:
    dossier = dossier_selectors.get_dossier_for(request.user, code)
    rating = online.rate(
        dossier, current_user(request), payload.satisfaction, payload.comment
    )
    return Status(201, rating)
