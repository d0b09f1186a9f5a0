"""Import the official schedule from chinese_calendar; safe to run again (entered years are kept)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from workdays.services import calendar_seed


class Command(BaseCommand):
    help = "从 chinese_calendar 导入国务院办公厅节假日安排（已录入的年度不变，除非 --replace）。"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="只导入这些年份；默认导入该包支持的全部年份")
        parser.add_argument("--replace", action="store_true", help="覆盖已录入的年度（含管理员手工修改）")

    def handle(self, *args, years: list[int], replace: bool, **options):
        try:
            report = calendar_seed(years=years or None, replace=replace)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if report.seeded:
            first, last = report.seeded[0], report.seeded[-1]
            self.stdout.write(f"已导入 {len(report.seeded)} 个年度（{first}-{last}），共 {report.days} 天。")
        if report.skipped:
            self.stdout.write(f"已录入而保留不变的年度：{', '.join(map(str, report.skipped))}。")
        if not report.seeded and not report.skipped:
            self.stdout.write("没有需要导入的年度。")
