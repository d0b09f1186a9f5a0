import datetime

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import AuditEvent
from workdays.models import CalendarDay, CalendarYear, DayKind
from workdays.seed import calendar_years_seed
from workdays.services import calendar_day_remove, workday_check

D = datetime.date
SOURCE = "国务院办公厅节假日安排通知（chinese-calendar 1.11.0 导入）"


def days_of(year: int, kind: str) -> list[datetime.date]:
    return list(CalendarDay.objects.filter(date__year=year, kind=kind).values_list("date", flat=True))


class TestMigrationSeed:
    def test_every_year_from_2004_to_2026_is_entered_from_the_package(self, db):
        years = CalendarYear.objects.order_by("year")
        assert [y.year for y in years] == list(range(2004, 2027))
        assert {y.source for y in years} == {SOURCE}
        assert all(y.entered_by is None for y in years)

    def test_2026_weekend_working_days(self, db):
        assert days_of(2026, DayKind.WORKDAY) == [
            D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]

    def test_2026_spring_festival_and_national_day_are_stored_only_on_weekdays(self, db):
        holidays = set(days_of(2026, DayKind.HOLIDAY))
        assert {D(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)} <= holidays
        assert {D(2026, 10, d) for d in (1, 2, 5, 6, 7)} <= holidays
        assert D(2026, 2, 21) not in holidays  # a Saturday: off anyway
        assert all(d.weekday() < 5 for d in holidays)

    def test_names_are_in_chinese(self, db):
        names = set(CalendarDay.objects.values_list("name", flat=True))
        assert names == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "抗战胜利70周年纪念日"}
        assert CalendarDay.objects.get(date=D(2015, 9, 3)).name == "抗战胜利70周年纪念日"
        assert CalendarDay.objects.get(date=D(2026, 9, 20)).name == "国庆节"

    def test_every_day_of_2026_agrees_with_the_package(self, db):
        day = D(2026, 1, 1)
        while day.year == 2026:
            assert workday_check(day) == (chinese_calendar.is_workday(day), False), day
            day += datetime.timedelta(days=1)

    @pytest.mark.parametrize("year", [2004, 2015, 2020, 2025])
    def test_other_years_agree_with_the_package(self, db, year):
        day, expected = D(year, 1, 1), set()
        while day.year == year:
            if chinese_calendar.is_workday(day) != (day.weekday() < 5):
                expected.add(day)
            day += datetime.timedelta(days=1)
        assert set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True)) == expected

    def test_the_seed_function_works_on_historical_models(self, db):
        state = MigrationExecutor(connection).loader.project_state(("workdays", "0002_seed_calendar"))
        year_model = state.apps.get_model("workdays", "CalendarYear")
        day_model = state.apps.get_model("workdays", "CalendarDay")
        CalendarDay.objects.filter(date__year=2010).delete()
        CalendarYear.objects.filter(year=2010).delete()
        report = calendar_years_seed(year_model=year_model, day_model=day_model, years=range(2009, 2012))
        assert report.seeded == [2010]
        assert report.skipped == [2009, 2011]
        assert CalendarDay.objects.get(date=D(2010, 10, 1)).name == "国庆节"


class TestSeedCommand:
    def test_running_it_again_changes_nothing(self, db, capsys):
        before = CalendarDay.objects.count()
        call_command("calendar_seed")
        call_command("calendar_seed")
        assert CalendarDay.objects.count() == before
        assert "保留不变" in capsys.readouterr().out
        assert not AuditEvent.objects.filter(action="workdays.calendar_seeded").exists()

    def test_it_keeps_an_administrators_correction_unless_told_to_replace(self, people):
        calendar_day_remove(year=2026, day=D(2026, 2, 14), actor=people.cityadmin)
        call_command("calendar_seed", "2026")
        assert workday_check(D(2026, 2, 14)) == (False, False)
        call_command("calendar_seed", "2026", "--replace")
        assert workday_check(D(2026, 2, 14)) == (True, False)
        event = AuditEvent.objects.get(action="workdays.calendar_seeded")
        assert event.data["seeded"] == [2026]

    def test_it_fills_a_missing_year(self, db):
        CalendarDay.objects.filter(date__year=2026).delete()
        CalendarYear.objects.filter(year=2026).delete()
        call_command("calendar_seed", "2026")
        assert days_of(2026, DayKind.WORKDAY)[0] == D(2026, 1, 4)
        assert CalendarYear.objects.get(year=2026).source == SOURCE

    def test_a_year_the_package_lacks_is_refused_clearly(self, db):
        with pytest.raises(CommandError, match="2004 到 2026"):
            call_command("calendar_seed", "2027")
        assert not CalendarYear.objects.filter(year=2027).exists()
