"""Rebuild the usage page's daily figures per window from the invitations, ratings and devices' records."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from core import clock
from evaluations.models import Invite
from evaluations.window_days import local_day, window_days_rebuild


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 年-月-日，例如 2026-01-01，而不是 {text!r}") from exc


class Command(BaseCommand):
    help = ("按邀请评价、评价和评价器离线记录重算评价器使用情况的每日数字（可重复运行，结果相同）。"
            "默认从第一条邀请评价到今天；导入数据、修改开放时间或补录以往日历后运行。")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD",
                            help="起始日期（含），默认第一条邀请评价的日期")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="截止日期（含），默认今天")

    def handle(self, *args, date_from=None, date_to=None, **options):
        end = _date(date_to) if date_to else clock.today()
        if date_from:
            start = _date(date_from)
        else:
            first = Invite.objects.order_by("created_at").values_list("created_at", flat=True).first()
            start = local_day(first) if first else end
        if start > end:
            raise CommandError("起始日期不能晚于截止日期。")
        rows = window_days_rebuild(start, end)
        self.stdout.write(f"window_days_rebuild: {rows} row(s) for {start} to {end}")
