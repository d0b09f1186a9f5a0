import pytest
from django.urls import reverse

from core.models import AuditEvent
from org.models import Staff, Unit, UnitKind


@pytest.fixture
def engineer(db, city):
    return Staff.objects.create_superuser("engineer", password="x-Very-long-pass-1", full_name="运维")


def test_a_window_added_in_the_admin_gets_its_county_and_station_and_is_audited(client, engineer, city):
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_add"), {
        "name": "东街派出所3号窗口", "code": "350102001W3", "kind": UnitKind.WINDOW, "parent": city.dongjie.pk,
    })

    assert response.status_code == 302
    window = Unit.objects.get(code="350102001W3")
    assert (window.city, window.county, window.station) == (city.city, city.gulou, city.dongjie)
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(window.pk), actor=engineer).exists()


def test_a_window_cannot_hang_directly_under_a_county(client, engineer, city):
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_add"), {
        "name": "错误窗口", "code": "X1", "kind": UnitKind.WINDOW, "parent": city.gulou.pk,
    })

    assert response.status_code == 200
    assert "该类单位的上级应为" in response.content.decode()
    assert not Unit.objects.filter(code="X1").exists()


def test_stopping_an_officer_from_duty_in_the_admin_is_audited(client, engineer, people):
    client.force_login(engineer)
    officer = people.officer
    url = reverse("admin:org_staff_change", args=[officer.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"duty_status": "stopped", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    officer.refresh_from_db()
    assert officer.duty_status == "stopped"
    event = AuditEvent.objects.get(action="admin.change", object_id=str(officer.pk))
    assert "duty_status" in event.data["changed"]
