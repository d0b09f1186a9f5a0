"""The OpenAPI document is generated from the code and describes every /api/ endpoint; /api/docs shows it.

tests/api/test_schema_conformance.py checks real responses against this document.
"""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver

from api import urls

PARAM = re.compile(r"<(?:[^>:]+:)?[^>]+>|\{[^}]+\}")
# The staff pages under /api/ (HTML, signed in as the city administrator), the document and its page, and
# ninja's root (its name locates the others; it answers 404).
NOT_ENDPOINTS = {"/api/keys/", "/api/keys/{}/revoke/", "/api/openapi.json", "/api/docs", "/api/"}


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
    return PARAM.sub("{}", route).rstrip("/") or "/"


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
    assert spec["components"]["securitySchemes"]["IntegrationKeyAuth"] == {
        **spec["components"]["securitySchemes"]["IntegrationKeyAuth"], "type": "http", "scheme": "bearer"}


def test_every_endpoint_under_api_is_in_the_spec(spec):
    described = {shape(p) for p in spec["paths"]}
    missing = [r for r in routes(urls.urlpatterns) if shape(r) not in described and shape(r) not in
               {shape(n) for n in NOT_ENDPOINTS}]
    assert missing == []
    assert {shape(p) for p in spec["paths"]} <= {shape(r) for r in routes(urls.urlpatterns)}


def test_every_reference_points_at_a_schema_that_exists(spec):
    text = json.dumps(spec)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert refs and refs <= set(spec["components"]["schemas"])


def test_every_operation_has_responses_a_unique_id_and_a_chinese_summary(spec):
    ids = []
    for route, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("responses"), (route, method)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in op.get("summary", "")), (route, method)
            ids.append(op.get("operationId"))
    assert len(ids) == len(set(ids))


def test_every_error_status_is_described_with_the_error_schema(spec):
    for route, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (route, method, status)


def test_the_rating_schema_lists_every_field_the_api_returns(spec):
    from api.integrations import Rating

    rating = spec["components"]["schemas"]["Rating"]
    assert set(rating["properties"]) == set(Rating.model_fields) == set(rating["required"])
    assert rating["properties"]["pf"]["enum"] == [3, 4, 7]


def test_the_docs_page_is_chinese_and_served_from_this_server_only(client, spec, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "亮窗 BrightWindow API" in html and 'lang="zh-Hans"' in html
    sources = [s for s in re.findall(r'(?:src|href)="([^"]+)"', html) if not s.startswith("data:")]
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "cdn" not in html.lower()
    assert "/api/openapi.json" in html
