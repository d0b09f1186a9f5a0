"""The applicant rates the case from the QR code on the document: once, within 7 days, never a member of staff."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.errors import DomainError
from core.models import AuditEvent
from counter import services
from evaluations.models import Channel, Invite, Rating, Stage
from evaluations.services import RatingInput, rating_submit, window_complaint_phone
from tests.fixtures.cases import material_ids, rating_token

GOOD = {"level": "5", "efficiency": "5", "quality": "4", "attitude": "5", "comment": "民警很耐心"}


def form_data(stage: str, key: str = "k" * 24, **over) -> dict:
    data = {"stage": stage, f"{stage}-idempotency_key": key}
    for name, value in {**GOOD, **over}.items():
        data[f"{stage}-{name}"] = value
    return data


@pytest.fixture
def noticed(people, open_case):
    """A birth registration that got a one-time notice: one invitation (stage notice), printed with the QR code."""
    case = open_case()
    document = services.case_notify(case=case, actor=people.officer)
    case.refresh_from_db()
    return case, document


def url(case) -> str:
    return f"/r/{rating_token(case)}"


def test_the_document_prints_the_link_of_this_page(noticed):
    case, document = noticed
    assert document.snapshot["rating_url"].endswith(url(case))


def test_the_page_shows_the_item_window_and_date_but_no_personal_data(client, noticed):
    case, _document = noticed
    response = client.get(url(case))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in ["出生登记", "东街派出所1号窗口", "鼓楼分局", timezone.localtime(case.created_at).strftime("%Y年")]:
        assert expected in html, expected
    for secret in [case.applicant_name, case.applicant_id_number, case.applicant_phone, case.applicant_phone[-4:]]:
        assert secret not in html
    assert 'name="notice-level"' in html and 'name="notice-idempotency_key"' in html
    assert "评价环节：一次性告知" in html


def test_the_applicant_rates_once_by_qr_and_sees_the_thanks(client, noticed):
    case, _document = noticed
    response = client.post(url(case), form_data("notice"))
    assert response.status_code == 302
    rating = Rating.objects.get(case=case)
    assert (rating.stage, rating.channel, rating.level, rating.quality, rating.comment) == (
        Stage.NOTICE, Channel.QR, 5, 4, "民警很耐心")
    assert rating.is_default is False and rating.device is None
    assert AuditEvent.objects.filter(action="rating.submitted", object_id=str(rating.pk)).exists()

    page = client.get(response["Location"]).content.decode()
    assert "评价已提交，感谢您的评价！" in page
    assert "非常满意" in page and "民警很耐心" in page
    assert 'name="notice-level"' not in page


def test_a_double_submit_is_stored_once(client, noticed):
    case, _document = noticed
    first = client.post(url(case), form_data("notice", key="same-key-from-the-form-1"))
    second = client.post(url(case), form_data("notice", key="same-key-from-the-form-1", level="1",
                                              reasons=["attitude"]))
    assert first.status_code == second.status_code == 302
    assert Rating.objects.filter(case=case).count() == 1
    assert Rating.objects.get(case=case).level == 5
    assert Rating.objects.get(case=case).idempotency_key == "qr-same-key-from-the-form-1"


def test_the_idempotency_key_returns_the_stored_rating_even_if_the_page_was_stale(noticed):
    """Two taps that both passed the page's check: the service answers the second with the first rating."""
    case, _document = noticed
    invite = Invite.objects.get(case=case)
    data = RatingInput(5, 5, 5, 5)
    first = rating_submit(invite=invite, data=data, channel=Channel.QR, idempotency_key="qr-abcdefghijklmnop")
    second = rating_submit(invite=invite, data=data, channel=Channel.QR, idempotency_key="qr-abcdefghijklmnop")
    assert first.pk == second.pk


def test_a_tampered_key_cannot_take_the_default_jobs_key(client, noticed):
    case, _document = noticed
    client.post(url(case), form_data("notice", key="default-1"))
    assert Rating.objects.get(case=case).idempotency_key is None


def test_the_link_expires_after_7_days(client, noticed, settings):
    case, _document = noticed
    created = Invite.objects.get(case=case).created_at
    with freeze_time(created + datetime.timedelta(days=6, hours=23)):
        assert 'name="notice-level"' in client.get(url(case)).content.decode()
    with freeze_time(created + datetime.timedelta(days=settings.RATING_LINK_DAYS, minutes=1)):
        page = client.get(url(case)).content.decode()
        assert "评价期限（办理后7天内）已过，不能再评价" in page
        assert 'name="notice-level"' not in page
        response = client.post(url(case), form_data("notice"))
        assert response.status_code == 302
    assert not Rating.objects.filter(case=case).exists()


