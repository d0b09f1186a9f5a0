import datetime

import pytest

from core.errors import DomainError
from core.models import AuditEvent
from workdays.models import CalendarDay, DayKind
from workdays.services import (
    Deadline,
    add_workdays,
    calendar_day_add,
    calendar_day_remove,
    calendar_year_enter,
    workday_check,
    workday_on_or_before,
    year_is_entered,
)

D = datetime.date
pytestmark = pytest.mark.usefixtures("calendar")


def enter_2027(actor=None):
    return calendar_year_enter(
        year=2027,
        holidays=[(D(2027, 1, 1), "元旦"), (D(2027, 2, 8), "春节"), (D(2027, 2, 9), "春节")],
        workdays=[(D(2027, 2, 7), "春节")],
        source="国办发明电〔2026〕X号",
        actor=actor,
    )


class TestSpringFestival2026:
    """Feb 15-23 2026 off; Saturdays Feb 14 and Feb 28 are working days."""

    def test_the_day_after_the_start_is_the_first_working_day(self):
        assert add_workdays(D(2026, 3, 2), 1) == Deadline(D(2026, 3, 3), False)

    def test_zero_working_days_is_the_start_day_itself(self):
        assert add_workdays(D(2026, 2, 13), 0) == Deadline(D(2026, 2, 13), False)

    def test_saturday_feb_14_counts_as_a_working_day(self):
        assert add_workdays(D(2026, 2, 13), 1).date == D(2026, 2, 14)

    def test_the_holiday_week_is_skipped(self):
        assert add_workdays(D(2026, 2, 13), 2).date == D(2026, 2, 24)

    def test_five_working_days_from_the_thursday_before_the_festival(self):
        # 13th (1), Sat 14th (2), 24th (3), 25th (4), 26th (5).
        assert add_workdays(D(2026, 2, 12), 5) == Deadline(D(2026, 2, 26), False)

    def test_saturday_feb_28_counts_as_a_working_day(self):
        assert add_workdays(D(2026, 2, 27), 1).date == D(2026, 2, 28)

    def test_fujian_ten_working_day_callback_deadline(self):
        # 11, 12, 13, Sat 14, 24, 25, 26, 27, Sat 28, Mon Mar 2.
        assert add_workdays(D(2026, 2, 10), 10) == Deadline(D(2026, 3, 2), False)


class TestNationalDay2026:
    """Oct 1-7 2026 off; Sunday Sep 20 and Saturday Oct 10 are working days; Sep 25 is 中秋节."""

    def test_sunday_sep_20_counts_as_a_working_day(self):
        assert add_workdays(D(2026, 9, 18), 1).date == D(2026, 9, 20)

    def test_the_golden_week_is_skipped(self):
        assert add_workdays(D(2026, 9, 30), 1).date == D(2026, 10, 8)

    def test_saturday_oct_10_counts_as_a_working_day(self):
        assert add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 10)

    def test_mid_autumn_friday_is_skipped(self):
        assert add_workdays(D(2026, 9, 24), 1).date == D(2026, 9, 28)


class TestWorkdayOnOrBefore:
    """Report deadlines: 遇节假日提前."""

    @pytest.mark.parametrize(("due", "moved_to"), [
        (D(2026, 10, 3), D(2026, 9, 30)),   # the 3rd falls in the National Day week
        (D(2026, 2, 19), D(2026, 2, 14)),   # the 19th falls in the Spring Festival; Sat 14th is a working day
        (D(2026, 2, 22), D(2026, 2, 14)),
        (D(2026, 3, 1), D(2026, 2, 28)),    # Sunday -> the 调休 Saturday before it
        (D(2026, 5, 3), D(2026, 4, 30)),    # Labour Day
        (D(2026, 1, 3), D(2025, 12, 31)),   # back into the previous year
    ])
    def test_a_deadline_on_a_day_off_moves_back(self, due, moved_to):
        assert workday_on_or_before(due) == Deadline(moved_to, False)

    @pytest.mark.parametrize("due", [D(2026, 10, 9), D(2026, 2, 28), D(2026, 10, 29)])
    def test_a_deadline_on_a_working_day_stays(self, due):
        assert workday_on_or_before(due) == Deadline(due, False)


class TestYearNotEntered:
    def test_2027_is_not_entered(self):
        assert not year_is_entered(2027)

    def test_weekends_only_and_provisional(self):
        # Thu Dec 31 (1), Fri Jan 1 2027 counted as an ordinary Friday (2), Mon Jan 4 (3).
        assert add_workdays(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 4), True)

    def test_a_result_inside_an_entered_year_is_not_provisional(self):
        assert add_workdays(D(2026, 12, 28), 2) == Deadline(D(2026, 12, 30), False)

    def test_a_long_period_far_into_an_unknown_year_never_crashes(self):
        result = add_workdays(D(2027, 6, 1), 400)
        assert result.provisional is True
        assert result.date.year == 2028

    def test_on_or_before_counts_weekends_only(self):
        assert workday_on_or_before(D(2027, 1, 3)) == Deadline(D(2027, 1, 1), True)

    def test_check(self):
        assert workday_check(D(2027, 1, 1)) == (True, True)
        assert workday_check(D(2026, 2, 14)) == (True, False)
        assert workday_check(D(2026, 2, 16)) == (False, False)

    def test_entering_the_year_makes_results_final(self, people):
        enter_2027(people.cityadmin)
        # Thu Dec 31 (1), Jan 1 元旦 off, Mon Jan 4 (2), Tue Jan 5 (3).
        assert add_workdays(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 5), False)
        assert workday_on_or_before(D(2027, 2, 9)) == Deadline(D(2027, 2, 7), False)
        assert workday_check(D(2027, 2, 7)) == (True, False)


