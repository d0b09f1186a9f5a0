from django.core.management.base import BaseCommand

from counter.services import case_deadlines_refresh


class Command(BaseCommand):
    help = "Recompute provisional case deadlines after a year's holiday schedule has been entered."

    def handle(self, *args, **options):
        changed = case_deadlines_refresh()
        self.stdout.write(f"已重新计算 {changed} 件办件的承诺办结日期。")
