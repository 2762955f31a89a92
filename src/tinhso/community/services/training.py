"""Digital-skills training: courses, their sessions in communes, and who
attended."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.community import policies
from tinhso.community.constants import AUDIT_TRAINING
from tinhso.community.models import Attendance, Course, Session
from tinhso.community.services._common import may_manage
from tinhso.core import audit
from tinhso.core.errors import DomainError, Forbidden, validated
from tinhso.core.models import OrgUnitKind
from tinhso.core.text import nfc


def save_course(actor: Any, course: Course) -> Course:
    if not policies.can_manage(actor, course.organiser):
        raise Forbidden(
            "not_community_officer",
            _("Chỉ cán bộ phụ trách của đơn vị tổ chức mở được khóa tập huấn."),
        )
    course.name = nfc(course.name)
    validated(course)
    with transaction.atomic():
        course.save()
        audit.record(AUDIT_TRAINING, obj=course, actor=actor, detail={"course": 1})
    return course


def save_session(actor: Any, session: Session) -> Session:
    if session.commune.kind != OrgUnitKind.COMMUNE:
        raise DomainError(
            "not_a_commune",
            _("Chọn xã, phường nơi học."),
            extra={"field": "commune"},
        )
    may_manage(actor, session.commune)
    if session.held_on > timezone.localdate() + dt.timedelta(days=365):
        raise DomainError(
            "session_too_far", _("Ngày học quá xa."), extra={"field": "held_on"}
        )
    session.place, session.trainer = nfc(session.place), nfc(session.trainer)
    validated(session)
    with transaction.atomic():
        session.save()
        audit.record(AUDIT_TRAINING, obj=session, actor=actor, detail={"session": 1})
    return session


def add_attendee(actor: Any, attendee: Attendance) -> Attendance:
    session = attendee.session
    may_manage(actor, session.commune)
    if session.held_on > timezone.localdate():
        raise DomainError(
            "session_not_held",
            _("Buổi học chưa diễn ra; điểm danh sau ngày học."),
        )
    attendee.full_name = nfc(attendee.full_name)
    attendee.personal_id = attendee.personal_id.replace(" ", "")
    validated(attendee, exclude=["session"])
    if (
        attendee.personal_id
        and session.attendees.filter(personal_id=attendee.personal_id).exists()
    ):
        raise DomainError(
            "attendee_twice",
            _("Người có số CCCD %(id)s đã có trong danh sách buổi học.")
            % {"id": attendee.personal_id},
            extra={"field": "personal_id"},
        )
    with transaction.atomic():
        attendee.save()
        audit.record(
            AUDIT_TRAINING,
            obj=session,
            actor=actor,
            detail={"attendee": attendee.pk, "group": attendee.group},
        )
    return attendee


def remove_attendee(actor: Any, attendee: Attendance) -> None:
    may_manage(actor, attendee.session.commune)
    with transaction.atomic():
        session = attendee.session
        attendee.delete()
        audit.record(AUDIT_TRAINING, obj=session, actor=actor, detail={"removed": 1})
