"""Pinned query counts of the usage page and the ratings list: an N+1 added later fails here.

Each page is asked twice, with more records (or more days) the second time: the count must not move.
"""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from counter import services as counter
from evaluations import services
from evaluations.models import Invite, Level, Rating

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def decide(city, people, open_case, guide):
    """decide(n, day) makes n cases decided at windows 1 and 2 on `day` (of November), each rated by QR."""

    def make(n, day):
        made = []
        for i in range(n):
            window, officer = (city.w1, people.officer) if i % 2 else (city.w2, people.officer2)
            moment = datetime.datetime(2026, 11, day, 9, i % 60, tzinfo=TZ)
            with freeze_time(moment):
                case = open_case(None, "出生医学证明", actor=officer, window=window)
                counter.case_notify(case=case, actor=officer)
                invite = Invite.objects.get(case=case)
                level = Level.DISSATISFIED if i % 5 == 0 else Level.SATISFIED
                made.append(services.rating_submit(
                    invite=invite, channel="qr",
                    data=services.RatingInput(level, level, level, level, ("attitude",) if level <= 2 else ())))
        return made

    return make


def usage(client, **params):
    with freeze_time(NOW):
        response = client.get(reverse("evaluations:usage"), params)
    assert response.status_code == 200
    return response


# The page's queries: the session, the person, the windows (with county and station), the calendar of the year
# (2), the daily figures summed by window and by day, which of them are final, the devices and their silences (for
# the offline minutes not final yet), the counties' rates, the decisions taken while offline.
USAGE_QUERIES = 12


@pytest.fixture
def tablet(pair, city):
    """Window 2's evaluator, paired before the periods below."""
    with freeze_time(datetime.datetime(2026, 8, 3, 9, 0, tzinfo=TZ)):
        return pair(city.w2)[0]


def test_the_usage_page_costs_the_same_for_a_week_or_92_days_and_for_more_records(client_for, people, decide, tablet,
                                                                                  django_assert_num_queries):
    decide(4, 16)
    client = client_for(people.head)
    with django_assert_num_queries(USAGE_QUERIES):
        usage(client, date_from="2026-11-14", date_to="2026-11-20")
    decide(6, 18)
    with django_assert_num_queries(USAGE_QUERIES):
        usage(client, date_from="2026-08-21", date_to="2026-11-20")


def test_the_usage_page_of_the_city_and_of_a_station_cost_the_same(client_for, people, city, decide, tablet,
                                                                   django_assert_num_queries):
    decide(4, 16)
    client = client_for(people.cityadmin)
    # + the calendar years the city must still enter (the shell's banner for the city administrator)
    with django_assert_num_queries(USAGE_QUERIES + 1):
        usage(client, date_from="2026-11-14", date_to="2026-11-20")
    with django_assert_num_queries(USAGE_QUERIES + 1):  # a county: its stations' rows
        usage(client, unit=city.gulou.pk, date_from="2026-11-14", date_to="2026-11-20")
    with django_assert_num_queries(USAGE_QUERIES + 2):  # and the station's county, for the path above the figures
        usage(client, unit=city.dongjie.pk, date_from="2026-11-14", date_to="2026-11-20")


def test_one_windows_page_adds_its_officers_rows(client_for, people, city, decide, tablet,
                                                 django_assert_num_queries):
    decide(4, 16)
    client = client_for(people.head)
    with django_assert_num_queries(USAGE_QUERIES + 2):  # the officers' figures and the officers
        body = usage(client, window=city.w2.pk, date_from="2026-11-14", date_to="2026-11-20").content.decode()
    assert 'class="officer-day"' in body


# The session, the person, the windows (for the filter), a bounded count, one page of ratings with everything the
# rows show (case, window, station, officer, invitation, follow-up, contest in one query).
RATINGS_QUERIES = 5


def test_the_ratings_list_costs_the_same_whatever_the_number_of_ratings(client_for, people, decide,
                                                                        django_assert_num_queries):
    decide(3, 16)
    client = client_for(people.head)
    with freeze_time(NOW), django_assert_num_queries(RATINGS_QUERIES):
        assert client.get(reverse("evaluations:rating_list")).status_code == 200
    decide(60, 17)
    with freeze_time(NOW), django_assert_num_queries(RATINGS_QUERIES):
        first = client.get(reverse("evaluations:rating_list"))
    assert first.content.decode().count("data-rating=") == 50
    next_link = first.content.decode().split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    with freeze_time(NOW), django_assert_num_queries(RATINGS_QUERIES):
        second = client.get(reverse("evaluations:rating_list") + next_link.replace("&amp;", "&"))
    assert second.content.decode().count("data-rating=") == Rating.objects.count() - 50


def test_an_officer_sees_his_own_ratings_at_the_same_cost(client_for, people, decide, django_assert_num_queries):
    decide(10, 16)
    client = client_for(people.officer)
    with freeze_time(NOW), django_assert_num_queries(RATINGS_QUERIES):
        assert client.get(reverse("evaluations:rating_list")).status_code == 200
