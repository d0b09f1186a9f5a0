"""The rating link belongs to evaluations now (evaluations 0002 copied every token to RatingLink)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("counter", "0002_noticeoverride_scope"),
        ("evaluations", "0002_scope_and_rating_link"),
    ]

    operations = [
        migrations.RemoveField(model_name="case", name="rating_token"),
    ]
