"""Every write of the open data portal: datasets, their resources (uploaded
tables and live views) and publication. Each is audited and all or nothing:
a file with a bad row leaves no resource, no rows and no stored file."""

import datetime as dt
import io
import re
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tinhso.core import audit, files, search, sharing
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.models import OrgUnit
from tinhso.core.text import fold, nfc
from tinhso.datahub import policies, tables
from tinhso.datahub.constants import (
    DATASET_SCOPE,
    DatasetStatus,
    Frequency,
    Licence,
    ResourceFormat,
    Theme,
)
from tinhso.datahub.models import Dataset, DatastoreRow, Resource

UPLOAD_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{1,98}[a-z0-9]")


def _may_publish(actor: Any, unit: OrgUnit) -> None:
    if not policies.manages_unit(actor, unit):
        raise Forbidden(
            "not_data_officer",
            _("Bạn không quản trị dữ liệu của %(unit)s.") % {"unit": unit.name},
        )


def name_for(title: str) -> str:
    """The CKAN name a title gets: "Danh sách trường học" → danh-sach-truong-hoc."""
    return slugify(fold(title))[:100].strip("-")


def _choice(value: str, choices: Any, field: str, message: str) -> str:
    if value not in choices.values:
        raise DomainError("invalid_choice", message, extra={"field": field})
    return value


def _keywords(given: list[str] | str) -> list[str]:
    items = given.split(",") if isinstance(given, str) else given
    words: list[str] = []
    for item in items:
        word = nfc(str(item))
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word[:50])
    return words[:20]


def tag_index(keywords: list[str]) -> str:
    return "|" + "|".join(k.casefold() for k in keywords) + "|"


def _reindex(dataset: Dataset) -> None:
    search.index(
        DATASET_SCOPE,
        dataset.pk,
        dataset.title,
        dataset.description,
        " ".join(dataset.keywords),
        dataset.publisher.name,
        dataset.name,
    )


def _fill(dataset: Dataset, fields: dict[str, Any]) -> None:
    dataset.title = nfc(fields.get("title", ""))
    if not dataset.title:
        raise DomainError(
            "field_required", _("Cần nhập tên bộ dữ liệu."), extra={"field": "title"}
        )
    dataset.description = nfc(fields.get("description", ""))
    if not dataset.description:
        raise DomainError(
            "field_required",
            _("Cần mô tả bộ dữ liệu: nội dung, nguồn, cách thu thập."),
            extra={"field": "description"},
        )
    dataset.theme = _choice(
        fields.get("theme", ""), Theme, "theme", _("Cần chọn chủ đề.")
    )
    dataset.frequency = _choice(
        fields.get("frequency", ""),
        Frequency,
        "frequency",
        _("Cần chọn tần suất cập nhật."),
    )
    dataset.licence = _choice(
        fields.get("licence") or Licence.CC_BY_4,
        Licence,
        "licence",
        _("Giấy phép không hợp lệ."),
    )
    dataset.keywords = _keywords(fields.get("keywords") or [])
    dataset.tag_index = tag_index(dataset.keywords)
    dataset.temporal_start = fields.get("temporal_start")
    dataset.temporal_end = fields.get("temporal_end")
    if (
        dataset.temporal_start
        and dataset.temporal_end
        and dataset.temporal_start > dataset.temporal_end
    ):
        raise DomainError(
            "invalid_period",
            _("Ngày bắt đầu của dữ liệu phải trước ngày kết thúc."),
            extra={"field": "temporal_end"},
        )
    dataset.spatial = fields.get("spatial")
    dataset.contact_email = str(fields.get("contact_email") or "").strip()


