from django.core.management.base import BaseCommand, CommandError

from demo.city import DEMO_PASSWORD, NAMED_ACCOUNTS, demo_city_build
from org.selectors import any_unit_exists


class Command(BaseCommand):
    help = "Load the demo city: 3 counties, 6 stations, 10 windows, staff of every role, guides, ~200 cases."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when units already exist")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--per-day", type=int, default=8)

    def handle(self, *args, **options):
        if any_unit_exists():
            if options["if_empty"]:
                self.stdout.write("演示数据已存在，跳过。")
                return
            raise CommandError("数据库中已有单位数据；演示数据只能装入空数据库（或使用 --if-empty 跳过）。")
        counts = demo_city_build(seed=options["seed"], days=options["days"], per_day=options["per_day"])
        self.stdout.write(self.style.SUCCESS(
            f"演示城市已建立：{counts['units']} 个单位，{counts['staff']} 名工作人员，{counts['cases']} 件办件，"
            f"{counts['devices']} 台评价器，{counts['ratings']} 条评价。"
        ))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：" + "、".join(a[0] for a in NAMED_ACCOUNTS))
