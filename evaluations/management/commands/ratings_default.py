"""Record the default rating of every invitation left unrated for RATING_LINK_DAYS days (cron, daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from evaluations.services import ratings_default_apply


class Command(BaseCommand):
    help = "Record the city's default rating (Fujian: 满意) for cases not rated within RATING_LINK_DAYS days."

    def handle(self, *args, **options):
        made = ratings_default_apply()
        self.stdout.write(f"ratings_default: {made} default rating(s) recorded "
                          f"(level {settings.RATING_DEFAULT_LEVEL}, after {settings.RATING_LINK_DAYS} days)")
        return None
