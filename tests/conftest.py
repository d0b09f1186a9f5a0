"""Personas: a small city with two counties, and one person for every role."""

from types import SimpleNamespace

import pytest

from org.models import Category, DutyStatus, Role, UnitKind
from tests.factories import PASSWORD, StaffFactory, make_unit


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 is slow on purpose; tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def chinese_by_default(settings):
    """A request in English switches the thread's language; put it back to Chinese after every test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def city(db):
    """City > 鼓楼 county (东街 station with two windows) and 台江 county (one station, one window)."""
    c = make_unit("福州市公安局", "350100", UnitKind.CITY)
    gulou = make_unit("鼓楼分局", "350102", UnitKind.COUNTY, c, doc_prefix="鼓公户")
    dongjie = make_unit("东街派出所", "350102001", UnitKind.STATION, gulou, doc_prefix="鼓公东户")
    w1 = make_unit("东街派出所1号窗口", "350102001W1", UnitKind.WINDOW, dongjie)
    w2 = make_unit("东街派出所2号窗口", "350102001W2", UnitKind.WINDOW, dongjie)
    taijiang = make_unit("台江分局", "350103", UnitKind.COUNTY, c, doc_prefix="台公户")
    aofeng = make_unit("鳌峰派出所", "350103001", UnitKind.STATION, taijiang, doc_prefix="台公鳌户")
    w3 = make_unit("鳌峰派出所1号窗口", "350103001W1", UnitKind.WINDOW, aofeng)
    return SimpleNamespace(city=c, gulou=gulou, dongjie=dongjie, w1=w1, w2=w2,
                           taijiang=taijiang, aofeng=aofeng, w3=w3)


@pytest.fixture
def people(city):
    """officer, civilian, auxiliary, stopped, head, county, city admin, inspector, and an outsider in 台江."""
    return SimpleNamespace(
        officer=StaffFactory(username="officer", full_name="王警官", unit=city.w1),
        officer2=StaffFactory(username="officer2", full_name="李警官", unit=city.w2),
        civilian=StaffFactory(username="civilian", full_name="陈文职", unit=city.w1, category=Category.CIVILIAN,
                              law_enforcement_qualified=False, role=Role.WINDOW_STAFF),
        auxiliary=StaffFactory(username="auxiliary", full_name="林协勤", unit=city.w1,
                               category=Category.AUXILIARY, law_enforcement_qualified=False,
                               role=Role.WINDOW_STAFF),
        stopped=StaffFactory(username="stopped", full_name="赵停职", unit=city.w1, duty_status=DutyStatus.STOPPED),
        head=StaffFactory(username="head", full_name="张所长", unit=city.dongjie, role=Role.STATION_HEAD),
        county=StaffFactory(username="county", full_name="刘科长", unit=city.gulou, role=Role.COUNTY_ADMIN),
        cityadmin=StaffFactory(username="cityadmin", full_name="周处长", unit=city.city, role=Role.CITY_ADMIN),
        inspector=StaffFactory(username="inspector", full_name="吴督察", unit=city.city, role=Role.CITY_INSPECTOR),
        outsider=StaffFactory(username="outsider", full_name="黄警官", unit=city.w3),
        outsider_county=StaffFactory(username="taijiang", full_name="郑科长", unit=city.taijiang,
                                     role=Role.COUNTY_ADMIN),
        password=PASSWORD,
    )


@pytest.fixture
def client_for(client):
    """Sign a persona in on the test client: client_for(people.officer)."""

    def sign_in(staff):
        client.force_login(staff)
        return client

    return sign_in
