"""Form errors speak Chinese and say what to do: no raw field names, no browser bubbles, no stock messages."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE)


def post_forms() -> list[tuple[str, str]]:
    templates = [p for p in ROOT.glob("*/templates/**/*.html") if ".venv" not in p.parts]
    return [(str(path.relative_to(ROOT)), tag) for path in templates for tag in FORM_TAG.findall(path.read_text())
            if re.search(r"""method=["']post["']""", tag, re.IGNORECASE)]


def test_every_post_form_leaves_checking_to_the_server_so_its_chinese_messages_show():
    forms = post_forms()

    assert len(forms) > 20
    assert [(path, tag) for path, tag in forms if not re.search(r"\bnovalidate\b", tag)] == []


@pytest.mark.parametrize("data", [
    {"action": "accept"},                                   # no revision: a page from before the field existed
    {"action": "accept", "revision": "abc"},
    {"action": "accept", "revision": "99999999999999999999"},
    {"action": "accept", "revision": "-1"},
])
def test_a_stale_decision_form_says_to_refresh_without_a_field_name(client_for, people, open_case, guide, data):
    case = open_case(guide.birth, "出生医学证明")

    response = client_for(people.officer).post(f"/counter/cases/{case.number}/decide/", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "<li>页面已过期，请刷新后重试。</li>" in page
    assert "Revision" not in page and "Action" not in page


@pytest.mark.parametrize("action", ["", "approve"])
def test_an_unknown_decision_says_to_refresh(client_for, people, open_case, guide, action):
    case = open_case(guide.birth, "出生医学证明")

    response = client_for(people.officer).post(f"/counter/cases/{case.number}/decide/",
                                               {"action": action, "revision": case.revision})

    assert response.status_code == 400
    page = response.content.decode()
    assert "<li>未知的操作，请刷新页面后重试。</li>" in page
    assert "Action" not in page and "Revision" not in page


@pytest.mark.parametrize(("query", "message"), [
    ({"calc-start": "2026-12-01", "calc-n": "abc"}, "工作日数请填写整数，例如 5。"),
    ({"calc-start": "2026-12-01", "calc-n": "1.5"}, "工作日数请填写整数，例如 5。"),
    ({"calc-start": "2026-12-01", "calc-n": "5000"}, "工作日数应在0到400之间。"),
    ({"calc-start": "2026-12-01", "calc-n": "-1"}, "工作日数应在0到400之间。"),
    ({"calc-start": "2026-12-01", "calc-n": ""}, "请填写工作日数，例如 5。"),
    ({"calc-start": "", "calc-n": "5"}, "请填写起算日期，例如 2026-10-01。"),
    ({"back-day": ""}, "请填写截止日期，例如 2026-10-01。"),
    ({"back-day": "9999-12-31"}, "截止日期应在2000-01-01到2100-12-31之间"),
])
def test_the_working_day_calculator_explains_in_its_own_words(client_for, people, query, message):
    response = client_for(people.county).get("/calendar/", query)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    for stock in ("输入整数", "确保该值", "这个字段是必填项", "Enter a whole number", "Ensure this value"):
        assert stock not in page
