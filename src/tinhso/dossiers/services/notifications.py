"""Messages to the applicant at each step of their dossier, by SMS (through
the SMS gateway of ``accounts.sms``) and by e-mail (Django's e-mail backend:
the console by default). Sent by a background task after the act commits,
so a slow gateway never holds a counter up; each message sent, or failed,
is kept as a ``Notification``."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tinhso.accounts import sms
from tinhso.core.text import thousands
from tinhso.dossiers.models import Dossier, Notification

SUBMITTED = "submitted"
RECEIVED = "received"
MOVED = "moved"
SUPPLEMENT = "supplement"
PROCESSED = "processed"
RETURNED = "returned"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
APOLOGISED = "apologised"
PAID = "paid"
EVENTS = (
    SUBMITTED,
    RECEIVED,
    MOVED,
    SUPPLEMENT,
    PROCESSED,
    RETURNED,
    REFUSED,
    WITHDRAWN,
    APOLOGISED,
    PAID,
)


def notify(dossier: Dossier, event: str) -> None:
    """Tell the applicant about ``event`` once the current transaction commits."""
    assert event in EVENTS, event
    pk = dossier.pk
    transaction.on_commit(lambda: send_notice.enqueue(pk, event))


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y")


def message(dossier: Dossier, event: str) -> str:
    """What the applicant is told, in one or two sentences."""
    facts = {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "agency": dossier.agency.name,
        "appointment": _when(dossier.rescheduled_at or dossier.appointment_at),
    }
    payment = getattr(dossier, "payment", None)
    texts = {
        SUBMITTED: _(
            "Hồ sơ %(code)s (%(procedure)s) đã được gửi đến %(agency)s, đang chờ "
            "cán bộ một cửa kiểm tra và tiếp nhận."
        ),
        RECEIVED: _(
            "Hồ sơ %(code)s đã được %(agency)s tiếp nhận; hẹn trả kết quả lúc "
            "%(appointment)s."
        ),
        MOVED: _("Hồ sơ %(code)s đã chuyển sang bước xử lý tiếp theo."),
        SUPPLEMENT: _(
            "Hồ sơ %(code)s cần bổ sung giấy tờ; xem nội dung yêu cầu trên Cổng "
            "dịch vụ công hoặc tại Bộ phận Một cửa %(agency)s."
        ),
        PROCESSED: _(
            "Hồ sơ %(code)s đã có kết quả; mời nhận kết quả tại %(agency)s hoặc "
            "tải về trên Cổng dịch vụ công."
        ),
        RETURNED: _(
            "Kết quả hồ sơ %(code)s đã được trả. Mời ông/bà đánh giá mức độ hài "
            "lòng trên Cổng dịch vụ công."
        ),
        REFUSED: _(
            "Hồ sơ %(code)s không được giải quyết; lý do ghi trong phiếu từ chối "
            "trên Cổng dịch vụ công."
        ),
        WITHDRAWN: _("Hồ sơ %(code)s đã được rút theo đề nghị của người nộp."),
        APOLOGISED: _(
            "%(agency)s xin lỗi vì hồ sơ %(code)s chậm so với hẹn; ngày hẹn mới: "
            "%(appointment)s."
        ),
        PAID: _("Đã nhận %(amount)s đồng phí, lệ phí của hồ sơ %(code)s."),
    }
    facts["amount"] = thousands(payment.amount) if payment else "0"
    return texts[event] % facts


def _send(dossier: Dossier, channel: str, recipient: str, text: str) -> bool:
    subject = _("Hồ sơ %(code)s") % {"code": dossier.code}
    error = sms.deliver(channel, recipient, subject, text)
    Notification.objects.create(
        dossier=dossier,
        channel=channel,
        recipient=recipient,
        text=text,
        sent_at=timezone.now(),
        error=error,
    )
    return not error


@task()
def send_notice(dossier_id: int, event: str) -> dict[str, int]:
    """Send one event's message to the applicant by SMS and by e-mail."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "payment")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return {"sent": 0, "failed": 0}
    with translation.override(settings.LANGUAGE_CODE):
        text = message(dossier, event)
        sent = failed = 0
        for channel, recipient in (
            ("sms", dossier.applicant_phone),
            ("email", dossier.applicant_email),
        ):
            if not recipient:
                continue
            if _send(dossier, channel, recipient, text):
                sent += 1
            else:
                failed += 1
    return {"sent": sent, "failed": failed}
