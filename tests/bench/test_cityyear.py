"""The city-year generator (bench/cityyear.py) at its tiny scale: the rows it writes obey the app's rules, and
the app's own services carry on from them. PostgreSQL only (the generator writes with COPY)."""

import datetime
import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse

from catalog.selectors import version_in_force
from core import clock
from core.models import AuditEvent, Serial
from core.personal import id_number_problem
from counter import services as counter_services
from counter.models import Case, CaseStatus, Document, DocumentKind, NoticeOverride
from evaluations.models import Channel, Device, DeviceOffline, FollowUp, Invite, Rating, RatingLink
from evaluations.services import RatingInput, rating_submit
from org.models import Role, Staff, Unit, UnitKind
from tests.factories import valid_id

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the city-year generator writes with PostgreSQL's COPY")

CASES = 2500
SEED = 7


def load_generator():
    path = Path(__file__).resolve().parents[2] / "bench" / "cityyear.py"
    spec = importlib.util.spec_from_file_location("cityyear", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cityyear", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return sys.modules["cityyear"]


def fingerprint() -> str:
    """What the year is made of, without the ids of the units and staff (their sequences are not rolled back)."""
    digest = hashlib.sha256()
    for row in Case.objects.order_by("number").values_list(
            "number", "applicant_id_number", "status", "created_at", "accepted_at", "completed_at", "deadline",
            "item__code", "window__code", "revision"):
        digest.update(repr(row).encode())
    for row in Document.objects.order_by("number").values_list("number", "kind", "issued_at", "public_id"):
        digest.update(repr(row).encode())
    for row in Rating.objects.order_by("rated_at", "case__number", "stage").values_list(
            "case__number", "stage", "level", "channel", "rated_at", "idempotency_key", "excluded"):
        digest.update(repr(row).encode())
    digest.update(repr(sorted(AuditEvent.objects.values_list("action").annotate(n=Count("id")))).encode())
    return digest.hexdigest()


def index_definitions(tables) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = ANY(%s) ORDER BY 1", [list(tables)])
        return cursor.fetchall()


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    """The tiny city's year, generated twice with one seed (the first run rolled back) and kept for the module."""
    cityyear = load_generator()
    end = clock.now().replace(second=0, microsecond=0)

    def run(snapshot):
        return cityyear.generate(cityyear.Options(scale="tiny", cases=CASES, seed=SEED, end=end, snapshot=snapshot,
                                                  log=lambda _line: None))

    with django_db_blocker.unblock():
        indexes_before = index_definitions(cityyear.TABLES)
        with transaction.atomic():
            run("small")
            first = fingerprint()
            small = {kind: Document.objects.filter(kind=kind).first().snapshot for kind in DocumentKind.values}
            transaction.set_rollback(True)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            result = run("full")
            result["fingerprints"] = (first, fingerprint())
            result["small_snapshots"] = small
            result["indexes"] = (indexes_before, index_definitions(cityyear.TABLES))
            result["generator"] = cityyear
            yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_post_load_steps_rebuilt_the_evaluator_daily_figures(year, db):
    from evaluations.models import WindowDay

    assert WindowDay.objects.exists()
    assert sum(WindowDay.objects.values_list("invites", flat=True)) == Invite.objects.count()


def test_the_same_seed_gives_the_same_year(year, db):
    first, second = year["fingerprints"]
    assert first == second


def test_small_snapshots_keep_what_the_document_pages_read(year, db):
    for kind, snapshot in year["small_snapshots"].items():
        assert {"kind", "title", "number", "issuer", "issued_at", "case_number", "applicant", "item", "window",
                "officer", "materials_received", "rating_url"} <= set(snapshot)
        assert snapshot["kind"] == kind and snapshot["rating_url"].startswith(settings.PUBLIC_BASE_URL)


def test_the_tiny_city_has_its_units_staff_of_every_role_and_a_guide_per_county(year, db, settings):
    kinds = dict(Unit.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[UnitKind.CITY] == 1 and kinds[UnitKind.COUNTY] == 2 and kinds[UnitKind.WINDOW] == 6
    assert kinds[UnitKind.STATION] + kinds[UnitKind.BRIGADE] == 4
    assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
    for county in Unit.objects.filter(kind=UnitKind.COUNTY):
        assert county.guide.versions.get(status="published").items.count() >= 15
    accounts = year["accounts"]
    roles = {"city_inspector": Role.CITY_INSPECTOR, "county_admin": Role.COUNTY_ADMIN,
             "station_head": Role.STATION_HEAD, "window_officer": Role.WINDOW_OFFICER}
    for key, role in roles.items():
        assert Staff.objects.get(username=accounts[key]).role == role
    # The module's year was made before the suite's fast hasher was switched on for this test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert Staff.objects.get(username=accounts["window_officer"]).check_password(year["generator"].BENCH_PASSWORD)


def test_the_cases_cover_every_state_with_the_documents_invitations_and_ratings_they_imply(year, db):
    assert Case.objects.count() == CASES
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    assert {CaseStatus.COMPLETED, CaseStatus.ACCEPTED, CaseStatus.NOTICE, CaseStatus.REFUSED} <= set(statuses)
    assert statuses[CaseStatus.COMPLETED] > CASES * 0.8
    assert Case.objects.filter(status=CaseStatus.ACCEPTED, deadline__lt=clock.today()).exists()  # overdue ones
    assert Document.objects.filter(kind=DocumentKind.RECEIPT).count() == Case.objects.filter(
        accepted_at__isnull=False).count()
    assert Document.objects.filter(kind=DocumentKind.REFUSAL).count() == statuses[CaseStatus.REFUSED]
    noticed = Case.objects.filter(documents__kind=DocumentKind.NOTICE).distinct().count()
    assert noticed >= statuses[CaseStatus.NOTICE]
    invites = dict(Invite.objects.values_list("stage").annotate(n=Count("id")))
    assert invites["completion"] == statuses[CaseStatus.COMPLETED]
    assert invites["refusal"] == statuses[CaseStatus.REFUSED]
    assert invites["notice"] == noticed
    # Every case has its rating link from the moment it is opened (counter.hooks.case_opened), a case still
    # waiting for its decision (收件, no document yet; on some days the year ends with one) included.
    assert RatingLink.objects.count() == Case.objects.count()
    assert Case.objects.filter(documents__isnull=False).distinct().count() == Case.objects.exclude(
        status=CaseStatus.INTAKE).count()
    # Every invitation older than the rating period has its rating: the applicant's, or the default.
    old = clock.now() - datetime.timedelta(days=settings.RATING_LINK_DAYS + 1)
    assert not Invite.objects.filter(created_at__lt=old, rating__isnull=True).exists()
    defaults = Rating.objects.filter(channel=Channel.DEFAULT)
    assert defaults.exists() and not defaults.exclude(is_default=True, level=settings.RATING_DEFAULT_LEVEL).exists()
    assert not Rating.objects.filter(channel=Channel.DEVICE, device__isnull=True).exists()
    bad = Rating.objects.filter(level__lte=2, is_default=False)
    assert 0 < bad.count() < Rating.objects.count() * 0.1
    assert FollowUp.objects.count() == bad.count()
    assert Device.objects.count() >= 6 and DeviceOffline.objects.exists()
    sample = Case.objects.order_by("id")[:200]
    assert all(id_number_problem(case.applicant_id_number) is None for case in sample)


def test_every_row_carries_the_scope_of_its_window(year, db):
    for model in (Case, Invite, Rating, FollowUp, NoticeOverride):
        assert not model.objects.exclude(station=F("window__station"), county=F("window__county"),
                                         city=F("window__city")).exists(), model
    assert not Rating.objects.exclude(window=F("case__window"), officer=F("invite__officer")).exists()
    assert not Document.objects.exclude(unit=F("case__station")).exists()
    events = AuditEvent.objects.filter(unit__kind=UnitKind.WINDOW)
    assert events.filter(action="case.opened").exists()
    assert not events.exclude(station=F("unit__station"), county=F("unit__county"), city=F("unit__city")).exists()


def test_numbers_are_gap_free_and_the_serial_counters_continue_from_them(year, db):
    cases = Case.objects.values("station_id", "created_at__year").annotate(n=Count("id"))
    for row in cases:
        key = f"case:{row['station_id']}:{row['created_at__year']}"
        assert Serial.objects.get(key=key).last == row["n"]
    documents = Document.objects.values("unit_id", "kind", "year").annotate(n=Count("id"), top=Max("serial"))
    for row in documents:
        assert row["top"] == row["n"]
        assert Serial.objects.get(key=f"doc:{row['unit_id']}:{row['kind']}:{row['year']}").last == row["n"]
    opened = AuditEvent.objects.filter(action="case.opened")
    assert 0 < opened.count() <= CASES
    assert not opened.exclude(object_id__in=[str(pk) for pk in Case.objects.values_list("pk", flat=True)]).exists()


def test_the_indexes_dropped_for_the_load_are_back_exactly(year, db):
    before, after = year["indexes"]
    assert len(before) > 50
    assert after == before


def test_the_services_open_and_decide_a_new_case_after_the_load(year, db, client):
    officer = Staff.objects.select_related("unit").get(username=year["accounts"]["window_officer"])
    window = officer.unit
    version = version_in_force(county=window.county, on=clock.today())
    item = version.items.get(code="123001002")  # 居民身份证换领: 20 working days
    required = counter_services.required_materials(item, [])
    before = Case.objects.aggregate(top=Max("id"))["top"]
    case = counter_services.case_open(
        actor=officer, window=window, item=item,
        applicant=counter_services.Applicant("张小明", valid_id(), "13800138000"),
        material_ids=[m.pk for m in required[1:]])
    assert case.pk > before
    year_now = clock.localtime().year
    serial = Serial.objects.get(key=f"case:{window.station_id}:{year_now}").last
    assert case.number == f"{window.station.code}-{year_now}-{serial:06d}"
    notice = counter_services.case_notify(case=case, actor=officer)
    counter_services.case_accept(case=case, actor=officer, material_ids=[required[0].pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    for document in (notice, receipt):
        assert Document.objects.filter(number=document.number).count() == 1
        key = f"doc:{window.station_id}:{document.kind}:{document.year}"
        assert document.serial == Serial.objects.get(key=key).last
    invite = case.invites.get()
    rating = rating_submit(invite=invite, data=RatingInput(1, 1, 1, 1, reasons=("slow",)), channel=Channel.QR,
                           idempotency_key="after-the-load")
    assert rating.follow_up.pk == FollowUp.objects.aggregate(top=Max("id"))["top"]
    refused = counter_services.case_open(
        actor=officer, window=window, item=item,
        applicant=counter_services.Applicant("李小红", valid_id("35010219851111123"), "13900139000"),
        material_ids=[m.pk for m in required])
    counter_services.case_refuse(case=refused, actor=officer, legal_basis=item.legal_basis[:200],
                                 explanation="经核查，申请人不符合该事项的办理条件，已当面耐心解释。")
    refusal = refused.documents.get(kind=DocumentKind.REFUSAL)
    # The generator's (full) snapshots have the keys the app's own documents have.
    for document in (notice, receipt, refusal):
        generated = Document.objects.filter(kind=document.kind).exclude(case__in=[case, refused]).first().snapshot
        assert set(generated) == set(document.snapshot)
        assert set(generated["item"]) == set(document.snapshot["item"])
        assert set(generated["applicant"]) == set(document.snapshot["applicant"])
    # A generated document still renders from its snapshot.
    generated = Document.objects.filter(kind=DocumentKind.NOTICE, case__window=window).exclude(case=case).first()
    generated = generated or Document.objects.filter(case__window=window).exclude(case=case).first()
    client.force_login(officer)
    response = client.get(reverse("counter:document", args=[generated.public_id]))
    assert response.status_code == 200
    assert generated.number in response.content.decode()
    assert not Case.objects.filter(~Q(pk=case.pk), number=case.number).exists()
    assert refused.number != case.number
