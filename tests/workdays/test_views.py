import datetime
import re

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import AuditEvent
from workdays.models import CalendarDay, CalendarYear
from workdays.services import workday_check, year_is_entered

D = datetime.date
pytestmark = pytest.mark.usefixtures("calendar")

LIST = reverse("workdays:year_list")
DETAIL_2026 = reverse("workdays:year_detail", args=[2026])
HOLIDAYS_2027 = "2027-01-01 元旦\n2027-02-08至2027-02-12 春节\n2027-10-01至2027-10-07 国庆节"
WORKDAYS_2027 = "2027-02-07 春节\n2027-10-09 国庆节"


def enter_form(**changes) -> dict:
    data = {"year": "2027", "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027, "source": "国办发明电〔2026〕X号"}
    data.update(changes)
    return data


def text_of(response) -> str:
    return response.content.decode()


class TestWhoMaySee:
    @pytest.mark.parametrize("persona", ["cityadmin", "county", "inspector", "outsider_county"])
    def test_calendar_roles_may_read(self, people, client_for, persona):
        client = client_for(getattr(people, persona))
        assert client.get(LIST).status_code == 200
        assert client.get(DETAIL_2026).status_code == 200

    @pytest.mark.parametrize("persona", ["officer", "civilian", "auxiliary", "head"])
    def test_window_and_station_roles_are_refused(self, people, client_for, persona):
        client = client_for(getattr(people, persona))
        assert client.get(LIST).status_code == 403
        assert client.get(DETAIL_2026).status_code == 403

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get(LIST)
        assert response.status_code == 302
        assert reverse("org:login") in response["Location"]

    @pytest.mark.parametrize("persona", ["county", "inspector"])
    def test_readers_see_no_editing_controls(self, people, client_for, persona):
        client = client_for(getattr(people, persona))
        assert "录入新年度" not in text_of(client.get(LIST))
        page = text_of(client.get(DETAIL_2026))
        assert "添加一天" not in page
        assert "删除" not in page

    @pytest.mark.parametrize("persona", ["county", "inspector", "officer"])
    def test_only_the_city_administrator_may_write(self, people, client_for, persona):
        client = client_for(getattr(people, persona))
        assert client.post(LIST, enter_form()).status_code == 403
        assert client.post(DETAIL_2026, {"date": "2026-12-31", "kind": "holiday", "name": "x"}).status_code == 403
        remove = reverse("workdays:day_remove", args=[2026, "2026-02-14"])
        assert client.post(remove).status_code == 403
        assert not year_is_entered(2027)
        assert workday_check(D(2026, 2, 14)) == (True, False)
        assert workday_check(D(2026, 12, 31)) == (True, False)
        assert not AuditEvent.objects.filter(action__startswith="workdays.").exists()


class TestYearList:
    def test_lists_the_entered_years_with_their_source(self, people, client_for):
        page = text_of(client_for(people.county).get(LIST))
        assert reverse("workdays:year_detail", args=[2026]) in page
        assert "国务院办公厅节假日安排通知（chinese-calendar 1.11.0 导入）" in page

    @freeze_time("2026-11-27 10:00")
    def test_warns_in_november_that_next_year_is_missing(self, people, client_for):
        page = text_of(client_for(people.cityadmin).get(LIST))
        assert 'data-missing-year="2027"' in page
        assert "2027 年的节假日安排尚未录入" in page
        assert 'data-missing-year="2026"' not in page

    @freeze_time("2026-10-15 10:00")
    def test_no_warning_before_november_when_this_year_is_entered(self, people, client_for):
        assert "data-missing-year" not in text_of(client_for(people.cityadmin).get(LIST))

    @freeze_time("2027-03-01 10:00")
    def test_warns_when_this_year_is_missing(self, people, client_for):
        page = text_of(client_for(people.inspector).get(LIST))
        assert 'data-missing-year="2027"' in page
        assert "请联系市局管理员录入" in page
        assert 'data-missing-year="2028"' not in page

    @freeze_time("2026-11-27 10:00")
    def test_the_form_offers_the_missing_year(self, people, client_for):
        response = client_for(people.cityadmin).get(LIST)
        assert response.context["form"]["year"].value() == 2027


class TestEnterYear:
    def test_entering_2027_stores_it_and_makes_deadlines_final(self, people, client_for):
        client = client_for(people.cityadmin)
        response = client.post(LIST, enter_form(), follow=True)
        # An explicit fragment that exists on the year's page, so the form's "#enter" is not carried over.
        assert response.redirect_chain[-1][0] == reverse("workdays:year_detail", args=[2027]) + "#main"
        page = text_of(response)
        assert "已录入 2027 年节假日安排：放假 11 天（周一至周五），调休上班 2 天。" in page
        assert 'data-date="2027-02-07"' in page
        assert 'data-date="2027-10-02"' not in page  # a Saturday inside the range: off anyway
        assert workday_check(D(2027, 2, 10)) == (False, False)
        assert CalendarYear.objects.get(year=2027).entered_by == people.cityadmin
        assert AuditEvent.objects.filter(action="workdays.year_entered", actor=people.cityadmin).count() == 1

    @pytest.mark.parametrize(("field", "typed", "message"), [
        ("holidays", "2027-01-01 元旦\n2027/13/01 春节", "第 2 行“2027/13/01 春节”：没有 2027年13月1日 这一天。"),
        ("holidays", "2027-01-01 元旦\n一月一日 元旦", "第 2 行“一月一日 元旦”：日期无法识别"),
        ("holidays", "2026-12-31 元旦", "第 1 行“2026-12-31 元旦”：2026-12-31 不属于 2027 年。"),
        ("holidays", "2027-01-01 元旦\n2027-01-01 元旦", "第 2 行“2027-01-01 元旦”：2027-01-01 与第 1 行重复。"),
        ("holidays", "2027-01-02 元旦", "2027-01-02 是星期六，本来就休息"),
        ("workdays", "2027-02-15 春节", "2027-02-15 是星期一，本来就上班"),
        ("holidays", "   \n", "请填写放假日期"),
    ])
    def test_bad_lines_are_named_and_what_was_typed_stays(self, people, client_for, field, typed, message):
        response = client_for(people.cityadmin).post(LIST, enter_form(**{field: typed}))
        assert response.status_code == 200
        page = text_of(response)
        assert message in page
        if typed.strip():
            assert typed.split("\n")[-1] in page
        assert "国办发明电〔2026〕X号" in page  # the other boxes keep their text too
        assert not year_is_entered(2027)

    @pytest.mark.parametrize(("holidays", "workdays", "message"), [
        ("2027-02-08 春节", "2027-02-07 春节\n2027-02-08 春节",
         "第 2 行“2027-02-08 春节”：2027-02-08 已在“放假日期”第 1 行，同一天不能既放假又调休上班。"),
        ("2027-01-01 元旦\n2027-02-06至2027-02-12 春节", "2027-02-11 春节",
         "第 1 行“2027-02-11 春节”：2027-02-11 已在“放假日期”第 2 行，同一天不能既放假又调休上班。"),
        ("2027-02-07 春节", "2027-02-07 春节",
         "第 1 行“2027-02-07 春节”：2027-02-07 已在“放假日期”第 1 行，同一天不能既放假又调休上班。"),
    ])
    def test_a_day_both_off_and_working_is_named_once(self, people, client_for, holidays, workdays, message):
        response = client_for(people.cityadmin).post(LIST, enter_form(holidays=holidays, workdays=workdays))
        page = text_of(response)
        assert message in page
        assert response.context["form"].errors.keys() == {"workdays"}
        assert not year_is_entered(2027)

    def test_a_range_with_nothing_to_store_is_explained(self, people, client_for):
        page = text_of(client_for(people.cityadmin).post(LIST, enter_form(holidays="2027-02-06至2027-02-07 春节")))
        assert "第 1 行“2027-02-06至2027-02-07 春节”：这段日期里没有需要填写的日子。" in page

    def test_errors_in_both_boxes_are_all_shown(self, people, client_for):
        form = enter_form(holidays="2027-01-01 元旦\nxx", workdays="2027-02-07 春节\n2027-02-09 春节")
        response = client_for(people.cityadmin).post(LIST, form)
        assert "第 2 行“xx”" in str(response.context["form"].errors["holidays"])
        assert "2027-02-09 是星期二，本来就上班" in str(response.context["form"].errors["workdays"])

    def test_fullwidth_digits_and_chinese_dates_are_read(self, people, client_for):
        form = enter_form(holidays="２０２７年１月１日 元旦\n2027/2/8 春节", workdays="2027年2月7日，春节")
        client_for(people.cityadmin).post(LIST, form)
        assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "name")) == [
            (D(2027, 1, 1), "元旦"), (D(2027, 2, 7), "春节"), (D(2027, 2, 8), "春节")]

    def test_missing_source_is_asked_for(self, people, client_for):
        page = text_of(client_for(people.cityadmin).post(LIST, enter_form(source="")))
        assert "请填写依据" in page

    def test_an_entered_year_is_only_replaced_when_confirmed(self, people, client_for):
        client = client_for(people.cityadmin)
        page = text_of(client.post(LIST, enter_form(year="2026", holidays="2026-01-01 元旦", workdays="")))
        assert "2026 年已录入。如要用本次内容整体替换，请勾选表单末尾的确认框后再提交" in page
        # The box appears now, unticked, its label next to it and the reason right under it.
        box = re.search(r'<label for="id_replace"><input type="checkbox" name="replace"([^>]*)>'
                        r"<span>确认用本次内容整体替换该年度已录入的节假日安排</span></label>", page)
        assert box and "checked" not in box.group(1) and 'aria-describedby="id_replace_error"' in box.group(1)
        assert '<small class="error-text" id="id_replace_error">2026 年已录入。' in page
        assert workday_check(D(2026, 10, 1)) == (False, False)
        client.post(LIST, enter_form(year="2026", holidays="2026-01-01 元旦", workdays="", replace="on"))
        assert workday_check(D(2026, 10, 1)) == (True, False)

    def test_a_year_not_entered_offers_no_replace_box(self, people, client_for):
        client = client_for(people.cityadmin)
        assert 'name="replace"' not in text_of(client.get(LIST))
        page = text_of(client.post(LIST, enter_form(source="")))  # 2027, refused for another reason
        assert "请填写依据" in page
        assert 'name="replace"' not in page and "确认用本次内容整体替换" not in page

    def test_a_ticked_box_stays_ticked_when_another_mistake_is_shown(self, people, client_for):
        page = text_of(client_for(people.cityadmin).post(
            LIST, enter_form(year="2026", holidays="2026-01-01 元旦", workdays="", source="", replace="on")))
        assert "请填写依据" in page
        assert re.search(r'<input type="checkbox" name="replace"[^>]* checked', page)
        assert "2026 年已录入" not in page  # confirmed already: no need to ask again
        assert workday_check(D(2026, 10, 1)) == (False, False)

    def test_a_year_that_is_not_a_number_is_refused(self, people, client_for):
        response = client_for(people.cityadmin).post(LIST, enter_form(year="二〇二七"))
        assert response.status_code == 200
        assert not CalendarYear.objects.filter(year__gt=2026).exists()


