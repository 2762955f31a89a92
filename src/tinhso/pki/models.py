"""Trusted roots and the signing certificates of officials and agencies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit


class TrustedRoot(models.Model):
    """A CA certificate that signatures are checked against.

    ``demo`` roots are made here; their key (needed to issue demo
    certificates) is kept in the data folder like signers' keys.
    """

    name = models.CharField(_("tên"), max_length=255)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    not_after = models.DateTimeField(_("hiệu lực đến"))
    demo = models.BooleanField(_("CA thử nghiệm"), default=False)
    key_file = models.CharField(max_length=255, blank=True, editable=False)
    active = models.BooleanField(_("đang tin cậy"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(_("ngày thêm"), auto_now_add=True)

    class Meta:
        verbose_name = _("CA gốc tin cậy")
        verbose_name_plural = _("CA gốc tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class KeyKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12")
    PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (token, HSM)")


class Certificate(models.Model):
    """A signing certificate held by one official or, as a seal, one agency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("cá nhân"),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seal_certificates",
        verbose_name=_("cơ quan (chữ ký số của cơ quan)"),
    )
    common_name = models.CharField(_("tên chủ thể"), max_length=255)
    serial = models.CharField(_("số hiệu"), max_length=64)
    issuer_name = models.CharField(_("tổ chức cấp"), max_length=500)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("chứng thư (PEM)"))
    key_kind = models.CharField(
        _("nơi giữ khóa"), max_length=8, choices=KeyKind.choices
    )
    # PKCS#12: file name under <data folder>/pki/, encrypted with a passphrase
    # derived from SECRET_KEY (see keystore.py).
    key_file = models.CharField(max_length=255, blank=True, editable=False)
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=500, blank=True)
    pkcs11_token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    pkcs11_key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    demo = models.BooleanField(_("thử nghiệm"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("ngày thêm"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số")
        verbose_name_plural = _("chứng thư số")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, org_unit__isnull=True)
                    | Q(user__isnull=True, org_unit__isnull=False)
                ),
                name="pki_certificate_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.fingerprint[:12]})"

    @property
    def is_seal(self) -> bool:
        return self.org_unit_id is not None
