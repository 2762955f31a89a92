from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError
from tinhso.demo import data


class Command(BaseCommand):
    help = (
        "Load a believable demo province (org tree with former units, agencies, "
        "villages, one account per role) and print the demo logins. "
        "Safe to run again: nothing is created twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            default=f"{data.DEFAULT_PROVINCE:02d}",
            help="current province code (default 08, Tuyên Quang; "
            "`tinhso orgtree provinces` lists them)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even though the database already has other accounts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["province"]).strip()
        code = int(raw) if raw.isdigit() else -1
        # Like `tinhso worker`: an empty data folder becomes a working province.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            report = data.load_demo(
                code,
                progress=lambda message: self.stdout.write(f"  {message}"),
                force=options["force"],
            )
        except DomainError as exc:
            raise CommandError(exc.message.replace(str(code), raw, 1)) from None

        created = ", ".join(f"{k} {n}" for k, n in sorted(report.created.items()))
        tree_created = report.orgtree.created_total
        self.stdout.write(
            _("Tỉnh mẫu %(code)s %(name)s sẵn sàng sau %(seconds).1f giây.")
            % {
                "code": report.province.code,
                "name": report.province.name,
                "seconds": report.seconds,
            }
        )
        if created or tree_created:
            self.stdout.write(
                _("  Tạo mới (created): orgtree %(tree)s, %(rest)s")
                % {"tree": tree_created, "rest": created or "0"}
            )
        else:
            self.stdout.write(_("  Không tạo thêm gì: dữ liệu mẫu đã có đủ."))
        self.stdout.write("")
        self._table(report)
        self.stdout.write("")
        self.stdout.write(
            _(
                "Tài khoản %(username)s (quản trị) cần mã xác thực hai lớp: thêm khóa "
                "bí mật sau vào ứng dụng xác thực (Google Authenticator, Aegis…)."
            )
            % {"username": report.admin_username}
        )
        self.stdout.write(
            _("  Khóa bí mật (secret): %(s)s") % {"s": report.totp_secret}
        )
        self.stdout.write(f"  URI: {report.totp_uri}")

    def _table(self, report: data.DemoReport) -> None:
        header = (
            _("Vai trò"),
            _("Tên đăng nhập"),
            _("Mật khẩu"),
            _("Họ và tên"),
            _("Đơn vị"),
        )
        rows = [header] + [
            (login.role, login.username, login.password, login.full_name, login.unit)
            for login in report.logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

        def line(row: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))

        self.stdout.write(
            _("Tài khoản dùng thử (mật khẩu chung %(p)s):") % {"p": data.DEMO_PASSWORD}
        )
        self.stdout.write(line(header).rstrip())
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows[1:]:
            self.stdout.write(line(row).rstrip())
