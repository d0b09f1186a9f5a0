"""Run every recurring task once (cron, daily; safe to run again at any time)."""

import time

from django.core.management.base import BaseCommand, CommandError

from core.jobs import daily_tasks


class Command(BaseCommand):
    help = "运行全部每日任务（默认评价、承诺期限重算、逾期上报等）；可重复运行，结果相同。"

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], metavar="TASK",
                            help="只运行这些任务（可多次使用）；--list 列出全部任务")
        parser.add_argument("--list", action="store_true", help="列出全部任务，不运行")

    def handle(self, *args, only: list[str], list: bool, **options):
        tasks = daily_tasks()
        if list:
            for task in tasks:
                self.stdout.write(f"{task.order:3d} {task.name}: {task.doc}")
            return
        unknown = set(only) - {t.name for t in tasks}
        if unknown:
            raise CommandError(f"没有这些任务：{', '.join(sorted(unknown))}（manage.py daily --list 列出全部任务）")
        failed = []
        for task in tasks:
            if only and task.name not in only:
                continue
            start = time.monotonic()
            try:
                changed = task.run()
            except Exception as exc:  # one failing task must not stop the others; cron sees the exit code
                failed.append(task.name)
                self.stderr.write(f"{task.name}: 失败 {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(f"{task.report(changed)} ({time.monotonic() - start:.1f} s)")
        if failed:
            raise CommandError(f"以下任务失败：{', '.join(failed)}；其余任务已完成，可以直接重新运行。")
