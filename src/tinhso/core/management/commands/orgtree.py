from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.core import orgtree, selectors
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit

RESOLVE_LIMIT = 20


def _label(unit: OrgUnit) -> str:
    prefix = "legacy " if unit.legacy else ""
    return f"[{prefix}{unit.kind} {unit.code}] {unit.name}"


class Command(BaseCommand):
    help = (
        "Org tree from the vietnam-provinces package: `load --province 08` loads a "
        "province with its former units, `resolve NAME_OR_CODE` shows what a "
        "former unit is today, `provinces` lists the province codes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="load one province's units")
        load.add_argument(
            "--province", required=True, help="current province code, e.g. 08"
        )
        load.add_argument(
            "--no-legacy",
            action="store_true",
            help="skip the pre-July-2025 provinces, districts and communes",
        )
        resolve = actions.add_parser(
            "resolve", help="today's unit(s) for a former unit's name or code"
        )
        resolve.add_argument("query", metavar="NAME_OR_CODE")
        actions.add_parser("provinces", help="list current province codes")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            self._load(options["province"], with_legacy=not options["no_legacy"])
        elif action == "resolve":
            self._resolve(options["query"])
        else:
            for province in orgtree.provinces():
                self.stdout.write(
                    f"{orgtree.province_code(province.code.value)}  {province.name}"
                )

    def _load(self, raw_code: str, *, with_legacy: bool) -> None:
        code = int(raw_code) if raw_code.strip().isdigit() else -1
        try:
            source = orgtree.source_province(code)
        except DomainError as exc:
            raise CommandError(exc.message.replace(str(code), raw_code, 1)) from None
        self.stdout.write(
            _("Tải cây tổ chức %(code)s %(name)s%(legacy)s")
            % {
                "code": orgtree.province_code(code),
                "name": source.name,
                "legacy": _(" (kèm đơn vị trước 01/7/2025)") if with_legacy else "",
            }
        )

        def progress(stage: str, done: int, total: int) -> None:
            self.stdout.write(f"  {stage}: {done}/{total}")

        report = orgtree.load_province(code, with_legacy=with_legacy, progress=progress)
        created = ", ".join(f"{kind} {n}" for kind, n in sorted(report.created.items()))
        self.stdout.write(
            _("Xong trong %(seconds).1f giây.") % {"seconds": report.seconds}
        )
        self.stdout.write(
            _("  Tạo mới (created): %(created)s") % {"created": created or "0"}
        )
        self.stdout.write(_("  Đã có sẵn (existing): %(n)s") % {"n": report.existing})
        if with_legacy:
            self.stdout.write(
                _("  Liên kết kế thừa mới (links_created): %(n)s")
                % {"n": report.links_created}
            )
            self.stdout.write(
                _(
                    "  Đơn vị cũ không có đơn vị kế thừa "
                    "(legacy_without_successor): %(n)s"
                )
                % {"n": report.legacy_without_successor}
            )
        if not report.changed:
            self.stdout.write(_("Không có gì thay đổi: cây tổ chức đã đầy đủ."))

    def _resolve(self, query: str) -> None:
        query = query.strip()
        units: list[OrgUnit]
        if query.isdigit():
            # Codes are zero-padded: 2 digits province, 3 district, 5 commune.
            codes = {query, query.zfill(2), query.zfill(3), query.zfill(5)}
            units = list(
                OrgUnit.objects.filter(code__in=codes).order_by(
                    "-legacy", "depth", "code"
                )
            )
        else:
            units = list(
                selectors.search_orgunits(query, include_legacy=True).order_by(
                    "-legacy", "depth", "name"
                )[: RESOLVE_LIMIT + 1]
            )
        if not units:
            raise CommandError(
                _(
                    "Không tìm thấy đơn vị nào khớp với «%(query)s» (đã tải cây tổ "
                    "chức bằng `tinhso orgtree load --province NN` chưa?)."
                )
                % {"query": query}
            )
        for unit in units[:RESOLVE_LIMIT]:
            above = ", ".join(a.name for a in reversed(selectors.ancestors(unit)[:-1]))
            where = f" — {above}" if above else ""
            if not unit.legacy:
                self.stdout.write(f"{_label(unit)}{where}: " + _("đơn vị hiện hành"))
                continue
            self.stdout.write(f"{_label(unit)}{where}")
            current = selectors.resolve_current(unit)
            if not current:
                self.stdout.write("  → " + _("không có đơn vị kế thừa"))
            for successor in current:
                self.stdout.write(f"  → {_label(successor)}")
        if len(units) > RESOLVE_LIMIT:
            self.stdout.write(_("… còn nữa; hãy gõ cụ thể hơn để thu hẹp kết quả."))