@pytest.mark.parametrize("n", [-1, 401])
def test_an_absurd_number_of_working_days_is_refused(n):
    with pytest.raises(DomainError) as exc:
        add_workdays(D(2026, 3, 2), n)
    assert exc.value.code == "bad_workdays"


def test_a_datetime_start_counts_like_its_date():
    start = datetime.datetime(2026, 2, 13, 16, 30)
    assert add_workdays(start, 1).date == D(2026, 2, 14)


class TestYearEnter:
    def test_writes_the_days_and_an_audit_event(self, people):
        cal_year = enter_2027(people.cityadmin)
        assert cal_year.entered_by == people.cityadmin
        assert cal_year.source == "国办发明电〔2026〕X号"
        days = list(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind", "name"))
        assert days == [(D(2027, 1, 1), DayKind.HOLIDAY, "元旦"), (D(2027, 2, 7), DayKind.WORKDAY, "春节"),
                        (D(2027, 2, 8), DayKind.HOLIDAY, "春节"), (D(2027, 2, 9), DayKind.HOLIDAY, "春节")]
        event = AuditEvent.objects.get(action="workdays.year_entered")
        assert event.actor == people.cityadmin
        assert event.data["holidays"] == ["2027-01-01 元旦", "2027-02-08 春节", "2027-02-09 春节"]
        assert event.data["replaced"] is None

    def test_entering_again_replaces_the_year_and_records_what_was_there(self, people):
        enter_2027(people.cityadmin)
        calendar_year_enter(year=2027, holidays=[(D(2027, 10, 1), "国庆节")], workdays=[], source="更正",
                            actor=people.cityadmin)
        assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [D(2027, 10, 1)]
        assert workday_check(D(2027, 2, 8)) == (True, False)
        event = AuditEvent.objects.filter(action="workdays.year_entered").first()
        assert event.data["replaced"]["source"] == "国办发明电〔2026〕X号"
        assert "2027-02-08 春节" in event.data["replaced"]["days"]

    @pytest.mark.parametrize(("holidays", "workdays", "code", "text"), [
        ([(D(2026, 12, 31), "x")], [], "wrong_year", "2026-12-31 不属于 2027 年"),
        ([(D(2027, 2, 8), "春节")], [(D(2027, 2, 8), "春节")], "overlap", "同一天不能既放假又调休上班：2027-02-08"),
        ([(D(2027, 2, 8), "春节"), (D(2027, 2, 8), "春节")], [], "duplicate", "2027-02-08 重复"),
        ([(D(2027, 1, 2), "元旦")], [], "wrong_weekday", "2027-01-02 是星期六"),
        ([], [(D(2027, 2, 7), "春节")], "empty", "至少填写一个放假日期"),
    ])
    def test_bad_schedules_are_refused_and_nothing_is_written(self, people, holidays, workdays, code, text):
        with pytest.raises(DomainError) as exc:
            calendar_year_enter(year=2027, holidays=holidays, workdays=workdays, source="x", actor=people.cityadmin)
        assert exc.value.code == code
        assert text in exc.value.message
        assert not year_is_entered(2027)
        assert not AuditEvent.objects.filter(action="workdays.year_entered").exists()


class TestDayAddRemove:
    def test_adding_an_extra_holiday_changes_the_arithmetic(self, people):
        calendar_day_add(year=2026, day=D(2026, 12, 31), kind=DayKind.HOLIDAY, name="临时放假",
                         actor=people.cityadmin)
        assert workday_on_or_before(D(2026, 12, 31)).date == D(2026, 12, 30)
        event = AuditEvent.objects.get(action="workdays.day_added")
        assert event.data == {"date": "2026-12-31", "kind": "holiday", "name": "临时放假"}
        assert event.actor == people.cityadmin

    def test_removing_a_day_makes_it_ordinary_again(self, people):
        calendar_day_remove(year=2026, day=D(2026, 2, 14), actor=people.cityadmin)
        assert workday_check(D(2026, 2, 14)) == (False, False)
        event = AuditEvent.objects.get(action="workdays.day_removed")
        assert event.data == {"date": "2026-02-14", "kind": "workday", "name": "春节"}

    def test_a_date_already_listed_is_refused(self, people):
        with pytest.raises(DomainError) as exc:
            calendar_day_add(year=2026, day=D(2026, 10, 1), kind=DayKind.HOLIDAY, name="", actor=people.cityadmin)
        assert exc.value.code == "duplicate"
        assert "2026-10-01 已有记录" in exc.value.message

    def test_a_year_not_entered_is_refused(self, people):
        with pytest.raises(DomainError) as exc:
            calendar_day_add(year=2027, day=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", actor=people.cityadmin)
        assert exc.value.code == "year_not_entered"

    def test_removing_a_missing_day_is_refused(self, people):
        with pytest.raises(DomainError) as exc:
            calendar_day_remove(year=2026, day=D(2026, 3, 3), actor=people.cityadmin)
        assert exc.value.code == "not_found"
