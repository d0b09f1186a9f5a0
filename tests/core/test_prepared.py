"""A read compiled once (core.prepared) gives what the queryset it was built from gives, for any values."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.db.transaction import TransactionManagementError

from core.prepared import Prepared, run
from counter import services
from counter.models import Case
from org.backends import StaffBackend
from org.models import Staff, Unit
from org.selectors import in_scope

pytestmark = pytest.mark.usefixtures("guide")

RELATED = ("unit", "unit__city", "unit__county", "unit__station", "unit__station__county")


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_a_prepared_read_gives_the_same_people_and_units_as_the_queryset_for_every_value(people):
    read = Prepared(lambda pk: Staff.objects.select_related(*RELATED).filter(pk=pk), pk=-1)
    for person in (people.officer, people.head, people.county, people.cityadmin, people.outsider):
        expected = Staff.objects.select_related(*RELATED).get(pk=person.pk)
        got = read.first(pk=person.pk)
        assert _fields(got) == _fields(expected)
        assert _fields(got.unit) == _fields(expected.unit)
        for level in ("city", "county", "station"):
            mine, theirs = getattr(got.unit, level), getattr(expected.unit, level)
            assert (mine and _fields(mine)) == (theirs and _fields(theirs))
        assert got._state.adding is False and got._state.db == "default"
    assert read.first(pk=-5) is None


def test_the_sign_in_backend_reads_the_person_and_their_units_in_one_query(people, django_assert_num_queries):
    StaffBackend().get_user(people.head.pk)  # compiled on first use
    with django_assert_num_queries(1):
        user = StaffBackend().get_user(people.officer.pk)
        assert user.unit.station.county.name == "鼓楼分局"
        assert user.unit.city.name == "福州市公安局"
    assert StaffBackend().get_user("not a number") is None
    assert StaffBackend().get_user(-9) is None
    people.officer.is_active = False
    people.officer.save()
    assert StaffBackend().get_user(people.officer.pk) is None


def test_a_prepared_read_keeps_order_annotations_and_strings_and_dates_as_values(city):
    read = Prepared(
        lambda prefix, kind: Unit.objects.filter(code__gt=prefix, kind=kind)
        .annotate(below=Count("children")).order_by("-code"),
        prefix="\u00a7prefix", kind="\u00a7kind",
    )
    for prefix, kind in (("350102", "window"), ("3501", "county"), ("9", "window")):
        expected = list(Unit.objects.filter(code__gt=prefix, kind=kind)
                        .annotate(below=Count("children")).order_by("-code"))
        got = read.all(prefix=prefix, kind=kind)
        assert [(u.pk, u.name, u.below) for u in got] == [(u.pk, u.name, u.below) for u in expected]
    day = Prepared(lambda since: Staff.objects.filter(date_joined__gte=since).order_by("pk"),
                   since=datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC))
    assert day.all(since=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)) == list(Staff.objects.order_by("pk"))
    assert day.all(since=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)) == []


def test_a_value_the_sql_does_not_carry_unchanged_is_refused_when_first_used(city):
    changed = Prepared(lambda name: Unit.objects.filter(name__icontains=name), name="\u00a7Name")
    with pytest.raises(ValueError, match="does not reach the SQL unchanged"):
        changed.all(name="东街")
    with pytest.raises(TypeError):
        Prepared(lambda flag: Unit.objects.all(), flag=True)
    with pytest.raises(TypeError, match="prefetch_related"):
        Prepared(lambda pk: Unit.objects.prefetch_related("children").filter(pk=pk), pk=-1).all(pk=1)
    with pytest.raises(TypeError, match="whole rows"):
        Prepared(lambda pk: Unit.objects.only("name").filter(pk=pk), pk=-1).all(pk=1)
    with pytest.raises(ValueError, match="share a parameter"):
        Prepared(lambda a, b: Unit.objects.filter(pk=a, parent_id=b), a=-1, b=-1).all(a=1, b=2)


def test_an_id_beyond_64_bits_finds_nothing_and_asks_nothing(city, django_assert_num_queries):
    read = Prepared(lambda pk: Unit.objects.filter(pk=pk), pk=-1)
    read.all(pk=city.w1.pk)  # compiled
    with django_assert_num_queries(0):
        assert read.all(pk=2**70) == [] and read.first(pk=-(2**64)) is None
    assert read.first(pk=city.w1.pk) == city.w1


def test_a_read_is_known_by_where_it_is_written_and_its_shape(city):
    def by(field):
        return run(lambda value: Unit.objects.filter(**{field: value}).order_by("code"), field, value=city.gulou.pk)

    assert by("pk") == [city.gulou]
    assert by("parent") == [city.dongjie]  # the same lambda, another shape: another read
    assert by("pk") == [city.gulou]


def test_a_scoped_read_sees_only_the_users_units_and_nobody_sees_nothing(people, city, django_assert_num_queries):
    def windows(user):
        return in_scope(user, lambda within, anchor: Unit.objects.filter(within, kind="window").order_by("code"))

    assert windows(people.officer) == [city.w1, city.w2]
    assert windows(people.county) == [city.w1, city.w2]
    assert windows(people.cityadmin) == [city.w1, city.w2, city.w3]
    assert windows(people.outsider) == [city.w3]
    people.officer.is_active = False
    with django_assert_num_queries(0):
        assert windows(people.officer) == []


def test_a_locking_read_needs_a_transaction_every_time(open_case, people, monkeypatch):
    case = open_case()
    with pytest.raises(Case.DoesNotExist):
        with transaction.atomic():
            services.case_lock(number="no-such-number", user=people.officer)
    with transaction.atomic():
        locked = services.case_lock(number=case.number, user=people.officer, materials=True)
    assert locked.pk == case.pk and locked.notice_count == 0
    assert locked.item.materials.all()[0].item is locked.item
    # Outside any transaction (the test itself runs in one: pretend it does not).
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    with pytest.raises(TransactionManagementError):
        services.case_lock(number=case.number, user=people.officer)
    monkeypatch.undo()
    # Another unit's officer does not find the case, by number or by scope.
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        services.case_lock(number=case.number, user=people.outsider)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_a_hot_read_is_prepared_on_the_connection_and_a_list_is_not(people, city):
    def prepared_statements() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    read = Prepared(lambda pk: Staff.objects.select_related(*RELATED).filter(pk=pk), pk=-1)
    for person in (people.officer, people.head, people.officer):
        assert read.first(pk=person.pk).pk == person.pk
    staff_reads = [s for s in prepared_statements() if '"org_staff"' in s and '"org_unit"' in s]
    # One statement, prepared once, with the value as a parameter: each later run only binds a new value.
    assert len(staff_reads) == 1 and "$1" in staff_reads[0]
    for _ in range(6):  # a queryset run again and again (a list) is parsed and planned for its values each time
        list(Unit.objects.filter(parent=city.w1.parent).order_by("-id"))
    assert not [s for s in prepared_statements() if '"org_unit"' in s and '"org_staff"' not in s]