class TestYearDetail:
    def test_lists_holidays_and_weekend_working_days(self, people, client_for):
        page = text_of(client_for(people.inspector).get(DETAIL_2026))
        assert 'data-date="2026-02-14"' in page
        assert "星期六" in page
        assert "调休上班" in page
        assert 'data-date="2026-10-01"' in page

    def test_a_year_not_entered_says_so(self, people, client_for):
        page = text_of(client_for(people.cityadmin).get(reverse("workdays:year_detail", args=[2027])))
        assert "2027 年的节假日安排尚未录入" in page
        assert "?year=2027#enter" in page

    def test_an_absurd_year_is_not_found(self, people, client_for):
        assert client_for(people.cityadmin).get(reverse("workdays:year_detail", args=[99999])).status_code == 404

    def test_adding_a_day(self, people, client_for):
        response = client_for(people.cityadmin).post(
            DETAIL_2026, {"date": "2026-12-31", "kind": "holiday", "name": "临时放假"}, follow=True)
        assert "已添加 2026-12-31" in text_of(response)
        assert workday_check(D(2026, 12, 31)) == (False, False)
        assert AuditEvent.objects.filter(action="workdays.day_added", actor=people.cityadmin).exists()

    @pytest.mark.parametrize(("data", "message"), [
        ({"date": "2026-13-01", "kind": "holiday"}, "日期格式不对"),
        ({"date": "2027-01-01", "kind": "holiday"}, "2027-01-01 不属于 2026 年。"),
        ({"date": "2026-10-01", "kind": "holiday"}, "2026-10-01 已有记录"),
        ({"date": "2026-12-30", "kind": "workday"}, "2026-12-30 是星期三，本来就上班"),
        ({"date": "2026-12-31", "kind": "nonsense"}, "nonsense"),
        ({"date": "", "kind": "holiday"}, "日期"),
    ])
    def test_bad_days_are_explained(self, people, client_for, data, message):
        response = client_for(people.cityadmin).post(DETAIL_2026, data)
        assert response.status_code == 200
        page = text_of(response)
        assert message in page
        assert "请修改以下内容后再提交" in page
        assert CalendarDay.objects.filter(date__year=2026).count() == 25

    def test_adding_to_a_year_not_entered_is_explained(self, people, client_for):
        response = client_for(people.cityadmin).post(
            reverse("workdays:year_detail", args=[2027]), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
        assert response.status_code == 200
        assert "2027 年的节假日安排尚未录入，请先录入该年度。" in text_of(response)

    def test_removing_a_day(self, people, client_for):
        client = client_for(people.cityadmin)
        response = client.post(reverse("workdays:day_remove", args=[2026, "2026-02-14"]), follow=True)
        assert "已删除 2026-02-14 的记录，这一天恢复为普通的星期六。" in text_of(response)
        assert workday_check(D(2026, 2, 14)) == (False, False)
        assert AuditEvent.objects.filter(action="workdays.day_removed").count() == 1

    def test_removing_a_day_twice_is_explained(self, people, client_for):
        client = client_for(people.cityadmin)
        url = reverse("workdays:day_remove", args=[2026, "2026-02-14"])
        client.post(url)
        assert "2026-02-14 没有记录" in text_of(client.post(url, follow=True))

    def test_removing_needs_post_and_a_real_date(self, people, client_for):
        client = client_for(people.cityadmin)
        assert client.get(reverse("workdays:day_remove", args=[2026, "2026-02-14"])).status_code == 405
        assert client.post("/calendar/2026/days/2026-02-30/remove/").status_code == 404


class TestCalculator:
    def test_n_working_days_after(self, people, client_for):
        page = text_of(client_for(people.county).get(DETAIL_2026, {"calc-start": "2026-09-30", "calc-n": "3"}))
        assert "2026-09-30（星期三）起 3 个工作日后：<strong>2026-10-10（星期六）</strong>" in page
        assert "暂定（该年节假日安排未录入）</span>" not in page

    def test_a_result_in_a_year_not_entered_is_marked_provisional(self, people, client_for):
        page = text_of(client_for(people.inspector).get(LIST, {"calc-start": "2026-12-30", "calc-n": "3"}))
        assert "<strong>2027-01-04（星期一）</strong>" in page
        assert '<span class="badge warn">暂定（该年节假日安排未录入）</span>' in page

    def test_working_day_on_or_before(self, people, client_for):
        page = text_of(client_for(people.cityadmin).get(DETAIL_2026, {"back-day": "2026-02-19"}))
        assert "2026-02-19（星期四）当天或之前的最后一个工作日：<strong>2026-02-14（星期六）</strong>" in page

    @pytest.mark.parametrize(("query", "message"), [
        ({"calc-start": "2026-02-30", "calc-n": "3"}, "日期格式不对"),
        ({"calc-start": "2026-02-13", "calc-n": "abc"}, "工作日数"),
        ({"calc-start": "2026-02-13", "calc-n": "5000"}, "400"),
        ({"back-day": "tomorrow"}, "日期格式不对"),
    ])
    def test_bad_input_is_explained(self, people, client_for, query, message):
        response = client_for(people.cityadmin).get(DETAIL_2026, query)
        assert response.status_code == 400
        assert message in text_of(response)
        assert 'data-result=' not in text_of(response)


def test_the_pages_speak_english_as_the_second_language(people, client_for):
    client = client_for(people.inspector)
    page = text_of(client.get(LIST, {"calc-start": "2026-12-30", "calc-n": "3"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Working calendar" in page
    assert "3 working days after 2026-12-30 (Wednesday): <strong>2027-01-04 (Monday)</strong>" in page
    assert "Provisional (that year" in page


def test_the_replace_box_speaks_english_too(people, client_for):
    client = client_for(people.cityadmin)
    page = text_of(client.post(LIST, enter_form(year="2026", holidays="2026-01-01 元旦", workdays=""),
                               HTTP_ACCEPT_LANGUAGE="en"))
    assert "2026 is already entered. To replace the whole year" in page
    assert "<span>Yes, replace the schedule already entered for this year with what is entered here</span>" in page
