"""Forged ratings (issue 7, item 2): what a scripted "device" leaves behind, and where the county sees it.

A station head may pair any device with his windows (docs/evaluator.md, "Who can forge what"). That cannot be
prevented, so it is made visible: ratings stored seconds after a pairing, by a device paired outside the
opening hours or from an address other than the window's usual one, sent from another address, in bursts
faster than a person rates, for cases decided before the device was paired, or never shown on a screen.
"""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from freezegun import freeze_time

from api.devices import client_address
from counter import services as counter_services
from evaluations import services
from evaluations.models import FlagKind, Invite, Rating, RatingFlag

DAY = datetime.date(2026, 11, 2)  # a Monday
TZ = datetime.timezone(datetime.timedelta(hours=8))
COUNTER = "10.35.1.21"  # the address the window's real tablet is seen from
OFFICE = "192.168.7.7"  # the station head's desk


def at(hh: int, mm: int = 0, ss: int = 0) -> datetime.datetime:
    return datetime.datetime(DAY.year, DAY.month, DAY.day, hh, mm, ss, tzinfo=TZ)


def decide(open_case, guide, people) -> Invite:
    item = guide.death
    case = open_case(item, *[m.name for m in item.materials.all()])
    counter_services.case_accept(case=case, actor=people.officer)
    return Invite.objects.get(case=case)


def pair_from(address: str, city, people) -> str:
    code = services.pairing_code_create(window=city.w1, actor=people.head)
    response = Client(REMOTE_ADDR=address).post("/api/devices/pair", {"code": code, "name": "平板"},
                                                content_type="application/json")
    assert response.status_code == 201
    return response.json()["token"]


def rate_from(address: str, token: str, invite: Invite, key: str):
    response = Client(REMOTE_ADDR=address).post(
        "/api/devices/ratings", json.dumps({"invite_id": invite.pk, "level": 5, "idempotency_key": key}),
        content_type="application/json", headers={"Authorization": f"Device {token}"})
    assert response.status_code == 201, response.content
    return Rating.objects.get(invite=invite)


@pytest.fixture
def forged(city, people, open_case, guide, settings):  # noqa: F811
    """Window 1's real tablet, paired at 08:40 at the counter, rates six cases at a person's pace.

    Three later cases are not rated. At 21:00 the station head pairs a script from his desk, and it rates them
    one after the other within a second.
    """
    settings.DEVICE_WAIT_SECONDS = 0
    with freeze_time(at(8, 40)):
        tablet = pair_from(COUNTER, city, people)
    real = []
    for n in range(6):
        with freeze_time(at(9, 10 * n)):
            invite = decide(open_case, guide, people)
            assert Client(REMOTE_ADDR=COUNTER).get(
                "/api/devices/next", headers={"Authorization": f"Device {tablet}"}).status_code == 200
        with freeze_time(at(9, 10 * n, 40)):
            real.append(rate_from(COUNTER, tablet, invite, f"tablet-key-{n:04d}"))
    pending = []
    for n in range(3):
        with freeze_time(at(10, 30 + 10 * n)):
            pending.append(decide(open_case, guide, people))
    with freeze_time(at(21, 0)) as clock:
        script = pair_from(OFFICE, city, people)
        forged = []
        for n, invite in enumerate(pending):
            clock.tick(datetime.timedelta(milliseconds=300))
            forged.append(rate_from(OFFICE, script, invite, f"script-key-{n:04d}"))
    return SimpleNamespace(real=real, forged=forged)


def kinds(rating) -> set[str]:
    return set(rating.flags.values_list("kind", flat=True))


def test_the_real_tablets_ratings_raise_no_flag(forged):
    assert [kinds(r) for r in forged.real] == [set()] * 6
    assert forged.real[0].client_address == COUNTER
    assert forged.real[0].device.paired_from == COUNTER


