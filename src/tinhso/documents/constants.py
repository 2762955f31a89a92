"""Document vocabulary of Decree 30/2020/NĐ-CP (Appendix III) and audit codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnitKind


class DocumentType(models.TextChoices):
    """The Decree's 29 administrative document types."""

    RESOLUTION = "resolution", _("Nghị quyết")
    DECISION = "decision", _("Quyết định")
    DIRECTIVE = "directive", _("Chỉ thị")
    RULES = "rules", _("Quy chế")
    REGULATION = "regulation", _("Quy định")
    COMMUNIQUE = "communique", _("Thông cáo")
    NOTICE = "notice", _("Thông báo")
    GUIDANCE = "guidance", _("Hướng dẫn")
    PROGRAMME = "programme", _("Chương trình")
    PLAN = "plan", _("Kế hoạch")
    OPTION = "option", _("Phương án")
    SCHEME = "scheme", _("Đề án")
    PROJECT = "project", _("Dự án")
    REPORT = "report", _("Báo cáo")
    MINUTES = "minutes", _("Biên bản")
    SUBMISSION = "submission", _("Tờ trình")
    CONTRACT = "contract", _("Hợp đồng")
    OFFICIAL_LETTER = "official_letter", _("Công văn")
    TELEGRAM = "telegram", _("Công điện")
    MEMORANDUM = "memorandum", _("Bản ghi nhớ")
    AGREEMENT = "agreement", _("Bản thỏa thuận")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Giấy ủy quyền")
    INVITATION = "invitation", _("Giấy mời")
    INTRODUCTION = "introduction", _("Giấy giới thiệu")
    LEAVE_PERMIT = "leave_permit", _("Giấy nghỉ phép")
    SENDING_SLIP = "sending_slip", _("Phiếu gửi")
    TRANSFER_SLIP = "transfer_slip", _("Phiếu chuyển")
    NOTIFICATION_SLIP = "notification_slip", _("Phiếu báo")
    PUBLIC_LETTER = "public_letter", _("Thư công")


# The abbreviation used in a number and symbol ("12/QĐ-UBND"); công văn and
# thư công have none: their symbol names the issuer, then the drafting unit.
ABBREVIATIONS: dict[str, str] = {
    DocumentType.RESOLUTION: "NQ",
    DocumentType.DECISION: "QĐ",
    DocumentType.DIRECTIVE: "CT",
    DocumentType.RULES: "QC",
    DocumentType.REGULATION: "QyĐ",
    DocumentType.COMMUNIQUE: "TC",
    DocumentType.NOTICE: "TB",
    DocumentType.GUIDANCE: "HD",
    DocumentType.PROGRAMME: "CTr",
    DocumentType.PLAN: "KH",
    DocumentType.OPTION: "PA",
    DocumentType.SCHEME: "ĐA",
    DocumentType.PROJECT: "DA",
    DocumentType.REPORT: "BC",
    DocumentType.MINUTES: "BB",
    DocumentType.SUBMISSION: "TTr",
    DocumentType.CONTRACT: "HĐ",
    DocumentType.OFFICIAL_LETTER: "",
    DocumentType.TELEGRAM: "CĐ",
    DocumentType.MEMORANDUM: "BGN",
    DocumentType.AGREEMENT: "BTT",
    DocumentType.POWER_OF_ATTORNEY: "GUQ",
    DocumentType.INVITATION: "GM",
    DocumentType.INTRODUCTION: "GGT",
    DocumentType.LEAVE_PERMIT: "GNP",
    DocumentType.SENDING_SLIP: "PG",
    DocumentType.TRANSFER_SLIP: "PC",
    DocumentType.NOTIFICATION_SLIP: "PB",
    DocumentType.PUBLIC_LETTER: "",
}


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    VERY_URGENT = "very_urgent", _("Thượng khẩn")
    FLASH = "flash", _("Hỏa tốc")


class Secrecy(models.TextChoices):
    NORMAL = "normal", _("Thường")
    CONFIDENTIAL = "confidential", _("Mật")
    SECRET = "secret", _("Tối mật")
    TOP_SECRET = "top_secret", _("Tuyệt mật")


class IncomingStatus(models.TextChoices):
    REGISTERED = "registered", _("Đã vào sổ")
    ASSIGNED = "assigned", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    COMPLETED = "completed", _("Đã hoàn thành")
    REVOKED = "revoked", _("Bị thu hồi")
    REPLACED = "replaced", _("Đã bị thay thế")


INCOMING_SCOPE = "documents.incoming"
# The units that keep registers: documents belong to one of these.
AGENCY_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.AGENCY, OrgUnitKind.COMMUNE)
ACTION_INCOMING_REGISTER = "documents.incoming.register"


class HandlingRole(models.TextChoices):
    LEAD = "lead", _("Xử lý chính")
    CO = "co", _("Phối hợp")
    INFO = "info", _("Nhận để biết")


class HandlingStatus(models.TextChoices):
    OPEN = "open", _("Đang xử lý")
    DONE = "done", _("Đã xong")


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang trình duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Chờ ký")
    SIGNED = "signed", _("Đã ký, chờ phát hành")
    ISSUED = "issued", _("Đã phát hành")
    REVOKED = "revoked", _("Đã thu hồi")


class ReviewActionKind(models.TextChoices):
    SUBMIT = "submit", _("Trình duyệt")
    APPROVE = "approve", _("Đồng ý")
    RETURN = "return", _("Trả lại")
    FORWARD = "forward", _("Chuyển tiếp")
    NEW_VERSION = "new_version", _("Cập nhật dự thảo")
    SIGN = "sign", _("Ký số")
    ISSUE = "issue", _("Cấp số, phát hành")


class Channel(models.TextChoices):
    INTERNAL = "internal", _("Trong hệ thống")
    EDXML = "edxml", _("Gói tin edXML")


class BusinessType(models.TextChoices):
    """edXML business type of a message (QCVN 102: 0 new … 3 replace)."""

    NEW = "0", _("Văn bản mới")
    REVOKE = "1", _("Thu hồi")
    UPDATE = "2", _("Cập nhật")
    REPLACE = "3", _("Thay thế")


class DispatchStatus(models.TextChoices):
    """Where a dispatched copy stands; values after SENT are edXML status codes."""

    SENT = "sent", _("Đã gửi")
    ARRIVED = "01", _("Đã đến")
    REJECTED = "02", _("Bị từ chối")
    REGISTERED = "03", _("Đã vào sổ")
    ASSIGNED = "04", _("Đã phân công")
    IN_PROGRESS = "05", _("Đang xử lý")
    COMPLETED = "06", _("Đã hoàn thành")
    TAKE_BACK_REQUESTED = "13", _("Xin lấy lại")
    TAKEN_BACK = "15", _("Đã lấy lại")
    TAKE_BACK_REFUSED = "16", _("Từ chối cho lấy lại")
    REVOKED = "revoked", _("Đã thu hồi")
    REPLACED = "replaced", _("Đã bị thay thế")


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Chờ vào sổ")
    REGISTERED = "registered", _("Đã vào sổ")
    REJECTED = "rejected", _("Đã từ chối")
    TAKEN_BACK = "taken_back", _("Bên gửi đã lấy lại")


OUTGOING_SCOPE = "documents.outgoing"
