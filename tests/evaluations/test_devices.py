"""The station head pairs and revokes evaluator devices; the device's own page needs no staff login."""

import datetime
import re

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.errors import DomainError
from core.models import AuditEvent
from evaluations import services
from evaluations.models import Device, PairingCode
from org.models import Role
from tests.factories import StaffFactory

NOW = "2026-11-27 09:00:00+08:00"
CODE = re.compile(r'id="pairing-code"[^>]*>([A-Z2-9]{4}) ([A-Z2-9]{4})<')


@pytest.fixture
def head_client(client_for, people):
    return client_for(people.head)


def shown_code(response) -> str:
    match = CODE.search(response.content.decode())
    assert match, "the page shows no pairing code"
    return match.group(1) + match.group(2)


def test_the_station_head_sees_each_window_of_the_station_with_its_devices(head_client, city, people):
    with freeze_time(NOW) as clock:
        clock.tick(-datetime.timedelta(minutes=10))
        quiet = services.device_pair(code=services.pairing_code_create(window=city.w1, actor=people.head),
                                     name="备用平板").device  # paired ten minutes ago and silent since
        clock.tick(datetime.timedelta(minutes=10))
        online = services.device_pair(code=services.pairing_code_create(window=city.w1, actor=people.head),
                                      name="1号窗口平板").device
        clock.tick(datetime.timedelta(seconds=30))
        page = head_client.get("/evaluations/devices/").content.decode()

    assert "东街派出所1号窗口" in page and "东街派出所2号窗口" in page
    assert "鳌峰派出所1号窗口" not in page  # another station's
    row = re.search(rf'data-device="{online.pk}".*?</tr>', page, re.S).group(0)
    assert "1号窗口平板" in row and "在线" in row and "2026-11-27 09:00" in row
    row = re.search(rf'data-device="{quiet.pk}".*?</tr>', page, re.S).group(0)
    assert "离线" in row and "停用" in row
    assert "该窗口没有在用的评价器" in page  # window 2


def test_a_pairing_code_is_shown_once_with_its_expiry_and_only_its_hash_is_kept(head_client, city):
    response = head_client.post(f"/evaluations/devices/windows/{city.w1.pk}/code/")
    listing = head_client.get("/evaluations/devices/").content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    code = shown_code(response)
    page = response.content.decode()
    pairing = PairingCode.objects.get()
    assert abs(pairing.expires_at - pairing.created_at - datetime.timedelta(minutes=15)) < datetime.timedelta(seconds=1)
    assert f"有效期至 <strong>{timezone.localtime(pairing.expires_at):%Y-%m-%d %H:%M}</strong>" in page
    assert "只显示这一次" in page
    assert pairing.window == city.w1 and code not in pairing.code_hash
    assert AuditEvent.objects.filter(action="device.pairing_code").exists()

    assert code not in listing and "尚未使用" in listing
    assert services.device_pair(code=code, name="平板").device.window == city.w1


def test_a_code_works_once_and_not_after_it_expires(city, people):
    with freeze_time(NOW) as clock:
        used = services.pairing_code_create(window=city.w1, actor=people.head)
        late = services.pairing_code_create(window=city.w1, actor=people.head)
        services.device_pair(code=used, name="平板")
        with pytest.raises(DomainError) as twice:
            services.device_pair(code=used, name="平板")
        clock.tick(datetime.timedelta(minutes=15, seconds=1))
        with pytest.raises(DomainError) as expired:
            services.device_pair(code=late, name="平板")
        with pytest.raises(DomainError) as wrong:
            services.device_pair(code="ZZZZZZZZ", name="平板")

    for error in (twice, expired, wrong):
        assert error.value.code == "bad_pairing_code"
        assert str(error.value) == "配对码无效或已过期，请所长重新生成配对码。"
    assert Device.objects.count() == 1


