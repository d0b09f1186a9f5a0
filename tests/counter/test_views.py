import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import AuditEvent
from counter import services
from counter.models import Case, CaseStatus
from tests.factories import valid_id
from tests.fixtures.cases import material_ids

pytestmark = pytest.mark.usefixtures("guide")
NOW = "2026-11-27 09:00:00+08:00"


def new_case_data(item, *names, **extra):
    data = {
        "applicant_name": "张小明", "applicant_id_number": valid_id(), "applicant_phone": "13800138000",
        "materials": material_ids(item, *names), "action": "notice",
    }
    data.update(extra)
    return data


@freeze_time(NOW)
def test_desk_lists_items_of_the_guide_and_finds_by_pinyin_initials(client_for, people):
    client = client_for(people.officer)

    everything = client.get(reverse("counter:desk"))
    found = client.get(reverse("counter:desk"), {"q": "swzx"})

    assert "出生登记" in everything.content.decode() and "死亡注销" in everything.content.decode()
    body = found.content.decode()
    assert "死亡注销" in body and "出生登记" not in body


@freeze_time(NOW)
def test_officer_records_a_case_with_missing_materials_and_gets_a_notice(client_for, people, guide, city):
    client = client_for(people.officer)

    response = client.post(reverse("counter:case_new", args=[guide.birth.pk]),
                           new_case_data(guide.birth, "出生医学证明", window=city.w1.pk))

    case = Case.objects.get()
    assert response.status_code == 302
    # Straight to the notice's print view: the applicant takes it away.
    assert response.url == reverse("counter:document", args=[case.documents.get().public_id])
    page = client.get(response.url).content.decode()
    assert "补充材料告知单" in page and "提醒申请人使用评价器评价" in page and "打印" in page
    assert case.status == CaseStatus.NOTICE


@freeze_time(NOW)
def test_bad_applicant_input_keeps_everything_typed_and_says_what_to_fix(client_for, people, guide, city):
    client = client_for(people.officer)
    bad_id = valid_id()[:17] + ("0" if valid_id()[17] != "0" else "1")

    response = client.post(reverse("counter:case_new", args=[guide.birth.pk]),
                           new_case_data(guide.birth, "出生医学证明", window=city.w1.pk,
                                         applicant_id_number=bad_id, applicant_phone="12345"))

    body = response.content.decode()
    assert response.status_code == 400
    assert "校验位不正确" in body and "联系电话应为11位手机号码" in body
    assert 'value="张小明"' in body and f'value="{bad_id}"' in body
    # The ticked material is still ticked.
    checked = material_ids(guide.birth, "出生医学证明")[0]
    assert f'value="{checked}"' in body and "checked" in body
    assert Case.objects.count() == 0


@freeze_time(NOW)
def test_empty_form_is_answered_in_chinese(client_for, people, guide):
    response = client_for(people.officer).post(reverse("counter:case_new", args=[guide.birth.pk]), {})

    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写申请人姓名" in body and "请填写公民身份号码" in body


@freeze_time(NOW)
def test_accepting_with_missing_materials_from_the_form_rolls_back_and_says_what_is_missing(
    client_for, people, guide, city
):
    response = client_for(people.officer).post(
        reverse("counter:case_new", args=[guide.birth.pk]),
        new_case_data(guide.birth, "出生医学证明", window=city.w1.pk, action="accept"),
    )

    assert response.status_code == 400
    assert "材料不齐全，不能受理" in response.content.decode()
    assert Case.objects.count() == 0


@freeze_time(NOW)
def test_material_id_outside_the_guide_is_refused_by_the_form(client_for, people, guide, city):
    outside = guide.death.materials.first().pk
    data = new_case_data(guide.birth, window=city.w1.pk)
    data["materials"] = [outside]

    response = client_for(people.officer).post(reverse("counter:case_new", args=[guide.birth.pk]), data)

    assert response.status_code == 400
    assert "不在本事项的办事指南材料清单内" in response.content.decode()


