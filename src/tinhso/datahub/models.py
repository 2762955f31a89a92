"""Tables of the data-sharing platform: data services, consumer systems
(clients) with their keys and tokens, grants, the daily usage of each
grant, and the hash-chained access log; and the open data portal's
datasets, their resources and the datastore behind them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit, StoredFile
from tinhso.datahub.constants import (
    Classification,
    DatasetStatus,
    Frequency,
    Licence,
    ResourceFormat,
    ServiceStatus,
    Theme,
)


class DataService(models.Model):
    """A data service of the catalog: one provider's data, owned by a unit."""

    code = models.SlugField(_("mã dịch vụ"), max_length=64, unique=True)
    name = models.CharField(_("tên dịch vụ"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    owner = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="data_services",
        verbose_name=_("đơn vị chủ quản"),
    )
    classification = models.CharField(
        _("phân loại"), max_length=16, choices=Classification.choices
    )
    # A provider code of core.sharing: a platform app's data, or an
    # external system behind an adapter.
    source = models.CharField(_("nguồn dữ liệu"), max_length=64)
    # The provider's fields as published: [{name, type, label, personal}].
    schema = models.JSONField(_("cấu trúc dữ liệu"), default=list)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ServiceStatus.choices,
        default=ServiceStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dịch vụ dữ liệu")
        verbose_name_plural = _("dịch vụ dữ liệu")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def personal_fields(self) -> dict[str, str]:
        return {f["name"]: f["personal"] for f in self.schema if f.get("personal")}


class Client(models.Model):
    """A consumer system (another agency's software) that calls the gateway."""

    code = models.SlugField(_("mã hệ thống"), max_length=64, unique=True)
    name = models.CharField(_("tên hệ thống"), max_length=255)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="data_clients",
        verbose_name=_("đơn vị vận hành"),
    )
    description = models.TextField(_("mô tả"), blank=True)
    contact_name = models.CharField(_("người liên hệ"), max_length=150, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=15, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    suspended_at = models.DateTimeField(_("tạm dừng lúc"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("hệ thống khai thác")
        verbose_name_plural = _("hệ thống khai thác")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ClientKey(models.Model):
    """An API key of a client (also its OAuth2 client secret); only its
    SHA-256 is kept."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client.code} {self.prefix}…"


class AccessToken(models.Model):
    """A short-lived OAuth2 access token, minted from a key; only its hash
    is kept. Revoking the key (or suspending the client) stops it too."""

    key = models.ForeignKey(ClientKey, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"token of {self.key}"


class Grant(models.Model):
    """A client's right to call one service, with its limits."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="grants")
    service = models.ForeignKey(
        DataService, on_delete=models.PROTECT, related_name="grants"
    )
    # Field names the client may read; empty means every field.
    fields = models.JSONField(_("các trường được khai thác"), default=list, blank=True)
    personal_data = models.BooleanField(
        _("được đọc dữ liệu cá nhân không che"), default=False
    )
    purpose = models.TextField(_("mục đích, căn cứ khai thác"))
    daily_quota = models.PositiveIntegerField(
        _("số lượt gọi tối đa mỗi ngày"), null=True, blank=True
    )
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["client__code", "service__code"]
        verbose_name = _("quyền khai thác")
        verbose_name_plural = _("quyền khai thác")
        constraints = [
            # One live grant per client and service; revoked ones stay as history.
            models.UniqueConstraint(
                fields=["client", "service"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_live_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client.code} → {self.service.code}"


class GrantUsage(models.Model):
    """Calls made under one grant on one day: the quota counter, and the
    usage figures the owners read without scanning the access log."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    latency_us = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grant", "day"], name="grant_usage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.grant} {self.day}: {self.calls}"


class AccessEntry(models.Model):
    """One gateway call, chained to the previous by SHA-256 (``tinhso
    datahub verify-log``): who asked what, and what they got."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    client_code = models.CharField(max_length=64, db_index=True)
    service_code = models.CharField(max_length=64, db_index=True)
    grant_id = models.PositiveBigIntegerField(null=True)
    params = models.JSONField(default=dict)
    status = models.PositiveSmallIntegerField()
    # "ok", or the stable code of the problem the call was refused with.
    outcome = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)  # bytes of the answer
    latency_us = models.PositiveIntegerField(default=0)
    # Personal fields handed over unmasked (Decree 13/2023/NĐ-CP).
    personal = models.JSONField(default=list)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("nhật ký khai thác")
        verbose_name_plural = _("nhật ký khai thác")
        indexes = [
            models.Index(fields=["service_code", "seq"]),
            models.Index(fields=["client_code", "seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.client_code} → {self.service_code} {self.status}"


class AccessHead(models.Model):
    """The access log's tip; updating it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.entry_hash[:12]}"


# Open data ------------------------------------------------------------------


class Dataset(models.Model):
    """An open dataset, described with DCAT's terms; ``name`` is its CKAN name."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(_("tên định danh"), max_length=100, unique=True)
    title = models.CharField(_("tên bộ dữ liệu"), max_length=255)
    description = models.TextField(_("mô tả"))
    publisher = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name=_("đơn vị công bố"),
    )
    theme = models.CharField(_("chủ đề"), max_length=8, choices=Theme.choices)
    keywords = models.JSONField(_("từ khóa"), default=list, blank=True)
    # "|giáo dục|trường học|": the keywords, case-folded, for exact tag filters
    # that work alike on SQLite and PostgreSQL.
    tag_index = models.TextField(default="", editable=False)
    licence = models.CharField(
        _("giấy phép"), max_length=16, choices=Licence.choices, default=Licence.CC_BY_4
    )
    frequency = models.CharField(
        _("tần suất cập nhật"), max_length=16, choices=Frequency.choices
    )
    temporal_start = models.DateField(_("dữ liệu từ ngày"), null=True, blank=True)
    temporal_end = models.DateField(_("dữ liệu đến ngày"), null=True, blank=True)
    spatial = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("phạm vi địa lý"),
    )
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DatasetStatus.choices,
        default=DatasetStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-modified_at"]
        verbose_name = _("bộ dữ liệu mở")
        verbose_name_plural = _("bộ dữ liệu mở")
        indexes = [models.Index(fields=["status", "-modified_at"])]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    """One distribution of a dataset: an uploaded table (CSV, XLSX, JSON)
    read into the datastore, or a live view over a platform provider."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="resources"
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("tên tài nguyên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    format = models.CharField(
        _("định dạng"), max_length=8, choices=ResourceFormat.choices
    )
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A live view: a provider of core.sharing and the parameters it is read with.
    provider = models.CharField(max_length=64, blank=True)
    provider_params = models.JSONField(default=dict, blank=True)
    # The table's columns: [{"id": name, "type": "text" | "int" | "numeric" | "date"}].
    columns = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dataset", "position", "pk"]
        verbose_name = _("tài nguyên")
        verbose_name_plural = _("tài nguyên")

    def __str__(self) -> str:
        return f"{self.dataset.name}/{self.name}"

    @property
    def live(self) -> bool:
        return bool(self.provider)


class DatastoreRow(models.Model):
    """One row of an uploaded table, as the CKAN datastore keeps it, so that
    ``datastore_search`` pages, filters and searches without the file."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="datastore"
    )
    n = models.PositiveIntegerField()  # 1-based, in the file's order
    data = models.JSONField()
    folded = models.TextField()  # every value folded, for ``q``

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "n"], name="datastore_row_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.n}"