def test_after_expiry_the_default_rating_is_shown_as_such(client, noticed, settings):
    case, _document = noticed
    invite = Invite.objects.get(case=case)
    level = settings.RATING_DEFAULT_LEVEL
    with freeze_time(invite.created_at + datetime.timedelta(days=8)):
        rating_submit(invite=invite, data=RatingInput(level, level, level, level), channel=Channel.DEFAULT)
        page = client.get(url(case)).content.decode()
    assert "已过，不能再评价" in page
    assert "默认评价“满意”" in page


@pytest.mark.parametrize("who", ["officer", "head", "cityadmin", "outsider"])
def test_staff_cannot_rate_for_the_applicant(client_for, people, noticed, who):
    case, _document = noticed
    client = client_for(getattr(people, who))
    for response in (client.get(url(case)), client.post(url(case), form_data("notice"))):
        assert response.status_code == 403
        assert "工作人员不能代替群众评价" in response.content.decode()
    assert not Rating.objects.filter(case=case).exists()


def test_a_bad_rating_without_reasons_is_shown_again_with_what_was_chosen(client, noticed):
    case, _document = noticed
    response = client.post(url(case), form_data("notice", level="2", comment="等了很久"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请至少选择一项原因" in html
    assert 'value="2" id="id_notice-level_3" checked' in html or (
        'id="id_notice-level_3"' in html and 'value="2"' in html and "checked" in html)
    assert "等了很久" in html
    assert 'class="reasons open' in html
    assert 'value="k' + "k" * 23 + '"' in html  # the same key, so a fixed re-submit still stores once
    assert not Rating.objects.filter(case=case).exists()


def test_missing_choices_and_other_without_text_are_explained_in_chinese(client, noticed):
    case, _document = noticed
    data = form_data("notice", level="1", reasons=["other"], attitude="7")
    html = client.post(url(case), data).content.decode()
    assert "请选择服务态度的评价。" in html  # left out counts as the overall level; a wrong value is explained
    assert "选择“其他”原因时，请写明具体情况。" in html
    html = client.post(url(case), form_data("notice", level="9", reasons=["nonsense"])).content.decode()
    assert "请选择您对本次服务的总体评价。" in html
    assert "所选原因不在列表中" in html
    assert not Rating.objects.filter(case=case).exists()


def test_a_bad_rating_with_reasons_opens_the_follow_up(client, noticed):
    case, _document = noticed
    client.post(url(case), form_data("notice", level="1", attitude="1", reasons=["attitude", "slow"]))
    rating = Rating.objects.get(case=case)
    assert rating.reasons == ["attitude", "slow"]
    assert rating.follow_up is not None


def test_an_unknown_token_is_a_chinese_404(client, db):
    response = client.get("/r/no-such-token")
    assert response.status_code == 404
    assert "未找到评价页面" in response.content.decode()


def test_a_stage_rated_on_the_window_device_is_not_offered_again(client, city, people, noticed, pair):
    case, _document = noticed
    device, _token = pair(city.w1, name="评价器")
    invite = Invite.objects.get(case=case)
    rating_submit(invite=invite, data=RatingInput(4, 4, 4, 4), channel=Channel.DEVICE, device=device)
    page = client.get(url(case)).content.decode()
    assert "这一环节已经评价过了" in page
    assert "窗口评价器" in page
    assert 'name="notice-level"' not in page
    client.post(url(case), form_data("notice", key="another-key-entirely-123"))
    assert Rating.objects.filter(case=case).count() == 1


def test_each_stage_of_the_case_is_rated_on_its_own(client, people, guide, noticed):
    case, _document = noticed
    client.post(url(case), form_data("notice"))
    services.case_accept(case=case, actor=people.officer, material_ids=material_ids(guide.birth, *[
        m.name for m in guide.birth.materials.all() if not m.condition]))
    case.refresh_from_db()
    services.case_complete(case=case, actor=people.officer)
    page = client.get(url(case)).content.decode()
    assert "评价环节：办结" in page and 'name="completion-level"' in page
    assert 'name="notice-level"' not in page
    client.post(url(case), form_data("completion", key="completion-key-0000001", level="4"))
    assert sorted(Rating.objects.filter(case=case).values_list("stage", flat=True)) == ["completion", "notice"]


def test_a_case_without_an_invitation_yet_says_so(client, people, guide, open_case):
    case = open_case(guide.birth, *[m.name for m in guide.birth.materials.all() if not m.condition])
    services.case_accept(case=case, actor=people.officer)
    page = client.get(url(case)).content.decode()
    assert "还没有需要评价的环节" in page
    assert "<form" not in page


@pytest.mark.parametrize("data", [
    {},
    {"stage": "zz"},
    {"stage": "notice"},
    {"stage": "notice", "notice-level": ["x", "\x00"], "notice-reasons": "zz", "notice-comment": "长" * 600,
     "notice-other_reason": "x" * 300, "notice-idempotency_key": "k" * 500},
])
def test_garbage_never_breaks_the_page(client, noticed, data):
    case, _document = noticed
    response = client.post(url(case), data)
    assert response.status_code in (200, 302)
    assert not Rating.objects.filter(case=case).exists()
    assert client.get("/r/%00%27").status_code == 404


def test_half_a_surrogate_pair_in_the_form_is_no_server_error(client, noticed):
    """Issue 7, item 4: a form cannot carry a lone surrogate (its bytes are not UTF-8, Django decodes them as
    replacement characters), and the service refuses one from anywhere else."""
    case, _document = noticed
    body = "&".join(f"{k}={v}" for k, v in form_data("notice").items() if not k.endswith("comment"))
    response = client.post(url(case), data=body + "&notice-comment=%ED%A0%80x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert Rating.objects.get(case=case).comment == "\ufffd\ufffd\ufffdx"

    invite = Invite.objects.get(case=case)
    with pytest.raises(DomainError) as refused:
        rating_submit(invite=invite, data=RatingInput(5, 5, 5, 5, comment="\ud800x"), channel=Channel.QR)
    assert refused.value.field == "comment"


def test_the_three_indicators_left_out_count_as_the_overall_level(client, noticed):
    case, _document = noticed
    data = {k: v for k, v in form_data("notice", level="2", reasons=["attitude"]).items()
            if not k.endswith(("efficiency", "quality", "attitude"))}
    page = client.get(url(case)).content.decode()
    assert "下面三项可以不选，不选的按总体评价记录。" in page

    response = client.post(url(case), data)

    assert response.status_code == 302
    rating = Rating.objects.get(invite__case=case)
    assert (rating.level, rating.efficiency, rating.quality, rating.attitude) == (2, 2, 2, 2)


def test_an_indicator_chosen_is_kept_beside_the_others_left_out(client, noticed):
    case, _document = noticed
    data = {k: v for k, v in form_data("notice", level="4").items() if not k.endswith(("quality", "attitude"))}
    client.post(url(case), data)
    rating = Rating.objects.get(invite__case=case)
    assert (rating.level, rating.efficiency, rating.quality, rating.attitude) == (4, 5, 4, 4)


def test_an_overdue_case_with_nothing_to_rate_says_so_and_gives_the_complaint_phone(client, people, open_case):
    with freeze_time("2026-09-01 09:00:00+08:00"):
        case = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
        services.case_accept(case=case, actor=people.officer)
    case.refresh_from_db()
    assert case.is_overdue()

    html = client.get(url(case)).content.decode()

    assert "本办件目前还没有需要评价的环节" in html
    d = case.deadline
    assert f"本办件承诺在 {d.year}年{d.month}月{d.day}日 前办结，现已超过期限" in html
    phone = window_complaint_phone(case.window)
    assert phone and f'href="tel:{phone}"' in html


def test_a_case_in_time_shows_no_overdue_warning(client, noticed):
    case, _document = noticed
    html = client.get(url(case)).content.decode()
    assert "现已超过期限" not in html and 'id="complaint-phone"' in html


def test_an_empty_submission_asks_only_for_the_overall_level(client, noticed):
    case, _document = noticed
    data = {k: v for k, v in form_data("notice").items() if k.endswith("idempotency_key") or k == "stage"}
    html = client.post(url(case), data).content.decode()
    assert "请选择您对本次服务的总体评价。" in html
    assert "请选择服务效率" not in html and "请选择服务水平" not in html and "请选择服务态度" not in html
