import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from core.models import AuditEvent
from counter.models import Case, CaseStatus, Document, NoticeOverride
from demo.city import DEMO_PASSWORD, NAMED_ACCOUNTS, demo_city_build
from org.models import Role, Staff, Unit, UnitKind


@pytest.fixture
def demo(db):
    return demo_city_build(days=12, per_day=6)


def test_demo_city_has_the_units_staff_and_guides_the_readme_promises(demo):
    kinds = dict(Unit.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    assert kinds[UnitKind.CITY] == 1 and kinds[UnitKind.COUNTY] == 3 and kinds[UnitKind.WINDOW] == 10
    assert kinds[UnitKind.STATION] + kinds[UnitKind.BRIGADE] == 6
    assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
    for username, *_rest in NAMED_ACCOUNTS:
        assert Staff.objects.get(username=username).check_password(DEMO_PASSWORD)
    for county in Unit.objects.filter(kind=UnitKind.COUNTY):
        assert county.guide.versions.filter(status="published").get().items.count() >= 15


def test_demo_cases_cover_every_state_and_were_made_through_the_services(demo):
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert any(case.is_overdue() for case in Case.objects.filter(status=CaseStatus.ACCEPTED))
    assert NoticeOverride.objects.count() == 1
    assert AuditEvent.objects.filter(action="case.opened").count() == Case.objects.count()
    assert AuditEvent.objects.filter(action="document.issued").count() == Document.objects.count()


@pytest.mark.parametrize("built_at", ["2026-12-04 00:30:00+08:00", "2026-12-07 08:10:00+08:00",
                                      "2026-12-05 12:00:00+08:00"])
def test_the_cases_waiting_for_an_officer_exist_whatever_the_hour_the_demo_is_built(db, built_at):
    from freezegun import freeze_time

    with freeze_time(built_at):
        demo_city_build(days=3, per_day=1)
    waiting = Case.objects.filter(status=CaseStatus.INTAKE, created_by__username="civilian")
    assert waiting.count() >= 4  # README: the civilian's cases the officer then accepts
    assert all(c.created_at <= datetime.datetime.fromisoformat(built_at) for c in waiting)


def test_demo_seed_refuses_a_database_with_data_unless_told_to_skip(demo):
    with pytest.raises(CommandError):
        call_command("demo_seed")
    call_command("demo_seed", "--if-empty")
    assert Unit.objects.filter(kind=UnitKind.CITY).count() == 1


def test_demo_evaluators_ratings_and_follow_ups(demo):
    from evaluations.models import Contest, Device, FollowUp, Invite, Rating

    assert Device.objects.count() == 9  # every window but one has an evaluator
    assert Invite.objects.filter(device_offline=True).exists()
    assert set(Rating.objects.values_list("channel", flat=True)) == {"device", "qr", "default"}
    assert FollowUp.objects.count() == sum(r.is_bad for r in Rating.objects.all()) > 0
    assert Contest.objects.count() == 1


def test_no_demo_record_is_dated_after_the_demo_was_built(db):
    from django.apps import apps
    from django.db import models as dj
    from django.utils import timezone

    built = timezone.now()
    demo_city_build(days=6, per_day=4)

    # A pairing code and a lock are meant to end in the future; everything else records what happened.
    future_by_nature = {("evaluations", "pairingcode", "expires_at"), ("org", "staff", "locked_until")}
    later = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            key = (model._meta.app_label, model._meta.model_name, field.name)
            if isinstance(field, dj.DateTimeField) and key not in future_by_nature:
                if model.objects.filter(**{f"{field.name}__gt": timezone.now()}).exists():
                    later.append(key)
    assert later == []
    assert timezone.now() >= built


def test_the_demo_is_built_through_the_apps_services_and_nothing_imports_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for app in ("core", "org", "workdays", "catalog", "counter", "evaluations", "api", "shell"):
        for path in (root / app).rglob("*.py"):
            assert "from demo" not in path.read_text(encoding="utf-8") and "import demo" not in path.read_text(
                encoding="utf-8"), path
    seeders = "\n".join(p.read_text(encoding="utf-8") for p in (root / "demo").glob("*.py"))
    for forbidden in (".objects.create(", ".save(", "bulk_create", ".update(", "freezegun", "import _", "._"):
        assert forbidden not in seeders.replace("self._", ""), forbidden
