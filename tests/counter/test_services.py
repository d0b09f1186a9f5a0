import datetime

import pytest
from freezegun import freeze_time

from core.errors import AccessDenied, ConflictError, DomainError
from core.models import AuditEvent
from counter import services
from counter.models import CaseStatus, DocumentKind, NoticeOverride
from tests.factories import valid_id
from tests.fixtures.cases import material_ids

ALL_BIRTH = ("出生医学证明", "父母户口簿", "父母结婚证")


@freeze_time("2026-02-12 09:00:00+08:00")
def test_complete_application_is_accepted_with_a_deadline_in_working_days_across_spring_festival(
    open_case, people
):
    case = open_case(None, *ALL_BIRTH)

    services.case_accept(case=case, actor=people.officer)

    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    # 5 working days after Thu Feb 12 2026: Fri 13, Sat 14 (调休 working day), then the holiday
    # Feb 15-23, then Tue 24, Wed 25, Thu 26.
    assert case.deadline == datetime.date(2026, 2, 26)
    assert case.deadline_provisional is False
    receipt = case.documents.get()
    assert receipt.kind == DocumentKind.RECEIPT
    assert receipt.snapshot["deadline"] == "2026-02-26"


@freeze_time("2026-11-27 09:00:00+08:00")
def test_on_the_spot_item_is_completed_at_once(open_case, guide, people):
    case = open_case(guide.death, "死亡医学证明", "死者户口簿", "申报人居民身份证")

    services.case_accept(case=case, actor=people.officer)

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.completed_at is not None
    assert case.documents.get().snapshot["completed_on_the_spot"] is True


@freeze_time("2026-11-27 09:00:00+08:00")
def test_incomplete_application_cannot_be_accepted_and_the_message_names_what_is_missing(open_case, people):
    case = open_case(None, "出生医学证明")

    with pytest.raises(DomainError) as err:
        services.case_accept(case=case, actor=people.officer)

    assert err.value.code == "materials_missing"
    assert "父母户口簿" in err.value.message and "父母结婚证" in err.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE


@freeze_time("2026-11-27 09:00:00+08:00")
def test_notice_lists_every_missing_required_material(open_case, people):
    case = open_case(None, "出生医学证明")

    notice = services.case_notify(case=case, actor=people.officer)

    names = [m["name"] for m in notice.snapshot["materials_missing"]]
    assert names == ["父母户口簿", "父母结婚证"]
    assert sorted(m.name for m in notice.materials.all()) == sorted(names)
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE


@freeze_time("2026-11-27 09:00:00+08:00")
def test_conditional_material_is_required_only_when_the_condition_applies(open_case, people):
    case = open_case(None, *ALL_BIRTH, conditions=["非婚生育随父登记"])

    notice = services.case_notify(case=case, actor=people.officer)

    assert [m["name"] for m in notice.snapshot["materials_missing"]] == ["亲子鉴定证明"]


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_complete_application_cannot_get_a_notice(open_case, people):
    case = open_case(None, *ALL_BIRTH)

    with pytest.raises(DomainError) as err:
        services.case_notify(case=case, actor=people.officer)

    assert err.value.code == "nothing_missing"


@freeze_time("2026-11-27 09:00:00+08:00")
def test_applicant_returns_with_the_notice_materials_and_is_accepted_then_completed(open_case, guide, people):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)

    services.case_accept(case=case, actor=people.officer2,
                         material_ids=material_ids(guide.birth, "父母户口簿", "父母结婚证"))
    services.case_complete(case=case, actor=people.officer)

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert [d.kind for d in case.documents.all()] == [DocumentKind.NOTICE, DocumentKind.RECEIPT]
    actions = list(AuditEvent.objects.filter(object_id=str(case.pk), object_type="counter.case")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["case.opened", "case.notice", "case.accept", "case.complete"]


@freeze_time("2026-11-27 09:00:00+08:00")
def test_on_return_only_materials_on_the_notice_can_be_ticked(open_case, guide, people):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)

    with pytest.raises(DomainError) as err:
        services.case_accept(case=case, actor=people.officer,
                             material_ids=material_ids(guide.birth, "父母户口簿", "父母结婚证", "亲子鉴定证明"))

    assert err.value.code == "material_not_on_notice"


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_second_notice_for_what_is_still_missing_is_allowed(open_case, guide, people):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)

    second = services.case_notify(case=case, actor=people.officer,
                                  material_ids=material_ids(guide.birth, "父母户口簿"))

    assert [m["name"] for m in second.snapshot["materials_missing"]] == ["父母结婚证"]
    assert second.snapshot["notice_round"] == 2


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_second_notice_asking_for_something_new_is_refused_for_an_officer(open_case, people):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)

    with pytest.raises(DomainError) as err:
        services.case_notify(case=case, actor=people.officer, conditions=["非婚生育随父登记"])

    assert err.value.code == "one_time_rule"
    assert "亲子鉴定证明" in err.value.message
    assert case.documents.count() == 1


