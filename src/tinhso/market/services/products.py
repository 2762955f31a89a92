"""Products: a producer lists its OCOP products with photos, a market
officer approves them before they go on sale, and the producer keeps price
and stock current.

Changing what the OCOP certificate vouches for (name, group, stars,
certificate, description) takes a listed product off sale until an officer
approves it again; price, unit and stock change on the spot.
"""

import calendar
import datetime as dt
import io
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from PIL import Image, ImageOps, UnidentifiedImageError

from tinhso.core import audit, files, search
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.errors import validated as valid
from tinhso.core.text import label_of, nfc
from tinhso.market import policies
from tinhso.market.constants import (
    AUDIT_PRODUCT_REVIEWED,
    AUDIT_PRODUCT_SAVED,
    CERTIFICATE_MONTHS,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    PHOTO_SIZES,
    PRODUCT_SCOPE,
    ProducerStatus,
    ProductGroup,
    ProductStatus,
)
from tinhso.market.models import Producer, Product, ProductPhoto

REVIEWED_FIELDS = (
    "name",
    "group",
    "stars",
    "certificate_number",
    "certificate_date",
    "description",
)
_PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
# Beyond this a photo is refused rather than decoded (a decompression bomb).
_MAX_PIXELS = 50_000_000


def certificate_expires(product: Product) -> dt.date:
    issued = product.certificate_date
    months = issued.month - 1 + CERTIFICATE_MONTHS
    year, month = issued.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(issued.day, calendar.monthrange(year, month)[1]))


def _own(actor: Any, product: Product) -> None:
    if not policies.can_manage_product(actor, product):
        raise Forbidden(
            "not_product_owner", _("Chỉ chủ thể bán sản phẩm này mới sửa được.")
        )


def index(product: Product) -> None:
    """Words a buyer may type: the product, its producer and its commune."""
    producer = product.producer
    search.index(
        PRODUCT_SCOPE,
        product.pk,
        " ".join(
            [
                product.name,
                producer.name,
                producer.commune.name,
                label_of(ProductGroup, product.group),
                f"{product.stars} sao",
            ]
        ),
    )


def _clean(product: Product) -> None:
    product.name = nfc(product.name)
    product.unit = nfc(product.unit)
    product.description = nfc(product.description)
    product.certificate_number = nfc(product.certificate_number)
    if product.certificate_date and product.certificate_date > timezone.localdate():
        raise DomainError(
            "certificate_in_future",
            _("Ngày cấp giấy chứng nhận OCOP không được sau hôm nay."),
            extra={"field": "certificate_date"},
        )
    valid(product, exclude=["producer"])


@transaction.atomic
def save(actor: Any, product: Product, *, stock_seen: int | None = None) -> Product:
    """Create or change a product of ``actor``'s producer.

    ``stock_seen`` is the stock the seller's form showed: what was ordered
    since is kept, and only the seller's change to it is applied, so an edit
    never puts back items already sold."""
    if product.pk is None:
        producer = policies.producer_of(actor)
        if producer is None:
            raise Forbidden(
                "not_producer", _("Hãy đăng ký chủ thể OCOP trước khi đăng sản phẩm.")
            )
        product.producer = producer
        product.status = ProductStatus.DRAFT
        before = None
    else:
        _own(actor, product)
        before = Product.objects.select_for_update().get(pk=product.pk)
        product.status = before.status
        # The listing's history and the officer's note are not the form's.
        product.first_listed_at = before.first_listed_at
        product.unlisted_at = before.unlisted_at
        product.review_note = before.review_note
        if stock_seen is not None:
            product.stock = max(0, before.stock + product.stock - stock_seen)
    _clean(product)
    went_back = False
    if (
        before is not None
        and before.status
        in (
            ProductStatus.LISTED,
            ProductStatus.PENDING,
        )
        and any(getattr(before, f) != getattr(product, f) for f in REVIEWED_FIELDS)
    ):
        went_back = before.status == ProductStatus.LISTED
        product.status = ProductStatus.PENDING
        product.review_note = ""
        if went_back:
            product.unlisted_at = timezone.now()
    product.save()
    index(product)
    audit.record(
        AUDIT_PRODUCT_SAVED,
        obj=product,
        actor=actor,
        detail={
            "name": product.name,
            "price": product.price,
            "stock": product.stock,
            "status": product.status,
            "back_to_review": went_back,
        },
    )
    return product