@freeze_time(NOW)
def test_civilian_sees_only_the_register_button_and_cannot_accept(client_for, people, guide, city):
    client = client_for(people.civilian)
    page = client.get(reverse("counter:case_new", args=[guide.birth.pk])).content.decode()
    assert "登记（交民警决定）" in page and "材料齐全，受理" not in page

    response = client.post(reverse("counter:case_new", args=[guide.birth.pk]),
                           new_case_data(guide.birth, "出生医学证明", "父母户口簿", "父母结婚证",
                                         window=city.w1.pk, action="accept"))

    assert response.status_code == 400
    assert "文职人员、协勤人员不得直接办理户政业务" in response.content.decode()
    assert Case.objects.count() == 0


@freeze_time(NOW)
def test_returning_applicant_is_accepted_and_case_completed_through_the_case_page(
    client_for, people, guide, open_case
):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)
    case.refresh_from_db()
    client = client_for(people.officer)
    url = reverse("counter:case_decide", args=[case.number])

    accepted = client.post(url, {"action": "accept", "revision": case.revision,
                                 "materials": material_ids(guide.birth, "父母户口簿", "父母结婚证")})
    case.refresh_from_db()
    completed = client.post(url, {"action": "complete", "revision": case.revision})

    assert accepted.status_code == 302 and completed.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


@freeze_time(NOW)
def test_second_decision_with_a_stale_page_gets_409_and_a_clear_message(client_for, people, open_case):
    case = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
    stale = case.revision
    url = reverse("counter:case_decide", args=[case.number])
    client_for(people.officer2).post(url, {"action": "accept", "revision": stale})

    response = client_for(people.officer).post(url, {
        "action": "refuse", "revision": stale, "legal_basis": "《户口登记条例》第七条",
        "explanation": "不符合办理条件，依法不予受理。",
    })

    assert response.status_code == 409
    assert "该办件刚刚已由李警官处理" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


@freeze_time(NOW)
def test_refusal_without_a_basis_keeps_the_explanation_typed(client_for, people, open_case):
    case = open_case(None, "出生医学证明")

    response = client_for(people.officer).post(reverse("counter:case_decide", args=[case.number]), {
        "action": "refuse", "revision": case.revision, "legal_basis": "", "explanation": "申请人不在本辖区居住。",
    })

    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写不予受理的法律依据" in body and "申请人不在本辖区居住。" in body


@freeze_time(NOW)
@pytest.mark.parametrize("data", [
    {}, {"action": "explode", "revision": "1"}, {"action": "accept", "revision": "abc"},
    {"action": "accept", "revision": "0", "materials": ["x"]},
])
def test_malformed_decision_posts_get_a_400_not_a_500(client_for, people, open_case, data):
    case = open_case(None, "出生医学证明")

    response = client_for(people.officer).post(reverse("counter:case_decide", args=[case.number]), data)

    assert response.status_code == 400


