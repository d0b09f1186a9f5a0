"""Seven days without a rating: the city's default level (Fujian: 满意), stored as a default, never active."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from core.errors import DomainError
from counter import services as counter_services
from evaluations import services
from evaluations.models import Channel, FollowUp, Invite, Level, Rating
from evaluations.stats import usage_report

DECIDED_AT = "2026-11-02 10:00:00+08:00"  # a Monday


@pytest.fixture
def invite(open_case, guide, people):  # noqa: F811
    """A case decided at window 1; the applicant is asked to rate it on the device or by the QR link."""
    with freeze_time(DECIDED_AT):
        item = guide.death
        case = open_case(item, *[m.name for m in item.materials.all()])
        counter_services.case_accept(case=case, actor=people.officer)
    return Invite.objects.get(case=case)


def qr_rating(invite, level=Level.VERY_SATISFIED):
    return services.rating_submit(invite=invite, data=services.RatingInput(level, level, level, level), channel="qr")


def test_on_day_six_nothing_is_defaulted_and_the_link_still_works(invite):
    with freeze_time("2026-11-08 10:00:00+08:00"):
        assert services.ratings_default_apply() == 0
        assert not Rating.objects.exists()
        rating = qr_rating(invite)
    assert rating.channel == Channel.QR and not rating.is_default


def test_on_day_eight_the_case_gets_the_default_satisfied_stored_as_a_default(invite):
    with freeze_time("2026-11-10 02:00:00+08:00"):
        assert services.ratings_default_apply() == 1

    rating = Rating.objects.get(invite=invite)
    assert rating.level == Level.SATISFIED
    assert (rating.efficiency, rating.quality, rating.attitude) == (Level.SATISFIED,) * 3
    assert rating.is_default and rating.channel == Channel.DEFAULT
    assert rating.reasons == [] and rating.device is None
    # It takes effect when the 7 days end, not when the job happens to run.
    assert rating.rated_at == invite.created_at + datetime.timedelta(days=7)
    assert rating.officer_id == invite.officer_id and rating.window_id == invite.window_id


def test_after_the_seven_days_the_link_no_longer_rates(invite):
    with freeze_time("2026-11-09 10:00:01+08:00"), pytest.raises(DomainError) as refused:
        qr_rating(invite)
    assert refused.value.code == "link_expired"


def test_a_rated_case_gets_no_default_and_a_second_run_changes_nothing(invite, open_case, guide, people):  # noqa: F811
    with freeze_time("2026-11-03 10:00:00+08:00"):
        qr_rating(invite, Level.BASICALLY_SATISFIED)
        item = guide.death
        other = open_case(item, *[m.name for m in item.materials.all()])
        counter_services.case_accept(case=other, actor=people.officer)
    with freeze_time("2026-11-20 10:00:00+08:00"):
        assert services.ratings_default_apply() == 1
        assert services.ratings_default_apply() == 0
    assert Rating.objects.get(invite=invite).level == Level.BASICALLY_SATISFIED
    assert Rating.objects.filter(is_default=True).count() == 1


def test_the_guangdong_rule_is_a_setting(settings, invite):
    settings.RATING_DEFAULT_LEVEL = Level.BASICALLY_SATISFIED
    with freeze_time("2026-11-10 10:00:00+08:00"):
        services.ratings_default_apply()
    assert Rating.objects.get().level == Level.BASICALLY_SATISFIED


def test_a_default_never_opens_a_follow_up_even_at_a_bad_level(settings, invite):
    settings.RATING_DEFAULT_LEVEL = Level.DISSATISFIED  # no city does this; the rule must hold anyway
    with freeze_time("2026-11-10 10:00:00+08:00"):
        assert services.ratings_default_apply() == 1
    rating = Rating.objects.get()
    assert rating.level == Level.DISSATISFIED and rating.is_default
    assert not rating.is_bad
    assert not FollowUp.objects.exists()


def test_a_default_is_never_counted_as_an_active_rating(people, invite):
    with freeze_time("2026-11-10 10:00:00+08:00"):
        services.ratings_default_apply()
        report = usage_report(people.head, date_from=datetime.date(2026, 11, 2), date_to=datetime.date(2026, 11, 2))

    window = next(w for w in report.windows if w.window.pk == invite.window_id)
    assert (window.figures.invites, window.figures.active, window.figures.defaults) == (1, 0, 1)
    assert window.figures.rate == 0.0


def test_the_ratings_page_marks_a_default(client_for, people, invite):
    with freeze_time("2026-11-10 10:00:00+08:00"):
        services.ratings_default_apply()
    client = client_for(people.head)

    body = client.get(reverse("evaluations:rating_list")).content.decode()
    active = client.get(reverse("evaluations:rating_list"), {"channel": "active"}).content.decode()
    bad = client.get(reverse("evaluations:rating_list"), {"bad": "on"}).content.decode()

    assert invite.case.number in body and "默认" in body and "超期默认" in body
    assert invite.case.number not in active and invite.case.number not in bad


def test_the_command_applies_the_defaults(invite):
    out = io.StringIO()
    with freeze_time("2026-11-10 10:00:00+08:00"):
        call_command("daily", "--only", "ratings_default", stdout=out)
        call_command("daily", "--only", "ratings_default", stdout=out)
    assert "1 default rating(s) recorded (level 4, after 7 days)" in out.getvalue()
    assert "0 default rating(s) recorded" in out.getvalue()


def test_a_device_cannot_keep_the_job_from_defaulting_an_invite(client, invite, open_case, guide, people, pair):
    """The job's key used to be `default-<invite id>`, which a device may send too: the job then skipped it."""
    with freeze_time(DECIDED_AT):
        item = guide.death
        other = open_case(item, *[m.name for m in item.materials.all()])
        counter_services.case_accept(case=other, actor=people.officer)
        pending = Invite.objects.get(case=other)
    _device, token = pair()
    with freeze_time("2026-11-03 10:00:00+08:00"):
        response = client.post("/api/devices/ratings", {
            "invite_id": invite.pk, "level": 5, "idempotency_key": f"default-{pending.pk}"},
            content_type="application/json", headers={"Authorization": f"Device {token}"})
    assert response.status_code == 201

    with freeze_time("2026-11-10 02:00:00+08:00"):
        assert services.ratings_default_apply() == 1
    default = Rating.objects.get(invite=pending)
    assert default.is_default
    assert default.idempotency_key is None  # defaults take no key at all: none a device could have taken first