def create_dataset(actor: Any, *, publisher: OrgUnit, **fields: Any) -> Dataset:
    """A draft dataset; ``fields`` as the form has them (title, description,
    theme, frequency, licence, keywords, temporal_start/end, spatial …)."""
    _may_publish(actor, publisher)
    dataset = Dataset(publisher=publisher, created_by=actor)
    _fill(dataset, fields)
    name = fields.get("name") or name_for(dataset.title)
    if not _NAME.fullmatch(name):
        raise DomainError(
            "invalid_name",
            _("Tên định danh gồm 3–100 chữ thường không dấu, chữ số, “-” hoặc “_”."),
            extra={"field": "name"},
        )
    dataset.name = name
    try:
        with transaction.atomic():
            dataset.save()
            _reindex(dataset)
            audit.record(
                "datahub.dataset.create",
                obj=dataset,
                detail={"name": dataset.name, "publisher": publisher.code},
            )
    except IntegrityError:
        raise Conflict(
            "dataset_name_taken",
            _("Đã có bộ dữ liệu tên định danh “%(name)s”; hãy đặt tên khác.")
            % {"name": name},
            extra={"field": "name"},
        ) from None
    return dataset


def update_dataset(actor: Any, dataset: Dataset, **fields: Any) -> Dataset:
    _may_publish(actor, dataset.publisher)
    with transaction.atomic():
        _fill(dataset, fields)
        dataset.save()
        _reindex(dataset)
        audit.record(
            "datahub.dataset.update", obj=dataset, detail={"name": dataset.name}
        )
    return dataset


def publish_dataset(actor: Any, dataset: Dataset) -> None:
    """Shown on the portal and through the CKAN API; needs a resource."""
    _may_publish(actor, dataset.publisher)
    if not dataset.resources.exists():
        raise DomainError(
            "dataset_empty",
            _(
                "Bộ dữ liệu chưa có tài nguyên nào; hãy tải tệp lên hoặc thêm dữ liệu trực tuyến."
            ),
        )
    with transaction.atomic():
        dataset.status = DatasetStatus.PUBLISHED
        dataset.published_at = dataset.published_at or timezone.now()
        dataset.save(update_fields=["status", "published_at", "modified_at"])
        audit.record(
            "datahub.dataset.publish", obj=dataset, detail={"name": dataset.name}
        )


def withdraw_dataset(actor: Any, dataset: Dataset) -> None:
    _may_publish(actor, dataset.publisher)
    with transaction.atomic():
        dataset.status = DatasetStatus.WITHDRAWN
        dataset.save(update_fields=["status", "modified_at"])
        audit.record(
            "datahub.dataset.withdraw", obj=dataset, detail={"name": dataset.name}
        )