@freeze_time(NOW)
def test_another_countys_case_is_404_and_not_listed(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    client = client_for(people.outsider)

    assert client.get(reverse("counter:case_detail", args=[case.number])).status_code == 404
    assert client.post(reverse("counter:case_decide", args=[case.number]),
                       {"action": "accept", "revision": 0}).status_code == 404
    assert case.number not in client.get(reverse("counter:case_list")).content.decode()
    document = services.case_notify(case=case, actor=people.officer)
    assert client.get(reverse("counter:document", args=[document.public_id])).status_code == 404


@freeze_time(NOW)
def test_county_and_city_see_the_case_but_another_county_admin_does_not(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    url = reverse("counter:case_detail", args=[case.number])

    assert client_for(people.county).get(url).status_code == 200
    assert client_for(people.inspector).get(url).status_code == 200
    assert client_for(people.outsider_county).get(url).status_code == 404


@freeze_time(NOW)
def test_id_number_is_masked_until_revealed_and_the_reveal_is_audited(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    client = client_for(people.officer)

    page = client.get(reverse("counter:case_detail", args=[case.number])).content.decode()
    assert valid_id() not in page and "13800138000" not in page
    assert "3501" in page and "138****8000" in page

    revealed = client.post(reverse("counter:case_reveal", args=[case.number])).content.decode()
    assert valid_id() in revealed
    assert AuditEvent.objects.filter(action="case.personal_data_viewed").count() == 1

    assert client_for(people.county).post(reverse("counter:case_reveal", args=[case.number])).status_code == 403


@freeze_time(NOW)
def test_an_officer_stopped_from_duty_sees_the_case_masked_and_is_refused_the_reveal(client, people, open_case):
    case = open_case(None, "出生医学证明")
    client.force_login(people.stopped)

    page = client.get(reverse("counter:case_detail", args=[case.number])).content.decode()
    assert valid_id() not in page and "查看完整号码" not in page
    refused = client.post(reverse("counter:case_reveal", args=[case.number]))
    assert refused.status_code == 403 and valid_id() not in refused.content.decode()
    assert "停止执行职务" in refused.content.decode()


@freeze_time(NOW)
def test_overdue_cases_stand_out_first_in_the_list(client_for, people, open_case):
    with freeze_time("2026-11-02 09:00:00+08:00"):
        late = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
        services.case_accept(case=late, actor=people.officer)
    fresh = open_case(None, "出生医学证明")

    body = client_for(people.head).get(reverse("counter:case_list")).content.decode()

    assert body.index(late.number) < body.index(fresh.number)
    assert 'class="overdue"' in body and "已超期" in body


@freeze_time(NOW)
def test_printed_notice_and_pdf(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    document = services.case_notify(case=case, actor=people.officer)
    client = client_for(people.officer)

    page = client.get(reverse("counter:document", args=[document.public_id])).content.decode()
    pdf = client.get(reverse("counter:document_pdf", args=[document.public_id]))

    assert document.number in page and "父母户口簿" in page
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@freeze_time(NOW)
def test_roles_without_a_counter_get_403_on_the_desk(client_for, people):
    assert client_for(people.county).get(reverse("counter:desk")).status_code == 403


@freeze_time(NOW)
def test_overrides_of_the_one_time_rule_are_counted_on_the_lists(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)
    services.case_notify(case=case, actor=people.head, conditions=["非婚生育随父登记"],
                         override_reason="申请人补充说明系非婚生育，需随父登记")

    head_list = client_for(people.head).get(reverse("counter:case_list")).content.decode()
    other_county = client_for(people.outsider_county).get(reverse("counter:case_list")).content.decode()

    assert "所长补充告知（突破一次性告知）1 次" in head_list
    assert "所长补充告知" not in other_county


@freeze_time(NOW)
def test_case_page_shows_the_rating_invitation_and_reminds_the_officer(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)

    body = client_for(people.officer).get(reverse("counter:case_detail", args=[case.number])).content.decode()

    assert 'id="case-ratings"' in body and "待评价" in body
    assert "请提醒申请人在窗口评价器上对本次服务作出评价" in body
    assert "发起时评价器离线" in body  # no evaluator is paired with this window


def _publish_version_2(city, people, guide):
    """The county publishes version 2 (same items) in force from today."""
    from catalog.services import guide_draft_create, guide_publish

    with freeze_time(NOW):
        draft = guide_draft_create(guide=guide.version.guide, actor=people.county)
        return guide_publish(version=draft, actor=people.county, effective_date=datetime.date(2026, 11, 27), note="")


def test_an_item_link_from_before_a_new_version_leads_to_the_item_now_in_force(client_for, people, guide, city):
    client = client_for(people.officer)
    old_url = reverse("counter:case_new", args=[guide.birth.pk])
    version_2 = _publish_version_2(city, people, guide)
    current = version_2.items.get(code=guide.birth.code)

    with freeze_time(NOW):
        opened = client.get(old_url, follow=True)
        sent = client.post(old_url, new_case_data(guide.birth, "出生医学证明", applicant_name="李阿婆"))

    assert opened.redirect_chain[-1][0] == reverse("counter:case_new", args=[current.pk])
    assert "已转到“出生登记”的现行版本" in opened.content.decode()
    body = sent.content.decode()
    assert sent.status_code == 409
    assert "请按现行版本重新勾选已提交的材料" in body and "李阿婆" in body
    assert f'action="{reverse("counter:case_new", args=[current.pk])}"' in body
    assert Case.objects.count() == 0


def test_an_item_the_new_version_dropped_is_explained(client_for, people, guide, city):
    from catalog.services import guide_draft_create, guide_publish, item_delete

    with freeze_time(NOW):
        draft = guide_draft_create(guide=guide.version.guide, actor=people.county)
        item_delete(item=draft.items.get(code=guide.death.code), actor=people.county)
        guide_publish(version=draft, actor=people.county, effective_date=datetime.date(2026, 11, 27), note="")
        response = client_for(people.officer).get(reverse("counter:case_new", args=[guide.death.pk]))

    assert response.status_code == 404
    assert "“死亡注销”已不在本县现行的办事指南中" in response.content.decode()


def test_another_countys_item_is_still_a_plain_404(client_for, people, guide):
    with freeze_time(NOW):
        response = client_for(people.officer).get(reverse("counter:case_new", args=[guide.taijiang_birth.pk]))
    assert response.status_code == 404 and "现行版本" not in response.content.decode()


@freeze_time(NOW)
def test_an_on_the_spot_acceptance_says_it_is_completed(client_for, people, guide, city):
    response = client_for(people.officer).post(
        reverse("counter:case_new", args=[guide.death.pk]),
        new_case_data(guide.death, "死亡医学证明", "死者户口簿", "申报人居民身份证", window=city.w1.pk,
                      action="accept"),
        follow=True)
    body = response.content.decode()
    assert "已受理并当场办结" in body and "请打印受理回执" not in body


def test_a_plain_acceptance_does_not_ask_for_a_rating_the_evaluator_will_not_show(client_for, people, guide,
                                                                                  open_case):
    case = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
    response = client_for(people.officer).post(
        reverse("counter:case_decide", args=[case.number]), {"action": "accept", "revision": case.revision},
        follow=True)
    body = response.content.decode()
    assert "已受理，请打印受理回执交申请人" in body
    assert "提醒申请人使用评价器评价" not in body and "办结时再请申请人使用评价器评价" in body


@freeze_time(NOW)
def test_the_list_counts_the_overdue_cases_among_those_it_lists(client_for, people, open_case):
    from core import clock

    with freeze_time("2026-09-01 09:00:00+08:00"):
        late = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
        services.case_accept(case=late, actor=people.officer)
    open_case(None, "出生医学证明")
    assert clock.today() > Case.objects.get(pk=late.pk).deadline

    page = client_for(people.head).get(reverse("counter:case_list"), {"status": "intake"}).content.decode()
    assert "共 1 件" in page and "已超期" not in page.split("共 1 件")[1].split("</p>")[0]


@freeze_time(NOW)
def test_a_returning_applicant_is_found_by_the_full_id_number_and_no_one_else(client_for, people, guide, city):
    from tests.factories import case_open

    mine = case_open(actor=people.officer, window=city.w1, item=guide.birth,
                     applicant=services.Applicant("林回访", valid_id("35010219850101002"), "13800138001"))
    # Another applicant whose ID shares the first digits: a partial match would list them too.
    other = case_open(actor=people.officer, window=city.w1, item=guide.birth,
                      applicant=services.Applicant("陈别人", valid_id("35010219850101003"), "13800138002"))
    client = client_for(people.head)

    typed = valid_id("35010219850101002").lower().replace("", " ").strip()  # with spaces, a lower-case x
    page = client.get(reverse("counter:case_list"), {"q": typed}).content.decode()
    assert mine.number in page and other.number not in page and "共 1 件" in page
    # The page never shows the full number it was searched by.
    assert valid_id("35010219850101002") not in page.replace(f'value="{typed}"', "")


@freeze_time(NOW)
def test_a_document_number_finds_its_case_and_a_scanned_case_number_opens_it(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    notice = services.case_notify(case=case, actor=people.officer)
    client = client_for(people.officer)

    part = notice.number[-8:]  # the serial end of 鼓公东户补〔2026〕第000001号
    listed = client.get(reverse("counter:case_list"), {"q": part})
    assert listed.status_code == 200 and case.number in listed.content.decode()

    for code in (notice.number, case.number, f" {case.number.lower()} "):
        opened = client.get(reverse("counter:case_list"), {"q": code})
        assert opened.status_code == 302 and opened["Location"] == reverse("counter:case_detail", args=[case.number])


@freeze_time(NOW)
def test_a_scanned_number_of_another_countys_case_opens_nothing(client_for, people, open_case):
    case = open_case(None, "出生医学证明")
    notice = services.case_notify(case=case, actor=people.officer)
    client = client_for(people.outsider_county)
    for code in (case.number, notice.number):
        page = client.get(reverse("counter:case_list"), {"q": code})
        assert page.status_code == 200 and "共 0 件" in page.content.decode()


def test_the_desk_in_english_says_one_working_day_in_the_singular(client_for, people, demo_guide):
    one_day = demo_guide.items.filter(promised_days=1).first()
    assert one_day is not None  # the demo guide has such an item (123001004)
    page = client_for(people.officer).get(reverse("counter:desk"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Promised: 1 working day<" in page and "Promised: 1 working days" not in page
    assert "working days<" in page  # and the plural where it belongs


def test_an_officer_stopped_from_duty_is_told_why_and_not_told_he_may_record(client_for, people, guide):
    response = client_for(people.stopped).get(reverse("counter:desk"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "停止执行职务" in body and "您可以登记办件" not in body


@freeze_time(NOW)
@pytest.mark.parametrize("window", ["w3", "", "abc", "99999999999999999999", "-1"])
def test_a_window_that_is_not_the_officers_is_refused_and_what_was_typed_stays(window, people, city, guide,
                                                                              client_for):
    client = client_for(people.officer)
    value = str(getattr(city, window).pk) if window == "w3" else window  # 鳌峰's window: another county
    response = client.post(reverse("counter:case_new", args=[guide.birth.pk]), {
        "window": value, "applicant_name": "张小明", "applicant_id_number": valid_id(),
        "applicant_phone": "13800138000", "action": "accept",
        "materials": material_ids(guide.birth, "出生医学证明")})

    body = response.content.decode()
    assert response.status_code == 400
    assert ("请选择受理窗口。" if window == "" else "所选受理窗口不在您可受理的窗口之中，请重新选择。") in body
    assert 'value="张小明"' in body and "checked" in body
    assert not Case.objects.filter(applicant_name="张小明").exists()


@freeze_time(NOW)
@pytest.mark.parametrize("field,value,message", [
    ("applicant_name", "张" * 51, "申请人姓名不能超过50个字（现在是51个字），请删减。"),
    ("applicant_id_number", "1" * 31, "公民身份号码不能超过30位（现在是31位），请核对。"),
    ("applicant_phone", "1" * 200, "联系电话不能超过20位（现在是200位），请核对。"),
])
def test_an_applicant_field_too_long_says_which_and_by_how_much_and_keeps_what_was_typed(
        field, value, message, people, city, guide, client_for):
    data = {"window": str(city.w1.pk), "applicant_name": "张小明", "applicant_id_number": valid_id(),
            "applicant_phone": "13800138000", "action": "accept",
            "materials": material_ids(guide.birth, "出生医学证明"), field: value}
    response = client_for(people.officer).post(reverse("counter:case_new", args=[guide.birth.pk]), data)

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and "该变量" not in body
    assert f'value="{value}"' in body and "checked" in body
    assert not Case.objects.exists()
