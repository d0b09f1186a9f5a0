import pytest
from freezegun import freeze_time

from core.errors import AccessDenied, DomainError
from counter import services as counter
from evaluations import services
from evaluations.models import Channel, FollowUp, Invite, Rating, RatingImmutable, Stage
from evaluations.services import RatingInput

ALL_BIRTH = ("出生医学证明", "父母户口簿", "父母结婚证")
NOW = "2026-11-27 09:00:00+08:00"
GOOD = RatingInput(5, 5, 5, 5)
BAD = RatingInput(2, 3, 3, 2, reasons=("attitude",), comment="态度不耐烦")


@pytest.fixture
def device(city, people):
    """Paired at NOW, when the tests' decisions are made (a device paired later was not online then)."""
    with freeze_time(NOW):
        code = services.pairing_code_create(window=city.w1, actor=people.head)
        return services.device_pair(code=code, name="1号窗口评价器").device


@freeze_time(NOW)
def test_notice_refusal_and_completion_each_invite_one_rating(open_case, people, guide):
    notified = open_case(None, "出生医学证明")
    counter.case_notify(case=notified, actor=people.officer)
    counter.case_notify(case=notified, actor=people.officer,
                        material_ids=[m.pk for m in guide.birth.materials.filter(name="父母户口簿")])
    refused = open_case(None, "出生医学证明")
    counter.case_refuse(case=refused, actor=people.officer, legal_basis="《户口登记条例》第七条",
                        explanation="不在本户口管辖区居住，应向常住地派出所申报。")
    done = open_case(None, *ALL_BIRTH)
    counter.case_accept(case=done, actor=people.officer)
    assert not Invite.objects.filter(case=done).exists()  # accepted, not yet completed
    counter.case_complete(case=done, actor=people.officer)

    stages = sorted(Invite.objects.values_list("case__number", "stage"))
    assert stages == sorted([(notified.number, Stage.NOTICE), (refused.number, Stage.REFUSAL),
                             (done.number, Stage.COMPLETION)])


@freeze_time(NOW)
def test_a_device_rating_is_stored_once_per_case_and_stage(open_case, people, device):
    case = open_case(None, "出生医学证明")
    counter.case_notify(case=case, actor=people.officer)
    invite = Invite.objects.get(case=case)

    first = services.rating_submit(invite=invite, data=GOOD, channel=Channel.DEVICE, device=device,
                                   idempotency_key="k-1")
    again = services.rating_submit(invite=invite, data=GOOD, channel=Channel.DEVICE, device=device,
                                   idempotency_key="k-1")
    with pytest.raises(DomainError) as err:
        services.rating_submit(invite=invite, data=BAD, channel=Channel.DEVICE, device=device, idempotency_key="k-2")

    assert first.pk == again.pk and Rating.objects.count() == 1
    assert err.value.code == "already_rated"
    assert first.officer == people.officer and first.window_id == case.window_id


@freeze_time(NOW)
def test_another_windows_device_cannot_rate(open_case, people, city):
    code = services.pairing_code_create(window=city.w2, actor=people.head)
    other = services.device_pair(code=code, name="2号窗口").device
    case = open_case(None, "出生医学证明")
    counter.case_notify(case=case, actor=people.officer)

    with pytest.raises(AccessDenied) as err:
        services.rating_submit(invite=Invite.objects.get(case=case), data=GOOD, channel=Channel.DEVICE, device=other)

    assert err.value.code == "wrong_window"
    assert not Rating.objects.exists()


@freeze_time(NOW)
@pytest.mark.parametrize("data, field", [
    (RatingInput(2, 2, 2, 2), "reasons"),
    (RatingInput(1, 1, 1, 1, reasons=("other",)), "other_reason"),
    (RatingInput(6, 5, 5, 5), "level"),
    (RatingInput(5, 0, 5, 5), "efficiency"),
    (RatingInput(4, 4, 4, 4, reasons=("bribe",)), "reasons"),
])
def test_bad_rating_input_is_refused_with_the_field_named(open_case, people, device, data, field):
    case = open_case(None, "出生医学证明")
    counter.case_notify(case=case, actor=people.officer)

    with pytest.raises(DomainError) as err:
        services.rating_submit(invite=Invite.objects.get(case=case), data=data, channel=Channel.DEVICE, device=device)

    assert err.value.field == field


@freeze_time(NOW)
def test_a_bad_review_opens_a_follow_up_with_a_deadline_in_working_days(open_case, people, device):
    case = open_case(None, "出生医学证明")
    counter.case_notify(case=case, actor=people.officer)

    rating = services.rating_submit(invite=Invite.objects.get(case=case), data=BAD, channel=Channel.DEVICE,
                                    device=device)

    follow_up = FollowUp.objects.get(rating=rating)
    # 10 working days after Fri 2026-11-27: Nov 30 - Dec 4, Dec 7 - Dec 11.
    assert str(follow_up.deadline) == "2026-12-11"
    assert follow_up.station == case.station


@freeze_time(NOW)
def test_nobody_can_change_or_delete_a_rating(open_case, people, device):
    case = open_case(None, "出生医学证明")
    counter.case_notify(case=case, actor=people.officer)
    rating = services.rating_submit(invite=Invite.objects.get(case=case), data=GOOD, channel=Channel.DEVICE,
                                    device=device)

    rating.level = 1
    with pytest.raises(RatingImmutable):
        rating.save()
    with pytest.raises(RatingImmutable):
        rating.delete()
    assert Rating.objects.get().level == 5


@freeze_time(NOW)
def test_invitations_note_whether_the_window_had_an_online_evaluator(open_case, people, device, city):
    with_device = open_case(None, "出生医学证明")
    counter.case_notify(case=with_device, actor=people.officer)
    without = open_case(None, "出生医学证明", window=city.w2)
    counter.case_notify(case=without, actor=people.officer)

    assert Invite.objects.get(case=with_device).device_offline is False
    assert Invite.objects.get(case=without).device_offline is True


@freeze_time(NOW)
def test_the_list_joins_reasons_and_comment_with_one_separator_and_no_placeholder(client_for, open_case, people,
                                                                                  device):
    import re

    said = {}
    for name, data in {"comment only": RatingInput(5, 5, 5, 5, comment="民警很耐心，谢谢！"),
                       "both": RatingInput(2, 3, 3, 2, reasons=("attitude",), comment="等了很久"),
                       "neither": RatingInput(4, 4, 4, 4)}.items():
        case = open_case(None, "出生医学证明")
        counter.case_notify(case=case, actor=people.officer)
        said[name] = services.rating_submit(invite=Invite.objects.get(case=case), data=data, channel=Channel.DEVICE,
                                            device=device, idempotency_key=f"said-{len(said)}")
    body = client_for(people.head).get("/evaluations/ratings/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    assert "服务态度差；等了很久" in body
    assert "民警很耐心，谢谢！" in body and "— ；" not in text and "—；" not in text and " ；" not in body
