from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    AGENCY = "agency", _("Cơ quan, đơn vị")
    DISTRICT = "district", _("Huyện (cũ)")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    VILLAGE = "village", _("Thôn, bản, tổ dân phố")
    DEPARTMENT = "department", _("Phòng, ban")


class OrgUnit(models.Model):
    """One node of the org tree: an administrative unit or an agency.

    Units that existed before the reorganisation of 1 July 2025 stay as
    ``legacy`` rows with their old codes, linked to today's units through
    ``successors``, so records naming them still resolve.
    """

    kind = models.CharField(_("loại"), max_length=16, choices=OrgUnitKind.choices)
    code = models.CharField(
        _("mã"),
        max_length=32,
        help_text=_("Mã đơn vị hành chính hoặc mã định danh cơ quan."),
    )
    name = models.CharField(_("tên"), max_length=255)
    division_type = models.CharField(
        _("loại đơn vị hành chính"), max_length=32, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    # Materialised path of ids ("/1/7/42/") so a subtree is one indexed
    # prefix query on both SQLite and PostgreSQL.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    legacy = models.BooleanField(
        _("đơn vị cũ"),
        default=False,
        help_text=_("Đơn vị trước sắp xếp ngày 01/7/2025, giữ làm lịch sử."),
    )
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("cây tổ chức")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["legacy", "kind", "code"], name="orgunit_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class AuditEntry(models.Model):
    """One row of the append-only audit log, chained to the previous row.

    ``entry_hash`` is SHA-256 over the canonical JSON of this row's fields and
    ``prev_hash``; ``tinhso audit verify`` recomputes the chain.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký hệ thống")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")


class AuditHead(models.Model):
    """Single row holding the chain's tip; updating it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.entry_hash[:12]}"


class Counter(models.Model):
    """Gap-free yearly counter of one register (e.g. incoming documents)."""

    register = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "year"], name="counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.register}/{self.year}: {self.value}"


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class CalendarDay(models.Model):
    """An administrator's exception to the working-day rule for one date."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=CalendarDayKind.choices)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày đặc biệt")
        verbose_name_plural = _("lịch làm việc")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class TsVectorField(models.Field[Any, Any]):
    """PostgreSQL's ``tsvector``; a plain, unused text column elsewhere."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchEntry(models.Model):
    """Folded text of one indexed object (see ``core.search``)."""

    scope = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    text = models.TextField()
    # The key of the partition searches may be narrowed to (an agency's id,
    # as search.partition_key writes it); blank for none.
    partition = models.CharField(max_length=4, blank=True, default="")
    # Filled by a trigger on PostgreSQL (migration 0003).
    tsv = TsVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "object_id"], name="search_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.object_id}"


class StoredFile(models.Model):
    """A file kept in Django storage, checked before it was kept."""

    name = models.CharField(_("tên tệp"), max_length=255)
    storage_name = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(_("định dạng"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp")
        verbose_name_plural = _("tệp")

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """A request a client asked to be done once (``Idempotency-Key``): a retry
    with the same key gets the first answer back instead of a second act."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    # What was asked, so that the key reused for another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")
        ]

    def __str__(self) -> str:
        return self.key


class PeriodicRun(models.Model):
    """When a periodic job (``core.schedule``) was last queued; workers on
    several machines move it forward with one conditional update, so a job
    is queued once per period whichever worker sees it due first."""

    code = models.CharField(max_length=100, unique=True)
    queued_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.code} @ {self.queued_at}"
