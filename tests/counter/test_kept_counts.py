"""The window's case counts (counter.CaseCount) are kept by the database (counter/triggers.py): whatever writes a
case, the counts follow, and a rebuild from the cases gives the same figures."""

import pytest
from django.db import connection
from freezegun import freeze_time

from counter import services
from counter.models import Case, CaseCount, CaseStatus
from evaluations.models import RatingLink
from tests.factories import valid_id
from tests.fixtures.cases import material_ids

pytestmark = pytest.mark.usefixtures("guide")


def counts(window):
    return {r.status: r.n for r in CaseCount.objects.filter(window=window) if r.n}


def _open(people, city, item, *names):
    return services.case_open(actor=people.officer, window=city.w1, item=item,
                              applicant=services.Applicant("张小明", valid_id(), "13800138000"),
                              material_ids=material_ids(item, *names))


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_case_written_outside_the_services_still_moves_its_windows_counts(people, city, guide):
    case = _open(people, city, guide.birth, "出生医学证明")
    assert counts(city.w1) == {CaseStatus.INTAKE: 1}

    # A data fix in SQL (or any UPDATE of the state) moves the counts as a decision does.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE counter_case SET status = %s WHERE id = %s", [CaseStatus.ACCEPTED, case.pk])
    assert counts(city.w1) == {CaseStatus.ACCEPTED: 1}
    # A save that writes the same state again moves nothing.
    Case.objects.get(pk=case.pk).save()
    assert counts(city.w1) == {CaseStatus.ACCEPTED: 1}
    # Moved to another window (never done by the services): the old window loses it, the new one gains it.
    Case.objects.filter(pk=case.pk).update(window=city.w2)
    assert counts(city.w1) == {} and counts(city.w2) == {CaseStatus.ACCEPTED: 1}

    services.case_counts_rebuild()
    assert counts(city.w1) == {} and counts(city.w2) == {CaseStatus.ACCEPTED: 1}


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_case_has_its_rating_link_from_intake_and_its_documents_print_it(people, city, guide):
    case = _open(people, city, guide.birth, "出生医学证明")
    link = RatingLink.objects.get(case=case)

    notice = services.case_notify(case=Case.objects.get(pk=case.pk), actor=people.officer)

    assert notice.snapshot["rating_url"].endswith(f"/r/{link.token}")
    assert RatingLink.objects.filter(case=case).count() == 1


@freeze_time("2026-11-27 09:00:00+08:00")
def test_a_case_recorded_before_links_were_made_at_intake_gets_one_with_its_first_document(people, city, guide):
    case = _open(people, city, guide.birth, "出生医学证明")
    RatingLink.objects.filter(case=case).delete()  # as a case recorded by an earlier release

    notice = services.case_notify(case=Case.objects.get(pk=case.pk), actor=people.officer)

    link = RatingLink.objects.get(case=case)
    assert notice.snapshot["rating_url"].endswith(f"/r/{link.token}")
