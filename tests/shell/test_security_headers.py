"""Every page carries the strict Content-Security-Policy; case pages, reveals, PDFs and the rest are never cached;
no template holds the inline script, style or handler that policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from counter import services
from tests.fixtures.cases import rating_token

ROOT = Path(settings.BASE_DIR)
POLICY = settings.CONTENT_SECURITY_POLICY
NOW = "2026-11-27 09:00:00+08:00"


def test_the_policy_allows_only_this_server_and_nothing_inline():
    directives = dict(part.strip().split(" ", 1) for part in POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe-inline" not in POLICY and "unsafe-eval" not in POLICY and "http" not in POLICY


@pytest.fixture
def pages(people, open_case):
    """(who, url) for a case page, its reveal, its documents, the lists, the public rating page and the API."""
    with freeze_time(NOW):
        case = open_case(None, "出生医学证明")
        notice = services.case_notify(case=case, actor=people.officer)
    return case, [
        (people.officer, reverse("counter:case_detail", args=[case.number])),
        (people.officer, reverse("counter:case_reveal", args=[case.number])),
        (people.officer, reverse("counter:document", args=[notice.public_id])),
        (people.officer, reverse("counter:document_pdf", args=[notice.public_id])),
        (people.officer, reverse("counter:case_list")),
        (people.head, reverse("shell:home")),
        (None, reverse("org:login")),
        (None, f"/r/{rating_token(case)}"),
        (None, "/api/ratings"),
        (None, "/no-such-page/"),
    ]


@pytest.mark.django_db
def test_every_page_gets_the_policy_and_no_store(pages):
    case, visits = pages
    for who, url in visits:
        client = Client()
        if who is not None:
            client.force_login(who)
        response = client.get(url)
        assert response.status_code < 500, url
        assert response["Content-Security-Policy"] == POLICY, url
        assert "no-store" in response["Cache-Control"], url


@pytest.mark.django_db
def test_a_refused_form_and_the_server_error_page_get_them_too(people, settings):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("org:login"), {"username": "officer", "password": "x"})
    assert refused.status_code == 403
    assert refused["Content-Security-Policy"] == POLICY and "no-store" in refused["Cache-Control"]

    settings.ROOT_URLCONF = "tests.shell.test_error_pages"
    broken = Client(raise_request_exception=False).get("/boom/")
    assert broken.status_code == 500 and "public.css" in broken.content.decode()
    assert broken["Content-Security-Policy"] == POLICY and broken["Cache-Control"] == "no-store"


def test_the_policy_can_be_switched_off_for_an_outer_proxy_that_sets_its_own(rf, settings):
    from django.http import HttpResponse

    from shell.middleware import SecurityHeadersMiddleware

    settings.CONTENT_SECURITY_POLICY = ""
    response = SecurityHeadersMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    assert "Content-Security-Policy" not in response and response["Cache-Control"] == "no-store"


def test_a_view_that_chose_its_caching_keeps_it(rf):
    from django.http import HttpResponse

    from shell.middleware import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("public")
        response["Cache-Control"] = "public, max-age=600"
        return response

    assert SecurityHeadersMiddleware(view)(rf.get("/"))["Cache-Control"] == "public, max-age=600"


INLINE = [
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "an inline script"),
    (re.compile(r"javascript:", re.I), "a javascript: link"),
    (re.compile(r"(src|href)=\"(https?:)?//", re.I), "an asset from another server"),
]


def project_templates() -> list[Path]:
    dirs = []
    for engine in engines.all():
        dirs += [Path(d) for d in engine.template_dirs]
    return sorted({p for d in dirs if ROOT in d.parents or d == ROOT for p in d.rglob("*.html")
                   if ".venv" not in p.parts})


def test_the_templates_are_found():
    names = {p.name for p in project_templates()}
    assert {"base.html", "public_base.html", "500.html", "case_detail.html", "device.html"} <= names


@pytest.mark.parametrize("template", project_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_what_the_policy_blocks(template):
    text = template.read_text(encoding="utf-8")
    # Links in the printed text (e.g. the rating URL) are values, not assets; comments are not rendered.
    text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.name}: {', '.join(found)}"
