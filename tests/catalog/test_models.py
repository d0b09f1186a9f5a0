"""How a material reads: `describe` for documents (always Chinese), `describe_display` for pages."""

import pytest
from django.utils import translation

from catalog.models import Material

ONE = Material(name="居民户口簿", form="original", copies=1)
TWO = Material(name="结婚证", form="both", copies=2, condition="因婚姻变更")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_describe_is_chinese_whatever_the_page_language(language):
    with translation.override(language):
        assert ONE.describe == "居民户口簿（原件1份）"
        assert TWO.describe == "结婚证（原件及复印件2份）［因婚姻变更］"


def test_describe_display_reads_like_describe_in_chinese():
    with translation.override("zh-hans"):
        assert ONE.describe_display == "居民户口簿（原件1份）"
        assert TWO.describe_display == "结婚证（原件及复印件2份）［因婚姻变更］"


def test_describe_display_is_english_on_english_pages():
    with translation.override("en"):
        assert ONE.describe_display == "居民户口簿 (Original, 1 copy)"
        assert TWO.describe_display == "结婚证 (Original and copy, 2 copies) [only if: 因婚姻变更]"
