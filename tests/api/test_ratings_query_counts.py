"""GET /api/ratings costs the same few queries for any page of any period: an N+1 added later fails here."""

import datetime

import pytest
from freezegun import freeze_time

from api.keys import integration_key_create
from counter import services
from evaluations.models import Channel, Invite
from evaluations.services import RatingInput, rating_submit

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def ratings(city, people, guide, open_case):
    """Twelve QR ratings at 鼓楼, received on 2 November, one a minute."""
    made = []
    for n in range(12):
        with freeze_time(datetime.datetime(2026, 11, 2, 9, n, tzinfo=BEIJING)):
            case = open_case()
            services.case_notify(case=case, actor=people.officer)
            made.append(rating_submit(invite=Invite.objects.get(case=case), channel=Channel.QR,
                                      data=RatingInput(5, 5, 5, 5)))
    return made


# The request limit's count, the key, the total, the page's ids (from the index), the page's ratings with their
# case, item, units and officer (one query).
QUERIES = 5


@pytest.mark.parametrize("scope", ["county", "city"])
def test_every_page_costs_the_same(client, people, city, ratings, scope, django_assert_num_queries):
    key = integration_key_create(actor=people.cityadmin, name="上报", county=city.gulou if scope == "county" else None)
    headers = {"Authorization": f"Bearer {key.secret}"}
    params = {"since": "2026-11-02T00:00:00+08:00", "until": "2026-11-03T00:00:00+08:00", "page_size": 5}
    assert client.get("/api/ratings", params, headers=headers).status_code == 200  # notes the key's first use
    seen = []
    for page in (1, 2, 3):
        with django_assert_num_queries(QUERIES):
            body = client.get("/api/ratings", {**params, "page": page}, headers=headers).json()
        seen += [r["case_number"] for r in body["results"]]
    assert seen == [r.case.number for r in ratings]  # in received order, none twice, none missed