def test_every_trace_of_the_script_is_flagged(forged):
    first, second, third = forged.forged
    common = {FlagKind.SOON_AFTER_PAIRING, FlagKind.PAIRED_OFF_HOURS, FlagKind.PAIRED_ELSEWHERE,
              FlagKind.RATED_ELSEWHERE, FlagKind.BEFORE_PAIRING, FlagKind.NEVER_SHOWN}
    assert kinds(first) == common
    assert kinds(second) == kinds(third) == common | {FlagKind.BURST}
    assert first.client_address == OFFICE
    burst = third.flags.get(kind=FlagKind.BURST)
    assert second.case.number in burst.detail
    # The flags are scoped like the rating, so the county's one filter finds them.
    assert {f.window_id for f in RatingFlag.objects.all()} == {first.window_id}


def test_the_county_sees_the_flags_on_the_usage_page_and_opens_the_records(client_for, city, people, forged):
    client = client_for(people.county)
    with freeze_time("2026-11-03 10:00:00+08:00"):
        body = client.get(reverse("evaluations:usage"), {"date_from": "2026-11-02", "date_to": "2026-11-02"})
    html = body.content.decode()
    assert 'id="alert-forgery"' in html
    link = (reverse("evaluations:usage_flags") + f"?window={city.w1.pk}&amp;kind=before_pairing"
            "&amp;date_from=2026-11-02&amp;date_to=2026-11-02")
    assert f'href="{link}">3<' in html
    everything = (reverse("evaluations:usage_flags") + f"?window={city.w1.pk}"
                  "&amp;date_from=2026-11-02&amp;date_to=2026-11-02")
    assert f'href="{everything}">3<' in html  # three flagged ratings at the window

    with freeze_time("2026-11-03 10:00:00+08:00"):
        records = client.get(link.replace("&amp;", "&"))
        every = client.get(everything.replace("&amp;", "&"))
    page = records.content.decode()
    assert records.status_code == 200
    assert page.count("data-rating=") == 3
    for rating in forged.forged:
        assert rating.case.number in page
    assert OFFICE in page and "所评办件在评价器配对之前已决定" in page
    assert every.content.decode().count("data-rating=") == 3


def test_a_window_without_flags_says_so(client_for, people, city, forged):
    with freeze_time("2026-11-03 10:00:00+08:00"):
        html = client_for(people.county).get(reverse("evaluations:usage"), {
            "date_from": "2026-11-02", "date_to": "2026-11-02", "window": city.w2.pk}).content.decode()
    assert 'id="alert-forgery-none"' in html


def test_the_flags_page_is_for_supervisors_and_refuses_bad_input(client_for, people, city, forged):
    with freeze_time("2026-11-03 10:00:00+08:00"):
        assert client_for(people.officer).get(reverse("evaluations:usage_flags")).status_code == 403
        client = client_for(people.outsider_county)
        theirs = client.get(reverse("evaluations:usage_flags"), {"date_from": "2026-11-02", "date_to": "2026-11-02"})
        assert theirs.status_code == 200 and theirs.content.decode().count("data-rating=") == 0
        client = client_for(people.county)
        for params in ({"kind": "nope"}, {"window": "abc"}, {"date_from": "2026-02-30"}):
            response = client.get(reverse("evaluations:usage_flags"), params)
            assert response.status_code == 400, params


def test_the_client_address_comes_from_one_function():
    factory = RequestFactory()
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    assert client_address(factory.get("/", REMOTE_ADDR="::1")) == "::1"
    assert client_address(factory.get("/", REMOTE_ADDR="not an address")) is None


def test_the_flags_filter_speaks_the_pages_language(client_for, people, forged):
    with freeze_time("2026-11-03 10:00:00+08:00"):
        client = client_for(people.county)
        english = client.get(reverse("evaluations:usage_flags"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(reverse("evaluations:usage_flags"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Suspicious signs" in english and ">疑点<" not in english
    assert "疑点" in chinese