@freeze_time("2026-11-27 09:00:00+08:00")
def test_station_head_may_override_the_one_time_rule_with_a_reason_and_it_is_recorded(open_case, people):
    case = open_case(None, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)

    with pytest.raises(DomainError) as err:
        services.case_notify(case=case, actor=people.head, conditions=["非婚生育随父登记"])
    assert err.value.code == "override_reason"

    notice = services.case_notify(case=case, actor=people.head, conditions=["非婚生育随父登记"],
                                  override_reason="申请人补充说明系非婚生育，需随父登记")

    override = NoticeOverride.objects.get(case=case)
    assert override.document == notice
    assert override.approved_by == people.head
    assert [m.name for m in override.added_materials.all()] == ["亲子鉴定证明"]
    assert AuditEvent.objects.filter(action="case.notice_override", object_id=str(case.pk)).exists()


@freeze_time("2026-11-27 09:00:00+08:00")
@pytest.mark.parametrize("who", ["civilian", "auxiliary", "stopped"])
def test_civilian_auxiliary_and_stopped_staff_cannot_decide(open_case, people, who):
    case = open_case(None, *ALL_BIRTH)

    with pytest.raises(AccessDenied) as err:
        services.case_accept(case=case, actor=getattr(people, who))

    assert err.value.code == "not_qualified"
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE


@freeze_time("2026-11-27 09:00:00+08:00")
def test_civilian_staff_may_record_a_case_for_an_officer_to_decide(open_case, people):
    case = open_case(None, "出生医学证明", actor=people.civilian)

    assert case.status == CaseStatus.INTAKE
    assert case.created_by == people.civilian


@freeze_time("2026-11-27 09:00:00+08:00")
def test_officer_of_another_county_cannot_decide(open_case, people):
    case = open_case(None, *ALL_BIRTH)

    with pytest.raises(AccessDenied):
        services.case_accept(case=case, actor=people.outsider)


@freeze_time("2026-11-27 09:00:00+08:00")
def test_material_outside_the_guide_is_refused(open_case, guide, people, city):
    outside = guide.death.materials.first().pk

    with pytest.raises(DomainError) as err:
        services.case_open(actor=people.officer, window=city.w1, item=guide.birth,
                           applicant=services.Applicant("张小明", valid_id(), "13800138000"),
                           material_ids=[outside])

    assert err.value.code == "material_outside_guide"


@freeze_time("2026-11-27 09:00:00+08:00")
def test_item_of_another_county_guide_is_refused(guide, people, city):
    with pytest.raises(DomainError) as err:
        services.case_open(actor=people.officer, window=city.w1, item=guide.taijiang_birth,
                           applicant=services.Applicant("张小明", valid_id(), "13800138000"))

    assert err.value.code == "item_not_in_force"


@freeze_time("2026-11-27 09:00:00+08:00")
def test_bad_id_number_is_refused_with_the_check_digit_message(guide, people, city):
    good = valid_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    with pytest.raises(DomainError) as err:
        services.case_open(actor=people.officer, window=city.w1, item=guide.birth,
                           applicant=services.Applicant("张小明", bad, "13800138000"))

    assert "校验位" in err.value.message


@freeze_time("2026-11-27 09:00:00+08:00")
def test_refusal_needs_legal_basis_and_explanation(open_case, people):
    case = open_case(None, "出生医学证明")

    with pytest.raises(DomainError) as err:
        services.case_refuse(case=case, actor=people.officer, legal_basis="", explanation="不符合条件，无法办理。")
    assert err.value.code == "refusal_basis"

    services.case_refuse(case=case, actor=people.officer, legal_basis="《户口登记条例》第七条",
                         explanation="申请人不在本户口管辖区居住，应向常住地派出所申报。")
    case.refresh_from_db()
    refusal = case.documents.get()
    assert case.status == CaseStatus.REFUSED
    assert refusal.kind == DocumentKind.REFUSAL
    assert "行政复议" in refusal.snapshot["remedies"]


@freeze_time("2026-11-27 09:00:00+08:00")
def test_stale_revision_is_a_conflict_and_changes_nothing(open_case, people):
    case = open_case(None, *ALL_BIRTH)
    seen = case.revision
    services.case_accept(case=case, actor=people.officer, expected_revision=seen)

    with pytest.raises(ConflictError) as err:
        services.case_refuse(case=case, actor=people.officer2, legal_basis="《户口登记条例》第七条",
                             explanation="不符合条件，依法不予受理。", expected_revision=seen)

    assert "王警官" in err.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


