"""Scoping: each user sees their own part of the unit tree and nothing of another county."""

from org.selectors import (
    can_see_unit,
    counties_visible_to,
    scope_of,
    staff_visible_to,
    units_visible_to,
    windows_visible_to,
)


def names(queryset):
    return {u.name for u in queryset}


def test_a_window_officer_sees_their_station_and_its_windows(people, city):
    scope = scope_of(people.officer)

    assert (scope.level, scope.unit) == ("station", city.dongjie)
    assert set(units_visible_to(people.officer)) == {city.dongjie, city.w1, city.w2}
    assert set(windows_visible_to(people.officer)) == {city.w1, city.w2}


def test_a_station_head_sees_the_station_staff_but_not_the_county(people, city):
    assert set(units_visible_to(people.head)) == {city.dongjie, city.w1, city.w2}
    assert people.officer2 in staff_visible_to(people.head)
    assert people.county not in staff_visible_to(people.head)
    assert not can_see_unit(people.head, city.gulou)


def test_a_county_admin_sees_every_unit_of_the_county_and_only_that_county(people, city):
    scope = scope_of(people.county)

    assert (scope.level, scope.unit) == ("county", city.gulou)
    assert set(units_visible_to(people.county)) == {city.gulou, city.dongjie, city.w1, city.w2}
    assert list(counties_visible_to(people.county)) == [city.gulou]
    assert not can_see_unit(people.county, city.w3)


def test_city_roles_see_the_whole_city(people, city):
    everything = {city.city, city.gulou, city.dongjie, city.w1, city.w2, city.taijiang, city.aofeng, city.w3}

    for user in (people.cityadmin, people.inspector):
        assert scope_of(user).level == "city"
        assert set(units_visible_to(user)) == everything
        assert set(counties_visible_to(user)) == {city.gulou, city.taijiang}
        assert people.outsider in staff_visible_to(user)


def test_an_outsider_sees_nothing_of_another_county(people, city):
    for user in (people.outsider, people.outsider_county):
        visible = set(units_visible_to(user))
        assert not visible & {city.gulou, city.dongjie, city.w1, city.w2}
        assert not staff_visible_to(user).filter(unit__county=city.gulou).exists()
        assert not can_see_unit(user, city.w1)
    assert set(windows_visible_to(people.outsider_county)) == {city.w3}
    assert list(counties_visible_to(people.outsider)) == [city.taijiang]


def test_a_user_without_a_unit_or_inactive_sees_nothing(people):
    people.officer.unit = None
    assert scope_of(people.officer).level == "none"
    assert not units_visible_to(people.officer).exists()
    assert not counties_visible_to(people.officer).exists()

    people.head.is_active = False
    assert not units_visible_to(people.head).exists()
    assert not staff_visible_to(people.head).exists()


def test_an_anchored_capability_needs_both_the_role_and_the_users_own_unit(people, city):
    from org import access

    assert access.can(people.head, access.FOLLOW_UP_HANDLE, city.dongjie)
    assert not access.can(people.head, access.FOLLOW_UP_HANDLE, city.aofeng)
    assert not access.can(people.officer, access.FOLLOW_UP_HANDLE, city.dongjie)
    assert access.can(people.county, access.CONTEST_DECIDE, city.gulou)
    assert not access.can(people.outsider_county, access.CONTEST_DECIDE, city.gulou)


def test_one_scope_filter_serves_every_scoped_table(people, open_case, pair):
    """Every big table carries the Scoped columns, so scope_q needs no per-table field names."""
    from django.apps import apps

    from core.models import Scoped
    from counter import services
    from org.selectors import scope_q

    pair()
    services.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
    scoped = [m for m in apps.get_models() if issubclass(m, Scoped)]
    assert {m._meta.label for m in scoped} >= {
        "core.AuditEvent", "counter.Case", "counter.NoticeOverride", "evaluations.Device", "evaluations.Invite",
        "evaluations.Rating", "evaluations.FollowUp", "evaluations.Contest"}
    for model in scoped:
        for user in (people.officer, people.head, people.county, people.cityadmin):
            assert model.objects.filter(scope_q(user)).count() >= 0  # no special case, no FieldError
        mine = model.objects.filter(scope_q(people.head)).count()
        theirs = model.objects.filter(scope_q(people.outsider)).exclude(county=people.outsider.unit.county).count()
        assert theirs == 0
        if model._meta.label in ("counter.Case", "evaluations.Invite", "evaluations.Device"):
            assert mine == model.objects.filter(county=people.head.unit.county).count() > 0
