"""The evaluator's daily jobs in one cron line: default ratings, then escalation of late follow-ups."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run ratings_default and follow_ups_escalate (both idempotent)."

    def handle(self, *args, **options):
        call_command("ratings_default", stdout=self.stdout)
        call_command("follow_ups_escalate", stdout=self.stdout)
        return None