def _locked(product: Product) -> Product:
    return (
        Product.objects.select_for_update(of=("self",))
        .select_related("producer__commune")
        .get(pk=product.pk)
    )


@transaction.atomic
def submit(actor: Any, product: Product) -> Product:
    """Send a product for approval."""
    _own(actor, product)
    product = _locked(product)
    if product.status not in (
        ProductStatus.DRAFT,
        ProductStatus.RETURNED,
        ProductStatus.UNLISTED,
    ):
        raise DomainError(
            "product_not_submittable",
            _("Sản phẩm đang ở trạng thái “%(status)s”.")
            % {"status": product.get_status_display()},
        )
    if not product.photos.exists():
        raise DomainError(
            "product_photo_required",
            _("Thêm ít nhất một ảnh sản phẩm trước khi gửi duyệt."),
        )
    product.status, product.review_note = ProductStatus.PENDING, ""
    product.save(update_fields=["status", "review_note", "updated_at"])
    audit.record(AUDIT_PRODUCT_SAVED, obj=product, actor=actor, detail={"submit": 1})
    return product


@transaction.atomic
def review(actor: Any, product: Product, *, approve: bool, note: str = "") -> Product:
    """A market officer puts a pending product on sale, or returns it."""
    if not policies.is_market_officer(actor):
        raise Forbidden(
            "not_market_officer",
            _("Chỉ cán bộ quản lý sàn OCOP duyệt chủ thể và sản phẩm."),
        )
    product = _locked(product)
    if product.status != ProductStatus.PENDING:
        raise DomainError(
            "product_not_pending",
            _("Sản phẩm không ở trạng thái chờ duyệt."),
        )
    note = nfc(note)
    if approve:
        if product.producer.status != ProducerStatus.APPROVED:
            raise DomainError(
                "producer_not_approved",
                _("Duyệt chủ thể %(name)s trước khi duyệt sản phẩm của chủ thể.")
                % {"name": product.producer.name},
            )
        if certificate_expires(product) < timezone.localdate():
            raise DomainError(
                "certificate_expired",
                _(
                    "Giấy chứng nhận OCOP số %(number)s đã hết hiệu lực (%(months)d "
                    "tháng kể từ ngày cấp); trả lại để chủ thể cập nhật."
                )
                % {"number": product.certificate_number, "months": CERTIFICATE_MONTHS},
            )
        now = timezone.now()
        product.status = ProductStatus.LISTED
        product.first_listed_at = product.first_listed_at or now
        product.unlisted_at = None
    else:
        if not note:
            raise DomainError(
                "review_note_required",
                _("Ghi rõ lý do trả lại để chủ thể biết cần sửa gì."),
                extra={"field": "note"},
            )
        product.status = ProductStatus.RETURNED
    product.review_note = note
    product.save(
        update_fields=[
            "status",
            "review_note",
            "first_listed_at",
            "unlisted_at",
            "updated_at",
        ]
    )
    audit.record(
        AUDIT_PRODUCT_REVIEWED,
        obj=product,
        actor=actor,
        detail={"approved": approve, "note": note},
    )
    return product


@transaction.atomic
def unlist(actor: Any, product: Product, note: str = "") -> Product:
    """The producer stops selling a product, or an officer takes it off sale."""
    officer = policies.is_market_officer(actor)
    if not officer:
        _own(actor, product)
    product = _locked(product)
    if product.status != ProductStatus.LISTED:
        raise DomainError("product_not_listed", _("Sản phẩm đang không bán."))
    note = nfc(note)
    if officer and not policies.can_manage_product(actor, product) and not note:
        raise DomainError(
            "review_note_required",
            _("Ghi rõ lý do ngừng bán để chủ thể biết."),
            extra={"field": "note"},
        )
    product.status, product.unlisted_at = ProductStatus.UNLISTED, timezone.now()
    product.review_note = note
    product.save(update_fields=["status", "unlisted_at", "review_note", "updated_at"])
    audit.record(AUDIT_PRODUCT_REVIEWED, obj=product, actor=actor, detail={"unlist": 1})
    return product


