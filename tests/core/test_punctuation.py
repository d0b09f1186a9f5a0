"""The marks a template writes between values follow the page's language."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation

TEMPLATE = Template('{% load punctuation %}{{ a }}{% p "（" %}{{ b }}{% p "）" %}{% p "；" %}{{ names|join_words }}')


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-hans", "受理（窗口）；甲、乙"),
    ("en", "受理 (窗口); 甲, 乙"),
])
def test_the_marks_between_values_follow_the_language(language, expected):
    with translation.override(language):
        assert TEMPLATE.render(Context({"a": "受理", "b": "窗口", "names": ["甲", "乙"]})) == expected


def test_a_mark_without_a_plain_equivalent_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load punctuation %}{% p "《" %}').render(Context())


def test_the_case_list_counts_in_the_pages_language(client_for, people):
    client = client_for(people.head)
    english = client.get(reverse("counter:case_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("counter:case_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Overdue only (0)" in english and "（0）" not in english
    assert "只看超期（0）" in chinese
