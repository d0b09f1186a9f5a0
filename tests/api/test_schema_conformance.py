"""Real responses of every API operation, validated against the generated OpenAPI document (schemathesis).

Schemathesis makes requests from the document itself (bounded: a few dozen per operation), sends them to
the WSGI application in this process, and checks that each answer has a documented status, the documented
content type and a body that matches its schema, and is never a server error. So the code and the
document cannot drift apart.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.keys import integration_key_create
from config.wsgi import application
from core.live import listener
from counter import services as counter
from evaluations import services
from evaluations.services import RatingInput

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django's test client keeps the test's database connection across requests; the WSGI handler
    schemathesis calls would close it after each one (it is inside the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    listener.stop()  # the long poll started PostgreSQL's LISTEN thread; its connection must not outlive the test


@pytest.fixture
def api_world(city, people, open_case, settings, wsgi_keeps_the_test_connection):
    """A window with a paired device, invitations to rate (one already rated), and a county key."""
    settings.DEVICE_WAIT_SECONDS = 0  # the long poll answers at once
    code = services.pairing_code_create(window=city.w1, actor=people.head)
    paired = services.device_pair(code=code, name="1号窗口评价器")
    for _ in range(3):
        counter.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
    rated = counter.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
    invite = rated.case.invites.get()
    services.rating_submit(invite=invite, data=RatingInput(5, 5, 5, 5), channel="device", device=paired.device,
                           idempotency_key="seeded-rating-0001", rated_at=timezone.now())
    key = integration_key_create(actor=people.cityadmin, name="省平台上报", county=city.gulou)
    return {"device": f"Device {paired.token}", "key": f"Bearer {key.secret}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_response_matches_the_document(case, api_world):
    path = case.operation.path
    if path.startswith("/api/devices/") and path != "/api/devices/pair":
        case.headers = {**(case.headers or {}), "Authorization": api_world["device"]}
    elif path == "/api/ratings":
        case.headers = {**(case.headers or {}), "Authorization": api_world["key"]}
    case.call_and_validate(checks=CHECKS)