def _back_to_review(product: Product) -> None:
    """Photos are part of what an officer approves: a listed product whose
    photos change waits for approval again."""
    if product.status == ProductStatus.LISTED:
        product.status, product.unlisted_at = ProductStatus.PENDING, timezone.now()
        product.save(update_fields=["status", "unlisted_at", "updated_at"])


def _resized(image: Image.Image, longest: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Saved without the upload's EXIF: a phone photo carries where it was taken.
    copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    out.seek(0)
    return out.getvalue()


def _decoded(stream: IO[bytes], name: str) -> Image.Image:
    try:
        with Image.open(stream) as probe:
            if probe.width * probe.height > _MAX_PIXELS:
                raise DomainError(
                    "photo_too_large",
                    _("Ảnh %(name)s quá lớn (trên 50 triệu điểm ảnh).")
                    % {"name": name},
                )
            probe.load()
            upright = ImageOps.exif_transpose(probe)
            if upright.mode in ("RGBA", "LA", "P"):
                # A transparent PNG on white, not on black.
                upright = upright.convert("RGBA")
                white = Image.new("RGBA", upright.size, "white")
                upright = Image.alpha_composite(white, upright)
            image = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DomainError(
            "photo_unreadable",
            _("Không đọc được ảnh %(name)s; hãy gửi ảnh JPEG hoặc PNG.")
            % {"name": name},
        ) from exc
    finally:
        stream.seek(0)
    if min(image.size) < 200:
        raise DomainError(
            "photo_too_small",
            _("Ảnh %(name)s nhỏ quá: cạnh ngắn cần ít nhất 200 điểm ảnh.")
            % {"name": name},
        )
    return image


def add_photo(
    actor: Any, product: Product, stream: IO[bytes], name: str
) -> ProductPhoto:
    """Keep a photo and the sizes served from it; nothing kept if it is bad."""
    _own(actor, product)
    if product.photos.count() >= MAX_PHOTOS:
        raise DomainError(
            "too_many_photos",
            _("Mỗi sản phẩm có tối đa %(n)d ảnh.") % {"n": MAX_PHOTOS},
        )
    files.check(stream, name, allowed=_PHOTO_TYPES, max_bytes=MAX_PHOTO_BYTES)
    image = _decoded(stream, name)
    stem = name.rsplit(".", 1)[0][:80] or "anh"
    sizes = {key: _resized(image, longest) for key, longest in PHOTO_SIZES.items()}
    with transaction.atomic():
        original = files.store(
            stream,
            name,
            uploaded_by=actor,
            allowed=_PHOTO_TYPES,
            max_bytes=MAX_PHOTO_BYTES,
        )
        kept = {
            key: files.store(
                io.BytesIO(data),
                f"{stem}-{key}.jpg",
                uploaded_by=actor,
                allowed=_PHOTO_TYPES,
            )
            for key, data in sizes.items()
        }
        last = product.photos.order_by("-position").first()
        photo = ProductPhoto.objects.create(
            product=product,
            original=original,
            large=kept["lg"],
            small=kept["sm"],
            width=image.width,
            height=image.height,
            position=(last.position + 1) if last else 0,
        )
        _back_to_review(product)
        audit.record(
            AUDIT_PRODUCT_SAVED, obj=product, actor=actor, detail={"photo": name}
        )
    return photo


@transaction.atomic
def remove_photo(actor: Any, photo: ProductPhoto) -> None:
    _own(actor, photo.product)
    product = photo.product
    if product.status == ProductStatus.LISTED and product.photos.count() == 1:
        raise DomainError(
            "last_photo",
            _("Sản phẩm đang bán cần ít nhất một ảnh; thêm ảnh khác trước khi xóa."),
        )
    photo.delete()
    _back_to_review(product)
    audit.record(
        AUDIT_PRODUCT_SAVED, obj=product, actor=actor, detail={"photo_removed": 1}
    )


def reindex_producer(producer: Producer) -> None:
    for product in producer.products.select_related("producer__commune"):
        index(product)