def _format_of(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in UPLOAD_TYPES:
        raise DomainError(
            "unsupported_format",
            _("Chỉ nhận tệp CSV, XLSX hoặc JSON (tệp “%(name)s”).")
            % {"name": filename},
            extra={"field": "file"},
        )
    return ext.upper()


def add_file(
    actor: Any,
    dataset: Dataset,
    *,
    stream: IO[bytes],
    filename: str,
    name: str = "",
    description: str = "",
) -> Resource:
    """Check the table, keep the file, read its rows into the datastore."""
    _may_publish(actor, dataset.publisher)
    fmt = _format_of(filename)
    # A file past the limit is not read at all; the rest of the checks
    # (and clearer words on what is wrong) come from reading the table.
    size = stream.seek(0, io.SEEK_END)
    if size > settings.MAX_UPLOAD_BYTES:
        raise DomainError(
            "file_too_large",
            _("Tệp %(name)s vượt quá dung lượng cho phép (%(limit)s).")
            % {"name": filename, "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
            status=413,
            extra={"field": "file"},
        )
    stream.seek(0)
    table = tables.read(stream, fmt)
    _refuse_personal(table)
    stream.seek(0)
    stored = None
    try:
        with transaction.atomic():
            stored = files.store(
                stream, filename, uploaded_by=actor, allowed=UPLOAD_TYPES
            )
            resource = Resource.objects.create(
                dataset=dataset,
                position=dataset.resources.count(),
                name=nfc(name) or filename,
                description=nfc(description),
                format=fmt,
                file=stored,
                columns=table.columns,
                row_count=len(table.rows),
            )
            _fill_datastore(resource, table.rows)
            dataset.save(update_fields=["modified_at"])
            audit.record(
                "datahub.resource.add",
                obj=resource,
                detail={
                    "dataset": dataset.name,
                    "file": filename,
                    "rows": len(table.rows),
                },
            )
    except BaseException:
        # The rows were rolled back; the file kept in storage goes too.
        if stored is not None:
            default_storage.delete(stored.storage_name)
        raise
    return resource


# Values that look like a person's ID number (12 digits: province code,
# sex and century, year) or a mobile phone number.
_PERSONAL = {
    "id_number": re.compile(r"0\d{2}[0-3]\d{8}"),
    "phone": re.compile(r"(\+?84|0)(3|5|7|8|9)\d{8}"),
}


def _refuse_personal(table: tables.Table) -> None:
    """Open data carries no personal data (Decree 13/2023/NĐ-CP): a column
    most of whose values look like ID or phone numbers is refused."""
    problems = []
    for column in table.columns:
        name = column["id"]
        values = [
            str(row[name]).replace(" ", "").replace(".", "")
            for row in table.rows
            if row.get(name) not in (None, "")
        ]
        if not values:
            continue
        for kind, pattern in _PERSONAL.items():
            hits = sum(1 for v in values if pattern.fullmatch(v))
            if hits * 2 > len(values):
                what = (
                    _("số định danh cá nhân")
                    if kind == "id_number"
                    else _("số điện thoại")
                )
                problems.append(
                    _(
                        "Cột “%(column)s” có vẻ chứa %(what)s: dữ liệu mở không được có "
                        "dữ liệu cá nhân; hãy bỏ cột này khỏi tệp."
                    )
                    % {"column": name, "what": what}
                )
                break
    if problems:
        raise tables.TableError(problems)


def _fill_datastore(resource: Resource, rows: list[dict[str, Any]]) -> None:
    DatastoreRow.objects.bulk_create(
        (
            DatastoreRow(
                resource=resource,
                n=n,
                data=row,
                folded=fold(" ".join(str(v) for v in row.values() if v is not None)),
            )
            for n, row in enumerate(rows, start=1)
        ),
        batch_size=1000,
    )


# Datastore types of a provider's field types.
_COLUMN_TYPES = {
    "string": tables.TEXT,
    "integer": tables.INT,
    "number": tables.NUMERIC,
    "boolean": tables.TEXT,
    "date": tables.DATE,
}


def add_live_view(
    actor: Any,
    dataset: Dataset,
    *,
    provider: str,
    params: dict[str, Any] | None = None,
    name: str = "",
    description: str = "",
) -> Resource:
    """A resource read live from a platform provider; never one with
    personal data, which open data must not carry."""
    _may_publish(actor, dataset.publisher)
    source = sharing.get(provider)
    if source.external or source.personal_fields():
        raise DomainError(
            "provider_not_open",
            _(
                "Nguồn “%(source)s” có dữ liệu cá nhân hoặc ở ngoài nền tảng, không mở được."
            )
            % {"source": source.label},
            extra={"field": "provider"},
        )
    clean = sharing.clean_params(source, params or {})
    stored = {
        k: v.isoformat() if isinstance(v, dt.date) else v for k, v in clean.items()
    }
    with transaction.atomic():
        resource = Resource.objects.create(
            dataset=dataset,
            position=dataset.resources.count(),
            name=nfc(name) or str(source.label),
            description=nfc(description) or str(source.description),
            format=ResourceFormat.LIVE,
            provider=source.code,
            provider_params=stored,
            columns=[
                {"id": f.name, "type": _COLUMN_TYPES[f.type], "label": str(f.label)}
                for f in source.fields
            ],
        )
        dataset.save(update_fields=["modified_at"])
        audit.record(
            "datahub.resource.add",
            obj=resource,
            detail={"dataset": dataset.name, "provider": source.code, "params": stored},
        )
    return resource


def remove_resource(actor: Any, resource: Resource) -> None:
    dataset = resource.dataset
    _may_publish(actor, dataset.publisher)
    with transaction.atomic():
        audit.record(
            "datahub.resource.remove",
            obj=resource,
            detail={"dataset": dataset.name, "name": resource.name},
        )
        resource.delete()
        dataset.save(update_fields=["modified_at"])
