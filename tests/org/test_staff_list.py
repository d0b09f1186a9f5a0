"""The staff page at city scale: 50 people a page, each with the unit's full name, in a pinned number of queries."""

import re

import pytest
from django.urls import reverse

from org.models import Category, Role
from tests.factories import StaffFactory

URL = reverse("org:staff_list")

# The session, the person (with their unit and its ancestors), the count, the page's people (with their unit and
# its county and station); the roles who read the calendar (county, city) also get its warning.
PAGE_QUERIES = 4
CALENDAR_WARNING = {"head": 0, "county": 1, "cityadmin": 1, "inspector": 1}


def usernames(response) -> list[str]:
    return re.findall(r'<tr data-username="([^"]+)">', response.content.decode())


def hire(city, count):
    """`count` more people at every window, station and county (officers and civilians)."""
    for n in range(count):
        for unit in (city.w1, city.w2, city.dongjie, city.gulou, city.w3):
            StaffFactory(username=f"p{n}-{unit.code}", full_name=f"民警{n:03d}", unit=unit,
                         category=Category.CIVILIAN if n % 4 == 0 else Category.OFFICER,
                         law_enforcement_qualified=n % 4 != 0,
                         role=Role.WINDOW_STAFF if n % 4 == 0 else Role.WINDOW_OFFICER)


@pytest.mark.parametrize("persona", ["head", "county", "cityadmin", "inspector"])
def test_each_page_of_staff_costs_the_same_queries_for_every_role(client_for, people, city, persona,
                                                                  django_assert_num_queries):
    client = client_for(getattr(people, persona))
    expected = PAGE_QUERIES + CALENDAR_WARNING[persona]
    with django_assert_num_queries(expected):
        few = client.get(URL)

    hire(city, 30)
    with django_assert_num_queries(expected):
        first = client.get(URL)
    with django_assert_num_queries(expected):
        last = client.get(URL, {"page": first.context["page"].paginator.num_pages})

    assert len(usernames(few)) < 50 and len(usernames(first)) == 50
    assert usernames(last) and not set(usernames(last)) & set(usernames(first))


def test_the_pages_list_everyone_once_in_unit_order_with_the_units_full_name(client_for, people, city):
    hire(city, 30)
    client = client_for(people.county)

    first = client.get(URL)
    pages = first.context["page"].paginator.num_pages
    seen = [name for number in range(1, pages + 1) for name in usernames(client.get(URL, {"page": number}))]

    assert pages == 3  # 鼓楼: 4 units x 30, and its 7 personas
    assert len(seen) == len(set(seen)) == first.context["page"].paginator.count
    assert "p0-350103001W1" not in seen  # 台江's window
    body = first.content.decode()
    assert "共 127 人。" in body and "第 1 / 3 页" in body and 'rel="next"' in body
    assert "<td>鼓楼分局</td>" in body and "<td>鼓楼分局 东街派出所</td>" in body  # by unit code: the county first
    assert "<td>鼓楼分局 东街派出所 东街派出所2号窗口</td>" in client.get(URL, {"page": 3}).content.decode()
    assert "?page=2" in body


def test_a_page_number_past_the_end_gives_the_last_page(client_for, people, city):
    hire(city, 12)

    response = client_for(people.head).get(URL, {"page": "99"})

    assert response.status_code == 200
    assert response.context["page"].number == response.context["page"].paginator.num_pages
