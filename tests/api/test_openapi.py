"""The OpenAPI document describes every /api/ path, and /api/docs shows it to people."""

import importlib.util
import json
import re
import sys
import types

import pytest
from django.urls import URLPattern, URLResolver

from api import openapi, urls

PARAM = re.compile(r"<(?:[^>:]+:)?[^>]+>|\{[^}]+\}")


def routes(patterns, prefix="/api/") -> list[str]:
    out = []
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            out += routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            out.append(prefix + route)
    return out


def shape(route: str) -> str:
    """A path with its parameters unnamed, so <int:pk> and {pk} (or {id}) compare equal."""
    return PARAM.sub("{}", route)


@pytest.fixture
def spec(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content.decode())


def test_the_spec_is_openapi_3_1_json(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert {"Rating", "Error", "RatingPage"} <= set(spec["components"]["schemas"])
    assert spec["components"]["securitySchemes"]["integrationKey"] == {
        **spec["components"]["securitySchemes"]["integrationKey"], "type": "http", "scheme": "bearer"}


def device_module_exists() -> bool:
    return importlib.util.find_spec(openapi.DEVICE_MODULE) is not None


def test_every_integration_and_docs_path_under_api_is_in_the_spec(spec):
    described = {shape(p) for p in spec["paths"]}
    missing = [r for r in routes(urls.urlpatterns) if shape(r) not in described and not r.startswith("/api/devices")]
    assert missing == []


@pytest.mark.skipif(not device_module_exists(), reason="api/openapi_devices.py (DEVICE_PATHS) is not written yet")
def test_every_device_path_under_api_is_in_the_spec(spec):
    described = {shape(p) for p in spec["paths"]}
    missing = [r for r in routes(urls.urlpatterns) if shape(r) not in described]
    assert missing == [], "describe these in api/openapi_devices.DEVICE_PATHS"


def test_every_reference_points_at_a_schema_that_exists(spec):
    text = json.dumps(spec)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert refs and refs <= set(spec["components"]["schemas"])


def test_every_operation_has_responses_and_a_unique_id(spec):
    ids = []
    for route, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("responses"), (route, method)
            ids.append(op.get("operationId"))
    assert len(ids) == len(set(ids))


def test_the_rating_schema_lists_every_field_the_api_returns(spec):
    from api.openapi import EXAMPLE_RATING

    rating = spec["components"]["schemas"]["Rating"]
    assert set(rating["properties"]) == set(EXAMPLE_RATING) == set(rating["required"])
    assert rating["properties"]["pf"]["enum"] == [3, 4, 7]


def test_device_paths_and_components_are_merged_when_the_module_exists(monkeypatch):
    fake = types.ModuleType(openapi.DEVICE_MODULE)
    fake.DEVICE_PATHS = {"/api/devices/pair": {"post": {"operationId": "device_pair", "tags": ["devices"],
                                                         "responses": {"200": {"description": "ok"}}}},
                         "/api/ratings": {"post": {"operationId": "should_not_replace", "responses": {}}}}
    fake.DEVICE_COMPONENTS = {"schemas": {"Pairing": {"type": "object"}, "Rating": {"type": "string"}},
                              "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer"}}}
    monkeypatch.setitem(sys.modules, openapi.DEVICE_MODULE, fake)
    spec = openapi.build_spec()
    assert spec["paths"]["/api/devices/pair"]["post"]["operationId"] == "device_pair"
    assert spec["paths"]["/api/ratings"]["get"]["operationId"] == "ratings_list"
    assert spec["components"]["schemas"]["Pairing"] == {"type": "object"}
    assert spec["components"]["schemas"]["Rating"]["type"] == "object"  # ours is kept
    assert "deviceToken" in spec["components"]["securitySchemes"]
    assert "devices" in [t["name"] for t in spec["tags"]]


def test_without_the_device_module_the_spec_still_builds(monkeypatch):
    monkeypatch.setitem(sys.modules, openapi.DEVICE_MODULE, None)  # importing it raises ModuleNotFoundError
    spec = openapi.build_spec()
    assert "/api/ratings" in spec["paths"]
    assert not any(route.startswith("/api/devices") for route in spec["paths"])


def test_the_docs_page_lists_every_path_with_its_parameters_and_examples(client, spec):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for route, item in spec["paths"].items():
        assert route in html, route
        for method in item:
            assert f'<span class="api-method {method.upper()}">' in html
    for expected in ["接口文档", "Authorization: Bearer", "page_size", "case_number", "assess_number",
                     "schema-Rating", "invalid_key", "办理慢、等待时间长"]:
        assert expected in html, expected
    assert "cdn" not in html.lower() and "swagger" not in html.lower()
