"""Escalate to the county every bad-review follow-up past its deadline (cron, daily)."""

from django.core.management.base import BaseCommand

from evaluations.services import follow_ups_escalate


class Command(BaseCommand):
    help = "Escalate to the county bureau every follow-up past its working-day deadline and not closed."

    def handle(self, *args, **options):
        count = follow_ups_escalate()
        self.stdout.write(f"follow_ups_escalate: {count} follow-up(s) escalated")
        return None