@freeze_time("2026-11-27 09:00:00+08:00")
def test_completing_twice_is_refused(open_case, people):
    case = open_case(None, *ALL_BIRTH)
    services.case_accept(case=case, actor=people.officer)
    services.case_complete(case=case, actor=people.officer)

    with pytest.raises(DomainError) as err:
        services.case_complete(case=case, actor=people.officer)

    assert err.value.code == "bad_transition"


def test_document_numbers_are_unique_and_consecutive_per_station_kind_and_year(open_case, people):
    with freeze_time("2026-11-27 09:00:00+08:00"):
        first = services.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
        second = services.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer2)

    assert first.number == "鼓公东户补〔2026〕第000001号"
    assert second.number == "鼓公东户补〔2026〕第000002号"


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_document_never_changes_after_issue(open_case, guide, people):
    case = open_case(None, "出生医学证明")
    notice = services.case_notify(case=case, actor=people.officer)
    before = dict(notice.snapshot)

    guide.birth.materials.filter(name="父母户口簿").update(name="改名后的材料")
    services.case_accept(case=case, actor=people.officer,
                         material_ids=material_ids(guide.birth, "改名后的材料", "父母结婚证"))

    notice.refresh_from_db()
    assert notice.snapshot == before


@freeze_time("2026-11-27 09:00:00+08:00")
def test_revealing_personal_data_is_audited_and_refused_for_civilians(open_case, people):
    case = open_case(None, "出生医学证明")

    revealed = services.case_reveal_personal_data(case=case, actor=people.officer)

    assert revealed["id_number"] == valid_id()
    assert AuditEvent.objects.filter(action="case.personal_data_viewed", actor=people.officer).count() == 1
    with pytest.raises(AccessDenied):
        services.case_reveal_personal_data(case=case, actor=people.civilian)


@freeze_time("2026-11-27 09:00:00+08:00")
def test_an_officer_stopped_from_duty_cannot_reveal_or_record(open_case, people, guide, city):
    from tests.factories import case_open

    case = open_case(None, "出生医学证明")
    with pytest.raises(AccessDenied) as refused:
        services.case_reveal_personal_data(case=case, actor=people.stopped)
    assert refused.value.code == "off_duty" and "停止执行职务" in str(refused.value.message)
    with pytest.raises(AccessDenied):
        case_open(actor=people.stopped, window=city.w1, item=guide.birth)
    assert not AuditEvent.objects.filter(action="case.personal_data_viewed").exists()


def test_accepted_case_past_its_deadline_is_overdue(open_case, people):
    with freeze_time("2026-11-02 09:00:00+08:00"):
        case = open_case(None, *ALL_BIRTH)
        services.case_accept(case=case, actor=people.officer)
    case.refresh_from_db()
    assert case.deadline == datetime.date(2026, 11, 9)

    with freeze_time("2026-11-09 17:00:00+08:00"):
        assert case.is_overdue() is False
    with freeze_time("2026-11-10 09:00:00+08:00"):
        assert case.is_overdue() is True


def test_provisional_deadline_in_an_unentered_year_is_recomputed_once_the_year_is_entered(open_case, people):
    from workdays.services import calendar_year_enter

    with freeze_time("2026-12-24 09:00:00+08:00"):
        case = open_case(None, *ALL_BIRTH)
        services.case_accept(case=case, actor=people.officer)
    case.refresh_from_db()
    # 5 working days after Thu Dec 24: 25, 28, 29, 30, 31 -> all in 2026, so not provisional.
    assert (case.deadline, case.deadline_provisional) == (datetime.date(2026, 12, 31), False)

    with freeze_time("2026-12-29 09:00:00+08:00"):
        late = open_case(None, *ALL_BIRTH)
        services.case_accept(case=late, actor=people.officer)
    late.refresh_from_db()
    # Dec 30, 31, then 2027 (not entered: weekends only) Jan 1, 4, 5.
    assert (late.deadline, late.deadline_provisional) == (datetime.date(2027, 1, 5), True)

    calendar_year_enter(year=2027, holidays=[(datetime.date(2027, 1, 1), "元旦")], workdays=[],
                        source="国办发明电〔2026〕测试", actor=people.cityadmin)
    assert services.case_deadlines_refresh(actor=people.cityadmin) == 1

    late.refresh_from_db()
    assert (late.deadline, late.deadline_provisional) == (datetime.date(2027, 1, 6), False)