def test_the_station_head_revokes_a_device_after_confirming(head_client, city, people):
    paired = services.device_pair(code=services.pairing_code_create(window=city.w1, actor=people.head), name="旧平板")
    page = head_client.get("/evaluations/devices/").content.decode()
    assert 'data-confirm="确定停用东街派出所1号窗口的评价器“旧平板”？' in page

    response = head_client.post(f"/evaluations/devices/{paired.device.pk}/revoke/", follow=True)

    paired.device.refresh_from_db()
    assert paired.device.revoked_by == people.head
    assert "已停用 东街派出所1号窗口 的评价器“旧平板”。" in response.content.decode()
    assert services.device_for_token(paired.token) is None
    assert AuditEvent.objects.filter(action="device.revoked").exists()
    row = re.search(rf'data-device="{paired.device.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "已停用" in row and "<button" not in row


@pytest.mark.parametrize("who", ["officer", "civilian", "county", "cityadmin", "inspector", "outsider"])
def test_only_station_heads_manage_devices(client_for, city, people, who):
    paired = services.device_pair(code=services.pairing_code_create(window=city.w1, actor=people.head), name="平板")
    client = client_for(getattr(people, who))

    assert client.get("/evaluations/devices/").status_code == 403
    assert client.post(f"/evaluations/devices/windows/{city.w1.pk}/code/").status_code == 403
    assert client.post(f"/evaluations/devices/{paired.device.pk}/revoke/").status_code == 403
    assert PairingCode.objects.count() == 1
    assert Device.objects.get().is_active


def test_another_stations_windows_and_devices_are_not_found(head_client, city):
    other_head = StaffFactory(username="aofeng_head", unit=city.aofeng, role=Role.STATION_HEAD)
    theirs = services.device_pair(code=services.pairing_code_create(window=city.w3, actor=other_head), name="平板")

    assert head_client.post(f"/evaluations/devices/windows/{city.w3.pk}/code/").status_code == 404
    assert head_client.post(f"/evaluations/devices/windows/{city.dongjie.pk}/code/").status_code == 404
    assert head_client.post(f"/evaluations/devices/{theirs.device.pk}/revoke/").status_code == 404
    assert head_client.post("/evaluations/devices/999999/revoke/").status_code == 404
    assert head_client.get(f"/evaluations/devices/windows/{city.w1.pk}/code/").status_code == 405
    assert Device.objects.get().is_active


def test_signed_out_visitors_are_sent_to_sign_in(client, city):
    response = client.get("/evaluations/devices/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_device_page_needs_no_login_and_is_all_chinese_with_local_assets(client):
    response = client.get("/evaluations/device/")

    page = response.content.decode()
    assert response.status_code == 200
    for text in ("评价器配对", "当班民警", "监督投诉电话", "非常满意", "满意", "基本满意", "不满意", "非常不满意",
                 "服务效率", "服务水平", "服务态度", "服务态度差", "提交评价", "感谢您的评价",
                 "网络中断，评价已保存在本机，恢复后自动提交"):
        assert text in page, text
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from outside (closed police networks)
    assert '"ratings": "/api/devices/ratings"' in page
    assert "本浏览器已登录工作人员账号" not in page


def test_the_device_page_warns_when_a_staff_account_is_signed_in(client_for, people):
    page = client_for(people.officer).get("/evaluations/device/").content.decode()

    assert "本浏览器已登录工作人员账号（王警官）" in page


def test_the_device_speaks_chinese_whatever_the_tablets_browser_asks_for(client, settings, db):
    from django.utils import translation

    with translation.override("en"):
        english_label = translation.gettext("非常满意")

    page = client.get("/evaluations/device/", headers={"Accept-Language": "en"}).content.decode()
    error = client.post("/api/devices/heartbeat", headers={"Accept-Language": "en"}).json()["error"]

    assert "非常满意" in page and "评价器配对" in page
    if english_label != "非常满意":
        assert english_label not in page
    assert "配对" in error["message"]
